from __future__ import annotations

from django.apps import apps
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

from herp.models import Company
from herp.support import SUPPORT_GROUP, SUPPORT_VIEW_APPS


def _support_permissions() -> set[str]:
    group = Group.objects.get(name=SUPPORT_GROUP)
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}


def test_it_gives_the_support_group_the_view_permission_of_every_product_model_and_of_login_lockouts(db):
    expected = {
        f"{model._meta.app_label}.view_{model._meta.model_name}"
        for label in SUPPORT_VIEW_APPS
        for model in apps.get_app_config(label).get_models()
    }
    assert expected
    assert _support_permissions() == expected


def test_it_grants_no_change_add_or_delete(db):
    assert not {perm for perm in _support_permissions() if not perm.split(".")[1].startswith("view_")}


def test_it_restores_the_group_after_each_migrate(db):
    Group.objects.get(name=SUPPORT_GROUP).permissions.clear()
    call_command("migrate", verbosity=0)
    assert _support_permissions()


def test_support_staff_can_view_but_not_change(user_factory, client_for, company_factory):
    company = company_factory(name="見える会社")
    staff = user_factory(is_staff=True)
    staff.groups.add(Group.objects.get(name=SUPPORT_GROUP))
    client = client_for(staff)

    assert client.get(reverse("admin:herp_company_changelist")).status_code == 200
    assert "見える会社" in client.get(reverse("admin:herp_company_change", args=[company.pk])).content.decode()
    response = client.post(reverse("admin:herp_company_change", args=[company.pk]), {"name": "changed"})
    assert response.status_code == 403
    assert client.get(reverse("admin:herp_company_add")).status_code == 403
    assert client.post(reverse("admin:herp_company_delete", args=[company.pk]), {"post": "yes"}).status_code == 403
    assert Company.objects.get(pk=company.pk).name == "見える会社"


def test_create_support_user_makes_a_view_only_staff_user(db, capsys):
    from herp.models import User

    call_command("create_support_user", "support@herp.example", "--generate-password")
    user = User.objects.get(email="support@herp.example")
    assert user.is_staff
    assert not user.is_superuser
    assert user.company is None
    assert list(user.groups.values_list("name", flat=True)) == [SUPPORT_GROUP]
    printed = capsys.readouterr().out
    password = printed.strip().splitlines()[-1].split()[-1]
    assert user.check_password(password)


def test_create_support_user_refuses_an_existing_address(user_factory, capsys):
    import pytest
    from django.core.management import CommandError

    existing = user_factory()
    with pytest.raises(CommandError):
        call_command("create_support_user", existing.email, "--generate-password")
