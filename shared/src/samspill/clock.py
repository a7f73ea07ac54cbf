"""The one clock: every service reads the time through `utc_now`.

Routes take it as the FastAPI dependency `NowDep` (a test sets the time with
`app.dependency_overrides[utc_now]`); jobs and handlers are given a `Clock`, `utc_now` unless a
test passes a fixed one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Request

__all__ = ["Clock", "NowDep", "utc_now"]

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


async def request_now(request: Request) -> datetime:
    """`utc_now`, or what a test put in its place; a coroutine, so FastAPI calls it in the
    request's task instead of handing a plain function to its thread pool."""
    clock: Clock = request.app.dependency_overrides.get(utc_now, utc_now)
    return clock()


NowDep = Annotated[datetime, Depends(request_now)]
