"""Settings are read once from the environment; a bad value stops the start naming the variable."""

from __future__ import annotations

import base64
import runpy
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

SETTINGS_FILE = Path(__file__).resolve().parents[2] / "herp" / "settings.py"
# A fixed key (not a generated one): test ids carry it, and parallel workers must collect the same tests.
KEY = base64.urlsafe_b64encode(b"settings-test-key-32-bytes-long!").decode()

PRODUCTION = {
    "SECRET_KEY": "s" * 60,
    "ALLOWED_HOSTS": "herp.example",
    "SITE_URL": "https://herp.example",
    "TOKEN_ENCRYPTION_KEYS": KEY,
    "EMAIL_URL": "smtp://mailer:pw@mail.example:587?tls=1",
    "ZOOM_CLIENT_ID": "client-id",
    "ZOOM_CLIENT_SECRET": "client-secret",
    "ZOOM_WEBHOOK_SECRET_TOKENS": "webhook-secret",
}


def load(monkeypatch: pytest.MonkeyPatch, environ: dict[str, str]) -> dict[str, Any]:
    monkeypatch.setattr("os.environ", dict(environ))
    return runpy.run_path(str(SETTINGS_FILE))


def refusal(monkeypatch: pytest.MonkeyPatch, environ: dict[str, str]) -> str:
    with pytest.raises(ImproperlyConfigured) as excinfo:
        load(monkeypatch, environ)
    return str(excinfo.value)


def test_it_runs_locally_with_debug_alone(monkeypatch):
    settings = load(monkeypatch, {"DEBUG": "1"})
    assert settings["DEBUG"] is True
    assert settings["SITE_URL"] == "http://127.0.0.1:8000"
    assert settings["DATABASES"]["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert settings["CELERY_TASK_ALWAYS_EAGER"] is True
    assert settings["ZOOM_EMULATOR_ENABLED"] is False
    assert settings["ZOOM_CONFIGURED"] is False
    assert settings["ZOOM_OAUTH_BASE_URL"] == "https://zoom.us"
    assert settings["ZOOM_API_BASE_URL"] == "https://api.zoom.us/v2"


def test_it_loads_a_complete_production_environment(monkeypatch):
    settings = load(monkeypatch, PRODUCTION)
    assert settings["DEBUG"] is False
    assert settings["SECURE_SSL_REDIRECT"] is True
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert settings["SECURE_HSTS_SECONDS"] >= 31536000
    assert settings["EMAIL_HOST"] == "mail.example"
    assert settings["EMAIL_PORT"] == 587
    assert settings["EMAIL_USE_TLS"] is True
    assert settings["ZOOM_CONFIGURED"] is True
    assert "zoom_emulator" not in settings["INSTALLED_APPS"]


@pytest.mark.parametrize(
    "missing",
    [
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "SITE_URL",
        "TOKEN_ENCRYPTION_KEYS",
        "EMAIL_URL",
        "ZOOM_CLIENT_ID",
        "ZOOM_CLIENT_SECRET",
        "ZOOM_WEBHOOK_SECRET_TOKENS",
    ],
)
def test_it_refuses_to_start_without_a_secret_when_debug_is_off(monkeypatch, missing):
    environ = {key: value for key, value in PRODUCTION.items() if key != missing}
    assert missing in refusal(monkeypatch, environ)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DEBUG", "maybe"),
        ("ZOOM_EMULATOR", "sometimes"),
        ("SITE_URL", "herp.example"),
        ("SITE_URL", "ftp://herp.example"),
        ("SITE_URL", "https://herp.example/?next=x"),
        ("DATABASE_URL", "nonsense://"),
        ("DATABASE_URL", "postgres://"),
        ("REDIS_URL", "http://127.0.0.1:6379"),
        ("TOKEN_ENCRYPTION_KEYS", "not-a-fernet-key"),
        ("TOKEN_ENCRYPTION_KEYS", f"{KEY},short"),
        ("EMAIL_URL", "carrier-pigeon://coop"),
        ("EMAIL_URL", "smtp://mail.example:notaport"),
        ("ADMINS", "not an address"),
        ("ZOOM_OAUTH_BASE_URL", "zoom.us"),
        ("ZOOM_API_BASE_URL", "api.zoom.us/v2"),
        ("ZOOM_WEBHOOK_SECRET_TOKENS", "one,two,three"),
    ],
)
def test_it_names_the_variable_holding_a_malformed_value(monkeypatch, name, value):
    assert name in refusal(monkeypatch, {**PRODUCTION, name: value})


def test_it_refuses_the_emulator_without_debug(monkeypatch):
    message = refusal(monkeypatch, {**PRODUCTION, "ZOOM_EMULATOR": "1"})
    assert "ZOOM_EMULATOR" in message


def test_it_mounts_the_emulator_and_derives_zoom_urls_from_site_url(monkeypatch):
    settings = load(monkeypatch, {"DEBUG": "1", "ZOOM_EMULATOR": "1", "SITE_URL": "http://127.0.0.1:9000"})
    assert settings["ZOOM_EMULATOR_ENABLED"] is True
    assert "zoom_emulator" in settings["INSTALLED_APPS"]
    assert settings["ZOOM_OAUTH_BASE_URL"] == "http://127.0.0.1:9000/zoom-emulator"
    assert settings["ZOOM_API_BASE_URL"] == "http://127.0.0.1:9000/zoom-emulator/v2"
    assert settings["DATABASES"]["zoom_emulator"]["NAME"].endswith("zoom_emulator.sqlite3")
    assert settings["ZOOM_CONFIGURED"] is True


def test_it_refuses_explicit_zoom_urls_beside_the_emulator(monkeypatch):
    message = refusal(monkeypatch, {"DEBUG": "1", "ZOOM_EMULATOR": "1", "ZOOM_API_BASE_URL": "https://api.zoom.us/v2"})
    assert "ZOOM_API_BASE_URL" in message


def test_it_gives_the_emulator_a_second_postgresql_database(monkeypatch):
    settings = load(
        monkeypatch, {"DEBUG": "1", "ZOOM_EMULATOR": "1", "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/herp"}
    )
    assert settings["DATABASES"]["default"]["NAME"] == "herp"
    assert settings["DATABASES"]["zoom_emulator"]["NAME"] == "herp_zoom_emulator"


def test_it_reads_a_secret_from_a_file(monkeypatch, tmp_path):
    secret_file = tmp_path / "client-secret"
    secret_file.write_text("from-a-file\n")
    environ = {key: value for key, value in PRODUCTION.items() if key != "ZOOM_CLIENT_SECRET"}
    settings = load(monkeypatch, {**environ, "ZOOM_CLIENT_SECRET_FILE": str(secret_file)})
    assert settings["ZOOM_CLIENT_SECRET"] == "from-a-file"


def test_it_refuses_an_unreadable_secret_file(monkeypatch, tmp_path):
    environ = {key: value for key, value in PRODUCTION.items() if key != "ZOOM_CLIENT_SECRET"}
    message = refusal(monkeypatch, {**environ, "ZOOM_CLIENT_SECRET_FILE": str(tmp_path / "missing")})
    assert "ZOOM_CLIENT_SECRET_FILE" in message


def test_it_runs_tasks_through_the_broker_when_redis_is_configured(monkeypatch):
    settings = load(monkeypatch, {**PRODUCTION, "REDIS_URL": "redis://127.0.0.1:6379/0"})
    assert settings["CELERY_BROKER_URL"] == "redis://127.0.0.1:6379/0"
    assert settings["CELERY_TASK_ALWAYS_EAGER"] is False


def test_it_parses_admins_for_alert_mail(monkeypatch):
    settings = load(monkeypatch, {**PRODUCTION, "ADMINS": "ops@herp.example, Jane Doe <jane@herp.example>"})
    assert settings["ADMINS"] == [("ops@herp.example", "ops@herp.example"), ("Jane Doe", "jane@herp.example")]


def test_it_keeps_both_webhook_secrets_during_rotation(monkeypatch):
    settings = load(monkeypatch, {**PRODUCTION, "ZOOM_WEBHOOK_SECRET_TOKENS": "old-secret,new-secret"})
    assert settings["ZOOM_WEBHOOK_SECRET_TOKENS"] == ["old-secret", "new-secret"]


def test_it_lets_zoom_through_the_content_security_policy_form_action(monkeypatch):
    settings = load(monkeypatch, PRODUCTION)
    assert "https://zoom.us" in settings["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["form-action"]
