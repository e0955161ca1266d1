"""Identifiers and secrets in Zoom's shapes."""

from __future__ import annotations

import base64
import hashlib
import secrets

DB = "zoom_emulator"


def zoom_id(kind: str, key: str) -> str:
    """A 22-character id like Zoom's, derived from a stable key so that a reset reproduces it."""
    digest = hashlib.sha256(f"zoom-emulator:{kind}:{key}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()[:22]


def pmi_for(key: str) -> int:
    digest = hashlib.sha256(f"zoom-emulator:pmi:{key}".encode()).digest()
    return 1_000_000_000 + int.from_bytes(digest[:8], "big") % 9_000_000_000


def opaque_token() -> str:
    # Zoom calls its tokens opaque; random strings keep clients from parsing them.
    return secrets.token_urlsafe(64)


def tracking_id() -> str:
    return f"v=2.0;clid=us04;rid=WEB_{secrets.token_hex(16)}"
