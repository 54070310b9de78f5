"""Piccolo queries compiled once per process and engine kind, then run with fresh values.

Building a Piccolo query (columns, joins through foreign keys, where clauses) and compiling it to SQL
costs more Python than the database spends answering a small indexed query: a quarter of a booking
request's server time went there. A query on a hot path whose shape never changes is written once,
as an ordinary Piccolo query over placeholders:

    BOOKING = Prepared(lambda booking_id: Booking.select(...).where(Booking.id == booking_id).first())
    row = await BOOKING.run(booking_id=42)

The first run on an engine kind builds it with `Param` markers in place of the values, compiles it
and keeps the SQL with each marker's position; later runs put the values in those positions and
hand the SQL to the engine as Piccolo would (same transaction, same pool, same result processing).
So the SQL is Piccolo's own, on both engines. Values must be plain (numbers, text, dates, booleans,
None): what Piccolo would convert first (rows, enums, JSON, lists for `is_in`) is refused.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from piccolo.columns.column_types import JSON, JSONB
from piccolo.columns.defaults.base import Default
from piccolo.query.base import Query
from piccolo.query.methods.select import First
from piccolo.query.proxy import Proxy
from piccolo.querystring import QueryString
from piccolo.utils.encoding import dump_json
from piccolo.utils.sql_values import convert_to_sql_value

_PLAIN = (int, float, str, bytes, bool, date, datetime, time, Decimal, type(None))


class Param:
    """A placeholder for a value in a prepared query."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"Param({self.name!r})"


def _frozen(querystring: QueryString, sql: str, args: list[Any]) -> QueryString:
    """A querystring the engine runs as it runs Piccolo's own (compile_string answers the frozen
    SQL and these arguments; query_type and table tell SQLite's engine what it runs)."""
    frozen = QueryString(sql, query_type=querystring.query_type, table=querystring.table)
    frozen._frozen_compiled_strings = (sql, args)
    return frozen


class _Compiled:
    __slots__ = ("args", "first", "query", "querystring", "sql")

    def __init__(self, built: Query | First, engine_type: str, names: tuple[str, ...]) -> None:
        self.first = isinstance(built, First)
        query = built.query if isinstance(built, First) else built
        if not isinstance(query, Query) or isinstance(query, Proxy):
            raise TypeError(f"a prepared query is a Piccolo query or its .first(), not {built!r}")
        (querystring,) = query.querystrings
        sql, args = querystring.compile_string(engine_type=engine_type)
        found = {arg.name for arg in args if isinstance(arg, Param)}
        if found != set(names):
            raise TypeError(f"a prepared query must use each of its values once or more: {names}")
        self.query, self.querystring, self.sql, self.args = query, querystring, sql, args

    def with_values(self, values: dict[str, Any]) -> QueryString:
        args = [values[arg.name] if isinstance(arg, Param) else arg for arg in self.args]
        return _frozen(self.querystring, self.sql, args)


class Prepared:
    """A Piccolo query of fixed shape, compiled once per engine kind (see the module's doc)."""

    def __init__(self, build: Callable[..., Query | First]) -> None:
        self._build = build
        self._names = tuple(inspect.signature(build).parameters)
        self._built: Query | First | None = None  # built once, over Param markers
        self._compiled: dict[str, _Compiled] = {}

    def _for(self, engine_type: str) -> _Compiled:
        compiled = self._compiled.get(engine_type)
        if compiled is None:
            compiled = self._compiled[engine_type] = _Compiled(self._built, engine_type, self._names)
        return compiled

    async def run(self, **values: Any) -> Any:
        """Run with these values; answers what the Piccolo query would."""
        if set(values) != set(self._names):
            raise TypeError(f"a prepared query needs exactly {self._names}, got {tuple(values)}")
        for name, value in values.items():
            if not isinstance(value, _PLAIN):
                raise TypeError(f"a prepared query takes plain values: {name}={value!r}")
        if self._built is None:
            self._built = self._build(*(Param(name) for name in self._names))
        table = (self._built.query if isinstance(self._built, First) else self._built).table
        engine = table._meta.db  # read each time: tests point the tables at another engine
        compiled = self._for(engine.engine_type)
        raw = await engine.run_querystring(compiled.with_values(values))
        rows = await compiled.query._process_results(raw)
        if compiled.first:
            return rows[0] if rows else None
        return rows


class PreparedInsert:
    """`INSERT INTO table (every column) VALUES (...) RETURNING ...`, compiled once per engine kind.

    Building a Piccolo row (Table(...)) and its insert walks every column twice; for a table of
    thirty columns that cost more than the insert itself. Here the statement is Piccolo's own,
    compiled with a placeholder for every column but the primary key; each run fills the columns
    given, gives the others their defaults as Table(...) would (a callable default is called on
    each run, never frozen into the statement), and converts values as Piccolo does (rows, enums,
    JSON)."""

    def __init__(self, table: Any, returning: tuple[Any, ...] = ()) -> None:
        self._table = table
        self._returning = returning or (table._meta.primary_key,)
        self._columns = [column for column in table._meta.columns if not column._meta.primary_key]
        self._by_name = {column._meta.name: column for column in self._columns}
        self._compiled: dict[str, tuple[Query, QueryString, str]] = {}

    def _for(self, engine_type: str) -> tuple[Query, QueryString, str]:
        compiled = self._compiled.get(engine_type)
        if compiled is None:
            row = self._table(**{name: Param(name) for name in self._by_name})
            query = self._table.insert(row).returning(*self._returning)
            (querystring,) = query.querystrings
            sql, args = querystring.compile_string(engine_type=engine_type)
            for column, arg in zip(self._columns, args, strict=True):
                self._check_placeholder(column, arg)
            compiled = self._compiled[engine_type] = (query, querystring, sql)
        return compiled

    def _check_placeholder(self, column: Any, arg: Any) -> None:
        """The compiled arguments are the columns' placeholders in column order (a JSON column's
        comes back dumped to JSON text; each run converts its value the same way)."""
        name = column._meta.name
        if isinstance(arg, Param) and arg.name == name:
            return
        if isinstance(column, (JSON, JSONB)) and arg == dump_json(Param(name)):
            return
        raise TypeError(f"a prepared insert into {self._table} would freeze {name}={arg!r}")

    def _value(self, column: Any, values: dict[str, Any]) -> Any:
        name = column._meta.name
        if name in values:
            value = values[name]
        else:  # as Table.__init__ gives a column left out
            value = column.get_default_value()
            if isinstance(value, Default):
                value = value.python()
            if value is None and not column._meta.null:
                raise ValueError(f"{name} wasn't provided")
        return convert_to_sql_value(value=value, column=column)

    async def run(self, values: dict[str, Any]) -> list[dict[str, Any]]:
        """Insert one row; answers the returned columns as Piccolo's insert would."""
        unknown = set(values) - set(self._by_name)
        if unknown:
            raise ValueError(f"Unrecognized columns - {sorted(unknown)}")
        engine = self._table._meta.db  # read each time: tests point the tables at another engine
        query, querystring, sql = self._for(engine.engine_type)
        args = [self._value(column, values) for column in self._columns]
        return await query._process_results(await engine.run_querystring(_frozen(querystring, sql, args)))
