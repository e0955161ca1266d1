"""A NUL character in a query string or a form is refused with the bad-request page before any view
stores it (PostgreSQL cannot; RELIABILITY T29). Found by the fuzz suites on the OAuth callbacks' `error`
and the support admin's search."""

from __future__ import annotations

from django.contrib.auth.models import Group

from herp.support import SUPPORT_GROUP
from integrations.models import IntegrationEvent
from tests.helpers import in_english


def test_a_nul_in_a_query_string_is_refused_with_the_bad_request_page(user_factory, client_for):
    client = in_english(client_for(user_factory()))

    response = client.get("/integrations/zoom/callback/?state=x&error=a%00b")

    assert response.status_code == 400
    assert "The request could not be understood." in response.content.decode()
    assert not IntegrationEvent.objects.exists()


def test_a_nul_in_a_form_is_refused(user_factory, client_for):
    client = client_for(user_factory())

    response = client.post(
        "/schedules/new/", "title=a%00b&location=zoom", content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 400


def test_a_nul_in_the_admin_search_is_refused(user_factory, client_for):
    staff = user_factory(is_staff=True)
    staff.groups.add(Group.objects.get(name=SUPPORT_GROUP))

    assert client_for(staff).get("/admin/zoom/zoommeeting/?q=a%00b").status_code == 400


def test_the_webhook_reads_its_own_body(client):
    # Unsigned, so 401 from the webhook itself: the NUL refusal leaves CSRF-exempt views alone.
    response = client.post("/webhooks/zoom/?x=%00", "a=%00", content_type="application/x-www-form-urlencoded")

    assert response.status_code == 401
