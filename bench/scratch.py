"""What the benchmarks share: scratch PostgreSQL databases (the app's and the emulator's twin) and a
free loopback port. Nothing here is used by the product or its tests.

Scratch databases are named after DATABASE_URL's database, the benchmark and this run
(``<db>_bench_<what>_<pid><random>``), so two runs, or two checkouts benchmarking at once on one
server, never drop each other's databases; each run drops only the names it made.
"""

from __future__ import annotations

import os
import re
import secrets
import socket
from urllib.parse import urlsplit, urlunsplit

import psycopg

# PostgreSQL cuts identifiers at 63 bytes; the emulator's twin adds "_zoom_emulator" (14).
_MAX_NAME = 63 - len("_zoom_emulator")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _admin_url(database_url: str) -> str:
    return urlunsplit(urlsplit(database_url)._replace(path="/postgres"))


def scratch_name(database_url: str, what: str) -> str:
    """``<db>_bench_<what>_<pid><4 hex>``: unique per run, recognisably ours, within PostgreSQL's limit."""
    base = re.sub(r"[^a-z0-9_]", "_", urlsplit(database_url).path.lstrip("/").lower()) or "herp"
    tail = f"_bench_{what}_{os.getpid()}{secrets.token_hex(2)}"
    return base[: _MAX_NAME - len(tail)] + tail


def scratch_databases(database_url: str, what: str) -> tuple[str, list[str]]:
    """Creates ``<db>_bench_<what>_<run>`` and its ``_zoom_emulator`` twin on DATABASE_URL's server;
    returns the URL of the first and both names (for ``drop``)."""
    name = scratch_name(database_url, what)
    names = [name, f"{name}_zoom_emulator"]
    with psycopg.connect(_admin_url(database_url), autocommit=True) as conn:
        for each in names:
            conn.execute(f'CREATE DATABASE "{each}"')
    return urlunsplit(urlsplit(database_url)._replace(path=f"/{name}")), names


def drop(database_url: str, names: list[str]) -> None:
    with psycopg.connect(_admin_url(database_url), autocommit=True) as conn:
        for each in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{each}" WITH (FORCE)')
