"""The marker that replaces an erased person's id: stable, short, keyed, recognisable."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from samspill.privacy import (
    DEV_PRIVACY_MARKER_KEY,
    erased_marker,
    is_erased_marker,
    use_marker_key,
)
from samspill.settings import ServiceSettings

MARKER = re.compile(r"^erased:[0-9a-f]{16}$")


@pytest.fixture(autouse=True)
def dev_key() -> Iterator[None]:
    use_marker_key(DEV_PRIVACY_MARKER_KEY)
    yield
    use_marker_key(DEV_PRIVACY_MARKER_KEY)


@given(st.text(min_size=1, max_size=80))
def test_a_marker_is_short_recognisable_and_the_same_every_time(person_id: str) -> None:
    marker = erased_marker(person_id)
    assert MARKER.match(marker)
    assert erased_marker(person_id) == marker
    assert is_erased_marker(marker)
    assert person_id not in marker.removeprefix("erased:") or len(person_id) < 4


def test_different_people_get_different_markers() -> None:
    ids = [f"idporten:{n:011d}" for n in range(2000)]
    assert len({erased_marker(person_id) for person_id in ids}) == len(ids)


def test_the_marker_depends_on_the_key() -> None:
    person_id = "idporten:01017012345"
    with_dev_key = erased_marker(person_id)
    use_marker_key("another-municipality-secret")
    assert erased_marker(person_id) != with_dev_key
    use_marker_key(DEV_PRIVACY_MARKER_KEY)
    assert erased_marker(person_id) == with_dev_key


def test_an_empty_key_is_refused() -> None:
    with pytest.raises(ValueError, match="must not be empty"):
        use_marker_key("")


@pytest.mark.parametrize(
    "value",
    [None, "", "erased:", "erased:XYZ", "erased:0123456789abcde", "idporten:01017012345"],
)
def test_other_values_are_not_markers(value: str | None) -> None:
    assert not is_erased_marker(value)


def test_the_key_is_a_kernel_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    assert ServiceSettings().privacy_marker_key == DEV_PRIVACY_MARKER_KEY
    monkeypatch.setenv("PRIVACY_MARKER_KEY", "from-the-environment")
    assert ServiceSettings().privacy_marker_key == "from-the-environment"
