from __future__ import annotations

from herp.celery import app


def test_every_beat_entry_names_a_registered_task():
    app.loader.import_default_modules()
    for name, entry in app.conf.beat_schedule.items():
        assert entry["task"] in app.tasks, f"beat entry {name} names an unknown task"
    assert {"zoom.meetings_sweep", "zoom.webhooks_sweep", "zoom.upkeep"} <= {
        entry["task"] for entry in app.conf.beat_schedule.values()
    }
