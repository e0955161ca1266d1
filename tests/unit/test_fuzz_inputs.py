"""The Hypothesis suites of tests/fuzz.py on SQLite (the unit tier)."""

from __future__ import annotations

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
