"""Typed readers for the environment variables of DESIGN.md section 4.

Every reader raises ``ImproperlyConfigured`` naming the variable when its value is malformed, so a
bad deployment stops at start-up instead of failing on the first request that needs the value.
Secrets may also come from a file: ``NAME_FILE`` holds a path whose contents are the value
(container secrets are mounted as files).
"""

from __future__ import annotations

import builtins
import os
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

TRUE_VALUES = {"1", "true", "yes", "on"}
FALSE_VALUES = {"0", "false", "no", "off", ""}


class Env:
    """Reads variables from a mapping (``os.environ`` by default, a dict in tests)."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self.environ = os.environ if environ is None else environ

    def raw(self, name: str) -> str | None:
        value = self.environ.get(name)
        if value is None or value.strip() == "":
            return None
        return value.strip()

    def bool(self, name: str, default: bool = False) -> bool:
        value = self.environ.get(name)
        if value is None:
            return default
        lowered = value.strip().lower()
        if lowered in TRUE_VALUES:
            return True
        if lowered in FALSE_VALUES:
            return False
        raise ImproperlyConfigured(f"{name} must be 1/true/yes/on or 0/false/no/off, not {value!r}.")

    def int(self, name: str, default: int, *, minimum: int = 0, maximum: int | None = None) -> int:
        value = self.raw(name)
        if value is None:
            return default
        try:
            number = int(value)
        except ValueError:
            number = None
        if number is None or number < minimum or (maximum is not None and number > maximum):
            bounds = f"from {minimum}" + (f" to {maximum}" if maximum is not None else " up")
            raise ImproperlyConfigured(f"{name} must be a whole number {bounds}, not {value!r}.")
        return number

    def secret(self, name: str) -> str | None:
        """The value of NAME, or the contents of the file NAME_FILE points at."""
        value = self.raw(name)
        path = self.raw(f"{name}_FILE")
        if value is not None and path is not None:
            raise ImproperlyConfigured(f"Set either {name} or {name}_FILE, not both.")
        if path is None:
            return value
        try:
            with open(path, encoding="utf-8") as handle:
                contents = handle.read().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE points at an unreadable file: {exc.strerror}.") from exc
        if not contents:
            raise ImproperlyConfigured(f"{name}_FILE points at an empty file.")
        return contents

    def list(self, name: str) -> list[str]:
        value = self.raw(name)
        if value is None:
            return []
        return [item.strip() for item in value.split(",") if item.strip()]

    def secret_list(self, name: str) -> builtins.list[str]:
        value = self.secret(name)
        if value is None:
            return []
        return [item.strip() for item in value.split(",") if item.strip()]

    def url(self, name: str, default: str | None = None, *, schemes: tuple[str, ...] = ("http", "https")) -> str | None:
        value = self.raw(name)
        if value is None:
            return default
        parts = urlsplit(value)
        if parts.scheme not in schemes or not parts.netloc:
            allowed = " or ".join(schemes)
            raise ImproperlyConfigured(f"{name} must be an absolute {allowed} URL, not {value!r}.")
        if parts.query or parts.fragment:
            raise ImproperlyConfigured(f"{name} must not carry a query string or fragment.")
        return value.rstrip("/")


@dataclass(frozen=True)
class EmailConfig:
    backend: str
    host: str = ""
    port: int = 0
    user: str = ""
    password: str = ""
    use_tls: bool = False
    use_ssl: bool = False


def parse_email_url(name: str, value: str) -> EmailConfig:
    """``smtp://user:pass@host:587?tls=1``, ``smtps://…``, ``console:`` or ``locmem:``."""
    parts = urlsplit(value)
    if parts.scheme == "console":
        return EmailConfig(backend="django.core.mail.backends.console.EmailBackend")
    if parts.scheme == "locmem":
        return EmailConfig(backend="django.core.mail.backends.locmem.EmailBackend")
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ImproperlyConfigured(
            f"{name} must look like smtp://user:password@host:587?tls=1, smtps://…, console: or locmem:."
        )
    try:
        port = parts.port or (465 if parts.scheme == "smtps" else 25)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} has an invalid port.") from exc
    query = parse_qs(parts.query)
    tls = query.get("tls", ["0"])[0].lower() in TRUE_VALUES
    return EmailConfig(
        backend="django.core.mail.backends.smtp.EmailBackend",
        host=parts.hostname,
        port=port,
        user=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        use_tls=tls and parts.scheme == "smtp",
        use_ssl=parts.scheme == "smtps",
    )


def parse_admins(name: str, value: list[str]) -> list[tuple[str, str]]:
    """``ADMINS=ops@example.com,Jane <jane@example.com>``."""
    admins = []
    for item in value:
        if "<" in item and item.endswith(">"):
            display, address = item[:-1].split("<", 1)
            display, address = display.strip(), address.strip()
        else:
            display, address = item, item
        if "@" not in address or " " in address:
            raise ImproperlyConfigured(f"{name} holds an invalid e-mail address: {item!r}.")
        admins.append((display or address, address))
    return admins
