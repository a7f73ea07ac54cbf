"""The HTTP renderer: every error answered as an RFC 9457 problem (application/problem+json).

Code raises a member of the `samspill.errors` family; `install_problem_handlers` turns it,
FastAPI validation errors, Starlette HTTP errors and anything unexpected into a problem
document, so bad input never answers 500.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from samspill.errors import SamspillError, status_title

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://samspill.no/problems/"

_MAX_VALIDATION_ERRORS = 50
_MAX_MESSAGE_CHARS = 300
_MAX_LOC_PARTS = 10
_STANDARD_MEMBERS = frozenset({"type", "title", "status", "detail", "detail_nb", "instance"})

logger = structlog.get_logger(__name__)


def problem_type(code: str) -> str:
    return f"{PROBLEM_TYPE_BASE}{code}"


def problem_body(
    status: int,
    title: str,
    detail: str,
    /,
    *,
    code: str,
    detail_nb: str | None = None,
    instance: str | None = None,
    **extra: object,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": problem_type(code),
        "title": title,
        "status": status,
        "detail": detail,
    }
    if detail_nb is not None:
        body["detail_nb"] = detail_nb
    if instance is not None:
        body["instance"] = instance
    # Extension members never overwrite the standard members (RFC 9457 §3.2).
    body.update({key: value for key, value in extra.items() if key not in _STANDARD_MEMBERS})
    return body


def problem_response(
    status: int,
    title: str,
    detail: str,
    /,
    *,
    code: str,
    detail_nb: str | None = None,
    headers: Mapping[str, str] | None = None,
    instance: str | None = None,
    **extra: object,
) -> JSONResponse:
    body = problem_body(
        status, title, detail, code=code, detail_nb=detail_nb, instance=instance, **extra
    )
    return JSONResponse(
        jsonable_encoder(body),
        status_code=status,
        headers=dict(headers) if headers else None,
        media_type=PROBLEM_MEDIA_TYPE,
    )


def status_code_slug(status: int) -> str:
    return status_title(status).lower().replace(" ", "-").replace("'", "")


_GENERIC_DETAIL_NB: dict[int, str] = {
    400: "Forespørselen er ugyldig.",
    401: "Du må logge inn.",
    403: "Du har ikke tilgang til dette.",
    404: "Fant ikke ressursen.",
    405: "Metoden er ikke tillatt for denne ressursen.",
    406: "Kan ikke levere svar i ønsket format.",
    413: "Forespørselen er for stor.",
    415: "Innholdstypen støttes ikke.",
    422: "Forespørselen inneholder ugyldige data.",
    429: "For mange forespørsler. Prøv igjen senere.",
    500: "Det oppstod en uventet feil.",
    503: "Tjenesten er midlertidig utilgjengelig.",
}


def generic_detail_nb(status: int) -> str | None:
    return _GENERIC_DETAIL_NB.get(status)


def _truncate(text: str, limit: int = _MAX_MESSAGE_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _safe_loc(loc: Sequence[object]) -> list[str | int]:
    return [
        part if isinstance(part, int) else _truncate(str(part), 100)
        for part in list(loc)[:_MAX_LOC_PARTS]
    ]


def validation_error_items(errors: Sequence[Any]) -> list[dict[str, object]]:
    """Location, message and type of each error; the offending input is never echoed."""
    items: list[dict[str, object]] = []
    for error in list(errors)[:_MAX_VALIDATION_ERRORS]:
        items.append(
            {
                "loc": _safe_loc(error.get("loc", ())),
                "msg": _truncate(str(error.get("msg", ""))),
                "type": str(error.get("type", "value_error")),
            }
        )
    return items


async def _samspill_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SamspillError)
    return problem_response(
        exc.status,
        exc.title,
        exc.detail,
        code=exc.code,
        detail_nb=exc.detail_nb,
        headers=exc.response_headers(),
        instance=request.url.path,
        **exc.extra,
    )


async def _validation_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = validation_error_items(exc.errors())
    return problem_response(
        422,
        status_title(422),
        "The request is not valid; see `errors` for each field.",
        code="validation-error",
        detail_nb="Forespørselen er ikke gyldig; se `errors` for hvert felt.",
        instance=request.url.path,
        errors=errors,
    )


async def _http_exception_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    title = status_title(status)
    detail = exc.detail if isinstance(exc.detail, str) and exc.detail else title
    return problem_response(
        status,
        title,
        detail,
        code=status_code_slug(status),
        detail_nb=generic_detail_nb(status),
        headers=exc.headers,
        instance=request.url.path,
    )


async def _json_decode_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, json.JSONDecodeError)
    return problem_response(
        400,
        status_title(400),
        f"The request body is not valid JSON (line {exc.lineno}, column {exc.colno}).",
        code="invalid-json",
        detail_nb=f"Forespørselen er ikke gyldig JSON (linje {exc.lineno}, kolonne {exc.colno}).",
        instance=request.url.path,
    )


async def _unhandled_error_handler(request: Request, exc: Exception) -> Response:
    logger.error(
        "http.unhandled_error",
        method=request.method,
        path=request.url.path,
        error_type=type(exc).__name__,
        exc_info=exc,
    )
    return problem_response(
        500,
        status_title(500),
        "An unexpected error occurred. It has been logged.",
        code="internal-error",
        detail_nb="Det oppstod en uventet feil. Feilen er logget.",
        instance=request.url.path,
    )


# PostgreSQL refuses text it cannot store: NUL (0x00) in a text column or query parameter
# (22021) and the \u0000 escape in JSONB (22P05). Such text only ever comes from the request.
_UNSTORABLE_TEXT_STATES = frozenset({"22021", "22P05"})


def _sqlstates(exc: DBAPIError) -> set[str | None]:
    orig = exc.orig
    return {
        getattr(orig, "sqlstate", None),
        getattr(orig, "pgcode", None),
        getattr(getattr(orig, "__cause__", None), "sqlstate", None),
    }


async def _database_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DBAPIError)
    if not _UNSTORABLE_TEXT_STATES & _sqlstates(exc):
        return await _unhandled_error_handler(request, exc)
    return problem_response(
        422,
        status_title(422),
        "The request holds text that cannot be stored (such as the NUL character).",
        code="unstorable-text",
        detail_nb="Forespørselen inneholder tekst som ikke kan lagres (som NUL-tegnet).",
        instance=request.url.path,
    )


async def _pool_timeout_handler(request: Request, exc: Exception) -> Response:
    """Every database connection stayed busy for the pool's whole timeout: the service is
    overloaded, not broken. 503 with Retry-After tells the client to come back, and unlike
    the 500 path the connection stays open for the client's next request."""
    logger.warning("http.database_pool_exhausted", method=request.method, path=request.url.path)
    return problem_response(
        503,
        status_title(503),
        "The service is busy; please try again in a moment.",
        code="busy",
        detail_nb="Tjenesten er opptatt; prøv igjen om et øyeblikk.",
        instance=request.url.path,
        headers={"Retry-After": "1"},
    )


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(SamspillError, _samspill_error_handler)
    app.add_exception_handler(RequestValidationError, _validation_error_handler)
    app.add_exception_handler(StarletteHTTPException, _http_exception_handler)
    app.add_exception_handler(json.JSONDecodeError, _json_decode_error_handler)
    app.add_exception_handler(DBAPIError, _database_error_handler)
    app.add_exception_handler(PoolTimeout, _pool_timeout_handler)
    app.add_exception_handler(Exception, _unhandled_error_handler)
