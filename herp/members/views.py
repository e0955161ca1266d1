"""全体設定 › メンバー (company admins) and the page a set-password link opens (anyone holding one).

Every member and invitation is read through herp.tenancy, so another company's ids answer 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login, logout
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from herp.members import services
from herp.members.forms import InviteForm, RoleForm, SetPasswordForm
from herp.members.services import LastAdmin, LinkUnusable, MemberRefused
from herp.models import PasswordLink, User
from herp.tenancy import MemberRequest, company_admin_required, get_scoped_or_404, scoped

PAGE_SIZE = 50
SESSION_KEY = "herp_password_link"
SEARCH_MAX = 100


def _members_page() -> HttpResponse:
    return redirect("members:list")


def _member_or_404(request: MemberRequest, pk: int) -> User:
    return get_scoped_or_404(User, request.user.tenant, pk=pk)


def _invitation_or_404(request: MemberRequest, pk: int) -> PasswordLink:
    return get_scoped_or_404(PasswordLink.objects.filter(kind=PasswordLink.Kind.INVITATION), request.user.tenant, pk=pk)


@require_http_methods(["GET"])
@company_admin_required
def member_list(request: MemberRequest) -> HttpResponse:
    return _list_page(request, InviteForm(initial={"language": request.user.language}))


def _list_page(request: MemberRequest, invite_form: InviteForm, status: int = 200) -> HttpResponse:
    company = request.user.tenant
    query = (request.GET.get("q") or "").strip()[:SEARCH_MAX]
    people = scoped(User, company).order_by("-is_active", "name", "email", "pk")
    if query:
        people = people.filter(Q(name__icontains=query) | Q(email__icontains=query))
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    active_admins = scoped(User, company).filter(role=User.Role.ADMIN, is_active=True).count()
    rows = [
        {
            "person": person,
            "last_admin": person.is_active and person.role == User.Role.ADMIN and active_admins <= 1,
            "pending": not person.has_usable_password(),
        }
        for person in page.object_list
    ]
    waiting = scoped(PasswordLink, company).filter(
        kind=PasswordLink.Kind.INVITATION, used_at__isnull=True, revoked_at__isnull=True
    )
    invitations = Paginator(waiting.select_related("invited_by").order_by("-created_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("ipage")
    )
    context = {
        "title": _("Members"),
        "rows": rows,
        "page": page,
        "query": query,
        "invitations": invitations,
        "invite_form": invite_form,
        "roles": User.Role.choices,
        "last_admin_text": _(
            "The only active admin: to change their role or deactivate them, make another member an admin first."
        ),
        "invitation_days": services.INVITATION_LIFETIME.days,
    }
    return render(request, "herp/members.html", context, status=status)


@require_POST
@company_admin_required
def member_invite(request: MemberRequest) -> HttpResponse:
    form = InviteForm(request.POST)
    if not form.is_valid():
        return _list_page(request, form, status=400)
    data = form.cleaned_data
    try:
        issued = services.member_invite(
            company=request.user.tenant,
            by=request.user,
            email=data["email"],
            name=data["name"],
            role=data["role"],
            language=data["language"],
        )
    except MemberRefused as refusal:
        form.add_error("email", str(refusal))
        return _list_page(request, form, status=400)
    _say_sent(request, issued.link, _("Invitation sent to %(email)s. The link works for %(days)d days."))
    return _members_page()


def _say_sent(request: MemberRequest, link: PasswordLink, text: str) -> None:
    link.refresh_from_db(fields=["send_error"])
    lifetime = (
        services.INVITATION_LIFETIME if link.kind == PasswordLink.Kind.INVITATION else services.PASSWORD_LINK_LIFETIME
    )
    values = {"email": link.email, "days": lifetime.days}
    if link.send_error:
        messages.error(
            request,
            _("The e-mail to %(email)s could not be sent (%(error)s). Press “Resend” to try again.")
            % {**values, "error": link.send_error},
        )
    else:
        messages.success(request, text % values)


@require_POST
@company_admin_required
def invitation_resend(request: MemberRequest, pk: int) -> HttpResponse:
    invitation = _invitation_or_404(request, pk)
    if invitation.used_at or invitation.revoked_at:
        messages.error(request, _("This invitation was already used or withdrawn."))
        return _members_page()
    try:
        issued = services.invitation_resend(invitation=invitation, by=request.user)
    except MemberRefused as refusal:
        messages.error(request, str(refusal))
        return _members_page()
    _say_sent(request, issued.link, _("Invitation sent again to %(email)s. The earlier link no longer works."))
    return _members_page()


@require_POST
@company_admin_required
def invitation_revoke(request: MemberRequest, pk: int) -> HttpResponse:
    invitation = _invitation_or_404(request, pk)
    if services.invitation_revoke(invitation=invitation):
        messages.success(request, _("The invitation to %(email)s was withdrawn.") % {"email": invitation.email})
    return _members_page()


@require_POST
@company_admin_required
def member_role(request: MemberRequest, pk: int) -> HttpResponse:
    member = _member_or_404(request, pk)
    form = RoleForm(request.POST, prefix=f"m{member.pk}")
    if not form.is_valid():
        messages.error(request, _("Choose a role."))
        return _members_page()
    try:
        changed = services.member_role_change(member=member, role=form.cleaned_data["role"], by=request.user)
    except MemberRefused as refusal:
        messages.error(request, str(refusal))
        return _members_page()
    if changed:
        member.refresh_from_db()
        messages.success(
            request,
            _("%(name)s is now: %(role)s.") % {"name": member.display_name, "role": member.get_role_display()},
        )
    if member.pk == request.user.pk and member.role != User.Role.ADMIN:
        return redirect("home")  # this page is for admins
    return _members_page()


@require_http_methods(["GET", "POST"])
@company_admin_required
def member_deactivate(request: MemberRequest, pk: int) -> HttpResponse:
    member = _member_or_404(request, pk)
    if not member.is_active:
        return _members_page()
    if request.method == "GET":
        context = {
            "member": member,
            "consequences": services.deactivation_consequences(member),
            "last_admin": services.is_last_admin(member),
            "last_admin_text": services.last_admin_text(member, "deactivate"),
            "is_self": member.pk == request.user.pk,
            "title": _("Deactivate %(name)s") % {"name": member.display_name},
        }
        return render(request, "herp/member_deactivate.html", context)
    try:
        services.member_deactivate(member=member, by=request.user)
    except LastAdmin as refusal:
        messages.error(request, str(refusal))
        return _members_page()
    if member.pk == request.user.pk:
        logout(request)
        return redirect("login")
    messages.success(
        request,
        _(
            "%(name)s was deactivated. Their upcoming interviews were planned again and everyone concerned is "
            "being told."
        )
        % {"name": member.display_name},
    )
    return _members_page()


@require_POST
@company_admin_required
def member_reactivate(request: MemberRequest, pk: int) -> HttpResponse:
    member = _member_or_404(request, pk)
    if services.member_reactivate(member=member, by=request.user):
        messages.success(
            request,
            _("%(name)s can sign in again. They link their Zoom again in External service accounts.")
            % {"name": member.display_name},
        )
    return _members_page()


@require_POST
@company_admin_required
def member_password_link(request: MemberRequest, pk: int) -> HttpResponse:
    member = _member_or_404(request, pk)
    try:
        issued = services.password_link_issue(user=member, by=request.user)
    except MemberRefused as refusal:
        messages.error(request, str(refusal))
        return _members_page()
    _say_sent(
        request,
        issued.link,
        _("A link to set a new password was sent to %(email)s. It works for %(days)d days."),
    )
    return _members_page()


# --- The page a link opens -----------------------------------------------------------------------------


def _unusable(request: HttpRequest, reason: str) -> HttpResponse:
    texts = {
        "unknown": _(
            "The link is incomplete or was never issued. Open it again from the e-mail, or ask an admin of your "
            "company for a new one."
        ),
        "expired": _("The link has expired. Ask an admin of your company to send a new one."),
        "used": _("The link was already used: your password is set. Sign in with it."),
        "revoked": _(
            "The link no longer works: a newer one was sent, the invitation was withdrawn, or the account was "
            "deactivated. Ask an admin of your company."
        ),
        "taken": _(
            "This e-mail address already has a HERP account with another company, and an address can belong to "
            "one company only. Ask the person who invited you to invite another address of yours."
        ),
    }
    context = {
        "title": _("This link does not work"),
        "explanation": texts.get(reason, texts["unknown"]),
        "reason": reason,
    }
    return _private(render(request, "herp/set_password_unusable.html", context, status=400))


def _private(response: HttpResponse, *, referrer: bool = False) -> HttpResponse:
    # The link's secret must not leave in a Referer, nor stay in a cache. The form's own page keeps the
    # site's same-origin policy: under no-referrer Chromium sends "Origin: null" with the form, which
    # Django's CSRF check refuses; its URL carries no secret any more.
    if not referrer:
        response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def set_password(request: HttpRequest) -> HttpResponse:
    token = request.GET.get("token")
    if token is not None and request.method == "GET":
        # From the e-mail: the secret moves into the session and the address bar loses it.
        if request.user.is_authenticated:
            logout(request)  # a link is for its own person, whoever was signed in in this browser
        request.session[SESSION_KEY] = token[:200]
        return _private(redirect("set_password"))
    try:
        link = services.link_for_token(request.session.get(SESSION_KEY, ""))
    except LinkUnusable as exc:
        return _unusable(request, exc.reason)
    initial_name = link.name or (link.user.name if link.user else "")
    form = SetPasswordForm(request.POST or None, email=link.email, initial={"name": initial_name})
    # Before the account exists, the page speaks the language the invitation was written in.
    with translation.override(link.language):
        if request.method == "POST" and form.is_valid():
            try:
                user = services.link_accept(
                    token=request.session.get(SESSION_KEY, ""),
                    name=form.cleaned_data["name"],
                    password=form.cleaned_data["password1"],
                )
            except LinkUnusable as exc:
                return _unusable(request, exc.reason)
            request.session.pop(SESSION_KEY, None)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            with translation.override(user.language):
                messages.success(request, _("Your password is set. Welcome to HERP."))
            return redirect("home")
        context: dict[str, Any] = {
            "title": _("Set your password"),
            "form": form,
            "link": link,
            "company": link.company,
        }
        return _private(render(request, "herp/set_password.html", context), referrer=True)
