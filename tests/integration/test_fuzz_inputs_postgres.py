"""The Hypothesis suites of tests/fuzz.py on PostgreSQL (the integration tier), which refuses what SQLite
stores (NUL in text and jsonb, times before year 1)."""

from __future__ import annotations

import pytest

from tests.fuzz import (  # noqa: F401  (the suites and their fixture)
    test_T29_fuzz_every_page_query_and_action,
    test_T29_fuzz_the_host_preview_query,
    test_T29_fuzz_the_login_forms,
    test_T29_fuzz_the_oauth_callbacks,
    test_T29_fuzz_the_schedule_form,
    test_T29_fuzz_the_support_admin,
    test_T30_fuzz_the_webhook,
    world,
)

pytestmark = pytest.mark.django_db
