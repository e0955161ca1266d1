"""Japanese is the default language: every UI string has a Japanese translation, compiled and current."""

from __future__ import annotations

from pathlib import Path

import polib
import pytest

LOCALE = Path(__file__).resolve().parents[2] / "locale" / "ja" / "LC_MESSAGES"


@pytest.fixture(scope="module")
def catalog() -> polib.POFile:
    return polib.pofile(str(LOCALE / "django.po"))


def test_every_string_has_a_japanese_translation(catalog):
    missing = [entry.msgid for entry in catalog if not entry.obsolete and not entry.translated()]
    assert missing == []


def test_no_translation_is_left_fuzzy(catalog):
    assert [entry.msgid for entry in catalog if "fuzzy" in entry.flags] == []


def test_the_compiled_catalog_matches_the_sources(catalog):
    compiled = polib.mofile(str(LOCALE / "django.mo"))
    as_compiled = {(entry.msgctxt, entry.msgid): (entry.msgstr, entry.msgstr_plural) for entry in compiled}
    as_written = {
        (entry.msgctxt, entry.msgid): (entry.msgstr, entry.msgstr_plural)
        for entry in catalog
        if entry.translated() and not entry.obsolete
    }
    assert as_compiled == as_written, "run `make messages` (or bin/compile-messages) and commit the .mo file"


def test_placeholders_survive_translation(catalog):
    import re

    pattern = re.compile(r"%\(\w+\)[sd]|\{\w*\}")
    for entry in catalog:
        if entry.translated() and entry.msgstr:
            assert sorted(pattern.findall(entry.msgid)) == sorted(pattern.findall(entry.msgstr)), entry.msgid
