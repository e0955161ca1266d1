"""How the settings open databases: SQLite made for concurrent writers (RELIABILITY T32) and persistent
connections only where a bounded pool of processes uses them (issue 11, item 7)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from tests.unit.test_settings import PRODUCTION as WITHOUT_DATABASE
from tests.unit.test_settings import load

PRODUCTION = {**WITHOUT_DATABASE, "DATABASE_URL": "postgres://herp@db.example:5432/herp"}


def test_T32_sqlite_takes_the_write_lock_at_begin_and_waits_for_it(monkeypatch):
    database = load(monkeypatch, {"DEBUG": "1"})["DATABASES"]["default"]

    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert database["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert database["OPTIONS"]["timeout"] >= 10
    assert "journal_mode=WAL" in database["OPTIONS"]["init_command"]


def test_T32_a_sqlite_database_url_gets_the_same_options_and_its_emulator_beside_it(monkeypatch, tmp_path):
    environ = {"DEBUG": "1", "ZOOM_EMULATOR": "1", "DATABASE_URL": f"sqlite:///{tmp_path}/scratch.sqlite3"}
    databases = load(monkeypatch, environ)["DATABASES"]

    assert databases["default"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert databases["zoom_emulator"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert databases["zoom_emulator"]["NAME"] == str(tmp_path / "zoom_emulator.sqlite3")


def test_the_development_server_keeps_no_connection_open_between_requests(monkeypatch):
    environ = {"DEBUG": "1", "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/herp"}
    database = load(monkeypatch, environ)["DATABASES"]["default"]

    assert database["CONN_MAX_AGE"] == 0
    assert database["CONN_HEALTH_CHECKS"] is True


def test_production_keeps_persistent_connections_with_health_checks(monkeypatch):
    database = load(monkeypatch, PRODUCTION)["DATABASES"]["default"]

    assert database["CONN_MAX_AGE"] == 60
    assert database["CONN_HEALTH_CHECKS"] is True


def test_the_connection_lifetime_can_be_set_either_way(monkeypatch):
    development = load(
        monkeypatch, {"DEBUG": "1", "DATABASE_URL": PRODUCTION["DATABASE_URL"], "DATABASE_CONN_MAX_AGE": "30"}
    )
    production = load(monkeypatch, {**PRODUCTION, "DATABASE_CONN_MAX_AGE": "0"})

    assert development["DATABASES"]["default"]["CONN_MAX_AGE"] == 30
    assert production["DATABASES"]["default"]["CONN_MAX_AGE"] == 0


@pytest.mark.parametrize("value", ["-1", "sixty", "1.5"])
def test_a_malformed_connection_lifetime_stops_the_start(monkeypatch, value):
    with pytest.raises(ImproperlyConfigured, match="DATABASE_CONN_MAX_AGE"):
        load(monkeypatch, {**PRODUCTION, "DATABASE_CONN_MAX_AGE": value})
