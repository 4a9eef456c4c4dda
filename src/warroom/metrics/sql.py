"""Portable SQL for durations: timestamps as seconds (differences are durations) and "N days
before", compiled for SQLite (julianday on the stored text) and PostgreSQL (epoch, intervals)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import DateTime


class days_before(FunctionElement[Any]):
    """The timestamp ``days`` days before ``moment``."""

    type = DateTime()
    inherit_cache = True
    name = "days_before"

    def __init__(self, moment: ColumnElement[Any], days: int) -> None:
        super().__init__(moment)
        self.days = int(days)


def _args(element: FunctionElement[Any], compiler: SQLCompiler, **kw: Any) -> list[str]:
    return [compiler.process(clause, **kw) for clause in element.clauses]


@compiles(days_before, "sqlite")
def _days_sqlite(element: days_before, compiler: SQLCompiler, **kw: Any) -> str:
    (moment,) = _args(element, compiler, **kw)
    # SQLite keeps timestamps as 'YYYY-MM-DD HH:MM:SS.ffffff' text; this yields comparable text.
    return f"strftime('%Y-%m-%d %H:%M:%f', {moment}, '-{element.days} days')"


@compiles(days_before)
def _days_default(element: days_before, compiler: SQLCompiler, **kw: Any) -> str:
    (moment,) = _args(element, compiler, **kw)
    return f"({moment} - INTERVAL '{element.days} days')"


class epoch_seconds(FunctionElement[float]):
    """A timestamp as seconds on a linear scale (differences are durations), NULL for NULL."""

    type = Float()
    inherit_cache = True
    name = "epoch_seconds"

    def __init__(self, moment: ColumnElement[Any]) -> None:
        super().__init__(moment)


@compiles(epoch_seconds, "sqlite")
def _epoch_sqlite(element: epoch_seconds, compiler: SQLCompiler, **kw: Any) -> str:
    (moment,) = _args(element, compiler, **kw)
    return f"(julianday({moment}) * 86400.0)"


@compiles(epoch_seconds)
def _epoch_default(element: epoch_seconds, compiler: SQLCompiler, **kw: Any) -> str:
    (moment,) = _args(element, compiler, **kw)
    # EXTRACT gives numeric on PostgreSQL 14+, which sorts far slower than a double.
    return f"CAST(EXTRACT(EPOCH FROM {moment}) AS DOUBLE PRECISION)"
