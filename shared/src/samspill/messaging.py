"""The outbox, its dead letters and the inbox: tables every service keeps in its own database."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Identity,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

# Rows are spread over buckets by key; a relay holds one bucket at a time, so events with the
# same key leave in commit order even when several relay replicas run.
OUTBOX_BUCKETS = 16


@dataclass(frozen=True)
class MessagingTables:
    outbox: Table
    inbox: Table
    dead_letters: Table


def messaging_tables(metadata: MetaData) -> MessagingTables:
    """Define `outbox`, `outbox_dead_letter` and `inbox` on a service's metadata (its Alembic
    migrations create them)."""
    outbox = Table(
        "outbox",
        metadata,
        Column("id", BigInteger, Identity(), primary_key=True),
        Column("event_id", String(64), nullable=False, unique=True),
        Column("topic", String(200), nullable=False),
        Column("key", String(200), nullable=False),
        Column("bucket", SmallInteger, nullable=False),
        Column("event_type", String(200), nullable=False),
        Column("headers", JSONB, nullable=False),
        Column("value", LargeBinary, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("published_at", DateTime(timezone=True), nullable=True),
        Column("attempts", Integer, nullable=False, server_default=text("0")),
        Column("last_error", Text, nullable=True),
        Index(
            "ix_outbox_pending",
            "bucket",
            "id",
            postgresql_where=text("published_at IS NULL"),
        ),
    )
    inbox = Table(
        "inbox",
        metadata,
        Column("consumer", String(100), primary_key=True),
        Column("event_id", String(64), primary_key=True),
        Column("event_type", String(200), nullable=False),
        Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        # A state event's compaction key on its state topic, as a digest (`StateEntry.digest`):
        # a rebuild from the state topic is refused when a key the consumer applied is not
        # there. Cleared when the aggregate ends (its key is then a tombstone); NULL otherwise.
        Column("state_key_digest", String(32), nullable=True),
        Index(
            "ix_inbox_state_key_digest",
            "consumer",
            "state_key_digest",
            postgresql_where=text("state_key_digest IS NOT NULL"),
        ),
    )
    return MessagingTables(outbox=outbox, inbox=inbox, dead_letters=_dead_letters(metadata))


def _dead_letters(metadata: MetaData) -> Table:
    """Outbox rows the relay could not produce (too large, invalid topic, unserialisable),
    moved aside so the rest of their bucket flows on; an operator lists and redrives them."""
    return Table(
        "outbox_dead_letter",
        metadata,
        Column("id", BigInteger, Identity(), primary_key=True),
        Column("outbox_id", BigInteger, nullable=False),
        Column("event_id", String(64), nullable=False),
        Column("topic", String(200), nullable=False),
        Column("key", String(200), nullable=False),
        Column("bucket", SmallInteger, nullable=False),
        Column("event_type", String(200), nullable=False),
        Column("headers", JSONB, nullable=False),
        Column("value", LargeBinary, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("attempts", Integer, nullable=False),
        Column("error", Text, nullable=False),
        Column(
            "dead_lettered_at", DateTime(timezone=True), nullable=False, server_default=func.now()
        ),
    )
