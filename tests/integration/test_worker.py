from __future__ import annotations

import pytest

from herp.celery import app


@pytest.mark.django_db(transaction=True, databases=["default", "zoom_emulator"])
def test_a_real_worker_answers_on_the_broker(celery_worker_process):
    replies = app.control.ping(timeout=2)
    assert any(name.startswith("integration-") for reply in replies for name in reply)
    assert celery_worker_process.poll() is None


@pytest.mark.django_db
def test_healthz_reports_the_real_database_and_broker(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}
