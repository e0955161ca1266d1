"""RELIABILITY T31: login brute force on /login/ and /admin/login/ (django-axes, herp/throttle.py)."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from herp.support import SUPPORT_GROUP
from tests.conftest import DEMO_PASSWORD
from tests.helpers import in_english

LOGIN = "/login/"
ADMIN_LOGIN = "/admin/login/"
LIMIT = 5
CSRF = "posted-csrf-token-value"


def attempt(client: Client, email: str, password: str, *, path: str = LOGIN, **meta):
    return client.post(path, {"username": email, "password": password, "csrfmiddlewaretoken": CSRF}, **meta)


def without_csrf(response) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())


def fail(client: Client, email: str, times: int = LIMIT, *, path: str = LOGIN) -> None:
    for _ in range(times):
        attempt(client, email, "wrong-password", path=path)


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_T31_repeated_failures_for_one_account_from_one_client_lock_it(client, user_factory):
    user = user_factory()
    fail(client, user.email)

    response = attempt(client, user.email, DEMO_PASSWORD)

    assert response.status_code == 429
    assert not signed_in(client)
    assert 'id="login-locked-out"' in response.content.decode()


def test_T31_the_lockout_says_why_and_how_long_in_japanese_and_english(client, user_factory):
    user = user_factory()
    fail(client, user.email)

    japanese = attempt(client, user.email, DEMO_PASSWORD).content.decode()
    english = attempt(in_english(client), user.email, DEMO_PASSWORD).content.decode()

    assert "15分" in japanese
    assert "ログイン" in japanese
    assert "Too many failed sign-in attempts" in english
    assert "15 minutes" in english


def test_T31_the_admin_login_is_throttled_too(client, user_factory):
    staff = user_factory(is_staff=True, is_superuser=True)
    fail(client, staff.email, path=ADMIN_LOGIN)

    response = attempt(client, staff.email, DEMO_PASSWORD, path=ADMIN_LOGIN)

    assert response.status_code == 429
    assert not signed_in(client)
    assert client.get(reverse("admin:index")).status_code == 302


def test_T31_fewer_failures_and_then_the_right_password_sign_in_and_start_over(client, user_factory):
    user = user_factory()
    fail(client, user.email, LIMIT - 1)

    assert attempt(client, user.email, DEMO_PASSWORD).status_code == 302
    assert signed_in(client)
    client.logout()
    fail(client, user.email, LIMIT - 1)
    assert attempt(client, user.email, DEMO_PASSWORD).status_code == 302


def test_T31_other_accounts_and_other_clients_are_not_locked_by_someone_elses_guessing(user_factory):
    victim, colleague = user_factory(), user_factory()
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    fail(attacker, victim.email)

    assert attempt(attacker, colleague.email, DEMO_PASSWORD).status_code == 302
    at_the_office = Client(REMOTE_ADDR="198.51.100.20")
    assert attempt(at_the_office, victim.email, DEMO_PASSWORD).status_code == 302


def test_T31_an_unknown_address_is_answered_exactly_like_a_known_one(user_factory):
    known = user_factory(email="hanako@herp.example")
    unknown = "nobody@herp.example"
    first = [attempt(Client(), email, "wrong-password") for email in (known.email, unknown)]
    locked = []
    for email in (known.email, unknown):
        client = Client()
        fail(client, email)
        locked.append(attempt(client, email, "wrong-password"))

    assert first[0].status_code == first[1].status_code == 200
    assert without_csrf(first[0]).replace(known.email, unknown) == without_csrf(first[1])
    assert locked[0].status_code == locked[1].status_code == 429
    assert without_csrf(locked[0]) == without_csrf(locked[1])


def test_T31_without_trusted_proxies_a_forged_forwarded_for_changes_nothing(client, user_factory, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    user = user_factory()
    for number in range(LIMIT):
        attempt(client, user.email, "wrong-password", HTTP_X_FORWARDED_FOR=f"192.0.2.{number}")

    assert attempt(client, user.email, DEMO_PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.99").status_code == 429


def test_T31_behind_a_trusted_proxy_the_client_is_the_address_the_proxy_saw(user_factory, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    user = user_factory()
    proxy = Client(REMOTE_ADDR="10.0.0.2")
    # The attacker writes anything left of what the proxy appends: it does not move them.
    for number in range(LIMIT):
        attempt(proxy, user.email, "wrong-password", HTTP_X_FORWARDED_FOR=f"192.0.2.{number}, 203.0.113.9")
    locked = attempt(proxy, user.email, DEMO_PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.77, 203.0.113.9")
    # Another person behind the same proxy is another client.
    colleague = attempt(proxy, user.email, DEMO_PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.20")

    assert locked.status_code == 429
    assert colleague.status_code == 302


def test_T31_support_staff_see_lockouts_read_only(client, user_factory, client_for):
    user = user_factory(email="locked@herp.example")
    fail(client, user.email)
    staff = user_factory(is_staff=True)
    staff.groups.add(Group.objects.get(name=SUPPORT_GROUP))
    support = client_for(staff)

    page = support.get(reverse("admin:axes_accessattempt_changelist"))

    assert page.status_code == 200
    assert "locked@herp.example" in page.content.decode()
    assert DEMO_PASSWORD not in page.content.decode()
    from axes.models import AccessAttempt

    attempt_row = AccessAttempt.objects.get()
    detail = support.get(reverse("admin:axes_accessattempt_change", args=[attempt_row.pk])).content.decode()
    assert "wrong-password" not in detail
    assert CSRF not in detail
    assert "locked@herp.example" in detail
    deleted = support.post(reverse("admin:axes_accessattempt_delete", args=[attempt_row.pk]), {"post": "yes"})
    assert deleted.status_code == 403
    assert AccessAttempt.objects.exists()


def test_T31_an_operator_lifts_a_lockout_with_a_command(client, user_factory):
    user = user_factory()
    fail(client, user.email)
    assert attempt(client, user.email, DEMO_PASSWORD).status_code == 429

    call_command("axes_reset_username", user.email, stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert attempt(client, user.email, DEMO_PASSWORD).status_code == 302


def test_T31_the_count_follows_the_address_as_the_form_reads_it(client, user_factory):
    user = user_factory(email="hanako@herp.example")
    for spelling in ("Hanako@herp.example", " hanako@HERP.example", "HANAKO@herp.example ", "hanako@herp.example"):
        attempt(client, spelling, "wrong-password")
    attempt(client, "hanako@herp.example", "wrong-password")

    assert attempt(client, user.email, DEMO_PASSWORD).status_code == 429


@pytest.mark.parametrize(
    "username", ["a\x00b@herp.example", "x" * 10_000, "ｈａｎａｋｏ＠ｈｅｒｐ．ｅｘａｍｐｌｅ", ""]
)
def test_T31_hostile_usernames_never_answer_500(client, username):
    for _ in range(LIMIT + 1):
        assert client.post(LOGIN, {"username": username, "password": "x"}).status_code in (200, 400, 429)


@pytest.mark.parametrize("value", ["-1", "two", "11"])
def test_a_malformed_trusted_proxy_count_stops_the_start(monkeypatch, value):
    from django.core.exceptions import ImproperlyConfigured

    from tests.unit.test_settings import PRODUCTION, load

    with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXY_COUNT"):
        load(monkeypatch, {**PRODUCTION, "TRUSTED_PROXY_COUNT": value})


def test_the_trusted_proxy_count_is_zero_unless_set(monkeypatch):
    from tests.unit.test_settings import PRODUCTION, load

    assert load(monkeypatch, PRODUCTION)["TRUSTED_PROXY_COUNT"] == 0
    assert load(monkeypatch, {**PRODUCTION, "TRUSTED_PROXY_COUNT": "2"})["TRUSTED_PROXY_COUNT"] == 2
