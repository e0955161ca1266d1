"""RELIABILITY T32: SQLite under concurrent writers, as `make run` runs it (files, a threaded server, the
emulator's webhook thread, a management command). The scenarios run in a process of their own
(tests/unit/sqlite_writers.py) on scratch files; before the fix each of them answered 500
`database is locked`."""

from __future__ import annotations

import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]

# Started when this module is collected, so the scenarios (a few seconds, mostly waiting on purpose) run
# on the machine's other core while the rest of the tier runs; the tests below collect the outcome.
_DIRECTORY = tempfile.mkdtemp(prefix="sqlite-writers-")
_SCENARIOS = subprocess.Popen(
    [sys.executable, "-m", "tests.unit.sqlite_writers", _DIRECTORY],
    cwd=PROJECT_ROOT,
    env={key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL")},
    stdout=subprocess.PIPE,
    stderr=subprocess.PIPE,
    text=True,
)


@atexit.register
def _clean_up() -> None:
    # When the tests below were deselected, nobody waited for the scenarios.
    if _SCENARIOS.poll() is None:
        _SCENARIOS.kill()
        _SCENARIOS.communicate()
    shutil.rmtree(_DIRECTORY, ignore_errors=True)


@pytest.fixture(scope="module")
def seen() -> dict:
    stdout, stderr = _SCENARIOS.communicate(timeout=120)
    assert _SCENARIOS.returncode == 0, stderr[-3000:]
    return json.loads(stdout.strip().splitlines()[-1])


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
