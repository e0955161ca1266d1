"""RELIABILITY T32: SQLite under concurrent writers, as `make run` runs it (files, a threaded server, the
emulator's webhook thread, a management command). The scenarios run in a process of their own
(tests/unit/sqlite_writers.py) on scratch files; before the fix each of them answered 500
`database is locked`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def seen(tmp_path_factory) -> dict:
    directory = tmp_path_factory.mktemp("sqlite-writers")
    environ = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL")}
    result = subprocess.run(
        [sys.executable, "-m", "tests.unit.sqlite_writers", str(directory)],
        cwd=PROJECT_ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_T32_a_webhook_arriving_while_a_command_writes_is_stored(seen):
    two = seen["two_writers"]
    assert two["webhook_status"] == 200
    assert two["stored"] == 1
    assert two["command"] == "committed"
    assert two["companies"] == 1


def test_T32_the_emulators_webhooks_during_zoom_upkeep_are_stored_and_processed(seen):
    upkeep = seen["webhooks_during_upkeep"]
    assert upkeep["revoked"] == 4
    assert upkeep["sent"] == 4
    assert upkeep["answered"] == [200]
    assert upkeep["stored"] == 4
    assert upkeep["processed"] == 4
