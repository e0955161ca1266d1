from __future__ import annotations

from io import StringIO

from django.conf import settings
from django.core.management import call_command

from tests.unit.emulator.helpers import connect, emulator_db, me
from zoom_emulator import accounts, faults
from zoom_emulator.models import Account, App, Call, Fault, Grant, OutboxEmail, Preapproval, PreapprovalRequest, User
from zoom_emulator.seed import APP_SCOPES, seed

pytestmark = emulator_db

EMAILS = {
    "zoom-owner@demo.example": ("Demo Inc.", "owner"),
    "zoom-admin@demo.example": ("Demo Inc.", "admin"),
    "admin@demo.example": ("Demo Inc.", "member"),
    "recruiter1@demo.example": ("Demo Inc.", "member"),
    "recruiter2@demo.example": ("Demo Inc.", "member"),
    "recruiter3@personal.example": ("Personal", "owner"),
}


def _snapshot() -> dict:
    return {
        "accounts": sorted(Account.objects.values_list("account_id", "name", "requires_preapproval")),
        "users": sorted(User.objects.values_list("user_id", "email", "account__account_id", "role", "pmi")),
        "apps": sorted(App.objects.values_list("client_id", "name")),
    }


def test_it_seeds_the_demo_accounts_users_and_app():
    result = seed(reset=True)
    demo, personal = Account.objects.get(name="Demo Inc."), Account.objects.get(name="Personal")
    assert demo.requires_preapproval is True
    assert len(demo.account_id) == 22
    assert {(u.email, u.account.name, u.role) for u in User.objects.select_related("account")} == {
        (email, account, role) for email, (account, role) in EMAILS.items()
    }
    assert all(len(u.user_id) == 22 and u.status == "active" for u in User.objects.all())
    assert personal.users.get().email == "recruiter3@personal.example"

    app = result.app
    assert app.name == "HERP ATS"
    assert app.management == "user"
    assert app.client_id == settings.ZOOM_CLIENT_ID
    assert app.client_secret == settings.ZOOM_CLIENT_SECRET
    assert app.webhook_secret_token == settings.ZOOM_WEBHOOK_SECRET_TOKENS[0]
    assert app.scopes == APP_SCOPES
    assert app.redirect_uris == [
        f"{settings.SITE_URL}/integrations/zoom/callback/",
        f"{settings.SITE_URL}/accounts/zoom/callback/",
    ]
    assert app.event_url == f"{settings.SITE_URL}/webhooks/zoom/"
    assert app.access_token_ttl == 3599


def test_it_is_idempotent_and_keeps_grants_and_preapprovals(client):
    result = seed(reset=True)
    accounts.preapprove(result.accounts["demo"], result.app)
    tokens = connect(client, result.app, "recruiter1@demo.example")
    before = _snapshot()
    seed()
    seed()
    assert _snapshot() == before
    assert me(client, tokens["access_token"]).status_code == 200
    assert accounts.is_preapproved(result.accounts["demo"], result.app)


def test_reset_restores_the_initial_state_with_the_same_ids(client):
    app = seed(reset=True).app
    initial = _snapshot()
    accounts.request_preapproval("admin@demo.example", app)
    accounts.preapprove(Account.objects.get(name="Demo Inc."), app)
    tokens = connect(client, app, "recruiter1@demo.example")
    faults.fail_with(500, times=None)
    User.objects.filter(email="recruiter2@demo.example").update(status="inactive", first_name="Changed")
    accounts.add_user(Account.objects.get(name="Demo Inc."), "extra@demo.example")
    accounts.remove_from_account("recruiter2@demo.example")
    accounts.delete_user("zoom-admin@demo.example")

    seed(reset=True)
    assert _snapshot() == initial
    assert not Grant.objects.exists()
    assert not Fault.objects.exists()
    assert not Call.objects.exists()
    assert not Preapproval.objects.exists()
    assert not PreapprovalRequest.objects.exists()
    assert not OutboxEmail.objects.exists()
    assert User.objects.get(email="recruiter2@demo.example").status == "active"
    assert me(client, tokens["access_token"]).status_code == 401


def test_the_command_takes_credentials_and_site_url():
    out = StringIO()
    call_command(
        "seed_emulator",
        "--reset",
        "--client-id=cid",
        "--client-secret=csecret",
        "--webhook-secret=whsecret",
        "--site-url=https://ats.example/",
        stdout=out,
    )
    app = App.objects.get(client_id="cid")
    assert (app.client_secret, app.webhook_secret_token) == ("csecret", "whsecret")
    assert app.redirect_uris[0] == "https://ats.example/integrations/zoom/callback/"
    assert app.event_url == "https://ats.example/webhooks/zoom/"
    assert "seeded" in out.getvalue()


def test_the_command_can_be_called_as_seed_demo_calls_it():
    call_command("seed_emulator", reset=True, verbosity=0, stdout=StringIO())
    first = _snapshot()
    call_command("seed_emulator", reset=False, verbosity=0, stdout=StringIO())
    assert _snapshot() == first
    assert App.objects.get().client_id == settings.ZOOM_CLIENT_ID
