from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse


@pytest.mark.parametrize(("language", "heading"), [("ja", None), ("en", "Help: Zoom")])
def test_the_help_page_covers_the_three_flows_in_both_languages(user_factory, client_for, language, heading):
    client = client_for(user_factory(language=language))  # a stored choice, which wins over the cookie
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    body = client.get(reverse("zoom:help")).content.decode()
    for anchor in ('id="connect"', 'id="link"', 'id="waiting-for-host"'):
        assert anchor in body
    if heading:
        assert heading in body


def test_the_pages_where_problems_occur_link_to_their_help(user_factory, client_for):
    from herp.models import User

    admin = user_factory(role=User.Role.ADMIN)
    client = client_for(admin)
    assert reverse("zoom:help") + "#connect" in client.get(reverse("integrations:settings")).content.decode()
    assert reverse("zoom:help") + "#link" in client.get(reverse("zoom:account")).content.decode()
