from __future__ import annotations

import pytest

from herp.celery import app


@pytest.mark.django_db(transaction=True, databases=["default", "zoom_emulator"])
def test_a_real_worker_answers_on_the_broker(celery_worker_process):
    replies = app.control.ping(timeout=2)
    assert any(name.startswith("integration-") for reply in replies for name in reply)
    assert celery_worker_process.poll() is None
