"""The Hypothesis suites of tests/fuzz_members.py on PostgreSQL (the integration tier), which refuses what
SQLite stores (NUL in text)."""

from __future__ import annotations

import pytest

from tests.fuzz import world  # noqa: F401  (the suites' fixture)
from tests.fuzz_members import (  # noqa: F401  (the suites)
    test_T29_fuzz_the_invite_form,
    test_T29_fuzz_the_members_page_and_its_buttons,
    test_T29_fuzz_the_schedule_list_query,
    test_T29_fuzz_the_set_password_page,
)

pytestmark = pytest.mark.django_db
