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
