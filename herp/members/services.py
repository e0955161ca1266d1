"""Writes of the members page (全体設定 › メンバー): invitations, set-password links, roles, and people
leaving.

- ``member_invite`` writes an invitation for an address of no member of the company. The account is made
  only when the person sets their password (``link_accept``), so nothing on any page lists someone who
  has not joined. An address that already has an account with another company (or is support staff's)
  is invited exactly the same — the same answer, the same row on the page — and that account is never
  read beyond the check nor changed; the mail to the address explains, without a link (``mails``).
- A link is a random secret in the URL; the row keeps its SHA-256 only. It works once, until it expires
  (invitations ``INVITATION_LIFETIME``, set-password links ``PASSWORD_LINK_LIFETIME``), and not after a
  newer link for the same person, a withdrawal or a deactivation revoked it. Acceptance claims the row
  under its lock, so a double submit makes one account.
- ``member_deactivate`` keeps at least one active admin per company (the company's row is locked, so two
  admins demoting each other cannot both succeed), revokes the person's links and sends
  ``herp.signals.user_deactivated`` inside its transaction: integrations, zoom and scheduling do their
  part there (DESIGN.md: the layers above listen, herp imports none of them).
- ``member_delete`` is the operators' delete in the admin: the same deactivation first, then the row.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.admin.models import CHANGE, DELETION, LogEntry
from django.contrib.auth.password_validation import validate_password
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from herp import signals
from herp.models import Company, Language, PasswordLink, User

logger = logging.getLogger(__name__)

INVITATION_LIFETIME = timedelta(days=7)
PASSWORD_LINK_LIFETIME = timedelta(days=3)

Kind = PasswordLink.Kind


class MemberRefused(Exception):
    """The change cannot be made; the message says why, for the admin (in the current language)."""


class LastAdmin(MemberRefused):
    """The company would be left without an active admin."""


class LinkUnusable(Exception):
    """A set-password link that does not work. ``reason``: unknown, expired, used, revoked, taken."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Issued:
    """A link just written, with its secret: the secret exists in memory only, to be mailed or printed."""

    link: PasswordLink
    token: str


def normalize_email(email: str) -> str:
    return User.objects.normalize_email(email.strip()).lower()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _issue(**fields: object) -> Issued:
    token = secrets.token_urlsafe(32)
    lifetime = INVITATION_LIFETIME if fields["kind"] == Kind.INVITATION else PASSWORD_LINK_LIFETIME
    now = timezone.now()
    link = PasswordLink.objects.create(
        token_hash=token_hash(token), created_at=now, expires_at=now + lifetime, **fields
    )
    return Issued(link=link, token=token)


def _revoke(links: QuerySet[PasswordLink]) -> int:
    return links.filter(used_at__isnull=True, revoked_at__isnull=True).update(revoked_at=timezone.now())


def _send_on_commit(issued: Issued) -> None:
    # The secret stays in this closure: never in a task's arguments, a log line or the database.
    from herp.members.mails import link_send

    transaction.on_commit(lambda: link_send(link_id=issued.link.pk, token=issued.token))


# --- Invitations and set-password links -------------------------------------------------------------


def member_invite(*, company: Company, by: User | None, email: str, name: str, role: str, language: str) -> Issued:
    """An invitation mailed on commit. Raises MemberRefused for a member of this very company (the admin
    may know that); any other address is invited, whoever it belongs to."""
    email = normalize_email(email)
    if role not in User.Role.values or language not in Language.values:
        raise MemberRefused(_("Choose a role."))  # the form offers only these; the last guard for others
    with transaction.atomic():
        existing = User.objects.filter(email__iexact=email, company=company).first()
        if existing is not None:
            if existing.is_active:
                raise MemberRefused(_("%(email)s is already a member of your company.") % {"email": email})
            raise MemberRefused(
                _("%(email)s is a deactivated member of your company: reactivate them instead.") % {"email": email}
            )
        # Only the newest invitation to an address works.
        _revoke(PasswordLink.objects.filter(company=company, kind=Kind.INVITATION, email=email))
        issued = _issue(
            company=company,
            kind=Kind.INVITATION,
            email=email,
            name=name.strip(),
            role=role,
            language=language,
            invited_by=by,
        )
        _send_on_commit(issued)
    return issued


def invitation_resend(*, invitation: PasswordLink, by: User | None) -> Issued:
    """A new link for a waiting (or expired) invitation; the old one stops working."""
    return member_invite(
        company=invitation.company,
        by=by,
        email=invitation.email,
        name=invitation.name,
        role=invitation.role,
        language=invitation.language,
    )


def invitation_revoke(*, invitation: PasswordLink) -> bool:
    return _revoke(PasswordLink.objects.filter(pk=invitation.pk)) == 1


def password_link_issue(*, user: User, by: User | None, send: bool = True) -> Issued:
    """A set-password link for an account (the first admin's, or a member who lost their password); the
    person's earlier links stop working. Mailed on commit unless ``send`` is False (the caller prints it)."""
    if user.company_id is None or not user.is_active:
        raise MemberRefused(_("Only active members of a company can get a set-password link."))
    with transaction.atomic():
        _revoke(PasswordLink.objects.filter(user=user))
        issued = _issue(
            company_id=user.company_id,
            kind=Kind.PASSWORD,
            email=user.email,
            name=user.name,
            role=user.role,
            language=user.language,
            user=user,
            invited_by=by,
        )
        if send:
            _send_on_commit(issued)
    return issued


def link_for_token(token: str, *, lock: bool = False) -> PasswordLink:
    """The link the secret opens, if it still works; raises LinkUnusable."""
    if not token or len(token) > 200:
        raise LinkUnusable("unknown")
    rows = PasswordLink.objects.select_related("company", "user")
    if lock:
        rows = rows.select_for_update(of=("self",))
    link = rows.filter(token_hash=token_hash(token)).first()
    if link is None:
        raise LinkUnusable("unknown")
    if link.is_used:
        raise LinkUnusable("used")
    if link.is_revoked or (link.user is not None and not link.user.is_active):
        raise LinkUnusable("revoked")
    if link.is_expired:
        raise LinkUnusable("expired")
    if link.kind == Kind.INVITATION and User.objects.filter(email__iexact=link.email).exists():
        raise LinkUnusable("taken")
    return link


def link_accept(*, token: str, name: str, password: str) -> User:
    """Sets the password: an invitation makes the account (in the inviting company, with the role it
    named), a set-password link sets the account's. Raises LinkUnusable, or Django's ValidationError for
    a password the validators refuse (the form says so first)."""
    with transaction.atomic():
        link = link_for_token(token, lock=True)
        if link.kind == Kind.INVITATION:
            user = User(
                email=link.email, company=link.company, role=link.role, language=link.language, name=name.strip()
            )
        else:
            if link.user is None:  # a set-password link always names its account
                raise LinkUnusable("unknown")
            user = User.objects.select_for_update().get(pk=link.user.pk)
            if name.strip():
                user.name = name.strip()
        validate_password(password, user)
        user.set_password(password)
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError:
            # The address got an account meanwhile (another company's invitation accepted first).
            raise LinkUnusable("taken") from None
        link.user = user
        link.used_at = timezone.now()
        link.save(update_fields=["user", "used_at"])
        # Whatever else was sent to this person no longer stands.
        _revoke(PasswordLink.objects.filter(user=user).exclude(pk=link.pk))
        _revoke(PasswordLink.objects.filter(company=link.company, kind=Kind.INVITATION, email=link.email))
    logger.info("Password link %s used: user %s of company %s.", link.pk, user.pk, link.company_id)
    return user


# --- Roles and people leaving -------------------------------------------------------------------------


def _lock(member: User) -> User:
    # The company's row first, always: every change that could remove an admin waits for the others.
    if member.company_id is None:
        raise MemberRefused(_("Only members of a company can be deactivated here."))
    Company.objects.select_for_update().get(pk=member.company_id)
    return User.objects.select_for_update().get(pk=member.pk, company_id=member.company_id)


def other_active_admins(member: User) -> int:
    return (
        User.objects.filter(company=member.company, role=User.Role.ADMIN, is_active=True).exclude(pk=member.pk).count()
    )


def is_last_admin(member: User) -> bool:
    return member.is_active and member.role == User.Role.ADMIN and other_active_admins(member) == 0


def _refuse_last_admin(member: User, action: str) -> None:
    if is_last_admin(member):
        raise LastAdmin(last_admin_text(member, action))


def last_admin_text(member: User, action: str) -> str:
    if action == "deactivate":
        text = _(
            "%(name)s is the only active admin of your company, so they cannot be deactivated: nobody could manage "
            "members or Zoom any more. Make another member an admin first."
        )
    else:
        text = _(
            "%(name)s is the only active admin of your company, so they cannot stop being an admin: nobody could "
            "manage members or Zoom any more. Make another member an admin first."
        )
    return text % {"name": member.display_name}


def member_role_change(*, member: User, role: str, by: User | None) -> bool:
    """Returns False when the role was already that one. Raises LastAdmin."""
    if role not in User.Role.values:
        raise MemberRefused(_("Choose a role."))
    with transaction.atomic():
        member = _lock(member)
        if member.role == role:
            return False
        if role != User.Role.ADMIN:
            _refuse_last_admin(member, "demote")
        member.role = role
        member.save(update_fields=["role"])
        _log(by, member, CHANGE, f"role → {role}")
    return True


def member_deactivate(*, member: User, by: User | None, keep_an_admin: bool = True) -> bool:
    """active → inactive: they can no longer sign in, their links stop working, and the apps above do
    their part through ``user_deactivated`` in this same transaction. Returns False when already
    inactive. Raises LastAdmin (unless ``keep_an_admin`` is False: an operator deleting the account)."""
    with transaction.atomic():
        member = _lock(member)
        if not member.is_active:
            return False
        if keep_an_admin:
            _refuse_last_admin(member, "deactivate")
        member.is_active = False
        member.save(update_fields=["is_active"])
        _revoke(PasswordLink.objects.filter(user=member))
        signals.user_deactivated.send(sender=User, user=member, actor=by, company_id=member.company_id)
        _log(by, member, CHANGE, "deactivated")
    logger.info("User %s of company %s deactivated by %s.", member.pk, member.company_id, by.pk if by else None)
    return True


def member_reactivate(*, member: User, by: User | None) -> bool:
    """inactive → active: they can sign in again with their password. Their Zoom link, their places in
    interviews and a connection they made stay as deactivation left them (docs/decisions.md)."""
    with transaction.atomic():
        member = _lock(member)
        if member.is_active:
            return False
        member.is_active = True
        member.save(update_fields=["is_active"])
        _log(by, member, CHANGE, "reactivated")
    return True


def member_delete(*, member: User, by: User | None) -> None:
    """The operators' delete (the admin): the deactivation first, as an admin's would be (an operator may
    remove a company's last admin), then the row. What belongs to the person goes with it (their Zoom
    link's row, their links, their notifications, their places in interviews); what the company keeps
    names them no more (interviews they created, messages sent to them, the audit log)."""
    with transaction.atomic():
        if member.company_id is not None:
            member_deactivate(member=member, by=by, keep_an_admin=False)
        _log(by, member, DELETION, "deleted")
        User.objects.filter(pk=member.pk).delete()
    logger.info("User %s deleted by %s.", member.pk, by.pk if by else None)


def deactivation_consequences(member: User) -> list[str]:
    """What deactivating the person will do, in each app's words (for the confirmation page)."""
    sentences: list[str] = []
    for _receiver, answer in signals.deactivation_consequences.send(sender=User, user=member):
        sentences.extend(answer or [])
    return sentences


def _log(by: User | None, member: User, flag: int, message: str) -> None:
    # The admin's history of the person (support staff read it there); nothing secret goes in.
    if by is None or by.pk is None:
        return
    LogEntry.objects.log_actions(
        user_id=by.pk,
        queryset=User.objects.filter(pk=member.pk),
        action_flag=flag,
        change_message=message,
        single_object=True,
    )
