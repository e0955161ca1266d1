"""What a browser journey does over and over: sign in, pick a language, take a screenshot.

Kept out of conftest.py so that journeys import them by name (`from tests.e2e.helpers import sign_in`).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from django.conf import settings
from django.test import Client
from playwright.sync_api import BrowserContext, Page, expect

from herp.models import User

PROJECT_ROOT = Path(settings.BASE_DIR)


def screenshots_dir() -> Path:
    """Where `make screenshots` writes (docs/screenshots); var/screenshots for an ordinary run."""
    directory = Path(os.environ.get("SCREENSHOTS_DIR", "var/screenshots"))
    if not directory.is_absolute():
        directory = PROJECT_ROOT / directory
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def snap(page: Page, name: str, *, full_page: bool = True) -> Path:
    """Saves a step of a journey as <name>.png in var/screenshots (docs/screenshots with `make screenshots`)."""
    path = screenshots_dir() / f"{name}.png"
    page.screenshot(path=path, full_page=full_page)
    return path


def fill_login_form(page: Page, live_server, email: str, password: str) -> None:
    """Opens the login page and submits it, as a person would. Asserts nothing about the outcome."""
    page.goto(f"{live_server.url}/login/")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def sign_in(page: Page, live_server, email: str, password: str) -> None:
    """Signs in through the login form and waits until the browser has left the login page."""
    fill_login_form(page, live_server, email, password)
    expect(page).not_to_have_url(re.compile(r"/login/"))


def sign_in_quickly(context: BrowserContext, live_server, user: User) -> None:
    """Gives the browser a session cookie for `user` without the form (screenshots, setup of long journeys).

    Journeys about signing in use `sign_in`; this one skips the form so a page can be reached in one step.
    """
    client = Client()
    client.force_login(user)
    session_cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": session_cookie.key, "value": session_cookie.value, "url": live_server.url}])


def choose_language(context: BrowserContext, live_server, language: str, user: User | None = None) -> None:
    """Sets what the language switch would set (the product ignores Accept-Language): the cookie, and
    the signed-in person's stored language, which wins over it."""
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
    if user is not None:
        User.objects.filter(pk=user.pk).update(language=language)


def switch_language(page: Page, language: str) -> None:
    """Clicks the language switch in the header: `switch_language(page, "en")`.

    Found by its lang attribute: the button's label is itself translated (Django's catalog calls
    English "英語(米国)" on a Japanese page).
    """
    with page.expect_navigation():
        page.locator(f"header .language-switch button[lang={language}]").click()


def demo_world(live_server) -> None:
    """The demo of `make run` (seed_demo --reset), with the emulator's redirect URIs on the live server."""
    from django.core.management import call_command

    call_command("seed_demo", reset=True, verbosity=0)


def zoom_sign_in(page: Page, live_server, zoom_email: str) -> None:
    """Signs this browser in to the emulated Zoom as the given Zoom user (the emulator's sign-in page)."""
    page.goto(f"{live_server.url}/zoom-emulator/signin/")
    page.get_by_role("button", name=f"Sign in as {zoom_email}").click()
    page.wait_for_load_state()
