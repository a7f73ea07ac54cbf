"""The one error family: every refusal Samspill answers, with its HTTP status on the class.

Pure on purpose: domain rules raise these without importing a web framework, and
`samspill.problems` renders each as RFC 9457 problem+json — `status`, `title` (the status
phrase), `detail` (English), `detail_nb` (bokmål), `type` and `code` from the class's `code`,
and the extension members in `extra`. Raise a subclass, never `SamspillError` itself.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import ClassVar

from samspill.intervals import Interval

_STANDARD_MEMBERS = frozenset({"type", "title", "status", "detail", "detail_nb", "instance"})
_RESERVED_MEMBERS = _STANDARD_MEMBERS | {"code", "headers"}


def status_title(status: int) -> str:
    """The reason phrase of an HTTP status: a problem's `title`."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


class SamspillError(Exception):
    """Base of the family: `status` and `code` on the class, the texts and members per error."""

    status: ClassVar[int] = 400
    code: ClassVar[str] = "bad-request"

    def __init__(self, detail: str, detail_nb: str | None = None, **extra: object) -> None:
        clashing = extra.keys() & _RESERVED_MEMBERS
        if clashing:
            raise ValueError(f"extension members may not be named {sorted(clashing)}")
        super().__init__(detail)
        self.detail = detail
        self.detail_nb = detail_nb
        self.extra: dict[str, object] = extra

    @property
    def title(self) -> str:
        return status_title(self.status)

    def response_headers(self) -> dict[str, str]:
        return {}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.detail!r}, {self.detail_nb!r})"


class BadRequest(SamspillError):
    """The request cannot be understood as asked (400)."""

    status = 400
    code = "bad-request"


class Unauthorized(SamspillError):
    """No valid token (401); the answer carries the bearer challenge."""

    status = 401
    code = "unauthorized"

    def __init__(
        self,
        detail: str,
        detail_nb: str | None = None,
        *,
        bearer_error: str | None = None,
        **extra: object,
    ) -> None:
        super().__init__(detail, detail_nb, **extra)
        self.bearer_error = bearer_error

    def response_headers(self) -> dict[str, str]:
        # RFC 6750 §3: a missing token gets a bare challenge, a bad one names the error.
        if self.bearer_error is None:
            return {"WWW-Authenticate": "Bearer"}
        return {"WWW-Authenticate": f'Bearer error="{self.bearer_error}"'}


class Forbidden(SamspillError):
    """The caller is known but may not do this (403)."""

    status = 403
    code = "forbidden"


class NotFound(SamspillError):
    """The thing named does not exist, or the caller may not know it exists (404)."""

    status = 404
    code = "not-found"


class Conflict(SamspillError):
    """The request collides with something already stored (409), naming the collision."""

    status = 409
    code = "conflict"

    def __init__(
        self,
        detail: str,
        detail_nb: str | None = None,
        conflicting: Interval | None = None,
        **extra: object,
    ) -> None:
        if conflicting is not None:
            extra = {
                "conflicting_interval": {
                    "start": conflicting.start.isoformat(),
                    "end": conflicting.end.isoformat(),
                },
                **extra,
            }
        super().__init__(detail, detail_nb, **extra)
        self.conflicting = conflicting


class EventTooLarge(SamspillError):
    """The request would publish an event larger than the outbox accepts (413): Kafka refuses
    records past its size limit, so such an event is refused before anything is stored."""

    status = 413
    code = "event-too-large"

    def __init__(self, event_type: str, size: int, limit: int) -> None:
        super().__init__(
            f"The request would publish an event of {size} bytes ({event_type}); at most "
            f"{limit} bytes are allowed. Shorten the longest texts.",
            f"Forespørselen ville gi en hendelse på {size} byte ({event_type}); høyst {limit} "
            "byte er tillatt. Gjør de lengste tekstene kortere.",
            event_type=event_type,
            size_bytes=size,
            limit_bytes=limit,
        )
        self.event_type = event_type
        self.size = size
        self.limit = limit


class RuleViolation(SamspillError):
    """The request breaks a rule of the domain whatever else is stored (422)."""

    status = 422
    code = "rule-violation"


class TooManyRequests(SamspillError):
    """The caller is over its rate limit (429); the answer says when to retry."""

    status = 429
    code = "too-many-requests"

    def __init__(
        self,
        detail: str,
        detail_nb: str | None = None,
        *,
        retry_after: int,
        **extra: object,
    ) -> None:
        super().__init__(detail, detail_nb, **extra)
        self.retry_after = max(0, retry_after)

    def response_headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class ServiceUnavailable(SamspillError):
    """A store the request needs cannot be reached just now (503); retrying later may work,
    and nothing was changed."""

    status = 503
    code = "service-unavailable"

    def __init__(
        self, detail: str, detail_nb: str | None = None, *, retry_after: int = 5, **extra: object
    ) -> None:
        super().__init__(detail, detail_nb, **extra)
        self.retry_after = max(0, retry_after)

    def response_headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}
