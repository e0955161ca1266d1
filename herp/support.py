"""The ``support`` group: support staff may view every model of our apps in the admin, and change none."""

from __future__ import annotations

from typing import Any

from django.apps import AppConfig, apps
from django.contrib.auth.management import create_permissions
from django.db import DEFAULT_DB_ALIAS

SUPPORT_GROUP = "support"
# The product's own apps; Django's and the emulator's models are not support staff's business.
PRODUCT_APPS = ("herp", "integrations", "zoom", "scheduling")
# What support staff may view: the product, and django-axes' login lockouts (RELIABILITY T31).
SUPPORT_VIEW_APPS = (*PRODUCT_APPS, "axes")


def sync_support_group(sender: AppConfig, using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    """Give the group exactly the view permissions of the product's models (idempotent)."""
    if using != DEFAULT_DB_ALIAS or sender.label not in SUPPORT_VIEW_APPS:
        return
    from django.contrib.auth.models import Group, Permission

    # post_migrate reaches the apps one by one; create every product app's permissions now so the
    # group is complete whichever app's signal arrives first.
    for label in SUPPORT_VIEW_APPS:
        create_permissions(apps.get_app_config(label), verbosity=0, using=using)
    permissions = Permission.objects.using(using).filter(
        content_type__app_label__in=SUPPORT_VIEW_APPS, codename__startswith="view_"
    )
    group, _created = Group.objects.using(using).get_or_create(name=SUPPORT_GROUP)
    group.permissions.set(permissions)
