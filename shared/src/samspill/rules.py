"""The pure error family every domain raises when input breaks a rule.

Domain code stays free of web imports: it raises these, and `samspill.errors` renders each as
RFC 9457 problem+json with its status, the English `detail`, the bokmål `detail_nb` and any
extension members from `extra()` (a 409 names the interval it conflicts with).
"""

from __future__ import annotations

from typing import Any

from samspill.intervals import Interval


class RuleError(Exception):
    """Base of all rule failures; `status` is the HTTP status the API answers with."""

    status: int = 422
    code: str = "rule-violation"

    def __init__(self, detail_en: str, detail_nb: str) -> None:
        super().__init__(detail_en)
        self.detail_en = detail_en
        self.detail_nb = detail_nb

    def extra(self) -> dict[str, Any]:
        """Extension members of the problem document."""
        return {}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.detail_en!r}, {self.detail_nb!r})"


class RuleViolation(RuleError):
    """The request breaks a rule whatever else is stored (422)."""


class NotFoundError(RuleError):
    """The thing named does not exist, or the caller may not know it exists (404)."""

    status = 404
    code = "not-found"


class ConflictError(RuleError):
    """The request collides with something already stored (409), naming the collision."""

    status = 409
    code = "conflict"

    def __init__(self, detail_en: str, detail_nb: str, conflicting: Interval | None = None) -> None:
        super().__init__(detail_en, detail_nb)
        self.conflicting = conflicting

    def extra(self) -> dict[str, Any]:
        if self.conflicting is None:
            return {}
        return {
            "conflicting_interval": {
                "start": self.conflicting.start.isoformat(),
                "end": self.conflicting.end.isoformat(),
            }
        }


class EventTooLargeError(RuleError):
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
        )
        self.event_type = event_type
        self.size = size
        self.limit = limit

    def extra(self) -> dict[str, Any]:
        return {"event_type": self.event_type, "size_bytes": self.size, "limit_bytes": self.limit}
