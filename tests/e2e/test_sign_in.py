"""Signing in through the login page, and the language switch in the header."""

from __future__ import annotations

import re

from django.conf import settings
from django.utils import translation
from playwright.sync_api import expect

from herp.forms import EmailAuthenticationForm
from tests.conftest import DEMO_PASSWORD
from tests.e2e.helpers import fill_login_form, sign_in, snap, switch_language


def test_a_member_signs_in_in_japanese_and_keeps_english_once_chosen(new_context, live_server, user_factory):
    member = user_factory(email="hanako@example.com", name="山田 花子")
    # An English browser: the product ignores Accept-Language and stays Japanese until asked.
    page = new_context(extra_http_headers={"Accept-Language": "en-US,en;q=0.9"}).new_page()

    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/$"))
    snap(page, "sign_in-01-login")

    sign_in(page, live_server, member.email, DEMO_PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.get_by_role("heading", level=1)).to_have_text("ホーム")
    expect(page.locator("header .current-language")).to_have_text("日本語")
    expect(page.locator("header .whoami")).to_have_text("山田 花子")
    snap(page, "sign_in-02-home-ja")

    switch_language(page, "en")
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Home")
    expect(page.get_by_text(f"You are signed in as 山田 花子 of {member.company.name}.")).to_be_visible()
    snap(page, "sign_in-03-home-en")

    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Home")
    language_cookie = {c["name"]: c["value"] for c in page.context.cookies()}[settings.LANGUAGE_COOKIE_NAME]
    assert language_cookie == "en"
    snap(page, "sign_in-04-home-en-reloaded")

    switch_language(page, "ja")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.get_by_role("heading", level=1)).to_have_text("ホーム")
    snap(page, "sign_in-05-home-ja-again")


def test_a_wrong_password_shows_the_error_and_stays_on_the_login_page(page, live_server, user_factory):
    member = user_factory(email="taro@example.com")

    fill_login_form(page, live_server, member.email, "not-the-password")

    expect(page).to_have_url(f"{live_server.url}/login/")
    with translation.override("ja"):
        message = str(EmailAuthenticationForm.error_messages["invalid_login"])
    expect(page.get_by_role("alert")).to_have_text(message)
    expect(page.locator("#id_username")).to_have_value(member.email)
    expect(page.locator("#id_password")).to_have_value("")
    snap(page, "sign_in-wrong-password")
