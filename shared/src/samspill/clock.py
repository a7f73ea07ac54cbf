"""The one clock: every service reads the time through `utc_now`.

Routes take it as the FastAPI dependency `NowDep` (a test sets the time with
`app.dependency_overrides[utc_now]`); jobs and handlers are given a `Clock`, `utc_now` unless a
test passes a fixed one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends

__all__ = ["Clock", "NowDep", "utc_now"]

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


NowDep = Annotated[datetime, Depends(utc_now)]
