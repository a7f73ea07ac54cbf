"""The answer of `/me/data` and `/people/{person_id}/data`: the service's sections of a
person's data, as the portal merges them into one file."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from notifications.domain.invitations import redact_invitation_links

SERVICE = "notifications"


class PersonalData(BaseModel):
    service: str = SERVICE
    person_id: str
    sections: dict[str, list[dict[str, Any]]] = Field(
        description="Each kind of data the service holds about the person, as rows."
    )

    @classmethod
    def of(cls, person_id: str, sections: dict[str, list[dict[str, Any]]]) -> PersonalData:
        """Invitation links are shown without their code, as in the delivery log."""
        shown = {
            name: [_redacted(row) for row in rows] if name in ("messages", "reminders") else rows
            for name, rows in sections.items()
        }
        return cls(person_id=person_id, sections=shown)


def _redacted(row: dict[str, Any]) -> dict[str, Any]:
    body = row.get("body")
    return {**row, "body": redact_invitation_links(body)} if isinstance(body, str) else row
