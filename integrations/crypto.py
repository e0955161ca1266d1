"""Tokens at rest: Fernet under MultiFernet keys from settings.TOKEN_ENCRYPTION_KEYS (RELIABILITY T10).

The first key encrypts; every key decrypts, so a new key can be put first and the old one removed once
``manage.py rotate_token_keys`` has re-encrypted every row. SECRET_KEY is never used: rotating it (or
leaking it) must not touch the tokens.

Each ciphertext is bound to where it is stored: the plaintext is JSON
``{"company": id, "zoom_user_id": ..., "field": "access_token"|"refresh_token", "token": ...}`` and
decryption checks all three. A ciphertext copied by SQL into another grant, another field or another
company's row is refused instead of handing one company's Zoom access to another.

A failure raises ``TokenDecryptError`` and never falls back to treating the stored value as plaintext.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

TokenField = Literal["access_token", "refresh_token"]
TOKEN_FIELDS: tuple[TokenField, ...] = ("access_token", "refresh_token")


class TokenDecryptError(Exception):
    """A stored token cannot be used: wrong or missing key, corrupt value, or bound to another row.

    The message names the row and the reason, never the value.
    """


@dataclass(frozen=True)
class Binding:
    """Where a ciphertext belongs: checked on every decryption."""

    company_id: int
    zoom_user_id: str
    field: TokenField


@lru_cache(maxsize=4)
def _multifernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("TOKEN_ENCRYPTION_KEYS is empty: tokens can be neither stored nor read.")
    return MultiFernet([Fernet(key) for key in keys])


def _keys() -> MultiFernet:
    # Read at call time (not import time) so that a key change in settings, or a test's override,
    # takes effect without restarting the module.
    return _multifernet(tuple(settings.TOKEN_ENCRYPTION_KEYS))


def encrypt_token(token: str, binding: Binding) -> str:
    if not token:
        raise ValueError("An empty token is not stored; wipe the field instead.")
    payload = {
        "company": binding.company_id,
        "zoom_user_id": binding.zoom_user_id,
        "field": binding.field,
        "token": token,
    }
    plaintext = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    return _keys().encrypt(plaintext).decode("ascii")


def decrypt_token(ciphertext: str, binding: Binding) -> str:
    where = f"{binding.field} of Zoom user {binding.zoom_user_id} (company {binding.company_id})"
    if not ciphertext:
        raise TokenDecryptError(f"No stored {where}.")
    try:
        plaintext = _keys().decrypt(ciphertext.encode("ascii"))
    except (InvalidToken, UnicodeEncodeError):
        # `from None`: InvalidToken carries nothing useful, and the chained context must not drag the
        # ciphertext into a traceback.
        raise TokenDecryptError(f"The {where} does not decrypt under any configured key.") from None
    except ImproperlyConfigured as exc:
        raise TokenDecryptError(f"The {where} cannot be decrypted: {exc}") from None
    try:
        payload = json.loads(plaintext)
        token = payload["token"]
        bound = (payload["company"], payload["zoom_user_id"], payload["field"])
    except (ValueError, KeyError, TypeError):
        raise TokenDecryptError(f"The {where} decrypts to an unexpected shape.") from None
    if bound != (binding.company_id, binding.zoom_user_id, binding.field) or not isinstance(token, str) or not token:
        raise TokenDecryptError(f"The {where} belongs to another row or field; refused.")
    return token


def reencrypt_token(ciphertext: str, binding: Binding) -> str:
    """The same token, encrypted under the current first key (binding checked on the way)."""
    return encrypt_token(decrypt_token(ciphertext, binding), binding)


def is_under_first_key(ciphertext: str) -> bool:
    """True when the first key alone decrypts the value (nothing left for rotation to do)."""
    keys: tuple[str, ...] = tuple(settings.TOKEN_ENCRYPTION_KEYS)
    if not keys or not ciphertext:
        return False
    try:
        Fernet(keys[0]).decrypt(ciphertext.encode("ascii"))
    except (InvalidToken, UnicodeEncodeError):
        return False
    return True
