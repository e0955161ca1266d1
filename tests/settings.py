"""Test settings: the project's settings read with a development environment, and faster hashing.

The environment is set before herp.settings loads, so tests exercise the real parsing. pytest-django
turns DEBUG off afterwards; the emulator stays mounted because its flag was decided at load.
"""

from __future__ import annotations

import os

os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("ZOOM_EMULATOR", "1")
os.environ.setdefault("SITE_URL", "http://testserver")

from herp.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# The emulator delivers webhooks from a background thread. On SQLite, Django's in-memory test
# databases share one cache across threads, where a write that meets another thread's open read fails
# at once ("database table is locked"); a file waits for the lock like the real server does.
if "zoom_emulator" in DATABASES and DATABASES["zoom_emulator"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    DATABASES["zoom_emulator"]["TEST"] = {"NAME": str(VAR_DIR / f"test_zoom_emulator_{os.getpid()}.sqlite3")}  # noqa: F405

# The live server answers each request on a thread of its own; persistent connections would stay open
# after the test and block dropping the test database.
for _database in DATABASES.values():  # noqa: F405
    _database["CONN_MAX_AGE"] = 0

# The integration tier's own Celery workers: a private default queue (so that what they queue
# themselves comes back to them), and a real SMTP server the test started, with its timeout.
if os.environ.get("HERP_TEST_QUEUE"):
    CELERY_TASK_DEFAULT_QUEUE = os.environ["HERP_TEST_QUEUE"]
if os.environ.get("HERP_TEST_EMAIL_URL"):
    from herp.env import parse_email_url as _parse_email_url

    _smtp = _parse_email_url("HERP_TEST_EMAIL_URL", os.environ["HERP_TEST_EMAIL_URL"])
    EMAIL_BACKEND = _smtp.backend
    EMAIL_HOST, EMAIL_PORT = _smtp.host, _smtp.port
    EMAIL_TIMEOUT = float(os.environ.get("HERP_TEST_EMAIL_TIMEOUT", "10"))
