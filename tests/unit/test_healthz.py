from __future__ import annotations

from unittest import mock

from django.db.utils import OperationalError


def test_it_reports_the_database_and_an_unconfigured_broker(client, db, settings):
    settings.CELERY_BROKER_URL = None
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "not configured"}


def test_it_answers_503_when_the_database_is_down(client, db, settings):
    settings.CELERY_BROKER_URL = None
    with mock.patch("herp.health.connection.cursor", side_effect=OperationalError("down")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "error"


def test_it_answers_503_when_the_broker_is_unreachable(client, db, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] == "error"
    assert "redis://" not in response.content.decode()
