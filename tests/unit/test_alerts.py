from __future__ import annotations

import json
import logging

from django.core import mail

from herp.alerts import AlertEvent, alert


def test_it_writes_one_structured_line_on_herp_alerts(caplog, settings):
    settings.ADMINS = []
    with caplog.at_level(logging.INFO, logger="herp.alerts"):
        alert(AlertEvent.ZOOM_CLIENT_REJECTED, "Zoom refused the client credentials", company_id=None, status=401)

    records = [record for record in caplog.records if record.name == "herp.alerts"]
    assert len(records) == 1
    payload = json.loads(records[0].getMessage())
    assert payload == {
        "event": "zoom.client_rejected",
        "message": "Zoom refused the client credentials",
        "company_id": None,
        "status": 401,
    }
    assert mail.outbox == []


def test_it_mails_the_operators_when_admins_is_set(settings):
    settings.ADMINS = [("Ops", "ops@herp.example")]
    alert(AlertEvent.ZOOM_GRANT_LOST, "A grant could not be refreshed", grant_id=7)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ops@herp.example"]
    assert "zoom.grant_lost" in message.subject
    assert "grant_id: 7" in message.body


def test_its_event_names_are_fixed_and_unique():
    values = [event.value for event in AlertEvent]
    assert len(values) == len(set(values))
    assert all("." in value for value in values)
