"""Database access: the async engine, sessions and the unit of work.

The engine is built in the service's lifespan (never at import time). The unit of work is the
one place that commits: a use case changes rows and records its events through the same
session, so the state change and its outbox rows land in one transaction or not at all.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable, Iterable
from types import TracebackType
from typing import TYPE_CHECKING, Annotated, Any, Self

import orjson
from fastapi import Depends, Request
from sqlalchemy import ColumnElement, MetaData, any_, event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import registry
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection

from samspill.infra import plain_postgres_url

if TYPE_CHECKING:
    from samspill.events import EventData
    from samspill.events.base import Envelope
    from samspill.messaging import MessagingTables

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def service_registry() -> registry:
    """A table registry of its own per service, so two services' tables never share metadata.

    Use it as `class Table(SQLModel, registry=service_registry())` and derive tables from that.
    """
    return registry(metadata=MetaData(naming_convention=NAMING_CONVENTION))


def async_database_url(url: str) -> str:
    """`postgresql://…` (as operators write it) → the asyncpg dialect SQLAlchemy needs."""
    return plain_postgres_url(url).replace("postgresql://", "postgresql+asyncpg://", 1)


# A connection back in the pool for longer than this is pinged before it is handed out again.
PING_AFTER_IDLE_S = 2.0
_CHECKED_IN = "samspill_checked_in_at"


def create_engine(
    url: str, *, pool_size: int = 10, max_overflow: int | None = None, echo: bool = False
) -> AsyncEngine:
    """`pool_size` connections kept, and `max_overflow` (default: as many) more opened when
    busy and closed again when returned."""
    engine = create_async_engine(
        async_database_url(url),
        pool_size=pool_size,
        max_overflow=pool_size if max_overflow is None else max_overflow,
        pool_timeout=10,
        echo=echo,
        json_serializer=_json_text,
        json_deserializer=orjson.loads,
        connect_args={"timeout": 10, "command_timeout": 30},
    )
    event.listen(engine.sync_engine.pool, "checkin", _checked_in)
    event.listen(engine.sync_engine.pool, "checkout", _ping_when_idle)
    return engine


def _json_text(value: object) -> str:
    """JSON and JSONB parameters as orjson writes them (the database stores the same)."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def _checked_in(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
    record.info[_CHECKED_IN] = time.monotonic()


def _ping_when_idle(
    dbapi_connection: Any, record: ConnectionPoolEntry, proxy: PoolProxiedConnection
) -> None:
    """The pool's pre-ping, but only for a connection that has been idle a while: one that
    was in use a moment ago is alive, and a ping per checkout is a round trip per request.
    A connection that does not answer is replaced (the pool retries the checkout)."""
    checked_in = record.info.get(_CHECKED_IN)
    if checked_in is None or time.monotonic() - checked_in < PING_AFTER_IDLE_S:
        return
    try:
        dbapi_connection.ping()
    except Exception as exc:
        raise DisconnectionError(f"the pooled connection did not answer: {exc!r}") from exc


def any_of(column: Any, values: Iterable[Any] | ColumnElement[Any]) -> ColumnElement[bool]:
    """`column IN (values)`; `column = ANY(values)` when `values` is SQL (a bound array, as in a
    statement built once with `bindparam` and run with different values)."""
    found: ColumnElement[bool] = (
        column == any_(values) if isinstance(values, ColumnElement) else column.in_(list(values))
    )
    return found


def session_factory(
    engine: AsyncEngine, info: dict[str, object] | None = None
) -> async_sessionmaker[AsyncSession]:
    """`info` is copied into every session's `Session.info` (e.g. the outbox's size limit)."""
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=True, info=info)


class UnitOfWork:
    """One transaction: rows and outbox events are committed together by `commit()`.

    The one way to write an event: use cases, the consumers' handlers and the periodic jobs all
    publish through a unit of work, so every event's subject is its aggregate id and the relay
    is woken when the transaction commits.
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        messaging: MessagingTables,
        *,
        source: str,
        on_commit: Callable[[], None] | None = None,
    ) -> None:
        self._sessions = sessions
        self._messaging = messaging
        self._source = source
        self._on_commit = on_commit
        self._published = False
        self._session: AsyncSession | None = None

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("the unit of work is not open: use `async with uow:`")
        return self._session

    async def __aenter__(self) -> Self:
        self._session = self._sessions()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session, self._session = self.session, None
        try:
            await session.rollback()  # a no-op after commit; discards anything uncommitted
        finally:
            await session.close()

    async def publish(self, event: EventData, *, key: str, republished: bool = False) -> Envelope:
        """Record an event in the outbox, in this transaction (it is sent after commit).

        `key` is the Kafka key, which orders the events that share it; the CloudEvents subject
        is the event's aggregate id. `republished` marks a state published again as it stands
        (a state topic's backfill): consumers apply it and send nothing for it."""
        from samspill.outbox import write_event

        envelope = await write_event(
            self.session,
            self._messaging,
            event,
            key=key,
            source=self._source,
            republished=republished,
        )
        self._published = True
        return envelope

    async def commit(self) -> None:
        await self.session.commit()
        if self._published and self._on_commit is not None:
            self._on_commit()  # e.g. wake the in-process relay instead of waiting for its poll
        self._published = False

    async def rollback(self) -> None:
        await self.session.rollback()


UnitsOfWork = Callable[[], UnitOfWork]
"""Opens a new unit of work on the service's database (for handlers' runners and jobs)."""


def units_of_work(
    sessions: async_sessionmaker[AsyncSession],
    messaging: MessagingTables,
    *,
    source: str,
    on_commit: Callable[[], None] | None = None,
) -> UnitsOfWork:
    return lambda: UnitOfWork(sessions, messaging, source=source, on_commit=on_commit)


_REQUEST_UNIT_OF_WORK = "samspill_unit_of_work"


async def get_unit_of_work(request: Request) -> AsyncIterator[UnitOfWork]:
    """FastAPI dependency: the app factory puts the session factory on `app.state`."""
    state: Any = request.app.state
    relay = state.runtime.relay
    wake = relay.wake if relay is not None else None
    async with UnitOfWork(
        state.sessions, state.messaging, source=state.event_source, on_commit=wake
    ) as uow:
        setattr(request.state, _REQUEST_UNIT_OF_WORK, uow)
        try:
            yield uow
        finally:
            setattr(request.state, _REQUEST_UNIT_OF_WORK, None)


def request_session(request: Request) -> AsyncSession | None:
    """The session of the request's open unit of work, if its route has one by now.

    Reads the request needs besides its use case (the caller's grants) go through it instead
    of checking out a second connection for the same request.
    """
    uow = getattr(request.state, _REQUEST_UNIT_OF_WORK, None)
    if isinstance(uow, UnitOfWork) and uow._session is not None:
        return uow._session
    return None


UnitOfWorkDep = Annotated[UnitOfWork, Depends(get_unit_of_work)]
