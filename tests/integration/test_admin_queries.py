"""Support staff's changelists take the same number of queries with a few rows as with many (issue 6, part
3), on PostgreSQL, the database they run on in production.

It lives in this tier because building the rows is slow on the unit tier's SQLite (10,000 rows took a fifth
of that tier), and not under bench/ because it is a check, not a timing: CI runs this tier and fails on it.
"""

from __future__ import annotations

from django.contrib.admin import ModelAdmin
from django.urls import resolve, reverse

from tests.admin_rows import CHANGELISTS, make_rows, query_counts


def model_admin(changelist: str) -> ModelAdmin:
    # ModelAdmin.get_urls marks each view it wraps with the ModelAdmin it belongs to.
    return resolve(reverse(changelist)).func.model_admin


def many_rows() -> int:
    """Five times the rows at which every changelist splits into pages and stops offering "Show all"
    (1,000 with Django's defaults): past both, a page shows as many rows as it ever will, so a query
    per row, per page or per filter choice would show as a difference from the few-rows count."""
    admins = [model_admin(name) for name in CHANGELISTS]
    return 5 * max(max(admin.list_per_page, admin.list_max_show_all) for admin in admins)


def test_each_changelist_keeps_a_constant_number_of_queries_from_10_to_many_rows(support_client):
    make_rows(10)
    few = query_counts(support_client)
    make_rows(many_rows() - 10)
    assert query_counts(support_client) == few
