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


def prepare_read(statement: Select[Any], runtime: Sequence[str]) -> PreparedRead | None:
    """`statement` compiled for asyncpg, its parameters named in `runtime` to be given at
    each run. None, and the statement runs through SQLAlchemy as before, when its columns
    cannot be a named tuple's fields (an unnamed or repeated column) or its text depends on
    its values (an expanding IN)."""
    keys = [column.key for column in statement.selected_columns]
    try:
        row_type = namedtuple("PreparedRow", [key or "" for key in keys])  # type: ignore[misc]
    except ValueError:  # an unnamed column (""), a repeated name, one a field cannot have
        return None
    compiled = statement.compile(dialect=_DIALECT)
    if compiled.post_compile_params or any(bind.expanding for bind in compiled.binds.values()):
        return None  # its text is only known once its values are (an expanding IN)
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
