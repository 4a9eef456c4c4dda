"""Bulk INSERTs for the intake hot path: one driver-level executemany per table and batch.

SQLAlchemy's executemany processes every bound value of every row through its type (the
stdlib JSON encoder for each JSON column, the UTC conversion for each datetime): for a batch
of new alerts that cost more than the rest of intake together. Here the statement is compiled
once per dialect, JSON is encoded with orjson, and each distinct datetime (a batch has one
``now``) is converted once, through the column type's own bind processor, so what is stored is
exactly what the ORM would store.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import orjson
from sqlalchemy import JSON, Connection, Table, insert, text
from sqlalchemy.engine import Dialect

Processor = Callable[[Any], Any]
_NEXT_IDS = text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)")


def _json(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def _memoized(process: Processor) -> Processor:
    """A processor remembering its answers: a batch repeats the same few datetimes."""
    seen: dict[Any, Any] = {}

    def run(value: Any) -> Any:
        if value is None:
            return None
        try:
            return seen[value]
        except KeyError:
            result = seen[value] = process(value)
            return result

    return run


class _Compiled:
    """The INSERT for one table, column list and dialect, with a processor per column."""

    def __init__(self, table: Table, columns: Sequence[str], dialect: Dialect) -> None:
        compiled = insert(table).compile(dialect=dialect, column_keys=list(columns))
        # PostgreSQL's compiler adds RETURNING for an id left out; nobody reads it here.
        self.sql = compiled.string.partition(" RETURNING ")[0]
        self.positional = compiled.positiontup is not None
        quote = dialect.identifier_preparer
        names = ", ".join(quote.quote(n) for n in columns)
        self.copy_sql = f"COPY {quote.format_table(table)} ({names}) FROM STDIN"
        self.order = list(compiled.positiontup or columns)
        self.processors: dict[str, Processor | None] = {}
        for name in self.order:
            column_type = table.c[name].type
            if isinstance(column_type, JSON):
                self.processors[name] = _json
                continue
            process = column_type.dialect_impl(dialect).bind_processor(dialect)
            self.processors[name] = _memoized(process) if process is not None else None

    def parameters(self, rows: Sequence[Mapping[str, Any]]) -> list[Any]:
        steps = [(name, self.processors[name]) for name in self.order]
        if self.positional:
            return [tuple(row[n] if p is None else p(row[n]) for n, p in steps) for row in rows]
        return [{n: row[n] if p is None else p(row[n]) for n, p in steps} for row in rows]


_CACHE: dict[tuple[str, tuple[str, ...], str], _Compiled] = {}


def insert_rows(connection: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """INSERT ``rows`` (dicts with the same keys) into ``table`` in one executemany."""
    if not rows:
        return
    columns = tuple(rows[0])
    dialect = connection.dialect
    key = (table.name, columns, dialect.name)
    compiled = _CACHE.get(key)
    if compiled is None:
        compiled = _CACHE[key] = _Compiled(table, columns, dialect)
    if dialect.name != "postgresql":
        connection.exec_driver_sql(compiled.sql, compiled.parameters(rows))
        return
    # PostgreSQL: COPY streams every row in one round trip (an executemany pays one per row,
    # a multi-row VALUES pays for parsing thousands of parameters).
    columns_in_order = list(compiled.processors)
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        with cursor.copy(compiled.copy_sql) as copy:
            for values in compiled.parameters(rows):
                copy.write_row([values[name] for name in columns_in_order])
    finally:
        cursor.close()


def next_ids(connection: Connection, table: Table, n: int) -> list[int]:
    """``n`` fresh ids from a PostgreSQL table's serial sequence, in order."""
    found = connection.execute(_NEXT_IDS, {"table": table.name, "n": n})
    return sorted(int(i) for i in found.scalars())
