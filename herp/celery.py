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
    # Process webhook deliveries that were stored but never processed (a worker or broker outage).
    "zoom-webhooks-sweep": {"task": "zoom.webhooks_sweep", "schedule": 60.0},
    # A guest alone in an interview's meeting past the grace period is reported (issue 15).
    "zoom-attendance-check": {"task": "zoom.attendance_check", "schedule": 30.0},
    # Refresh grants before they go stale, re-check links and installers, revoke unused grants.
    "zoom-upkeep": {"task": "zoom.upkeep", "schedule": 60.0 * 60},
}
