"""Shared parameters of the facilities routers."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query, Request

from facilities.schemas import MAX_PAGE

Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page size.")]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="Rows to skip.")]


def event_source(request: Request) -> str:
    state: Any = request.app.state
    return str(state.event_source)
