"""Looking for planted personal values anywhere in a service's database: every text, varchar
and JSON column of every table, searched with SQL (a JSON column as its text)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

_TEXT_TYPES = ("text", "character varying", "character", "json", "jsonb")


async def text_columns(session: AsyncSession) -> list[tuple[str, str]]:
    """(table, column) of every text or JSON column in the public schema."""
    rows = await session.execute(
        text(
            "SELECT c.table_name, c.column_name FROM information_schema.columns c "
            "JOIN information_schema.tables t USING (table_schema, table_name) "
            "WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' "
            "AND c.data_type = ANY(:types) ORDER BY 1, 2"
        ),
        {"types": list(_TEXT_TYPES)},
    )
    return [(row[0], row[1]) for row in rows.all()]


async def where_found(
    session: AsyncSession, values: Iterable[str], *, skip_tables: Iterable[str] = ()
) -> list[str]:
    """`table.column: value` for each planted value found (case-insensitive), none when clean."""
    skipped = set(skip_tables)
    found: list[str] = []
    for table, column in await text_columns(session):
        if table in skipped:
            continue
        for value in values:
            hit = await session.scalar(
                text(
                    f'SELECT count(*) FROM "{table}" '
                    f'WHERE strpos(lower("{column}"::text), lower(:value)) > 0'
                ),
                {"value": value},
            )
            if hit:
                found.append(f"{table}.{column}: {value}")
    return found


async def table_digest(session: AsyncSession, *, skip_tables: Iterable[str] = ()) -> dict[str, str]:
    """A digest of every table's rows, to show that something changed nothing."""
    skipped = set(skip_tables)
    tables = (
        await session.execute(
            text(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1"
            )
        )
    ).scalars()
    digest: dict[str, str] = {}
    for table in tables:
        if table in skipped:
            continue
        value = await session.scalar(
            text(
                "SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) "
                f'FROM "{table}" t'
            )
        )
        digest[table] = str(value)
    return digest
