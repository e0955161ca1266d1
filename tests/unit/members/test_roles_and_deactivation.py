"""全体設定 › メンバー: roles, deactivation and reactivation, the last active admin, pages (issue 13)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user
from django.urls import reverse
from django.utils import translation

from herp.members import services
from herp.members.services import LastAdmin
from herp.models import User


@pytest.fixture
def company(company_factory):
    return company_factory(name="株式会社ロール")


@pytest.fixture
def admin(company, user_factory):
    return user_factory(company=company, role=User.Role.ADMIN, name="管理 花子")


@pytest.fixture
def member(company, user_factory):
    return user_factory(company=company, name="社員 一郎")


def role_post(client, person, role):
    return client.post(reverse("members:role", args=[person.pk]), {f"m{person.pk}-role": role})


def test_an_admin_makes_a_member_an_admin_and_back(admin, member, client_for):
    client = client_for(admin)

    role_post(client, member, User.Role.ADMIN)
    member.refresh_from_db()
    assert member.role == User.Role.ADMIN

    role_post(client, member, User.Role.MEMBER)
    member.refresh_from_db()
    assert member.role == User.Role.MEMBER


def test_the_last_active_admin_cannot_be_demoted_and_the_page_says_why(admin, member, client_for):
    client = client_for(admin)

    page = client.get(reverse("members:list")).content.decode()
    row = page[page.index(f'data-member="{admin.pk}"') :]
    assert 'class="muted last-admin"' in row[: row.index("</tr>")]

    response = role_post(client, admin, User.Role.MEMBER)
    admin.refresh_from_db()
    assert admin.role == User.Role.ADMIN
    with translation.override("ja"):
        reason = services.last_admin_text(admin, "demote")
    assert reason in client.get(response.url).content.decode()


def test_the_last_active_admin_cannot_be_deactivated_and_the_page_says_why(admin, client_for):
    client = client_for(admin)

    confirm = client.get(reverse("members:deactivate", args=[admin.pk])).content.decode()
    assert 'id="last-admin"' in confirm
    assert 'id="deactivate-confirm-button"' not in confirm

    client.post(reverse("members:deactivate", args=[admin.pk]))
    admin.refresh_from_db()
    assert admin.is_active


def test_a_deactivated_admin_does_not_count_as_the_other_admin(admin, company, user_factory):
    user_factory(company=company, role=User.Role.ADMIN, is_active=False)

    with pytest.raises(LastAdmin):
        services.member_role_change(member=admin, role=User.Role.MEMBER, by=admin)
    with pytest.raises(LastAdmin):
        services.member_deactivate(member=admin, by=admin)


def test_with_two_admins_either_may_step_down(admin, member, client_for):
    services.member_role_change(member=member, role=User.Role.ADMIN, by=admin)

    response = role_post(client_for(admin), admin, User.Role.MEMBER)

    admin.refresh_from_db()
    assert admin.role == User.Role.MEMBER
    assert response.url == reverse("home")  # the members page is for admins
    with pytest.raises(LastAdmin):
        services.member_role_change(member=member, role=User.Role.MEMBER, by=member)


def test_a_deactivated_person_is_signed_out_and_cannot_sign_in(
    admin, member, client_for, client, django_capture_on_commit_callbacks
):
    member_session = client_for(member)

    with django_capture_on_commit_callbacks(execute=True):
        client_for(admin).post(reverse("members:deactivate", args=[member.pk]))

    member.refresh_from_db()
    assert not member.is_active
    assert not get_user(member_session).is_authenticated
    assert member_session.get(reverse("home")).status_code == 302
    refused = client.post(reverse("login"), {"username": member.email, "password": "correct-horse-battery"})
    assert refused.status_code == 200
    assert not get_user(client).is_authenticated


def test_an_admin_who_deactivates_themselves_is_signed_out(
    admin, member, client_for, django_capture_on_commit_callbacks
):
    services.member_role_change(member=member, role=User.Role.ADMIN, by=admin)
    client = client_for(admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("members:deactivate", args=[admin.pk]))

    assert response.url == reverse("login")
    assert not get_user(client).is_authenticated


def test_a_reactivated_person_signs_in_with_their_password_again(
    admin, member, client_for, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.member_deactivate(member=member, by=admin)

    client_for(admin).post(reverse("members:reactivate", args=[member.pk]))

    member.refresh_from_db()
    assert member.is_active
    signed_in = client.post(reverse("login"), {"username": member.email, "password": "correct-horse-battery"})
    assert signed_in.status_code == 302
    assert get_user(client).pk == member.pk


def test_deactivating_twice_or_reactivating_an_active_person_changes_nothing(admin, member, client_for):
    client = client_for(admin)
    assert client.post(reverse("members:reactivate", args=[member.pk])).status_code == 302
    services.member_deactivate(member=member, by=admin)
    assert services.member_deactivate(member=member, by=admin) is False
    assert client.get(reverse("members:deactivate", args=[member.pk])).status_code == 302


@pytest.mark.parametrize("role", ["owner", "", "ADMIN"])
def test_an_unknown_role_is_refused(role, admin, member, client_for):
    response = role_post(client_for(admin), member, role)
    member.refresh_from_db()
    assert response.status_code == 302
    assert member.role == User.Role.MEMBER


def test_the_confirmation_says_what_deactivating_does(admin, member, client_for):
    page = client_for(admin).get(reverse("members:deactivate", args=[member.pk])).content.decode()
    assert 'id="deactivate-consequences"' in page
    assert 'id="deactivate-confirm-button"' in page


def test_the_members_list_comes_in_pages_and_can_be_searched(admin, company, user_factory, client_for):
    User.objects.bulk_create(
        [
            User(company=company, name=f"社員 {number:02d}", email=f"person{number:02d}@roles.example")
            for number in range(55)
        ]
    )
    client = client_for(admin)

    first = client.get(reverse("members:list"))
    second = client.get(reverse("members:list"), {"page": 2})
    found = client.get(reverse("members:list"), {"q": "person07"})
    beyond = client.get(reverse("members:list"), {"page": "9999"})

    assert len(first.context["rows"]) == 50
    assert len(second.context["rows"]) == 6  # 55 and the admin
    assert [row["person"].email for row in found.context["rows"]] == ["person07@roles.example"]
    assert beyond.status_code == 200
    assert 'rel="next"' in first.content.decode()


def test_the_members_list_shows_only_the_companys_people(admin, user_factory, client_for):
    other = user_factory(email="stranger@other.example")
    page = client_for(admin).get(reverse("members:list"), {"q": "stranger"}).content.decode()
    assert other.email not in page
