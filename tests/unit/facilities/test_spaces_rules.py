from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from facilities.domain import SpacePlacement, conflict_sets, normalise_features, validate_part
from samspill.errors import RuleViolation

# A gym divided into thirds; the first third is again divided into halves.
HALL = {
    "gym": None,
    "third-a": "gym",
    "third-b": "gym",
    "third-c": "gym",
    "half-a1": "third-a",
    "half-a2": "third-a",
    "classroom": None,
}


def placements(parents: dict[str, str | None], site: str = "school-1") -> dict[str, SpacePlacement]:
    return {space: SpacePlacement(site, parent) for space, parent in parents.items()}


# --- validate_part ------------------------------------------------------------------------


def test_a_new_part_of_an_existing_space_is_fine() -> None:
    validate_part("third-d", "gym", placements(HALL), site_id="school-1")


def test_a_space_without_parent_is_fine() -> None:
    validate_part("gym", None, placements(HALL))


def test_part_of_a_space_on_another_site_is_refused() -> None:
    spaces = placements(HALL) | {"hall-2": SpacePlacement("school-2")}
    with pytest.raises(RuleViolation, match="same site"):
        validate_part("third-a", "hall-2", spaces)


def test_part_of_an_unknown_space_is_refused() -> None:
    with pytest.raises(RuleViolation, match="does not exist"):
        validate_part("third-a", "nowhere", placements(HALL))


def test_part_of_itself_is_refused() -> None:
    with pytest.raises(RuleViolation, match="part of itself"):
        validate_part("gym", "gym", placements(HALL))


def test_a_space_cannot_become_part_of_its_own_descendant() -> None:
    with pytest.raises(RuleViolation, match="own parts") as caught:
        validate_part("gym", "half-a1", placements(HALL))
    assert "egne deler" in caught.value.detail_nb


def test_moving_a_part_to_a_sibling_is_fine() -> None:
    validate_part("half-a1", "third-b", placements(HALL))


def test_a_new_space_needs_its_site() -> None:
    with pytest.raises(ValueError, match="site_id"):
        validate_part("new", "gym", placements(HALL))


# --- conflict_sets ------------------------------------------------------------------------


def test_whole_hall_conflicts_with_every_part() -> None:
    conflicts = conflict_sets(HALL)
    assert conflicts["gym"] == {"gym", "third-a", "third-b", "third-c", "half-a1", "half-a2"}


def test_a_part_conflicts_with_its_ancestors_and_descendants_not_siblings() -> None:
    conflicts = conflict_sets(HALL)
    assert conflicts["third-a"] == {"third-a", "gym", "half-a1", "half-a2"}
    assert conflicts["third-b"] == {"third-b", "gym"}
    assert conflicts["half-a1"] == {"half-a1", "third-a", "gym"}
    assert conflicts["classroom"] == {"classroom"}


def test_conflict_sets_survive_a_cycle_in_stored_data() -> None:
    conflicts = conflict_sets({"a": "b", "b": "a"})
    assert conflicts["a"] == {"a", "b"}


@st.composite
def forests(draw: st.DrawFn) -> dict[str, str | None]:
    """Random trees of spaces: each space's parent is an earlier space or none."""
    size = draw(st.integers(min_value=1, max_value=15))
    parents: dict[str, str | None] = {}
    for index in range(size):
        earlier = [f"s{i}" for i in range(index)]
        parent = draw(st.none() | st.sampled_from(earlier)) if earlier else None
        parents[f"s{index}"] = parent
    return parents


def ancestors(space: str, parents: dict[str, str | None]) -> set[str]:
    found: set[str] = set()
    parent = parents[space]
    while parent is not None:
        found.add(parent)
        parent = parents[parent]
    return found


@given(forests())
def test_conflicts_are_symmetric_and_reflexive(parents: dict[str, str | None]) -> None:
    conflicts = conflict_sets(parents)
    assert set(conflicts) == set(parents)
    for a in parents:
        assert a in conflicts[a]
        for b in parents:
            assert (a in conflicts[b]) == (b in conflicts[a])


@given(forests())
def test_conflict_means_one_is_an_ancestor_of_the_other(parents: dict[str, str | None]) -> None:
    conflicts = conflict_sets(parents)
    for a in parents:
        for b in parents:
            related = a == b or a in ancestors(b, parents) or b in ancestors(a, parents)
            assert (b in conflicts[a]) == related


@given(forests())
def test_every_existing_parent_link_validates(parents: dict[str, str | None]) -> None:
    spaces = placements(parents)
    for space, parent in parents.items():
        validate_part(space, parent, spaces)
        for descendant in conflict_sets(parents)[space] - ancestors(space, parents) - {space}:
            with pytest.raises(RuleViolation):
                validate_part(space, descendant, spaces)


# --- features -----------------------------------------------------------------------------


def test_normalise_features_trims_and_deduplicates() -> None:
    features = [" Rullestoltilgjengelig ", "teleslynge", "rullestoltilgjengelig", "", "HC  toalett"]
    assert normalise_features(features) == ("Rullestoltilgjengelig", "teleslynge", "HC toalett")


def test_overlong_feature_is_refused() -> None:
    with pytest.raises(RuleViolation, match="at most"):
        normalise_features(["x" * 81])
