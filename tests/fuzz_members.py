"""Hypothesis suites for issue 13's forms and queries (RELIABILITY T29): the members page (invite, roles,
deactivation, its search and pages), the page a set-password link opens, and the schedule list's tabs,
search and pages. Same world and helpers as tests/fuzz.py; run on SQLite by
tests/unit/members/test_fuzz_members.py and on PostgreSQL by tests/integration/test_fuzz_members_postgres.py.

Each example asserts: never a 500; another company's people and rows neither shown nor changed; a
refused invitation or password writes nothing.
"""

from __future__ import annotations

import re

from django.contrib.auth import get_user
from hypothesis import example, given
from hypothesis import strategies as st

from herp.models import PasswordLink, User
from tests.fuzz import FULL_WIDTH_EMAIL, LONG, NUMBERS, World, _get, _held, _post, hostile_text


def _admin(world: World) -> None:
    world.alice.role = User.Role.ADMIN
    world.alice.save(update_fields=["role"])


def test_T29_fuzz_the_invite_form(world, client_for, mailoutbox, django_capture_on_commit_callbacks):
    _admin(world)
    client = client_for(world.alice)
    before = world.fingerprint()
    stranger = User.objects.get(pk=world.foreign_ids[0])

    @given(
        email=st.one_of(st.just("new@fuzz.example"), st.just(stranger.email), hostile_text),
        name=st.one_of(st.just(""), hostile_text),
        role=st.one_of(st.sampled_from(User.Role.values), hostile_text),
        language=st.one_of(st.sampled_from(["ja", "en"]), hostile_text),
    )
    @example(email=FULL_WIDTH_EMAIL, name=LONG, role="admin", language="ja")
    @example(email="a\x00b@fuzz.example", name="x", role="member", language="ja")
    @example(email="\ud800@fuzz.example", name="\ud800", role="member", language="en")
    @example(email="x" * 300 + "@fuzz.example", name="x", role="owner", language="fr")
    def run(email: str, name: str, role: str, language: str) -> None:
        links, users = PasswordLink.objects.count(), User.objects.count()
        fields = {"email": [email], "name": [name], "role": [role], "language": [language]}
        with django_capture_on_commit_callbacks(execute=True):
            response = _post(client, "/settings/members/invite/", fields)
        _held(world, response, before)
        assert User.objects.count() == users  # an invitation makes no account
        if response.status_code != 302:
            assert PasswordLink.objects.count() == links
        assert User.objects.filter(pk=stranger.pk).values("company_id", "role", "is_active").get() == {
            "company_id": stranger.company_id,
            "role": stranger.role,
            "is_active": True,
        }

    run()


def test_T29_fuzz_the_members_page_and_its_buttons(world, client_for, django_capture_on_commit_callbacks):
    _admin(world)
    client = client_for(world.alice)
    before = world.fingerprint()
    bob = User.objects.filter(company=world.alice.company, name="Bob").get()
    targets = [str(bob.pk), world.foreign_ids[0], "9" * 30, "0"]
    actions = ["role/", "deactivate/", "reactivate/", "password-link/"]

    @given(
        target=st.sampled_from(targets),
        action=st.sampled_from(actions),
        method=st.sampled_from(["get", "post"]),
        fields=st.dictionaries(
            st.one_of(st.sampled_from([f"m{bob.pk}-role", "q", "page", "ipage", "x"]), hostile_text),
            st.lists(st.one_of(st.sampled_from([*User.Role.values, *NUMBERS]), hostile_text), min_size=1, max_size=2),
            max_size=3,
        ),
        list_query=st.dictionaries(
            st.sampled_from(["q", "page", "ipage"]), st.lists(hostile_text, min_size=1, max_size=1), max_size=3
        ),
    )
    @example(target=str(bob.pk), action="role/", method="post", fields={f"m{bob.pk}-role": ["\x00"]}, list_query={})
    @example(target=world.foreign_ids[0], action="deactivate/", method="post", fields={}, list_query={"q": [LONG]})
    @example(target=str(bob.pk), action="reactivate/", method="post", fields={}, list_query={"page": ["9" * 30]})
    def run(target: str, action: str, method: str, fields: dict, list_query: dict) -> None:
        path = f"/settings/members/{target}/{action}"
        with django_capture_on_commit_callbacks(execute=True):
            response = (_get if method == "get" else _post)(client, path, fields)
        _held(world, response, before)
        if target == world.foreign_ids[0]:
            assert response.status_code in (400, 404, 405)
        listing = _get(client, "/settings/members/", list_query)
        _held(world, listing, before)
        assert get_user(client).is_authenticated  # alice acted on others only

    run()


def test_T29_fuzz_the_set_password_page(world, client, client_for, mailoutbox, django_capture_on_commit_callbacks):
    _admin(world)
    with django_capture_on_commit_callbacks(execute=True):
        client_for(world.alice).post(
            "/settings/members/invite/", {"email": "fuzz@new.example", "role": "member", "language": "ja"}
        )
    token = re.search(r"token=([\w-]+)", mailoutbox[-1].body).group(1)
    before = world.fingerprint()

    @given(
        real=st.booleans(),
        token_value=hostile_text,
        name=st.one_of(st.just("新人"), hostile_text),
        first=st.one_of(st.just("kaigi-shitsu-2030"), hostile_text),
        second=st.one_of(st.just("kaigi-shitsu-2030"), hostile_text),
    )
    @example(real=True, token_value="", name=LONG, first="kaigi-shitsu-2030", second="kaigi-shitsu-2030")
    @example(real=True, token_value="", name="\ud800", first="\ud800" * 9, second="\ud800" * 9)
    @example(real=True, token_value="", name="新人", first="a\x00bcdefghij", second="a\x00bcdefghij")
    @example(real=False, token_value="\x00", name="x", first="x", second="x")
    def run(real: bool, token_value: str, name: str, first: str, second: str) -> None:
        made = User.objects.filter(email="fuzz@new.example").count()
        opened = _get(client, "/password/set/", {"token": [token if real else token_value]})
        assert opened.status_code < 500
        response = _post(client, "/password/set/", {"name": [name], "password1": [first], "password2": [second]})
        _held(world, response, before)
        if response.status_code == 302:
            # Only the real link, once: the account is made in the inviting company.
            assert (real, made) == (True, 0)
            assert User.objects.get(email="fuzz@new.example").company_id == world.alice.company_id
        else:
            assert User.objects.filter(email="fuzz@new.example").count() == made

    run()


def test_T29_fuzz_the_schedule_list_query(world, client_for):
    client = client_for(world.alice)
    before = world.fingerprint()

    @given(
        fields=st.dictionaries(
            st.one_of(st.sampled_from(["tab", "q", "page", "mine"]), hostile_text),
            st.lists(
                st.one_of(st.sampled_from(["upcoming", "past", "cancelled", "1", *NUMBERS]), hostile_text),
                min_size=1,
                max_size=2,
            ),
            max_size=4,
        )
    )
    @example(fields={"q": ["他社"], "tab": ["upcoming"]})
    @example(fields={"page": ["9" * 30], "tab": ["past"], "mine": ["1"]})
    @example(fields={"q": [LONG], "tab": ["cancelled"]})
    @example(fields={"tab": ["\ud800"], "q": ["\ud800"]})
    def run(fields: dict[str, list[str]]) -> None:
        _held(world, _get(client, "/schedules/", fields), before)

    run()
