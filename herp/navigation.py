"""The menu. Apps register their pages here from ``AppConfig.ready`` so that herp, the lowest
layer, never imports them (dependencies point scheduling -> zoom -> integrations -> herp)."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise

from herp.models import User


@dataclass(frozen=True)
class NavEntry:
    url_name: str
    label: str | Promise
    description: str | Promise
    admins_only: bool = False
    order: int = 100

    @property
    def url(self) -> str:
        return reverse(self.url_name)


_entries: dict[str, NavEntry] = {}


def register(entry: NavEntry) -> None:
    _entries[entry.url_name] = entry


def entries_for(user: User) -> list[NavEntry]:
    if not user.is_authenticated or not user.has_product_access:
        return []
    visible = [entry for entry in _entries.values() if user.is_company_admin or not entry.admins_only]
    return sorted(visible, key=lambda entry: entry.order)
