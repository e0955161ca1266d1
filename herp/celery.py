"""The Celery app. Its configuration is the CELERY_* settings; REDIS_URL unset runs tasks eagerly."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "herp.settings")

app = Celery("herp")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The whole beat schedule, in one place.
app.conf.beat_schedule = {
    # Re-queue meetings whose task was lost (broker outage, killed worker) or whose wait is over.
    "zoom-meetings-sweep": {"task": "zoom.meetings_sweep", "schedule": 60.0},
}
