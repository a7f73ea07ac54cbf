"""Memberships of organisations and the invitations to join them, owned here."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, Column, DateTime
from sqlmodel import Field

from booking.tables import Table

_ROLES = "role IN ('administrator', 'booker', 'viewer')"


def _timestamp(*, nullable: bool = False) -> Any:
    column = Column(DateTime(timezone=True), nullable=nullable)
    return Field(default=None, sa_column=column) if nullable else Field(sa_column=column)


class Membership(Table, table=True):
    """One person's role in one organisation; a person id is `samspill.tokens.person_id`."""

    __tablename__ = "membership"
    __table_args__ = (CheckConstraint(_ROLES, name="known_role"),)

    organisation_id: uuid.UUID = Field(foreign_key="organisation.id", primary_key=True)
    person_id: str = Field(primary_key=True, max_length=80, index=True)
    role: str = Field(max_length=20)
    joined_at: datetime = _timestamp()


class Invitation(Table, table=True):
    """An invitation by email. Only the SHA-256 of its code is kept: the code itself travels
    once, in `InvitationCreated`, to the invitee's mailbox."""

    __tablename__ = "invitation"
    __table_args__ = (CheckConstraint(_ROLES, name="known_role"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    organisation_id: uuid.UUID = Field(foreign_key="organisation.id", index=True)
    email: str = Field(max_length=254)
    role: str = Field(max_length=20)
    language: str = Field(max_length=5)
    code_hash: str = Field(max_length=64, unique=True)
    invited_by: str = Field(max_length=80)
    created_at: datetime = _timestamp()
    expires_at: datetime = _timestamp()
    accepted_at: datetime | None = _timestamp(nullable=True)
    accepted_by: str | None = Field(default=None, max_length=80)
    withdrawn_at: datetime | None = _timestamp(nullable=True)
