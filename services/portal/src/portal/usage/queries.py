"""The usage figures, loans and invoice basis from booking's `/usage` endpoints."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from portal.apis import ApiRefused, Apis
from portal.domain.usage import Grouping, Period


@dataclass(frozen=True)
class Answer:
    """A report, or why it is not shown (`refused`: the API's problem)."""

    report: dict[str, Any] | None = None
    refused: ApiRefused | None = None

    @property
    def forbidden(self) -> bool:
        return self.refused is not None and self.refused.status == 403


async def _get(apis: Apis, token: str, path: str, params: dict[str, str]) -> Answer:
    try:
        report: dict[str, Any] = await apis.get("booking", path, token=token, params=params)
    except ApiRefused as refused:
        return Answer(refused=refused)
    return Answer(report=report)


async def usage(apis: Apis, token: str, period: Period, grouping: Grouping) -> Answer:
    return await _get(apis, token, "/usage", {**period.params(), "by": grouping.api})


async def loans(apis: Apis, token: str, period: Period) -> Answer:
    return await _get(apis, token, "/usage/loans", period.params())


async def invoice_basis(apis: Apis, token: str, period: Period) -> Answer:
    return await _get(apis, token, "/usage/invoice-basis", period.params())
