"""Whom a list of staff grants names, for the access log: every other person once, as holder
and/or granter; never the viewer, an integration or an erased person's marker."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from facilities.staff.tables import StaffGrant
from facilities.staff.use_cases import people_shown
from samspill.privacy import erased_marker


def _grant(person: str, by: str) -> StaffGrant:
    return StaffGrant(
        person_id=person,
        kind="site",
        object_id=uuid.uuid4(),
        granted_by=by,
        granted_at=datetime(2031, 1, 1, tzinfo=UTC),
    )


def test_each_other_person_once_with_their_roles() -> None:
    grants = [
        _grant("kari", "admin"),
        _grant("ola", "admin"),
        _grant("admin", "boss"),
        _grant("viewer", "client:importer"),
        _grant("per", erased_marker("gone")),
    ]
    assert people_shown(grants, "viewer") == {
        "kari": "holder",
        "ola": "holder",
        "admin": "granted by, holder",
        "boss": "granted by",
        "per": "holder",
    }


def test_the_viewers_own_grant_names_no_one_else() -> None:
    assert people_shown([_grant("viewer", "viewer")], "viewer") == {}
