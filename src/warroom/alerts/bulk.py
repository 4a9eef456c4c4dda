"""Bulk INSERTs for the intake hot path: one statement per table and batch.

SQLAlchemy's executemany processes every bound value of every row through its type (the
stdlib JSON encoder for each JSON column, the UTC conversion for each datetime): for a batch
of new alerts that cost more than the rest of intake together. Here the statement is compiled
once per dialect, JSON is encoded with orjson, and each distinct datetime (a batch has one
``now``) is converted once, through the column type's own bind processor, so what is stored is
exactly what the ORM would store. SQLite takes the rows in one executemany (no round trips
in process); PostgreSQL takes a few rows as one JSON document, turned back into rows by
``json_populate_recordset``, and many by COPY.
"""

from __future__ import annotations

import contextlib
import keyword
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, NamedTuple, cast

import orjson
from sqlalchemy import JSON, ClauseElement, Connection, Table, insert, text
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.compiler import SQLCompiler

Processor = Callable[[Any], Any]
_IDLE = 0  # libpq's PQTRANS_IDLE: no transaction open
COPY_FROM = 64  # rows; fewer go in one statement as a JSON document
_NEXT_IDS = text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)")


def json_text(value: Any) -> str:
    """A JSON column's value as the text ``insert_rows`` stores (for work done ahead)."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


MEMO_SIZE = 64


class _Memo:
    """A processor remembering its last few answers: a batch repeats the same few datetimes.
    Bounded: every batch brings a new ``now``, and the writer lives as long as the process.
    Row builders look in ``seen`` themselves and call it only for what is not there."""

    __slots__ = ("process", "seen")

    def __init__(self, process: Processor) -> None:
        self.process = process
        self.seen: dict[Any, Any] = {None: None}

    def __call__(self, value: Any) -> Any:
        try:
            return self.seen[value]
        except KeyError:
            if len(self.seen) >= MEMO_SIZE:
                self.seen.clear()
                self.seen[None] = None
            result = self.seen[value] = self.process(value)
            return result


class _Compiled:
    """The INSERT for one table, column list and dialect, with a processor per column.
    ``encoded`` JSON columns are read as JSON text from the path it gives them."""

    def __init__(
        self,
        table: Table,
        columns: Sequence[str],
        dialect: Dialect,
        from_attributes: bool,
        encoded: Mapping[str, str],
    ) -> None:
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
                self.processors[name] = None if name in encoded else json_text
                continue
            process = column_type.dialect_impl(dialect).bind_processor(dialect)
            self.processors[name] = _Memo(process) if process is not None else None
        paths = {name: encoded.get(name, name) for name in columns}
        self.row = _row_builder(
            self.order, paths, self.processors, positional=self.positional, attrs=from_attributes
        )
        # COPY takes each row's values in the statement's column order.
        self.copy_row = _row_builder(
            columns, paths, self.processors, positional=True, attrs=from_attributes
        )
        # PostgreSQL: every row in one JSON document, one parameter: the server turns it back
        # into rows, and JSON columns are nested in it as they are.
        self.recordset_sql = (
            f"INSERT INTO {quote.format_table(table)} ({names})"
            f" SELECT {names} FROM json_populate_recordset(NULL::{quote.format_table(table)}, %s)"
        )
        # JSON columns nest in it as they are; those already encoded as fragments of it.
        nested: dict[str, Processor | None] = {
            name: (orjson.Fragment if name in encoded else None)
            if isinstance(table.c[name].type, JSON)
            else self.processors[name]
            for name in columns
        }
        self.record = _row_builder(columns, paths, nested, positional=False, attrs=from_attributes)

    def parameters(self, rows: Sequence[Any]) -> list[Any]:
        return list(map(self.row, rows))


def _row_builder(
    order: Sequence[str],
    paths: Mapping[str, str],
    processors: Mapping[str, Processor | None],
    *,
    positional: bool,
    attrs: bool,
) -> Callable[[Any], Any]:
    """One function turning a row (a mapping, or with ``attrs`` an object) into the driver's
    parameters, written out as a single tuple (or dict) expression: a generator over the columns
    costs three times as much, and intake builds two rows per alert. Each column is read from
    its path (its own name unless ``encoded`` gave another): a dictionary key (repr'd), or with
    ``attrs`` attributes, dotted, each checked to be a name."""
    namespace: dict[str, Any] = {}
    items = []
    for i, name in enumerate(order):
        path = paths[name]
        if attrs and not all(
            p.isidentifier() and not keyword.iskeyword(p) for p in path.split(".")
        ):
            raise ValueError(f"column {name!r} cannot be read as the attribute {path!r}")
        value = f"row.{path}" if attrs else f"row[{path!r}]"
        process = processors[name]
        if isinstance(process, _Memo):
            # A dictionary lookup inline, the call only for a value not seen yet: a call per
            # value cost about as much as the rest of a row (intake's rows hold six datetimes).
            namespace[f"p{i}"], namespace[f"s{i}"] = process, process.seen
            value = f"(s{i}[v{i}] if (v{i} := {value}) in s{i} else p{i}(v{i}))"
        elif process is not None:
            namespace[f"p{i}"] = process
            value = f"p{i}({value})"
        items.append(value if positional else f"{name!r}: {value}")
    body = f"({', '.join(items)},)" if positional else f"{{{', '.join(items)}}}"
    built: Callable[[Any], Any] = eval(f"lambda row: {body}", namespace)
    return built


_Key = tuple[str, tuple[str, ...], str, bool, tuple[tuple[str, str], ...]]
_CACHE: dict[_Key, _Compiled] = {}


def insert_rows(
    connection: Connection,
    table: Table,
    rows: Sequence[Any],
    columns: Sequence[str] | None = None,
    *,
    from_attributes: bool = False,
    encoded: Mapping[str, str] | None = None,
) -> None:
    """INSERT ``rows`` into ``table`` in one statement (or one COPY): mappings, or with
    ``from_attributes`` objects whose attributes are the columns. ``columns`` default to the
    first mapping's keys; rows may hold more than those. ``encoded`` maps JSON columns to where
    each row holds that column's value already as JSON text (``json_text``, done ahead of the
    write): a key, or with ``from_attributes`` an attribute path such as ``draft.labels``."""
    insert_all(connection, [Insert(table, rows, columns, from_attributes, encoded)])


class Insert(NamedTuple):
    """One table's rows for ``insert_all`` (the arguments of ``insert_rows``)."""

    table: Table
    rows: Sequence[Any]
    columns: Sequence[str] | None = None
    from_attributes: bool = False
    encoded: Mapping[str, str] | None = None

    def compiled(self, dialect: Dialect) -> _Compiled:
        names = tuple(self.columns if self.columns is not None else self.rows[0])
        encoding = tuple(sorted((self.encoded or {}).items()))
        key = (self.table.name, names, dialect.name, self.from_attributes, encoding)
        compiled = _CACHE.get(key)
        if compiled is None:
            compiled = _CACHE[key] = _Compiled(
                self.table, names, dialect, self.from_attributes, dict(encoding)
            )
        return compiled


def one_statement(dialect: Dialect, inserts: Sequence[Insert]) -> bool:
    """Whether ``insert_all`` writes ``inserts`` in a single statement."""
    wanted = [part for part in inserts if part.rows]
    if len(wanted) == 1:
        return dialect.name != "postgresql" or len(wanted[0].rows) <= COPY_FROM
    return dialect.name == "postgresql" and all(len(part.rows) <= COPY_FROM for part in wanted)


# The execution option by which a connection may run statements outside a transaction
# (``autocommit``). An option of the Connection object, so it never follows its DBAPI
# connection back into the pool to someone else's.
AUTOCOMMIT = "warroom_autocommit"


@contextlib.contextmanager
def autocommit(connection: Connection) -> Iterator[None]:
    """On a PostgreSQL connection that opted in (execution option ``AUTOCOMMIT``) and has no
    transaction open, the statements inside commit each by itself: no BEGIN and COMMIT round
    trips. For a batch's first statement when it only reads (under READ COMMITTED each
    statement takes its own snapshot anyway), or for its only write. Anywhere else, and once a
    transaction is open, statements run as usual."""
    if not connection.get_execution_options().get(AUTOCOMMIT):
        yield
        return
    driver = connection.connection.driver_connection
    if driver is None or driver.info.transaction_status != _IDLE:
        yield
        return
    driver.autocommit = True
    try:
        yield
    finally:
        if driver.info.transaction_status == _IDLE:  # else the connection broke: it is dropped
            driver.autocommit = False


def insert_all(connection: Connection, inserts: Sequence[Insert]) -> None:
    """Each table's rows as ``insert_rows`` inserts them, in order. On PostgreSQL, when every
    table has only a few rows (each one JSON document), all in one statement, every INSERT but
    the last a data-modifying WITH of it: one round trip instead of one per table."""
    wanted = [part for part in inserts if part.rows]
    dialect = connection.dialect
    if len(wanted) > 1 and one_statement(dialect, wanted):
        compiled = [part.compiled(dialect) for part in wanted]
        ahead = ", ".join(f"w{n} AS ({c.recordset_sql})" for n, c in enumerate(compiled[:-1]))
        sql = f"WITH {ahead} {compiled[-1].recordset_sql}"
        documents = tuple(_document(c, part.rows) for c, part in zip(compiled, wanted, strict=True))
        with _driver(connection, sql) as cursor:
            cursor.execute(sql, documents)
        return
    for part in wanted:
        _insert(connection, part.compiled(dialect), part.rows)


def _document(compiled: _Compiled, rows: Sequence[Any]) -> str:
    """Rows as one JSON document for ``json_populate_recordset``."""
    records = list(map(compiled.record, rows))
    return orjson.dumps(records, option=orjson.OPT_NON_STR_KEYS).decode()


def _insert(connection: Connection, compiled: _Compiled, rows: Sequence[Any]) -> None:
    # The driver's own cursor: SQLAlchemy's execution path costs more than these statements.
    if connection.dialect.name != "postgresql":
        with _driver(connection, compiled.sql) as cursor:
            cursor.executemany(compiled.sql, compiled.parameters(rows))
    elif len(rows) <= COPY_FROM:
        # PostgreSQL, a few rows: one statement, one parameter, one round trip (COPY takes
        # two; an executemany costs the driver and the server a statement per row).
        with _driver(connection, compiled.recordset_sql) as cursor:
            cursor.execute(compiled.recordset_sql, (_document(compiled, rows),))
    else:
        # Many rows: COPY streams them, costing the server about half of what decoding them
        # from one JSON document does (each timestamp and number parsed from text).
        with (
            _driver(connection, compiled.copy_sql) as cursor,
            cursor.copy(compiled.copy_sql) as copy,
        ):
            for values in map(compiled.copy_row, rows):
                copy.write_row(values)


@contextlib.contextmanager
def _driver(connection: Connection, sql: str) -> Iterator[Any]:
    """The driver's own cursor on the connection (in its transaction). Its errors are raised
    as SQLAlchemy's (IntegrityError, OperationalError, ...), as a statement run through
    SQLAlchemy would raise them: callers retry on those. Parameters stay out of the message."""
    dbapi = connection.dialect.loaded_dbapi
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        yield cursor
    except dbapi.Error as exc:
        raise DBAPIError.instance(
            sql, None, exc, dbapi.Error, hide_parameters=True, dialect=connection.dialect
        ) from exc
    finally:
        cursor.close()


class Query:
    """A read for the intake hot path, compiled once per dialect and run on the driver's own
    cursor: SQLAlchemy's execution path (parameter and result processing, result objects)
    cost more than running a small statement. Parameters go through their types' bind
    processors; rows come back as plain tuples, so only columns needing no result processing
    (numbers, strings) belong in it."""

    def __init__(self, clause: ClauseElement) -> None:
        self.clause = clause
        self._compiled: dict[str, tuple[str, list[str] | None, dict[str, Processor | None]]] = {}

    def rows(self, connection: Connection, parameters: Mapping[str, Any]) -> list[Any]:
        sql, order, processors = self._for(connection.dialect)
        values = {
            name: value if (process := processors.get(name)) is None else process(value)
            for name, value in parameters.items()
        }
        arguments: Any = values if order is None else tuple(values[name] for name in order)
        with _driver(connection, sql) as cursor:
            cursor.execute(sql, arguments)
            return list(cursor.fetchall())

    def _for(self, dialect: Dialect) -> tuple[str, list[str] | None, dict[str, Processor | None]]:
        found = self._compiled.get(dialect.name)
        if found is None:
            compiled = cast(SQLCompiler, self.clause.compile(dialect=dialect))
            processors: dict[str, Processor | None] = {}
            for bind in compiled.binds.values():
                process = bind.type._cached_bind_processor(dialect)
                processors[bind.key] = _Memo(process) if process is not None else None
            order = list(compiled.positiontup) if compiled.positiontup is not None else None
            found = self._compiled[dialect.name] = (compiled.string, order, processors)
        return found


def execute(connection: Connection, sql: str) -> None:
    """Run a statement without parameters or rows on the driver's own cursor."""
    with _driver(connection, sql) as cursor:
        cursor.execute(sql)


def next_ids(connection: Connection, table: Table, n: int) -> list[int]:
    """``n`` fresh ids from a PostgreSQL table's serial sequence, in order."""
    found = connection.execute(_NEXT_IDS, {"table": table.name, "n": n})
    return sorted(int(i) for i in found.scalars())
