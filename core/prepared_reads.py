"""Reads compiled once and run on the driver's own connection (asyncpg).

A relation's statement is the same for every batch of every request; only its keys change.
Run through SQLAlchemy, each batch still built an execution context, fired the execution
events, looked up the compiled form by the statement's cache key, went through the DBAPI
adapter's cursor, and made a `Row` whose attributes are found through its key map on every
read. For such a statement all of that is known once: the SQL text with `$n` placeholders,
the order of its parameters, its constant parameters already in the driver's form, and the
columns it returns. A `PreparedRead` holds them and makes each record a plain named tuple,
whose attributes are read like a tuple's items (the model's attribute names are its column
names, as `core.request_session` reads models).

The statement is the source of truth: the text is what SQLAlchemy compiles for the asyncpg
dialect, parameters pass through each type's bind processor and values through each column's
result processor, so a value comes back as SQLAlchemy would have returned it
(tests/core/test_prepared_reads.py holds the two paths equal). Anything the driver raises is
left to SQLAlchemy: the caller runs the statement again its way, which translates the error,
recognises a lost connection and invalidates it (`RequestSession.prepared_rows`).
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select
from sqlalchemy.dialects.postgresql.asyncpg import PGDialect_asyncpg
from sqlalchemy.sql.cache_key import CacheKey
from sqlalchemy.sql.compiler import SQLCompiler

from core.bounded import LruMapping

# Compiles with asyncpg's own placeholders ($1, $2, ...), in the order `positiontup` gives.
_DIALECT = PGDialect_asyncpg(paramstyle="numeric_dollar")  # type: ignore[no-untyped-call]

Processor = Callable[[Any], Any]


@dataclass(eq=False)
class PreparedRead:
    """A Core select with runtime parameters `runtime`, ready for the driver."""

    statement: Select[Any]
    sql: str
    # Each placeholder's parameter: a runtime name, or a constant already processed.
    _arguments: tuple[tuple[str | None, Any], ...]
    _bind_processors: dict[str, Processor]
    _row: Callable[[Sequence[Any]], tuple[Any, ...]]
    # Per column, the processor turning the driver's value into SQLAlchemy's, found from the
    # columns' types on the first run (a processor may depend on the type the server sends).
    _result_processors: list[tuple[int, Processor]] | None = field(default=None)
    # For a read shared by statements of one shape (`prepared_statement`): the name of each
    # of the statement's parameters, in the order its cache key lists their values.
    _extracted: tuple[str, ...] = ()

    def parameters_of(self, key: CacheKey) -> dict[str, Any]:
        """The parameters of a statement of this read's shape, from its cache key."""
        return {
            name: bind.effective_value
            for name, bind in zip(self._extracted, key.bindparams, strict=True)
        }

    def arguments(self, parameters: dict[str, Any]) -> list[Any]:
        """The driver's positional arguments for `parameters` (the runtime ones, by name)."""
        found = []
        for name, constant in self._arguments:
            if name is None:
                found.append(constant)
                continue
            found.append(_processed(self._bind_processors.get(name), parameters[name]))
        return found

    @property
    def knows_result_types(self) -> bool:
        return self._result_processors is not None

    def learn_result_types(self, oids: Sequence[int]) -> None:
        """Set the result processors from the type of each column, as the server sends it."""
        processors: list[tuple[int, Processor]] = []
        columns = self.statement.selected_columns
        for index, (column, oid) in enumerate(zip(columns, oids, strict=True)):
            process = column.type.dialect_impl(_DIALECT).result_processor(_DIALECT, oid)
            if process is not None:
                processors.append((index, process))
        self._result_processors = processors

    def rows(self, records: Sequence[Sequence[Any]]) -> list[tuple[Any, ...]]:
        """The driver's records as rows whose attributes are the statement's column keys."""
        make = self._row
        processors = self._result_processors
        if not processors:
            return [make(record) for record in records]
        rows = []
        for record in records:
            values = list(record)
            for index, process in processors:
                value = values[index]
                if value is not None:
                    values[index] = process(value)
            rows.append(make(values))
        return rows


# Statements built per request, by shape: a shape is what SQLAlchemy's compiled cache keys on
# (the statement without its parameters' values), so each is compiled once, as SQLAlchemy
# would. Bounded: shapes that stop coming are forgotten, oldest first.
SHAPES_KEPT = 500
_BY_SHAPE: LruMapping[Any, PreparedRead | None] = LruMapping(SHAPES_KEPT)


def prepared_statement(statement: Select[Any]) -> tuple[PreparedRead, dict[str, Any]] | None:
    """The read of `statement`'s shape and its parameters' values; None when the statement
    cannot be cached by SQLAlchemy or cannot be prepared (`prepare_read`)."""
    key = statement._generate_cache_key()
    if key is None:
        return None
    try:
        read = _BY_SHAPE[key.key]
    except KeyError:
        read = _prepared_shape(statement, key)
        _BY_SHAPE[key.key] = read
    return None if read is None else (read, read.parameters_of(key))


def _prepared_shape(statement: Select[Any], key: CacheKey) -> PreparedRead | None:
    if _selects_instances(statement):
        return None  # SQLAlchemy's ORM builds those; its rows are not the columns
    compiled = statement.compile(dialect=_DIALECT)
    if any(bind not in compiled.bind_names for bind in key.bindparams):
        return None
    extracted = tuple(compiled.bind_names[bind] for bind in key.bindparams)
    read = _prepared(statement, compiled, runtime=extracted)
    if read is not None:
        read._extracted = extracted
    return read


def _selects_instances(statement: Select[Any]) -> bool:
    """Whether `statement` selects a model or an alias of one, rather than columns."""
    for described in statement.column_descriptions:
        entity = described.get("entity")
        if entity is not None and (described["expr"] is entity or described.get("aliased")):
            return True
    return False


def prepare_read(statement: Select[Any], runtime: Sequence[str]) -> PreparedRead | None:
    """`statement` compiled for asyncpg, its parameters named in `runtime` to be given at
    each run. None, and the statement runs through SQLAlchemy as before, when its columns
    cannot be a named tuple's fields (an unnamed or repeated column) or its text depends on
    its values (an expanding IN, a value written into the text)."""
    return _prepared(statement, statement.compile(dialect=_DIALECT), runtime)


def _prepared(
    statement: Select[Any], compiled: SQLCompiler, runtime: Sequence[str]
) -> PreparedRead | None:
    # The names SQLAlchemy gives a row's columns (a function's is its name: `count`).
    keys = [described["name"] for described in statement.column_descriptions]
    try:
        row_type = namedtuple("PreparedRow", [key or "" for key in keys])  # type: ignore[misc]
    except ValueError:  # an unnamed column (""), a repeated name, one a field cannot have
        return None
    if compiled.post_compile_params or compiled.literal_execute_params:
        return None  # its text is only known once its values are (an expanding IN, `inline`)
    constants = compiled.construct_params({name: None for name in runtime})
    bind_processors: dict[str, Processor] = {}
    for name, bind in compiled.binds.items():
        process = bind.type.dialect_impl(_DIALECT).bind_processor(_DIALECT)
        if process is not None:
            bind_processors[name] = process
    arguments: list[tuple[str | None, Any]] = []
    for name in compiled.positiontup or ():
        if name in runtime:
            arguments.append((name, None))
            continue
        arguments.append((None, _processed(bind_processors.get(name), constants[name])))
    return PreparedRead(
        statement=statement,
        sql=compiled.string,
        _arguments=tuple(arguments),
        _bind_processors=bind_processors,
        _row=row_type._make,
    )


def _processed(process: Processor | None, value: Any) -> Any:
    return process(value) if process is not None and value is not None else value
