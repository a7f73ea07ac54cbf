"""A limit on the size of a request body, enforced before anything parses it.

A body announced larger than the limit (`Content-Length`) is refused before a byte of it is
read; a body without a length (chunked) is counted as it arrives and refused once it passes the
limit. Either way the answer is 413 problem+json and nothing behind the middleware runs on it.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from samspill.problems import problem_response

__all__ = [
    "BodySizeLimitMiddleware",
    "BodyTooLarge",
    "body_too_large_handler",
    "body_too_large_response",
]


class BodyTooLarge(StarletteHTTPException):
    """Raised from `receive` when a body grows past the limit.

    An HTTPException, so FastAPI's body reading passes it on instead of turning it into a 400;
    the problem handler or the middleware renders it.
    """

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body is larger than {limit} bytes.")
        self.limit = limit


def body_too_large_response(limit: int, path: str) -> Response:
    return problem_response(
        413,
        "Content Too Large",
        f"The request body is larger than {limit} bytes.",
        code="payload-too-large",
        detail_nb=f"Forespørselen er større enn {limit} byte.",
        instance=path,
        limit_bytes=limit,
    )


async def body_too_large_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, BodyTooLarge)
    return body_too_large_response(exc.limit, request.url.path)


def _declared_length(scope: Scope) -> int | None:
    for key, value in scope.get("headers", []):
        if key.lower() == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class BodySizeLimitMiddleware:
    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _declared_length(scope)
        if declared is not None and declared > self.max_bytes:
            await body_too_large_response(self.max_bytes, scope["path"])(scope, receive, send)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        async def watching_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, watching_send)
        except BodyTooLarge:
            # Raised where no exception handler sits (a middleware reading the body).
            if started:
                raise
            await body_too_large_response(self.max_bytes, scope["path"])(scope, receive, send)
