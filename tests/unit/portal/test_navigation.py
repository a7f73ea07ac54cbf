"""Where the portal may send someone after login, logout or a language switch: only to a path
on the portal itself, whatever the query string says."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.domain.navigation import local_path


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
        "javascript:alert(1)",
        "",
        None,
        "/ok\r\nSet-Cookie: x=1",
        "ledige-lokaler",
    ],
)
def test_anything_but_a_local_path_falls_back(target: str | None) -> None:
    assert local_path(target) == "/"


@pytest.mark.parametrize("target", ["/", "/ledige-lokaler?dato=2026-12-01", "/lag/abc#bookinger"])
def test_a_local_path_is_kept(target: str) -> None:
    assert local_path(target) == target


@given(st.text(max_size=60))
def test_the_answer_is_always_a_local_path(target: str) -> None:
    answer = local_path(target)
    assert answer.startswith("/")
    assert not answer.startswith(("//", "/\\"))
    assert all(ord(ch) >= 0x20 and ch != "\x7f" for ch in answer)
