"""What the borrowing forms ask of booking: reserve a loan, cancel one."""

from __future__ import annotations

from typing import Any

from portal.apis import Apis
from portal.domain.lending import Period


async def reserve(
    apis: Apis,
    token: str,
    *,
    item_type_id: str,
    quantity: int,
    period: Period,
    contact: dict[str, str] | None,
    idempotency_key: str,
) -> str:
    """The new loan's id. The form's idempotency key makes a resent form (a double click, a
    reload after a lost answer) return the same loan instead of reserving twice."""
    body: dict[str, Any] = {
        "pickup_date": period.pickup.isoformat(),
        "return_date": period.return_date.isoformat(),
        "lines": [{"item_type_id": item_type_id, "quantity": quantity}],
    }
    if contact is not None:
        body["contact"] = contact
    headers = {"Idempotency-Key": idempotency_key} if idempotency_key else None
    loan = await apis.post("booking", "/loans", token=token, json=body, headers=headers)
    return str(loan["loan_id"])


async def cancel(apis: Apis, token: str, loan_id: str) -> None:
    await apis.post("booking", f"/loans/{loan_id}/cancel", token=token)
