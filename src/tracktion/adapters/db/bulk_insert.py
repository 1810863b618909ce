"""Bulk inserts inside the caller's transaction: COPY on PostgreSQL (asyncpg), else executemany.

COPY sends the rows as one binary stream, through the asyncpg connection under the SQLAlchemy
one, so it is part of the same transaction. Below ``COPY_MIN_ROWS`` rows, and on any other
backend, a plain executemany is as fast and simpler. Row triggers and constraints apply to COPY
as to INSERT; ``ON CONFLICT`` does not, so inserts that skip duplicates copy into a temporary
table first and move the rows over with ``INSERT ... SELECT ... ON CONFLICT DO NOTHING``.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import JSON, insert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from tracktion.core.errors import StorageError

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from sqlalchemy import Table
    from sqlalchemy.ext.asyncio import AsyncConnection

COPY_MIN_ROWS: Final = 200
"""Fewer rows than this go through executemany (COPY's set-up costs more than it saves)."""


def copies(conn: AsyncConnection, count: int, min_rows: int = COPY_MIN_ROWS) -> bool:
    """Whether ``count`` rows are written with COPY on this connection."""
    return count >= min_rows and conn.dialect.driver == "asyncpg"


async def insert_rows(
    conn: AsyncConnection,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    *,
    min_rows: int = COPY_MIN_ROWS,
) -> None:
    """Insert ``rows`` (every row with the same keys, column names) into ``table``."""
    if not rows:
        return
    if not copies(conn, len(rows), min_rows):
        await conn.execute(insert(table), list(rows))
        return
    await _copy(conn, table.name, table, rows)


async def insert_new_rows(
    conn: AsyncConnection,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    keys: Sequence[str],
    *,
    returning: str | None = None,
    min_rows: int = COPY_MIN_ROWS,
) -> list[Any]:
    """Insert ``rows``, skipping those whose ``keys`` (a unique constraint) already exist.

    Returns the ``returning`` column of the rows actually inserted (empty without it). With
    COPY the rows go through a temporary table of the same shape, kept by the session and
    emptied after each use, then move over with ``INSERT ... SELECT ... ON CONFLICT DO NOTHING``.
    """
    if not rows:
        return []
    conflict = ", ".join(keys)
    if not copies(conn, len(rows), min_rows):
        dialect_insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
        statement = dialect_insert(table).on_conflict_do_nothing(index_elements=list(keys))
        if returning is None:
            await conn.execute(statement, list(rows))
            return []
        return list(
            (await conn.execute(statement.returning(table.c[returning]), list(rows))).scalars()
        )
    staging = f"tracktion_staging_{table.name}"
    columns = ", ".join(rows[0])
    await conn.exec_driver_sql(
        f"CREATE TEMPORARY TABLE IF NOT EXISTS {staging} "
        f"(LIKE {table.name} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
    )
    await _copy(conn, staging, table, rows)
    result = await conn.exec_driver_sql(
        f"INSERT INTO {table.name} ({columns}) SELECT {columns} FROM {staging} "
        f"ON CONFLICT ({conflict}) DO NOTHING" + (f" RETURNING {returning}" if returning else "")
    )
    inserted = list(result.scalars()) if returning else []
    await conn.exec_driver_sql(f"DELETE FROM {staging}")  # for the next use in this transaction
    return inserted


async def _copy(
    conn: AsyncConnection, target: str, table: Table, rows: Sequence[Mapping[str, Any]]
) -> None:
    from asyncpg import (  # type: ignore[import-untyped]  # only imported on PostgreSQL
        InterfaceError,
        PostgresError,
    )

    columns = list(rows[0])
    as_json = {column.name for column in table.columns if isinstance(column.type, JSON)}
    records = [
        tuple(_json(row[name]) if name in as_json else row[name] for name in columns)
        for row in rows
    ]
    raw = await conn.get_raw_connection()
    driver = raw.driver_connection
    assert driver is not None
    if not driver.is_in_transaction():
        # SQLAlchemy begins the transaction lazily, on its first statement
        await conn.exec_driver_sql("SELECT 1")
    try:
        await driver.copy_records_to_table(target, records=records, columns=columns)
    except (PostgresError, InterfaceError, OSError) as exc:
        raise StorageError(
            f"could not copy {len(records)} row(s) into {table.name}: {exc}"
        ) from exc


def _json(value: Any) -> str:
    """JSON text as SQLAlchemy's JSON type writes it (None becomes JSON null)."""
    return json.dumps(value)
