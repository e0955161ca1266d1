"""Issue 16, goal 5: the support admin's company filter does not list every company; one types a name."""

from __future__ import annotations

import pytest
from django.test import Client

from herp.models import Company


@pytest.fixture
def operator(user_factory) -> Client:
    client = Client()
    client.force_login(user_factory(is_staff=True, is_superuser=True, company=None))
    return client


@pytest.fixture
def companies(db):
    return [Company.objects.create(name=f"株式会社テスト{n:03d}") for n in range(60)] + [
        Company.objects.create(name="株式会社ほかにない名前")
    ]


@pytest.mark.parametrize("page", ["/admin/herp/user/", "/admin/zoom/zoommeeting/", "/admin/zoom/zoomuser/"])
def test_the_filter_lists_no_company_until_one_is_searched(page, operator, companies):
    html = operator.get(page).content.decode()

    assert 'name="company_name"' in html
    assert "株式会社テスト000" not in html


def test_a_typed_name_lists_only_the_companies_that_match(operator, companies):
    html = operator.get("/admin/herp/user/", {"company_name": "ほかにない"}).content.decode()

    assert "株式会社ほかにない名前" in html
    assert "株式会社テスト001" not in html


def test_choosing_a_company_filters_the_list(operator, companies, user_factory):
    wanted, other = companies[-1], companies[0]
    user_factory(company=wanted, email="in-wanted@example.com")
    user_factory(company=other, email="in-other@example.com")

    html = operator.get("/admin/herp/user/", {"company": wanted.pk}).content.decode()

    assert "in-wanted@example.com" in html
    assert "in-other@example.com" not in html
    assert "株式会社ほかにない名前" in html  # the chosen one stays shown


@pytest.mark.parametrize("value", ["abc", "99999999999999999999999", "1' OR '1'='1"])
def test_a_value_that_is_no_company_shows_the_whole_list_instead_of_failing(operator, companies, value):
    response = operator.get("/admin/herp/user/", {"company": value, "company_name": value})

    assert response.status_code == 200
