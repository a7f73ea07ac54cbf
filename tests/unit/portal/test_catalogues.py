"""Every message the portal's code and templates show has a bokmål translation in its
feature's catalogue, with the same placeholders; no catalogue keeps messages nobody uses."""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from portal.pages import CATALOGUES, COMMON, Formats, catalogue_names, extract_messages

PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w+)\}")


def catalogue(name: str) -> dict[str, str]:
    path = CATALOGUES / "nb" / "LC_MESSAGES" / f"{name}.po"
    if not path.exists():
        return {}
    with path.open("rb") as po:
        return {m.id: m.string for m in read_po(po, locale="nb") if m.id and not m.fuzzy}


def used(name: str) -> dict[str, list[str]]:
    messages = extract_messages(name)
    if name != COMMON:
        shared = extract_messages(COMMON)
        messages = {k: v for k, v in messages.items() if k not in shared}
    return messages


@pytest.mark.parametrize("name", catalogue_names())
def test_every_message_has_a_bokmal_translation(name: str) -> None:
    translations = catalogue(name)
    missing = {m: places for m, places in used(name).items() if not translations.get(m)}
    assert missing == {}, "run `uv run python -m portal update-catalogues` and translate"


@pytest.mark.parametrize("name", catalogue_names())
def test_no_catalogue_keeps_unused_messages(name: str) -> None:
    assert set(catalogue(name)) - set(used(name)) == set()


@pytest.mark.parametrize("name", catalogue_names())
def test_translations_keep_the_placeholders(name: str) -> None:
    for msgid, msgstr in catalogue(name).items():
        assert sorted(PLACEHOLDER.findall(msgid)) == sorted(PLACEHOLDER.findall(msgstr)), msgid


def test_norwegian_formats() -> None:
    nb = Formats("nb")
    assert nb.date("2027-03-09") == "9. mars 2027"
    assert nb.time("2027-03-09T17:00:00+00:00") == "18:00"
    assert nb.money("1250") == "1\xa0250,00\xa0kr"
    assert Formats("en").date("2027-03-09") == "9 March 2027"


def test_one_message_has_one_translation_in_every_catalogue() -> None:
    """The catalogues are merged into one: a message two features share must read the same,
    or the page shows whichever catalogue loaded last. Different meanings get different
    English messages ("Available" for time, "Free" for price)."""
    seen: dict[str, set[str]] = {}
    for name in catalogue_names():
        for msgid, msgstr in catalogue(name).items():
            seen.setdefault(msgid, set()).add(msgstr)
    assert {msgid: found for msgid, found in seen.items() if len(found) > 1} == {}
