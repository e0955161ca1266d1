"""What the benchmarks share: scratch PostgreSQL databases (the app's and the emulator's twin) and a
free loopback port. Nothing here is used by the product or its tests."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit, urlunsplit

import psycopg


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _admin_url(database_url: str) -> str:
    return urlunsplit(urlsplit(database_url)._replace(path="/postgres"))


def scratch_databases(database_url: str, name: str) -> tuple[str, list[str]]:
    """Creates ``name`` and ``name_zoom_emulator`` afresh on DATABASE_URL's server; returns the URL of
    the first and both names (for ``drop``)."""
    names = [name, f"{name}_zoom_emulator"]
    with psycopg.connect(_admin_url(database_url), autocommit=True) as conn:
        for each in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{each}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{each}"')
    return urlunsplit(urlsplit(database_url)._replace(path=f"/{name}")), names


def drop(database_url: str, names: list[str]) -> None:
    with psycopg.connect(_admin_url(database_url), autocommit=True) as conn:
        for each in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{each}" WITH (FORCE)')
