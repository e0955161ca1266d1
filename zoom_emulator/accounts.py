"""Zoom's account-side rules: Marketplace pre-approval and the admins' user management.

The pages call these, and so may tests (the emulator's own and the product's integration tests), to put
Zoom in a state without clicking through it: ``preapprove``, ``request_preapproval``, ``add_user``,
``remove_from_account``, ``delete_user``, ``set_status``. Users may be passed as rows or e-mails, accounts
as rows, account ids or seed keys ("demo"), the app as a row or client id (by default the product's app).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from zoom_emulator import webhooks
from zoom_emulator.ids import DB, pmi_for, zoom_id
from zoom_emulator.models import Account, App, Grant, OutboxEmail, Preapproval, PreapprovalRequest, User
from zoom_emulator.seed import account_id_for

SENDER = "noreply@zoom.us"
ADMIN_ROLES = (User.Role.OWNER, User.Role.ADMIN)


class AccountError(ValueError):
    """Something Zoom's pages would refuse with a message (a duplicate e-mail, acting on the owner, ...)."""


# ---------------------------------------------------------------------------------------------- lookups


def get_user(user: User | str) -> User:
    if isinstance(user, User):
        return user
    found = User.objects.select_related("account").filter(email__iexact=user).first()
    if found is None:
        found = User.objects.select_related("account").filter(user_id=user).first()
    if found is None:
        raise AccountError(f"No Zoom user {user!r}.")
    return found


def get_account(account: Account | str) -> Account:
    if isinstance(account, Account):
        return account
    # An account id, or a seed key ("demo", "personal") for tests that never saw the id.
    found = Account.objects.filter(account_id__in=[account, account_id_for(account)]).first()
    if found is None:
        raise AccountError(f"No Zoom account {account!r}.")
    return found


def get_app(app: App | str | None = None) -> App:
    if isinstance(app, App):
        return app
    client_id = app or getattr(settings, "ZOOM_CLIENT_ID", None)
    # Without a client id configured, the one registered app is the product's.
    found = App.objects.filter(client_id=client_id).first() if client_id else App.objects.order_by("pk").first()
    if found is None:
        raise AccountError(f"No app {client_id!r} is registered.")
    return found


def is_admin(user: User) -> bool:
    """Owners and admins hold Marketplace:Edit and user management in Zoom's default roles."""
    return user.role in ADMIN_ROLES


# -------------------------------------------------------------------------------------- pre-approval


def set_requires_preapproval(account: Account | str, required: bool = True) -> Account:
    account = get_account(account)
    account.requires_preapproval = required
    account.save(update_fields=["requires_preapproval"])
    return account


def set_request_emails(account: Account | str, enabled: bool = True) -> Account:
    """Zoom lets an admin turn the app-request e-mails off; then a request is recorded but nobody is told."""
    account = get_account(account)
    account.notify_app_requests = enabled
    account.save(update_fields=["notify_app_requests"])
    return account


def is_preapproved(account: Account | str, app: App | str | None = None) -> bool:
    return Preapproval.objects.filter(account=get_account(account), app=get_app(app)).exists()


def preapprove(account: Account | str, app: App | str | None = None, *, by: User | str | None = None) -> Preapproval:
    """Pre-approve ``app`` for every user of ``account``; the account's waiting requests become approved."""
    account = get_account(account)
    app = get_app(app)
    approver = get_user(by).email if by is not None else ""
    with transaction.atomic(using=DB):
        approval, _ = Preapproval.objects.get_or_create(
            account=account, app=app, defaults={"approved_by": approver, "created_at": timezone.now()}
        )
        PreapprovalRequest.objects.filter(account=account, app=app, status=PreapprovalRequest.Status.PENDING).update(
            status=PreapprovalRequest.Status.APPROVED, approved_at=timezone.now()
        )
    return approval


def withdraw_preapproval(account: Account | str, app: App | str | None = None) -> None:
    """Take a pre-approval back (Apps on Account > Pre-approved Apps > off); users meet the request again."""
    Preapproval.objects.filter(account=get_account(account), app=get_app(app)).delete()


def pending_request(user: User | str, app: App | str | None = None) -> PreapprovalRequest | None:
    user = get_user(user)
    return PreapprovalRequest.objects.filter(
        account=user.account, app=get_app(app), user=user, status=PreapprovalRequest.Status.PENDING
    ).first()


def request_preapproval(user: User | str, app: App | str | None = None, *, base_url: str = "") -> PreapprovalRequest:
    """A member presses 「事前に承認をとるためのリクエスト」: one waiting request, and (unless the account turned
    them off) an e-mail to each owner and admin. Pressing again changes nothing and sends nothing.

    ``base_url`` (say ``http://localhost:8000``) makes the e-mail's link absolute, as a real e-mail's is."""
    user = get_user(user)
    app = get_app(app)
    with transaction.atomic(using=DB):
        existing = pending_request(user, app)
        if existing is not None:
            return existing
        try:
            with transaction.atomic(using=DB):
                asked = PreapprovalRequest.objects.create(account=user.account, app=app, user=user)
        except IntegrityError:
            # A double submit raced us to the row: the waiting request is the answer, and its e-mails went out.
            found = pending_request(user, app)
            if found is None:
                raise
            return found
        if user.account.notify_app_requests:
            _notify_admins(asked, base_url)
    return asked


def _notify_admins(asked: PreapprovalRequest, base_url: str) -> None:
    link = base_url.rstrip("/") + reverse("zoom_emulator:marketplace_requests")
    requester = asked.user
    admins = asked.account.users.filter(role__in=ADMIN_ROLES, status=User.Status.ACTIVE).order_by("pk")
    for admin in admins:
        # Modelled on Zoom's "app approval request" notification: who asked, for which app, and where an
        # admin acts on it (Marketplace > Manage > App Requests).
        OutboxEmail.objects.create(
            sender=SENDER,
            to=admin.email,
            subject=f"[Zoom] {requester.display_name} has requested pre-approval for {asked.app.name}",
            body=(
                f"Hi {admin.first_name or admin.email},\n\n"
                f"{requester.display_name} ({requester.email}) has requested that you pre-approve the app "
                f"{asked.app.name} for your account {asked.account.name}. Until an admin pre-approves it, "
                f"users on your account cannot install it.\n\n"
                f"To pre-approve or review the request, click here or sign in to the Zoom App Marketplace and "
                f"go to Manage > App Requests.\n\n"
                f"Thank you,\nThe Zoom Team"
            ),
            link=link,
        )


def outbox(to: str | None = None) -> list[OutboxEmail]:
    """The e-mails Zoom "sent", newest first; ``to`` narrows them to one recipient."""
    queryset = OutboxEmail.objects.all()
    if to:
        queryset = queryset.filter(to__iexact=to)
    return list(queryset)


# ----------------------------------------------------------------------------------- user management


def add_user(
    account: Account | str,
    email: str,
    first_name: str = "",
    last_name: str = "",
    *,
    role: str = User.Role.MEMBER,
    status: str = User.Status.ACTIVE,
) -> User:
    """「ユーザーを追加する」: a new Zoom user of the account. Real Zoom e-mails an invitation and the user is
    pending until they accept; here the user is active at once unless ``status="pending"`` is asked for."""
    account = get_account(account)
    email = (email or "").strip()
    try:
        if len(email) > 254:
            # The column's limit; PostgreSQL would refuse a longer value with an error page.
            raise ValidationError("too long")
        validate_email(email)
    except ValidationError:
        raise AccountError("Enter a valid e-mail address.") from None
    if role not in (User.Role.MEMBER, User.Role.ADMIN):
        raise AccountError("A new user is a member or an admin; an account has one owner.")
    if status not in (User.Status.ACTIVE, User.Status.PENDING):
        raise AccountError("A new user is active or pending.")
    if User.objects.filter(email__iexact=email).exists():
        raise AccountError(f"A Zoom user with {email} already exists.")
    # A fresh id, as Zoom gives: a re-added e-mail is a new Zoom user, not the deleted one back.
    user_id = zoom_id("user", f"{email.lower()}:{secrets.token_hex(8)}")
    try:
        with transaction.atomic(using=DB):
            return User.objects.create(
                user_id=user_id,
                account=account,
                email=email,
                first_name=first_name.strip()[:100],
                last_name=last_name.strip()[:100],
                role=role,
                status=status,
                pmi=pmi_for(user_id),
            )
    except IntegrityError:
        raise AccountError(f"A Zoom user with {email} already exists.") from None


def remove_from_account(user: User | str) -> Account:
    """Zoom's "remove from account" (disassociate): the user keeps their Zoom login, id, grants and e-mail,
    but now as the owner of a new free account of their own. Returns that account."""
    user = get_user(user)
    with transaction.atomic(using=DB):
        old_account = user.account
        own = Account.objects.create(
            account_id=zoom_id("account", f"own:{user.user_id}:{secrets.token_hex(8)}"),
            name=f"{user.display_name}'s account",
            # Zoom: a single-user account that never opened the Marketplace has pre-approval off.
            requires_preapproval=False,
        )
        # Their requests were for the old account's admins; they no longer concern anyone there.
        PreapprovalRequest.objects.filter(
            account=old_account, user=user, status=PreapprovalRequest.Status.PENDING
        ).delete()
        user.account = own
        user.role = User.Role.OWNER
        user.type = User.Type.BASIC
        user.save(update_fields=["account", "role", "type"])
    return own


def delete_user(user: User | str) -> None:
    """Zoom's "delete": the user is gone for good, and so are their grants (the row and, by cascade, its
    grants and codes): a refresh answers invalid_grant and the access token 401 code 124.

    No webhook by default: whether Zoom sends ``app_deauthorized`` for a deleted user is unconfirmed. An app
    whose ``deauthorize_on_user_delete`` switch is on receives one per live grant, sent after the commit."""
    user = get_user(user)
    with transaction.atomic(using=DB):
        live = Grant.objects.filter(user=user, revoked=False, app__deauthorize_on_user_delete=True)
        # The payload names the user and account, so it is built before the row goes.
        for grant in live.select_related("app", "user__account"):
            webhooks.send_app_deauthorized(grant)
        user.delete()


def set_status(user: User | str, status: str) -> User:
    """Activate or deactivate a user (an admin's "Deactivate"/"Activate"); ``pending`` emulates an
    invitation not yet accepted."""
    user = get_user(user)
    if status not in User.Status.values:
        raise AccountError(f"Unknown status {status!r}.")
    user.status = status
    user.save(update_fields=["status"])
    return user


def check_can_manage(actor: User, target: User) -> None:
    """The web page's rules (the helpers above do not apply them, so tests may stage anything): an owner or
    admin manages the other users of their own account, never the owner, never themselves."""
    if not is_admin(actor):
        raise AccountError("Only an owner or admin can manage users.")
    if target.account_id != actor.account_id:
        raise AccountError("That user is not in your account.")
    if target.pk == actor.pk:
        raise AccountError("You cannot change your own user here.")
    if target.role == User.Role.OWNER:
        raise AccountError("The account owner cannot be changed here.")
