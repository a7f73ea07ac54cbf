"""The activity guide's page logic: the visitor's filter and the publish form."""

from __future__ import annotations

from portal.domain.guide import (
    feed_path,
    form_from_activity,
    languages_of,
    read_activity_form,
    read_search,
)
from portal.guide.schemas import FORM_MESSAGES

DISTRICTS = ["lillestrom", "kjeller"]
FILLED = {
    "description": "Innebandy for ungdom.",
    "activity": "Innebandy",
    "age_group": "youth",
    "level": "beginner",
    "languages": "NB, en nb",
    "takes_new_members": "ja",
    "how_to_join": "https://klubben.example.org",
}


def test_a_filter_keeps_the_choices_and_drops_the_rest():
    search = read_search(
        {"bydel": "kjeller", "aktivitet": "  Inne   bandy ", "alder": "youth", "nye": "1"},
        DISTRICTS,
    )
    assert search.params() == {
        "district": "kjeller",
        "activity": "Inne bandy",
        "age_group": "youth",
        "takes_new_members": "true",
    }
    assert read_search({"bydel": "atlantis", "alder": "toddlers"}, DISTRICTS).params() == {}


def test_a_feed_path_matches_the_activity_by_key():
    assert feed_path("kjeller", " Håndball  G12 ") == "/guide/kjeller/h%C3%A5ndball%20g12.ics"


def test_languages_are_codes_without_repeats():
    assert languages_of("NB, en nb;fr") == ["nb", "en", "fr"]
    assert languages_of("  ") == []


def test_a_filled_form_has_no_problems_and_gives_the_api_body():
    form = read_activity_form(FILLED, FORM_MESSAGES)
    assert form.errors == {}
    assert form.body()["languages"] == ["nb", "en"]
    assert form.body()["takes_new_members"] is True


def test_an_empty_form_names_every_field():
    form = read_activity_form({"activity": "Innebandy"}, FORM_MESSAGES)
    assert set(form.errors) == set(FORM_MESSAGES) - {"activity"}
    assert form.activity == "Innebandy"
    bad = read_activity_form({**FILLED, "languages": "norsk", "level": "expert"}, FORM_MESSAGES)
    assert set(bad.errors) == {"languages", "level"}


def test_the_form_is_filled_from_what_the_guide_shows():
    shown = {**read_activity_form(FILLED, FORM_MESSAGES).body()}
    form = form_from_activity(shown)
    assert (form.languages, form.takes_new_members) == ("nb, en", "ja")
    assert form_from_activity(None).languages == "nb"
