"""What the booking forms send to booking: a booking or a series (once, however often the
button is pressed), and cancellations."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from portal.apis import ApiRefused, Apis
from portal.bookings.schemas import BookingChoice

IN_FLIGHT = "idempotency-key-in-flight"
# A second press while the first request is still being booked waits for its answer.
IN_FLIGHT_RETRIES = 20
IN_FLIGHT_PAUSE_S = 0.25


async def _post_once(apis: Apis, token: str, path: str, body: dict[str, Any], key: str) -> Any:
    """POST with an Idempotency-Key: a repeat gets the first answer, nothing is booked twice."""
    for _ in range(IN_FLIGHT_RETRIES):
        try:
            return await apis.post(
                "booking", path, token=token, json=body, headers={"Idempotency-Key": key}
            )
        except ApiRefused as refused:
            if refused.code != IN_FLIGHT:
                raise
        await asyncio.sleep(IN_FLIGHT_PAUSE_S)
    return await apis.post(
        "booking", path, token=token, json=body, headers={"Idempotency-Key": key}
    )


async def book(apis: Apis, token: str, choice: BookingChoice, key: str) -> str:
    """Book what the form asks; returns the page of the new booking or series."""
    if choice.kind == "weekly":
        series = await _post_once(apis, token, "/booking-series", choice.series_body(), key)
        return f"/serier/{series['id']}"
    booking = await _post_once(apis, token, "/bookings", choice.booking_body(), key)
    return f"/bookinger/{booking['booking_id']}"


async def cancel_booking(apis: Apis, token: str, booking_id: uuid.UUID) -> None:
    await apis.post("booking", f"/bookings/{booking_id}/cancel", token=token, json={})


async def cancel_occurrence(
    apis: Apis, token: str, series_id: uuid.UUID, booking_id: uuid.UUID
) -> None:
    await apis.post(
        "booking", f"/booking-series/{series_id}/occurrences/{booking_id}/cancel", token=token
    )


async def cancel_rest(apis: Apis, token: str, series_id: uuid.UUID) -> dict[str, Any]:
    """Cancel every future date of the series; some may be kept inside the deadline."""
    answer: dict[str, Any] = await apis.post(
        "booking", f"/booking-series/{series_id}/cancel", token=token, json={}
    )
    return answer


async def hand_to_team(
    apis: Apis, token: str, series_id: uuid.UUID, team_id: uuid.UUID | None
) -> None:
    """Hand the series to one of the club's teams (None: back to the club as a whole)."""
    body = {"team_id": str(team_id) if team_id else None}
    await apis.put("booking", f"/booking-series/{series_id}/team", token=token, json=body)
