from __future__ import annotations

from urllib.parse import urlencode

from django.test import Client
from django.urls import reverse

from tests.unit.emulator.helpers import (
    COMPANY_CALLBACK,
    PERSONAL_CALLBACK,
    authorize_params,
    decide,
    emulator_db,
    query_of,
    sign_in,
)
from zoom_emulator.browser import COOKIE_NAME
from zoom_emulator.models import AuthorizationCode

pytestmark = emulator_db

ERROR_4700 = '{"status":false,"errorCode":4700,"errorMessage":"Invalid redirect url"}'


def _authorize(client, params):
    return client.get(reverse("zoom_emulator:authorize"), params)


def test_it_shows_4700_for_an_unknown_client_without_redirecting(client, app):
    sign_in(client, "recruiter1@demo.example")
    response = _authorize(client, authorize_params(app, client_id="nope"))
    assert response.status_code == 400
    assert ERROR_4700 in response.content.decode()
    assert "Location" not in response


def test_it_shows_4700_for_a_redirect_uri_not_exactly_on_the_allow_list(client, app):
    sign_in(client, "recruiter1@demo.example")
    for uri in (
        COMPANY_CALLBACK.rstrip("/"),
        COMPANY_CALLBACK + "extra/",
        "https://testserver/integrations/zoom/callback/",
        "https://evil.example/callback/",
        "",
    ):
        response = _authorize(client, authorize_params(app, redirect_uri=uri))
        assert response.status_code == 400, uri
        assert ERROR_4700 in response.content.decode()
        assert "Location" not in response


def test_it_checks_the_redirect_uri_before_asking_anyone_to_sign_in(client, app):
    response = _authorize(client, authorize_params(app, redirect_uri="https://evil.example/"))
    assert response.status_code == 400
    assert ERROR_4700 in response.content.decode()


def test_it_sends_a_visitor_who_is_not_signed_in_to_sign_in_and_back(client, app, seeded):
    params = authorize_params(app, code_challenge="abc", code_challenge_method="S256")
    response = _authorize(client, params)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("zoom_emulator:signin"))
    next_url = query_of(response["Location"])["next"][0]
    assert next_url.startswith(reverse("zoom_emulator:authorize"))

    signin = client.get(response["Location"])
    assert signin.status_code == 200
    assert signin.context["next"] == next_url
    user = seeded.users["recruiter1@demo.example"]
    back = client.post(reverse("zoom_emulator:signin"), {"user_id": user.user_id, "next": next_url})
    assert back["Location"] == next_url
    consent = client.get(next_url)
    assert consent.status_code == 200
    assert dict(consent.context["hidden"])["code_challenge"] == "abc"


def test_it_shows_the_consent_page_for_the_signed_in_user(client, app):
    sign_in(client, "recruiter1@demo.example")
    response = _authorize(client, authorize_params(app))
    body = response.content.decode()
    assert response.status_code == 200
    assert "HERP ATS" in body
    assert "recruiter1@demo.example" in body
    for scope in app.scopes:
        assert scope in body
    # Zoom's Japanese UI: 認可 (Allow) and 拒否 (Deny).
    assert "認可" in body
    assert "拒否" in body


def test_allow_redirects_with_a_code_and_the_state_echoed_exactly(client, app):
    user = sign_in(client, "recruiter1@demo.example")
    state = "a b&c=d/é?"
    response = decide(client, app, "allow", state=state, redirect_uri=PERSONAL_CALLBACK)
    assert response.status_code == 302
    assert response["Location"].startswith(PERSONAL_CALLBACK + "?")
    query = query_of(response["Location"])
    assert query["state"] == [state]
    code = AuthorizationCode.objects.get(code=query["code"][0])
    assert code.user == user
    assert code.redirect_uri == PERSONAL_CALLBACK
    assert code.scopes == app.scopes


def test_allow_omits_the_state_when_none_was_given(client, app):
    sign_in(client, "recruiter1@demo.example")
    response = decide(client, app, "allow", state=None)
    query = query_of(response["Location"])
    assert "code" in query
    assert "state" not in query


def test_deny_redirects_with_access_denied_and_the_state(client, app):
    sign_in(client, "recruiter1@demo.example")
    response = decide(client, app, "deny", state="xyz")
    assert response.status_code == 302
    assert response["Location"].startswith(COMPANY_CALLBACK + "?")
    assert query_of(response["Location"]) == {"error": ["access_denied"], "state": ["xyz"]}
    assert not AuthorizationCode.objects.exists()


def test_the_consent_form_is_csrf_protected(app, seeded):
    client = Client(enforce_csrf_checks=True)
    user = seeded.users["recruiter1@demo.example"]
    client.cookies.load(_signed_in_cookie(user))
    data = {**authorize_params(app), "user_id": user.user_id, "decision": "allow"}
    response = client.post(reverse("zoom_emulator:authorize"), data)
    assert response.status_code == 403
    assert not AuthorizationCode.objects.exists()


def _signed_in_cookie(user) -> dict[str, str]:
    helper = Client()
    helper.post(reverse("zoom_emulator:signin"), {"user_id": user.user_id})
    return {COOKIE_NAME: helper.cookies[COOKIE_NAME].value}


def test_it_asks_again_when_the_browser_switched_zoom_user_since_the_page_was_shown(client, app, seeded):
    sign_in(client, "recruiter1@demo.example")
    page = client.get(reverse("zoom_emulator:authorize"), authorize_params(app))
    form = dict(page.context["hidden"])
    sign_in(client, "recruiter2@demo.example")
    response = client.post(reverse("zoom_emulator:authorize"), {**form, "decision": "allow"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("zoom_emulator:authorize") + "?")
    assert not AuthorizationCode.objects.exists()


def test_it_rejects_an_unsupported_response_type_at_the_client(client, app):
    sign_in(client, "recruiter1@demo.example")
    response = _authorize(client, authorize_params(app, response_type="token"))
    assert response.status_code == 302
    assert query_of(response["Location"])["error"] == ["unsupported_response_type"]


def test_it_rejects_an_unknown_challenge_method_at_the_client(client, app):
    sign_in(client, "recruiter1@demo.example")
    response = _authorize(client, authorize_params(app, code_challenge="x", code_challenge_method="S512"))
    assert query_of(response["Location"])["error"] == ["invalid_request"]


def test_it_answers_other_methods_with_a_4xx(client, app):
    response = client.put(reverse("zoom_emulator:authorize") + "?" + urlencode(authorize_params(app)))
    assert response.status_code == 405
