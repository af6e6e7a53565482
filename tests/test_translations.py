"""The translation catalogues are complete, current and compiled.

Every Finnish and Swedish entry is translated (every plural form), none is fuzzy, placeholders
match, every string in the source is in the catalogues (``make messages`` was run), and the
committed .mo files say exactly what the .po files say. English may stay untranslated.
"""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management import call_command

import aftersale

PACKAGE = Path(aftersale.__file__).resolve().parent
LOCALE = PACKAGE / "locale"
LANGUAGES = ["fi", "sv", "en"]
TRANSLATED = ["fi", "sv"]


def po_path(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / "django.po"


def read_catalog(language: str):
    with po_path(language).open("rb") as handle:
        return read_po(handle, locale=language)


def as_tuple(value) -> tuple:
    """A msgid or msgstr as a tuple: singular entries have one item, plural entries several."""
    return tuple(value) if isinstance(value, list | tuple) else (value,)


def key(message) -> tuple:
    return (message.context, as_tuple(message.id))


def entries(catalog) -> dict:
    """{(context, msgid): msgstr} for every entry that changes what gettext returns.

    Untranslated entries are left out: msgfmt omits them, Babel writes the msgid itself.
    """
    return {
        key(message): as_tuple(message.string)
        for message in catalog
        if message.id
        and not message.fuzzy
        and any(as_tuple(message.string))
        and as_tuple(message.string) != as_tuple(message.id)
    }


def label(message) -> str:
    return f"{message.id!r} (line {message.lineno})"


@pytest.mark.parametrize("language", TRANSLATED)
def test_it_translates_every_entry(language):
    catalog = read_catalog(language)
    untranslated = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if (
            not all(s.strip() for s in strings)
            or len(strings) != catalog.num_plurals
            and (message.pluralizable)
        ):
            untranslated.append(label(message))
    assert not untranslated, f"untranslated in {po_path(language)}: " + ", ".join(untranslated)


@pytest.mark.parametrize("language", LANGUAGES)
def test_it_has_no_fuzzy_entries(language):
    catalog = read_catalog(language)
    assert not catalog.fuzzy, f"the header of {po_path(language)} is marked fuzzy"
    fuzzy = [label(m) for m in catalog if m.id and m.fuzzy]
    assert not fuzzy, f"fuzzy in {po_path(language)}: " + ", ".join(fuzzy)


@pytest.mark.parametrize("language", TRANSLATED)
def test_it_keeps_the_placeholders_of_every_string(language):
    catalog = read_catalog(language)
    problems = [f"{label(m)}: {'; '.join(map(str, errors))}" for m, errors in catalog.check()]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", LANGUAGES)
def test_it_ships_a_compiled_catalogue_that_matches_the_po_file(language, tmp_path):
    catalog = read_catalog(language)
    compiled = tmp_path / "django.mo"
    with compiled.open("wb") as handle:
        write_mo(handle, catalog)
    with compiled.open("rb") as handle:
        expected = entries(read_mo(handle))
    committed = po_path(language).with_suffix(".mo")
    assert committed.exists(), f"{committed} is missing: run `make messages`"
    with committed.open("rb") as handle:
        actual = entries(read_mo(handle))
    stale = sorted(
        k[1][0] for k in expected.keys() | actual.keys() if expected.get(k) != actual.get(k)
    )
    assert not stale, f"{committed} is out of date for: {stale[:10]}: run `make messages`"


@pytest.fixture(scope="module")
def source_messages(tmp_path_factory, django_db_blocker):
    """The msgids ``makemessages`` finds in the source today, extracted in a scratch copy."""
    workdir = tmp_path_factory.mktemp("messages")
    copy = workdir / "aftersale"
    shutil.copytree(
        PACKAGE,
        copy,
        ignore=shutil.ignore_patterns("locale", "static", "__pycache__", "*.pyc"),
    )
    (copy / "locale").mkdir()
    original_paths, original_cwd = settings.LOCALE_PATHS, Path.cwd()
    settings.LOCALE_PATHS = [copy / "locale"]
    try:
        os.chdir(copy)
        call_command(
            "makemessages", locale=["fi"], no_obsolete=True, verbosity=0, stdout=io.StringIO()
        )
    finally:
        os.chdir(original_cwd)
        settings.LOCALE_PATHS = original_paths
    with (copy / "locale" / "fi" / "LC_MESSAGES" / "django.po").open("rb") as handle:
        return {key(m) for m in read_po(handle) if m.id}


@pytest.mark.parametrize("language", LANGUAGES)
def test_it_contains_every_string_of_the_source(language, source_messages):
    have = {key(m) for m in read_catalog(language) if m.id}
    missing = sorted(k[1][0] for k in source_messages - have)
    obsolete = sorted(k[1][0] for k in have - source_messages)
    assert not missing, f"not in {po_path(language)} (run `make messages`): {missing[:20]}"
    assert not obsolete, f"no longer in the source (run `make messages`): {obsolete[:20]}"
