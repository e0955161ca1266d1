"""Admin list filters that stay small however many companies there are (issue 16, goal 5).

Django's ``list_filter = ("company",)`` lists every company in the sidebar: with thousands of tenants
the changelist grows with them. ``CompanyFilter`` instead offers a box to type a company's name (or
id): the sidebar shows only the companies that match, at most ``LIMIT``, and the one chosen.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from herp.models import Company

LIMIT = 20
MAX_ID = 2**63 - 1


def _company_id(text: str | None) -> int | None:
    """A value that can be a company's id (ASCII digits a 64-bit key holds), else None."""
    if text and text.isascii() and text.isdigit() and int(text) <= MAX_ID:
        return int(text)
    return None


class CompanyFilter(admin.SimpleListFilter):
    title = _("company")
    parameter_name = "company"
    template = "admin/company_filter.html"

    def __init__(self, request: HttpRequest, params: dict[str, Any], model: type[Model], model_admin: Any) -> None:
        # The typed name is this filter's second parameter: taken out of ``params`` so that the
        # changelist does not read it as a field lookup.
        self.typed = str(request.GET.get("company_name", "")).strip()[:100]
        params.pop("company_name", None)
        super().__init__(request, params, model, model_admin)

    def has_output(self) -> bool:
        return True  # the search box shows even before anything matches

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        companies = Company.objects.none()
        if self.typed:
            companies = Company.objects.filter(name__icontains=self.typed)
            typed_id = _company_id(self.typed)
            if typed_id is not None:
                companies = companies | Company.objects.filter(pk=typed_id)
        chosen = _company_id(self.value())
        if chosen is not None:
            companies = companies | Company.objects.filter(pk=chosen)
        return [(str(company.pk), f"{company.name} (#{company.pk})") for company in companies.order_by("name")[:LIMIT]]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        chosen = _company_id(self.value())
        return queryset if chosen is None else queryset.filter(company_id=chosen)

    def expected_parameters(self) -> list[str | None]:
        return [self.parameter_name, "company_name"]
