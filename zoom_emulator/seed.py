"""The emulator's initial state: the demo company's Zoom account, a personal account, and the product's app.

Ids derive from fixed keys, so a reset restores exactly the same accounts, users and app.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from zoom_emulator.ids import DB, pmi_for, zoom_id
from zoom_emulator.models import (
    Account,
    App,
    AuthorizationCode,
    Call,
    Fault,
    Grant,
    Meeting,
    MeetingCounter,
    MeetingPolicy,
    OutboxEmail,
    Participant,
    Preapproval,
    PreapprovalRequest,
    User,
    WebhookAttempt,
    WebhookDelivery,
)

APP_NAME = "HERP ATS"
APP_SCOPES = [
    "user:read:user",
    "user:read:settings",
    "meeting:write:meeting",
    "meeting:read:meeting",
    "meeting:update:meeting",
    "meeting:delete:meeting",
    "meeting:read:list_meetings",
    "meeting:read:participant",
    "meeting:read:list_past_participants",
    "meeting:read:summary",
    "cloud_recording:read:list_recording_files",
]
# A fixed creation time keeps /users/me identical across resets.
SEEDED_AT = datetime(2024, 4, 1, 0, 0, tzinfo=UTC)

DEMO_ACCOUNT = "demo"
PERSONAL_ACCOUNT = "personal"

# (account key, account name, requires pre-approval)
ACCOUNTS = [
    (DEMO_ACCOUNT, "Demo Inc.", True),
    (PERSONAL_ACCOUNT, "Personal", False),
]
# (account key, email, first name, last name, role, type)
USERS = [
    (DEMO_ACCOUNT, "zoom-owner@demo.example", "Ichiro", "Sato", User.Role.OWNER, User.Type.LICENSED),
    (DEMO_ACCOUNT, "zoom-admin@demo.example", "Jiro", "Suzuki", User.Role.ADMIN, User.Type.LICENSED),
    # The company admin's own Zoom user: a plain member of the company's Zoom account.
    (DEMO_ACCOUNT, "admin@demo.example", "Hanako", "Takahashi", User.Role.MEMBER, User.Type.LICENSED),
    (DEMO_ACCOUNT, "recruiter1@demo.example", "Kenta", "Tanaka", User.Role.MEMBER, User.Type.LICENSED),
    (DEMO_ACCOUNT, "recruiter2@demo.example", "Yui", "Ito", User.Role.MEMBER, User.Type.LICENSED),
    # Someone's private Zoom: linking it by mistake is the case the product must explain.
    (PERSONAL_ACCOUNT, "recruiter3@personal.example", "Sho", "Watanabe", User.Role.OWNER, User.Type.BASIC),
]


def account_id_for(key: str) -> str:
    return zoom_id("account", key)


def user_id_for(email: str) -> str:
    return zoom_id("user", email.lower())


@dataclass
class SeedResult:
    app: App
    accounts: dict[str, Account] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)


def seed(
    *,
    reset: bool = False,
    client_id: str | None = None,
    client_secret: str | None = None,
    webhook_secret: str | None = None,
    site_url: str | None = None,
) -> SeedResult:
    """Create or update the seeded rows. ``reset`` first empties every emulator table (grants, codes,
    pre-approvals and requests, the outbox, users added or accounts made since, the call log, switches and
    webhook records included); without it, existing grants and pre-approvals are left alone."""
    client_id = client_id or getattr(settings, "ZOOM_CLIENT_ID", None)
    client_secret = client_secret or getattr(settings, "ZOOM_CLIENT_SECRET", None)
    secrets_list = getattr(settings, "ZOOM_WEBHOOK_SECRET_TOKENS", None) or [""]
    webhook_secret = webhook_secret if webhook_secret is not None else secrets_list[0]
    site_url = (site_url or settings.SITE_URL).rstrip("/")
    if not client_id or not client_secret:
        raise ImproperlyConfigured("seed_emulator needs a client id and secret (ZOOM_CLIENT_ID, ZOOM_CLIENT_SECRET).")

    with transaction.atomic(using=DB):
        if reset:
            # Children before parents, so no delete depends on cascade order.
            for model in (
                Call,
                Fault,
                MeetingCounter,
                Participant,
                Meeting,
                MeetingPolicy,
                WebhookAttempt,
                WebhookDelivery,
                OutboxEmail,
                PreapprovalRequest,
                Preapproval,
                AuthorizationCode,
                Grant,
                User,
                App,
                Account,
            ):
                model.objects.all().delete()
        result = SeedResult(app=_seed_app(client_id, client_secret, webhook_secret, site_url))
        for key, name, requires_preapproval in ACCOUNTS:
            result.accounts[key], _ = Account.objects.update_or_create(
                account_id=account_id_for(key),
                defaults={"name": name, "requires_preapproval": requires_preapproval, "notify_app_requests": True},
            )
        for key, email, first_name, last_name, role, user_type in USERS:
            result.users[email], _ = User.objects.update_or_create(
                user_id=user_id_for(email),
                defaults={
                    "account": result.accounts[key],
                    "email": email,
                    "first_name": first_name,
                    "last_name": last_name,
                    "role": role,
                    "type": user_type,
                    "status": User.Status.ACTIVE,
                    "pmi": pmi_for(email),
                    "created_at": SEEDED_AT,
                    "hosting_allowed": True,
                },
            )
    return result


def _seed_app(client_id: str, client_secret: str, webhook_secret: str, site_url: str) -> App:
    app, _ = App.objects.update_or_create(
        client_id=client_id,
        defaults={
            "name": APP_NAME,
            "client_secret": client_secret,
            "management": App.Management.USER,
            "redirect_uris": [
                f"{site_url}/integrations/zoom/callback/",
                f"{site_url}/accounts/zoom/callback/",
            ],
            "scopes": list(APP_SCOPES),
            "webhook_secret_token": webhook_secret,
            "event_url": f"{site_url}/webhooks/zoom/",
            "access_token_ttl": 3599,
        },
    )
    return app
