"""The admin pages' pure rules: kroner typed in a form, person ids, a site's spaces as wholes
with their parts."""

from __future__ import annotations

import uuid

from hypothesis import given
from hypothesis import strategies as st

from portal.admin.schemas import PriceRuleForm, SpaceForm
from portal.domain.admin import kroner_text, parse_kroner, parse_person_id, space_tree


@given(st.integers(min_value=0, max_value=99_999_999_99))
def test_kroner_written_back_read_the_same(ore: int) -> None:
    assert parse_kroner(kroner_text(ore)) == ore


def test_kroner_as_people_write_them() -> None:
    assert parse_kroner("250") == 25000
    assert parse_kroner("250,5") == 25050
    assert parse_kroner("1 250.50 kr") == 125050
    assert parse_kroner("300,-") == 30000
    assert parse_kroner("0") == 0
    for wrong in ("", "abc", "-5", "2,505", "12e3"):
        assert parse_kroner(wrong) is None


def test_only_a_name_based_uuid_is_a_person_id() -> None:
    person = uuid.uuid5(uuid.NAMESPACE_URL, "https://issuer/sub")
    assert parse_person_id(f"  {str(person).upper()} ") == str(person)
    assert parse_person_id(str(uuid.uuid4())) is None
    assert parse_person_id("not an id") is None


def _space(name: str, parent: str | None = None) -> dict[str, object]:
    return {"space_id": name, "name": name, "parent_id": parent}


def test_parts_follow_their_whole_by_name() -> None:
    spaces = [_space("Hall B", "Hall"), _space("Aula"), _space("Hall"), _space("Hall A", "Hall")]
    tree = [(node.space["name"], node.depth) for node in space_tree(spaces)]
    assert tree == [("Aula", 0), ("Hall", 0), ("Hall A", 1), ("Hall B", 1)]


@given(st.lists(st.sampled_from("abcdef"), min_size=6, max_size=6))
def test_every_space_is_shown_once_whatever_the_parents(parents: list[str]) -> None:
    spaces = [_space(name, parent) for name, parent in zip("abcdef", parents, strict=True)]
    shown = [node.space["space_id"] for node in space_tree(spaces)]
    assert sorted(shown) == list("abcdef")


def test_a_price_form_keeps_what_was_typed_and_names_the_wrong_fields() -> None:
    sent = {"scope": "kind:gym", "category": "commercial", "hourly": "abc", "evening_from": "7"}
    form = PriceRuleForm.read(sent, {"kind:gym": "gym"})
    assert form.hourly == "abc"
    assert set(form.errors) == {"hourly"}
    ok = PriceRuleForm.read({**sent, "hourly": "450", "weekend": "600"}, {"kind:gym": "gym"})
    assert ok.errors == {}
    assert ok.body() == {
        "space_id": None,
        "space_kind": "gym",
        "category": "commercial",
        "hourly_rate_ore": 45000,
        "evening_rate_ore": None,
        "weekend_rate_ore": 60000,
        "evening_from": "07:00",
    }


def test_a_space_may_only_be_part_of_a_whole_on_its_site() -> None:
    sent = {"name": "Hall A", "kind": "hall_part", "capacity": "60", "parent_id": "elsewhere"}
    assert set(SpaceForm.read(sent, {"hall": "Hall"}).errors) == {"parent_id"}
    form = SpaceForm.read({**sent, "parent_id": "hall", "area_m2": "300,5"}, {"hall": "Hall"})
    assert form.errors == {}
    assert form.body()["area_m2"] == 300.5
    assert form.body()["capacity"] == 60
