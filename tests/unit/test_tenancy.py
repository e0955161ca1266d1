from __future__ import annotations

import pytest
from django.http import Http404, HttpResponse
from django.test import RequestFactory

from herp.models import User
from herp.tenancy import company_admin_required, company_member_required, get_scoped_or_404, scoped


def test_it_never_gives_a_member_of_company_b_the_rows_of_company_a(user_factory, company_factory):
    company_a, company_b = company_factory(), company_factory()
    alice = user_factory(company=company_a)
    bob = user_factory(company=company_b)

    assert list(scoped(User, bob.company)) == [bob]
    with pytest.raises(Http404):
        get_scoped_or_404(User, bob.company, pk=alice.pk)
    assert get_scoped_or_404(User, alice.company, pk=alice.pk) == alice


def test_it_scopes_a_queryset_too(user_factory, company_factory):
    company = company_factory()
    admin = user_factory(company=company, role=User.Role.ADMIN)
    user_factory(company=company)
    user_factory()

    assert list(scoped(User.objects.filter(role=User.Role.ADMIN), company)) == [admin]


def test_it_returns_nothing_without_a_company(user_factory):
    user_factory()
    assert list(scoped(User, None)) == []


@pytest.mark.parametrize("bad_id", ["abc", "1; DROP TABLE", None, ""])
def test_it_answers_404_to_an_id_of_the_wrong_shape(db, company_factory, bad_id):
    with pytest.raises(Http404):
        get_scoped_or_404(User, company_factory(), pk=bad_id)


def _view(request):
    return HttpResponse("ok")


def _call(view, user):
    request = RequestFactory().get("/somewhere/")
    request.user = user
    request.COOKIES = {}
    return view(request)


def test_it_lets_a_company_member_in(user_factory):
    assert _call(company_member_required(_view), user_factory()).status_code == 200


def test_it_shows_a_clear_403_to_members_on_admin_pages(user_factory):
    response = _call(company_admin_required(_view), user_factory(role=User.Role.MEMBER))
    assert response.status_code == 403
    assert "管理者" in response.content.decode()


def test_it_lets_a_company_admin_in(user_factory):
    assert _call(company_admin_required(_view), user_factory(role=User.Role.ADMIN)).status_code == 200


def test_it_refuses_product_pages_to_staff_without_a_company(user_factory):
    staff = user_factory(is_staff=True)
    assert _call(company_member_required(_view), staff).status_code == 403
    assert _call(company_admin_required(_view), staff).status_code == 403


def test_it_requires_a_company_unless_staff(db, company_factory):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email="nobody@example.com", company=None, is_staff=False)
