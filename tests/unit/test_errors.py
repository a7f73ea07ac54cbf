"""Problem+json rendering: domain errors, validation, HTTP errors and the unexpected."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest
from fastapi import FastAPI, Request
from pydantic import BaseModel
from structlog.testing import capture_logs

from samspill.errors import (
    BadRequest,
    Conflict,
    Forbidden,
    NotFound,
    RuleViolation,
    SamspillError,
    TooManyRequests,
    Unauthorized,
)
from samspill.problems import PROBLEM_MEDIA_TYPE, install_problem_handlers, problem_response


class BookingRequest(BaseModel):
    space_id: int
    title: str


def build_app() -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)

    @app.post("/bookings")
    async def create_booking(booking: BookingRequest) -> dict[str, int]:
        raise Conflict(
            "The space is already booked 18:00–20:00.",
            "Lokalet er allerede booket 18:00–20:00.",
            conflicting_interval={
                "start": datetime(2025, 3, 4, 17, tzinfo=UTC),
                "end": datetime(2025, 3, 4, 19, tzinfo=UTC),
            },
        )

    @app.get("/limited")
    async def limited() -> None:
        raise TooManyRequests("Slow down.", "Ro ned.", retry_after=17)

    @app.get("/private")
    async def private() -> None:
        raise Unauthorized("Log in first.")

    @app.get("/spaces/{space_id}")
    async def get_space(space_id: int) -> None:
        raise NotFound(f"No space {space_id}.", f"Fant ikke lokale {space_id}.")

    @app.post("/raw")
    async def raw(request: Request) -> dict[str, object]:
        payload: dict[str, object] = await request.json()
        return payload

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("database password is hunter2")

    return app


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(build_app(), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, object]:
    assert response.status_code == status
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    body: dict[str, object] = response.json()
    assert body["status"] == status
    assert body["type"] == f"https://samspill.no/problems/{code}"
    assert isinstance(body["title"], str)
    assert body["title"]
    assert isinstance(body["detail"], str)
    assert body["detail"]
    return body


@pytest.mark.parametrize(
    ("error_type", "status"),
    [
        (BadRequest, 400),
        (Unauthorized, 401),
        (Forbidden, 403),
        (NotFound, 404),
        (Conflict, 409),
        (RuleViolation, 422),
    ],
)
def test_each_error_carries_its_status(error_type: type[SamspillError], status: int) -> None:
    error = error_type("English detail", "Norsk detalj", extra_member=1)
    assert error.status == status
    assert error.detail == "English detail"
    assert error.detail_nb == "Norsk detalj"
    assert error.extra == {"extra_member": 1}
    assert isinstance(error, SamspillError)


@pytest.mark.parametrize("member", ["status", "title", "code", "headers", "instance"])
def test_an_error_refuses_extension_members_named_like_standard_ones(member: str) -> None:
    with pytest.raises(ValueError, match=member):
        Conflict("Clash.", **{member: "x"})


def test_problem_response_renders_rfc9457_members() -> None:
    response = problem_response(
        409,
        "Conflict",
        "Already booked.",
        code="conflict",
        detail_nb="Allerede booket.",
        headers={"X-Check": "1"},
        instance="/bookings",
        booking_id=7,
    )
    body = json.loads(bytes(response.body))
    assert response.media_type == PROBLEM_MEDIA_TYPE
    assert response.headers["x-check"] == "1"
    assert body == {
        "type": "https://samspill.no/problems/conflict",
        "title": "Conflict",
        "status": 409,
        "detail": "Already booked.",
        "detail_nb": "Allerede booket.",
        "instance": "/bookings",
        "booking_id": 7,
    }


def test_extension_members_cannot_overwrite_standard_members() -> None:
    response = problem_response(
        400, "Bad Request", "Bad.", code="bad-request", status=200, type="https://evil.example"
    )
    body = json.loads(bytes(response.body))
    assert body["status"] == 400
    assert body["type"] == "https://samspill.no/problems/bad-request"
    assert "detail_nb" not in body
    assert "instance" not in body


async def test_domain_error_renders_status_detail_and_extension_members(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/bookings", json={"space_id": 1, "title": "Innebandy"})
    body = assert_problem(response, 409, "conflict")
    assert body["detail_nb"] == "Lokalet er allerede booket 18:00–20:00."
    assert body["instance"] == "/bookings"
    assert body["conflicting_interval"] == {
        "start": "2025-03-04T17:00:00+00:00",
        "end": "2025-03-04T19:00:00+00:00",
    }


async def test_too_many_requests_sets_retry_after(client: httpx.AsyncClient) -> None:
    response = await client.get("/limited")
    assert_problem(response, 429, "too-many-requests")
    assert response.headers["retry-after"] == "17"


async def test_unauthorized_sends_bearer_challenge(client: httpx.AsyncClient) -> None:
    response = await client.get("/private")
    assert_problem(response, 401, "unauthorized")
    assert response.headers["www-authenticate"] == "Bearer"


async def test_not_found_domain_error_names_the_missing_thing(client: httpx.AsyncClient) -> None:
    body = assert_problem(await client.get("/spaces/42"), 404, "not-found")
    assert body["detail"] == "No space 42."
    assert body["instance"] == "/spaces/42"


async def test_validation_error_lists_fields_without_echoing_input(
    client: httpx.AsyncClient,
) -> None:
    huge = "x" * 50_000
    response = await client.post("/bookings", json={"space_id": huge, "title": huge})
    body = assert_problem(response, 422, "validation-error")
    errors = body["errors"]
    assert isinstance(errors, list)
    assert {"loc": ["body", "space_id"], "msg": errors[0]["msg"], "type": "int_parsing"} in errors
    assert all(set(error) == {"loc", "msg", "type"} for error in errors)
    assert huge not in response.text
    assert len(response.content) < 2_000


async def test_missing_body_is_a_validation_problem(client: httpx.AsyncClient) -> None:
    response = await client.post("/bookings")
    assert_problem(response, 422, "validation-error")


@pytest.mark.parametrize("payload", [b"{not json", b'{"space_id": 1,', b"\xff\xfe", b"[1, 2"])
async def test_malformed_json_body_is_a_problem_not_a_server_error(
    client: httpx.AsyncClient, payload: bytes
) -> None:
    response = await client.post(
        "/bookings", content=payload, headers={"content-type": "application/json"}
    )
    assert response.status_code in {400, 422}
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE


async def test_malformed_json_read_by_hand_is_a_400_problem(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/raw", content=b"{oops", headers={"content-type": "application/json"}
    )
    body = assert_problem(response, 400, "invalid-json")
    assert "line 1" in str(body["detail"])


async def test_unknown_route_is_a_404_problem(client: httpx.AsyncClient) -> None:
    body = assert_problem(await client.get("/no/such/route"), 404, "not-found")
    assert body["instance"] == "/no/such/route"
    assert body["detail_nb"] == "Fant ikke ressursen."


async def test_wrong_method_is_a_405_problem_with_allow_header(client: httpx.AsyncClient) -> None:
    response = await client.delete("/bookings")
    assert_problem(response, 405, "method-not-allowed")
    assert "POST" in response.headers["allow"]


async def test_unexpected_error_is_a_generic_500_and_is_logged(
    client: httpx.AsyncClient,
) -> None:
    with capture_logs() as logs:
        response = await client.get("/boom")
    body = assert_problem(response, 500, "internal-error")
    assert "hunter2" not in response.text
    assert body["instance"] == "/boom"
    events = [entry for entry in logs if entry["event"] == "http.unhandled_error"]
    assert len(events) == 1
    assert events[0]["path"] == "/boom"
    assert events[0]["error_type"] == "RuntimeError"
