"""The body size limit: a body past it is refused with 413 problem+json and never parsed."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
from fastapi import FastAPI
from pydantic import BaseModel
from starlette.types import ASGIApp, Receive, Scope, Send

from samspill.bodylimit import BodySizeLimitMiddleware, BodyTooLarge, body_too_large_handler
from samspill.problems import install_problem_handlers

LIMIT = 1000


class Note(BaseModel):
    text: str


class BodyReader:
    """Reads the whole body before the app, as the idempotency middleware does."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == "/read-first":
            while (await receive()).get("more_body", False):
                pass
        await self.app(scope, receive, send)


def build_app(parsed: list[str]) -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)
    app.add_exception_handler(BodyTooLarge, body_too_large_handler)

    @app.post("/notes")
    async def add_note(note: Note) -> dict[str, int]:
        parsed.append(note.text)
        return {"length": len(note.text)}

    @app.post("/read-first")
    async def read_first() -> dict[str, bool]:
        parsed.append("read-first")
        return {"ok": True}

    app.add_middleware(BodyReader)
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=LIMIT)
    return app


async def post(app: FastAPI, path: str, **kwargs: object) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.post(path, **kwargs)  # type: ignore[arg-type]


def assert_too_large(response: httpx.Response) -> None:
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["type"].endswith("/payload-too-large")
    assert problem["limit_bytes"] == LIMIT
    assert problem["detail_nb"]


async def test_a_body_within_the_limit_is_read() -> None:
    parsed: list[str] = []
    response = await post(build_app(parsed), "/notes", json={"text": "x" * 900})
    assert response.status_code == 200
    assert parsed == ["x" * 900]


async def test_a_body_announced_too_large_is_refused_unread() -> None:
    parsed: list[str] = []
    response = await post(build_app(parsed), "/notes", json={"text": "x" * 2_000_000})
    assert_too_large(response)
    assert parsed == []


async def test_a_chunked_body_is_counted_as_it_arrives() -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"text": "'
        for _ in range(100):
            yield b"x" * 100
        yield b'"}'

    parsed: list[str] = []
    response = await post(build_app(parsed), "/notes", content=chunks())
    assert_too_large(response)
    assert parsed == []


async def test_a_middleware_reading_the_body_meets_the_limit_too() -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(20):
            yield b"x" * 100

    parsed: list[str] = []
    response = await post(build_app(parsed), "/read-first", content=chunks())
    assert_too_large(response)
    assert parsed == []
