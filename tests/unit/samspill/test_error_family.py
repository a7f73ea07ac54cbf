"""The one error family: every class renders as problem+json with the status it carries."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest
from fastapi import FastAPI

import booking.domain.errors as booking_errors
from booking.domain import BookingStatus
from samspill.errors import (
    BadRequest,
    Conflict,
    EventTooLarge,
    Forbidden,
    NotFound,
    RuleViolation,
    SamspillError,
    ServiceUnavailable,
    TooManyRequests,
    Unauthorized,
)
from samspill.intervals import Interval
from samspill.pricing import BookerCategory, CategoryNotAllowed
from samspill.problems import PROBLEM_MEDIA_TYPE, install_problem_handlers
from samspill.sms import SmsNotAvailable

EVENING = Interval(datetime(2026, 3, 4, 17, tzinfo=UTC), datetime(2026, 3, 4, 19, tzinfo=UTC))

SAMPLES: dict[str, SamspillError] = {
    "bad-request": BadRequest("Bad.", "Dårlig."),
    "unauthorized": Unauthorized("Log in.", bearer_error="invalid_token"),
    "forbidden": Forbidden("No.", "Nei."),
    "not-found": NotFound("No space.", "Fant ikke lokalet."),
    "conflict": Conflict("Clash.", "Kollisjon.", EVENING),
    "event-too-large": EventTooLarge("booking.created", 2_000_000, 900_000),
    "rule-violation": RuleViolation("Bad rule.", "Feil regel."),
    "too-many-requests": TooManyRequests("Slow down.", "Ro ned.", retry_after=5),
    "service-unavailable": ServiceUnavailable("Try again.", "Prøv igjen."),
    "transition-not-allowed": booking_errors.TransitionNotAllowed(
        BookingStatus.CANCELLED, BookingStatus.CONFIRMED
    ),
    "limit-exceeded": booking_errors.LimitExceeded("Too many.", "For mange."),
    "space-booked": booking_errors.SpaceBooked(
        "space-1", "Storhallen", "on Tuesday", "på tirsdag", EVENING
    ),
    "insufficient-stock": booking_errors.InsufficientStock(uuid.UUID(int=5), 4, 2, "Projektor"),
    "sms-not-available": SmsNotAvailable("No SMS provider.", "Ingen SMS-leverandør."),
    "last-administrator": booking_errors.LastAdministrator(),
    "erasure-last-administrator": booking_errors.StillAdministrator(["Skjetten IL"]),
    "round-reserved": booking_errors.RoundReserved(
        "round-1", "Sesongen", "17:00–23:00", EVENING.start.date(), EVENING.end.date(), EVENING
    ),
    "invitation-used": booking_errors.InvitationUsed(),
    "invitation-gone": booking_errors.InvitationGone("expired"),
    "invitation-for-someone-else": booking_errors.InvitationForSomeoneElse(),
    "profile-needed": booking_errors.ProfileNeeded(),
    "contact-needed": booking_errors.ContactNeeded(),
    "price-category-not-allowed": CategoryNotAllowed(
        BookerCategory.NON_PROFIT, frozenset({BookerCategory.PRIVATE}), resident=True
    ),
}


def family(base: type[SamspillError]) -> set[type[SamspillError]]:
    members = set(base.__subclasses__())
    for member in list(members):
        members |= family(member)
    return members


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/errors/{name}")
    async def raise_sample(name: str) -> None:
        raise SAMPLES[name]

    transport = httpx.ASGITransport(app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


def test_every_class_of_the_family_has_a_sample() -> None:
    assert family(SamspillError) <= {type(error) for error in SAMPLES.values()}


@pytest.mark.parametrize("name", SAMPLES)
async def test_each_error_renders_with_the_status_on_its_class(
    client: httpx.AsyncClient, name: str
) -> None:
    error = SAMPLES[name]
    response = await client.get(f"/errors/{name}")
    assert response.status_code == type(error).status
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    body = response.json()
    assert body["status"] == type(error).status
    assert body["type"] == f"https://samspill.no/problems/{type(error).code}"
    assert body["title"] == error.title
    assert body["detail"] == error.detail
    assert body.get("detail_nb") == error.detail_nb
    assert body["instance"] == f"/errors/{name}"
    assert {key: body[key] for key in error.extra} == error.extra


async def test_a_conflict_names_the_interval_and_space_it_clashes_with(
    client: httpx.AsyncClient,
) -> None:
    body = (await client.get("/errors/space-booked")).json()
    assert body == {
        "type": "https://samspill.no/problems/conflict",
        "title": "Conflict",
        "status": 409,
        "detail": "Storhallen is already booked on Tuesday.",
        "detail_nb": "Storhallen er allerede booket på tirsdag.",
        "instance": "/errors/space-booked",
        "conflicting_interval": {
            "start": "2026-03-04T17:00:00+00:00",
            "end": "2026-03-04T19:00:00+00:00",
        },
        "conflicting_space": {"space_id": "space-1", "name": "Storhallen"},
    }


async def test_a_rule_violation_is_titled_with_the_status_phrase(
    client: httpx.AsyncClient,
) -> None:
    body = (await client.get("/errors/rule-violation")).json()
    assert body == {
        "type": "https://samspill.no/problems/rule-violation",
        "title": "Unprocessable Entity",
        "status": 422,
        "detail": "Bad rule.",
        "detail_nb": "Feil regel.",
        "instance": "/errors/rule-violation",
    }


async def test_headers_of_the_family_reach_the_answer(client: httpx.AsyncClient) -> None:
    unauthorized = await client.get("/errors/unauthorized")
    assert unauthorized.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    limited = await client.get("/errors/too-many-requests")
    assert limited.headers["retry-after"] == "5"
