from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from booking.domain import OrganisationCategory, org_number_check_digit, validate_org_number
from samspill.errors import RuleViolation


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("974760673", "974760673"),  # Brønnøysundregistrene
        ("923609016", "923609016"),
        ("974 760 673", "974760673"),
        (" 923 609 016 ", "923609016"),
    ],
)
def test_valid_org_numbers_are_normalised(raw: str, expected: str) -> None:
    assert validate_org_number(raw) == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "nine digits"),
        ("97476067", "nine digits"),
        ("9747606730", "nine digits"),
        ("97476067X", "nine digits"),
        ("974-760-673", "nine digits"),
        ("٩٧٤٧٦٠٦٧٣", "nine digits"),  # Arabic-Indic digits are not accepted
        ("174760673", "start with 8 or 9"),
        ("774760673", "start with 8 or 9"),
        ("974760674", "check digit"),
        ("923609010", "check digit"),
    ],
)
def test_invalid_org_numbers_are_refused(raw: str, reason: str) -> None:
    with pytest.raises(RuleViolation, match=reason) as caught:
        validate_org_number(raw)
    assert caught.value.detail_nb.startswith("Organisasjonsnummeret")
    assert caught.value.status == 422


def test_remainder_one_has_no_valid_check_digit() -> None:
    # When the weighted sum leaves remainder 1 the check digit would be 10: no valid number.
    first_eight = next(f"9{n:07d}" for n in range(10**7) if _weighted_sum(f"9{n:07d}") % 11 == 1)
    assert org_number_check_digit(first_eight) is None
    for last in "0123456789":
        with pytest.raises(RuleViolation):
            validate_org_number(first_eight + last)


def _weighted_sum(digits: str) -> int:
    return sum(int(d) * w for d, w in zip(digits, (3, 2, 7, 6, 5, 4, 3, 2), strict=True))


def test_check_digit_zero_when_sum_divisible_by_eleven() -> None:
    first_eight = next(f"8{n:07d}" for n in range(10**7) if _weighted_sum(f"8{n:07d}") % 11 == 0)
    assert org_number_check_digit(first_eight) == 0
    assert validate_org_number(first_eight + "0") == first_eight + "0"


valid_numbers = (
    st.tuples(st.sampled_from("89"), st.text(alphabet="0123456789", min_size=7, max_size=7))
    .map(lambda parts: parts[0] + parts[1])
    .filter(lambda first_eight: org_number_check_digit(first_eight) is not None)
    .map(lambda first_eight: first_eight + str(org_number_check_digit(first_eight)))
)


@given(valid_numbers)
def test_generated_valid_numbers_pass(number: str) -> None:
    assert validate_org_number(number) == number
    spaced = f"{number[:3]} {number[3:6]} {number[6:]}"
    assert validate_org_number(spaced) == number


@given(valid_numbers, st.integers(0, 8), st.integers(1, 9))
def test_any_single_digit_change_fails(number: str, position: int, shift: int) -> None:
    changed_digit = str((int(number[position]) + shift) % 10)
    changed = number[:position] + changed_digit + number[position + 1 :]
    assert changed != number
    with pytest.raises(RuleViolation):
        validate_org_number(changed)


def test_organisation_categories() -> None:
    assert {category.value for category in OrganisationCategory} == {
        "sports",
        "culture",
        "children_youth",
        "multicultural",
        "seniors",
        "neighbourhood",
        "emergency_preparedness",
        "other",
    }
    assert OrganisationCategory("children_youth") is OrganisationCategory.CHILDREN_YOUTH
