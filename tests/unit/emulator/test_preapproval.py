from __future__ import annotations

from django.test import Client
from django.urls import reverse

from tests.unit.emulator.helpers import (
    COMPANY_CALLBACK,
    authorize_params,
    decide,
    emulator_db,
    exchange,
    get_code,
    query_of,
    sign_in,
)
from zoom_emulator import accounts
from zoom_emulator.models import AuthorizationCode, OutboxEmail, Preapproval, PreapprovalRequest

pytestmark = emulator_db

AUTHORIZE = reverse("zoom_emulator:authorize")
REQUESTS_PAGE = reverse("zoom_emulator:marketplace_requests")
ADMINS = {"zoom-owner@demo.example", "zoom-admin@demo.example"}


def _open(client: Client, app, **overrides):
    return client.get(AUTHORIZE, authorize_params(app, **overrides))


def _press(client: Client, page, action: str):
    """Press a button named ``action`` on an authorize page, carrying its hidden fields."""
    return client.post(AUTHORIZE, {**dict(page.context["hidden"]), "action": action})


# --- the Zoom owner or admin path ---------------------------------------------------------------------


def test_an_admin_first_sees_preapprove_then_authorize_and_the_redirect_completes(client, unapproved):
    app = unapproved.app
    sign_in(client, "zoom-admin@demo.example")
    page = _open(client, app, state="s1")
    body = page.content.decode()
    assert page.status_code == 200
    assert "事前承認をとる" in body
    assert 'value="allow"' not in body

    consent = _press(client, page, "preapprove")
    assert consent.status_code == 200
    assert "認可" in consent.content.decode()
    assert "拒否" in consent.content.decode()
    assert accounts.is_preapproved(unapproved.accounts["demo"], app)
    assert Preapproval.objects.get().approved_by == "zoom-admin@demo.example"

    done = client.post(AUTHORIZE, {**dict(consent.context["hidden"]), "decision": "allow"})
    assert done.status_code == 302
    assert done["Location"].startswith(COMPANY_CALLBACK + "?")
    query = query_of(done["Location"])
    assert query["state"] == ["s1"]
    assert exchange(client, app, query["code"][0]).status_code == 200


def test_the_owner_may_preapprove_too(client, unapproved):
    sign_in(client, "zoom-owner@demo.example")
    page = _open(client, unapproved.app)
    assert "事前承認をとる" in page.content.decode()
    assert _press(client, page, "preapprove").status_code == 200
    assert accounts.is_preapproved(unapproved.accounts["demo"], unapproved.app)


def test_an_admin_cannot_skip_preapproval_by_posting_allow(client, unapproved):
    sign_in(client, "zoom-admin@demo.example")
    page = _open(client, unapproved.app)
    response = client.post(AUTHORIZE, {**dict(page.context["hidden"]), "decision": "allow"})
    assert response.status_code == 302
    assert response["Location"].startswith(AUTHORIZE + "?")
    assert not AuthorizationCode.objects.exists()


# --- the member path ----------------------------------------------------------------------------------


def test_a_member_is_told_an_admin_must_approve_and_may_request_it(client, unapproved):
    sign_in(client, "admin@demo.example")
    page = _open(client, unapproved.app)
    body = page.content.decode()
    assert page.status_code == 200
    assert "事前に承認をとるためのリクエスト" in body
    assert "管理者の承認が必要" in body
    assert "事前承認をとる</button>" not in body
    assert not PreapprovalRequest.objects.exists()


def test_a_request_turns_the_button_into_requested_and_never_redirects_to_the_app(client, unapproved):
    app = unapproved.app
    member = sign_in(client, "admin@demo.example")
    page = _open(client, app)

    response = _press(client, page, "request")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Location" not in response
    assert "リクエスト済み" in body
    assert "disabled>リクエスト済み" in body
    assert "事前に承認をとるためのリクエスト</button>" not in body

    request = PreapprovalRequest.objects.get()
    assert (request.user, request.account, request.app, request.status) == (
        member,
        unapproved.accounts["demo"],
        app,
        "pending",
    )
    # A later visit while the request waits shows the same disabled button.
    again = _open(client, app)
    assert again.status_code == 200
    assert "リクエスト済み" in again.content.decode()
    assert not AuthorizationCode.objects.exists()


def test_a_request_emails_each_owner_and_admin_of_the_account_once(client, unapproved):
    sign_in(client, "admin@demo.example")
    page = _open(client, unapproved.app)
    _press(client, page, "request")
    _press(client, page, "request")  # a double submit changes nothing

    emails = list(OutboxEmail.objects.all())
    assert {email.to for email in emails} == ADMINS
    assert len(emails) == 2
    for email in emails:
        assert email.sender == "noreply@zoom.us"
        assert "HERP ATS" in email.subject
        assert "Hanako Takahashi" in email.subject
        assert "admin@demo.example" in email.body
        assert "Manage > App Requests" in email.body
        assert email.link == "http://testserver" + REQUESTS_PAGE
    assert PreapprovalRequest.objects.count() == 1


def test_the_outbox_page_lists_the_emails_newest_first_with_their_links(client, unapproved):
    accounts.request_preapproval("admin@demo.example", unapproved.app, base_url="http://zoom.test")
    accounts.request_preapproval("recruiter1@demo.example", unapproved.app, base_url="http://zoom.test")
    response = client.get(reverse("zoom_emulator:outbox"))
    body = response.content.decode()
    assert response.status_code == 200
    assert body.index("Kenta Tanaka") < body.index("Hanako Takahashi")
    assert "zoom-owner@demo.example" in body
    assert f'href="http://zoom.test{REQUESTS_PAGE}"' in body
    only_owner = client.get(reverse("zoom_emulator:outbox"), {"to": "zoom-owner@demo.example"})
    assert list(only_owner.context["emails"]) == accounts.outbox("zoom-owner@demo.example")
    assert len(only_owner.context["emails"]) == 2


def test_no_email_goes_out_when_the_admins_turned_request_emails_off(client, unapproved):
    accounts.set_request_emails(unapproved.accounts["demo"], False)
    sign_in(client, "admin@demo.example")
    response = _press(client, _open(client, unapproved.app), "request")
    assert "リクエスト済み" in response.content.decode()
    assert PreapprovalRequest.objects.count() == 1
    assert not OutboxEmail.objects.exists()


# --- the Marketplace's App Requests page ----------------------------------------------------------------


def test_members_and_visitors_cannot_open_app_requests(client, unapproved):
    accounts.request_preapproval("admin@demo.example", unapproved.app)
    nobody = client.get(REQUESTS_PAGE)
    assert nobody.status_code == 403
    assert "Only account owners and admins" in nobody.content.decode()

    sign_in(client, "recruiter1@demo.example")
    member = client.get(REQUESTS_PAGE)
    assert member.status_code == 403
    assert "privilege" in member.content.decode()
    refused = client.post(REQUESTS_PAGE, {"action": "preapprove", "app": unapproved.app.client_id})
    assert refused.status_code == 403
    assert not Preapproval.objects.exists()


def test_an_admin_preapproves_from_app_requests_and_the_member_then_gets_the_normal_consent(client, unapproved):
    app = unapproved.app
    member_browser, admin_browser = Client(), client
    sign_in(member_browser, "admin@demo.example")
    _press(member_browser, _open(member_browser, app), "request")

    sign_in(admin_browser, "zoom-admin@demo.example")
    listing = admin_browser.get(REQUESTS_PAGE)
    body = listing.content.decode()
    assert listing.status_code == 200
    assert "admin@demo.example" in body
    assert "Pre-approve" in body
    response = admin_browser.post(REQUESTS_PAGE, {"action": "preapprove", "app": app.client_id})
    assert response.status_code == 302
    assert PreapprovalRequest.objects.get().status == "approved"
    assert accounts.pending_request("admin@demo.example", app) is None

    # The member starts again from the app and meets the plain consent page, with no request screen.
    consent = _open(member_browser, app)
    assert "認可" in consent.content.decode()
    assert "リクエスト" not in consent.content.decode()
    assert get_code(member_browser, app)


def test_preapproval_is_for_the_whole_account(client, unapproved):
    accounts.preapprove("demo", by="zoom-owner@demo.example")  # seed key, default app: as product tests call it
    for email in (
        "admin@demo.example",
        "recruiter1@demo.example",
        "recruiter2@demo.example",
        "zoom-admin@demo.example",
    ):
        sign_in(client, email)
        response = decide(client, unapproved.app, "allow")
        assert response.status_code == 302
        assert "code" in query_of(response["Location"]), email


def test_app_requests_refuses_an_unknown_app_or_action_with_a_4xx(client, unapproved):
    sign_in(client, "zoom-owner@demo.example")
    assert client.post(REQUESTS_PAGE, {"action": "preapprove", "app": "nope"}).status_code == 400
    assert client.post(REQUESTS_PAGE, {"action": "bogus"}).status_code == 400
    assert client.post(REQUESTS_PAGE, {"action": "emails"}).status_code == 302
    demo = unapproved.accounts["demo"]
    demo.refresh_from_db()
    assert demo.notify_app_requests is False


def test_an_account_without_the_policy_gets_the_consent_directly(client, unapproved):
    # recruiter3's personal account does not require pre-approval: the owner sees no pre-approval step.
    sign_in(client, "recruiter3@personal.example")
    response = decide(client, unapproved.app, "allow", redirect_uri=COMPANY_CALLBACK)
    assert response.status_code == 302
    assert "code" in query_of(response["Location"])
    assert not Preapproval.objects.exists()


def test_turning_the_policy_off_lets_members_authorize_without_a_request(client, unapproved):
    accounts.set_requires_preapproval(unapproved.accounts["demo"], False)
    sign_in(client, "recruiter1@demo.example")
    assert get_code(client, unapproved.app)
    assert not PreapprovalRequest.objects.exists()


def test_withdrawing_a_preapproval_brings_the_request_screen_back(client, unapproved):
    accounts.preapprove(unapproved.accounts["demo"], unapproved.app)
    accounts.withdraw_preapproval(unapproved.accounts["demo"], unapproved.app)
    sign_in(client, "recruiter1@demo.example")
    assert "事前に承認をとるためのリクエスト" in _open(client, unapproved.app).content.decode()
