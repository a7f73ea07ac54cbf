"""What the privacy pages read: every service's `/me/data` for the person, its
`/people/{id}/data` for an admin's written request, and its `/access-log`."""

from __future__ import annotations

import asyncio
from typing import Any

from portal.apis import ApiRefused, Apis, Service
from portal.dependencies import Person
from portal.domain import privacy

SERVICES: tuple[Service, ...] = ("booking", "facilities", "notifications")
assert SERVICES == privacy.SERVICES  # the order the pages and the file show them in
LOG_PAGE = 200  # the largest page `/access-log` gives
LOG_MAX_ROWS = 5000  # per service and query: a filter narrows a longer log


async def me(apis: Apis, person: Person) -> dict[str, Any]:
    found: dict[str, Any] = await apis.get("booking", "/me", token=person.access_token)
    return found


async def my_data(apis: Apis, person: Person) -> dict[str, dict[str, Any]]:
    """Each service's answer to `GET /me/data`, by service."""
    token = person.access_token
    answers = await asyncio.gather(*(apis.get(s, "/me/data", token=token) for s in SERVICES))
    return {service: answer or {} for service, answer in zip(SERVICES, answers, strict=True)}


async def person_data(
    apis: Apis, token: str, person_id: str, reason: str
) -> dict[str, dict[str, Any]]:
    """Each service's answer for a written request; each records it in its access log."""
    path = f"/people/{person_id}/data"
    answers = await asyncio.gather(
        *(apis.get(s, path, token=token, params={"reason": reason}) for s in SERVICES)
    )
    return {service: answer or {} for service, answer in zip(SERVICES, answers, strict=True)}


def _items(page: Any) -> tuple[list[dict[str, Any]], int | None]:
    """A list page as the services answer it: a list, or {"items": [...], "total": n}."""
    if isinstance(page, list):
        return page, None
    if isinstance(page, dict):
        total = page.get("total")
        return list(page.get("items") or []), total if isinstance(total, int) else None
    return [], None


async def _log_of(
    apis: Apis, service: Service, token: str, params: dict[str, str]
) -> list[dict[str, Any]] | None:
    """The service's entries, or None when it has no access log to ask (an older version)."""
    rows: list[dict[str, Any]] = []
    while len(rows) < LOG_MAX_ROWS:
        try:
            page = await apis.get(
                service,
                "/access-log",
                token=token,
                params={**params, "limit": LOG_PAGE, "offset": len(rows)},
            )
        except ApiRefused as refused:
            if refused.status in (404, 405):
                return None
            raise
        items, total = _items(page)
        rows.extend(items)
        if len(items) < LOG_PAGE or (total is not None and len(rows) >= total):
            break
    return rows


async def access_log(
    apis: Apis, token: str, params: dict[str, str]
) -> dict[str, list[dict[str, Any]] | None]:
    """Every service's access log for the filter, by service (None: it has none to ask)."""
    logs = await asyncio.gather(*(_log_of(apis, s, token, params) for s in SERVICES))
    return dict(zip(SERVICES, logs, strict=True))
