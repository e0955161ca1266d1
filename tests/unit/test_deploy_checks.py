"""RELIABILITY T27: production settings pass Django's deployment checks and send the hardening headers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "t27-" + "k" * 60,
    "ALLOWED_HOSTS": "herp.example",
    "SITE_URL": "https://herp.example",
    "EMAIL_URL": "console:",
    "TOKEN_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    "ZOOM_CLIENT_ID": "client",
    "ZOOM_CLIENT_SECRET": "secret",
    "ZOOM_WEBHOOK_SECRET_TOKENS": "webhook",
}


def _run(code: str) -> subprocess.CompletedProcess[str]:
    # tests/settings.py put development values into this process's environment: start from a clean one.
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    env.update(PRODUCTION, DJANGO_SETTINGS_MODULE="herp.settings")
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


def test_T27_production_settings_pass_check_deploy():
    result = _run(
        "import django, sys; django.setup();"
        "from django.core.management import call_command;"
        "call_command('check', deploy=True, fail_level='WARNING')"
    )
    assert result.returncode == 0, result.stderr


def test_T27_production_pages_send_hsts_csp_and_secure_cookies():
    result = _run(
        "import django; django.setup();"
        "from django.test import Client, override_settings;"
        # collectstatic's manifest does not exist here; the headers do not depend on it.
        "override_settings(STORAGES={'staticfiles': {'BACKEND': "
        "'django.contrib.staticfiles.storage.StaticFilesStorage'}}).enable();"
        "r = Client().get('/login/', secure=True, HTTP_HOST='herp.example');"
        "print(r.status_code);"
        "print(r['Strict-Transport-Security']);"
        "print(r['Content-Security-Policy']);"
        "print(r['Referrer-Policy']);"
        "print(r.cookies['csrftoken']['secure'], r.cookies['csrftoken']['samesite']);"
        "print(Client().get('/login/', HTTP_HOST='herp.example').status_code)"
    )
    assert result.returncode == 0, result.stderr
    status, hsts, csp, referrer, cookie, plain_status = result.stdout.strip().splitlines()
    assert status == "200"
    assert "max-age=31536000" in hsts
    assert "default-src 'self'" in csp
    assert referrer == "same-origin"
    assert cookie == "True Lax"
    assert plain_status == "301"
