"""Relations declared as data, and the batch loaders derived from them.

A `Relation` says how to find the rows behind a field: which table, matched on which column,
one row or many, in what order, visible under which condition. Every loader is generated from
one declaration, so the field-to-SQL mapping lives in one place per type (the shape a compiled
read path needs later), and a page of 100 parents costs one statement per relation, as 1 does.

Visibility is a function of the caller: the loaders of a request are built for its principal
and add the relation's `visible` clause to every batch, so a row a caller may not see is a
miss on every path (a nested field, `node(id:)`), exactly like a row that does not exist.
Listings and counts apply the same clause through `Loaders.visible`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any, TypeVar

from aiodataloader import DataLoader
from sqlalchemy import ARRAY, ColumnElement, Integer, Select, String, any_, bindparam, select, true
from sqlalchemy.orm import Mapped
from sqlmodel import SQLModel

from auth.principal import ANONYMOUS, Principal
from core.prepared_reads import PreparedRead, prepare_read
from core.request_session import RequestSession, as_core, model_table

R = TypeVar("R")

# Which rows of a relation's table a caller may see, as a SQL condition.
Visibility = Callable[[Principal], ColumnElement[bool]]


@dataclass(frozen=True, eq=False)
class Relation:
    """Rows of `target` whose `match` column equals a key; one (`many=False`) or a list.
    `where` narrows them to rows whose named columns hold the values given (`narrowed`)."""

    name: str
    target: type[SQLModel]
    match: Mapped[Any]
    many: bool = False
    order_by: tuple[Any, ...] = ()
    visible: Visibility | None = field(default=None)
    where: tuple[tuple[str, Hashable], ...] = ()
    # The relation this one narrows: what it holds for a key is among what `wider` holds.
    wider: Relation | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        """`where` as SQL conditions on the target's columns."""
        return [getattr(self.target, column) == value for column, value in self.where]

    def kept(self, found: Any) -> Any:
        """What this relation holds of what its wider relation holds for a key."""
        if self.many:
            return [row for row in found if self._holds(row)]
        return found if found is not None and self._holds(found) else None

    def _holds(self, row: Any) -> bool:
        return all(getattr(row, column) == value for column, value in self.where)

    @property
    def match_key(self) -> str:
        """The attribute name of the matched column on the loaded rows."""
        key: str = self.match.key  # type: ignore[attr-defined]
        return key


class Loaders:
    """The per-request set of loaders: one DataLoader per relation, created on first use."""

    def __init__(self, session: RequestSession, principal: Principal = ANONYMOUS) -> None:
        self._session = session
        self.principal = principal
        self._loaders: dict[Relation, DataLoader[Hashable, Any]] = {}
        # What each relation's batches have answered so far, by key: a field whose rows are
        # here resolves at once, without a future, a task and a turn of the event loop.
        self._loaded: dict[Relation, dict[Hashable, Any]] = {}
        # Fields that found their rows not loaded and awaited a batch (`DEBUG_EXTENSIONS`).
        self.awaited = 0

    def visible(self, relation: Relation) -> ColumnElement[bool]:
        """The condition on `relation.target` rows this request's caller may see."""
        if relation.visible is None:
            return true()
        return relation.visible(self.principal)

    def close(self) -> None:
        """Forget every loader and row, at the end of the request. A loader's batch function
        refers back to these loaders, a cycle that only the garbage collector could free, and
        with it every row the request read: dropped here, they go at once."""
        self._loaders.clear()
        self._loaded.clear()

    def loader(self, relation: Relation) -> DataLoader[Hashable, Any]:
        loader = self._loaders.get(relation)
        if loader is None:
            loader = DataLoader(self._batch_function(relation), max_batch_size=BATCH_SIZE)
            self._loaders[relation] = loader
        return loader

    async def one(self, relation: Relation, key: Hashable) -> Any:
        assert not relation.many
        return await self._load(relation, key)

    async def many(self, relation: Relation, key: Hashable) -> list[Any]:
        assert relation.many
        rows: list[Any] = await self._load(relation, key)
        return rows

    async def _load(self, relation: Relation, key: Hashable) -> Any:
        """What `relation` holds for `key`: as loaded already (a look-ahead's batch, which
        passes by the loaders), else through its loader, batched with the other keys asked
        for in the same turn of the event loop."""
        loaded = self._loaded.get(relation)
        if loaded is not None and key in loaded:
            return loaded[key]
        return await self.loader(relation).load(key)

    def prime(self, relation: Relation, key: Hashable, value: Any) -> None:
        self.loader(relation).prime(key, value)
        self._loaded.setdefault(relation, {}).setdefault(key, value)

    def now_or_later(
        self, relation: Relation, key: Hashable, build: Callable[[Any], R]
    ) -> R | Awaitable[R]:
        """`build` of what `relation` holds for `key`: at once when a batch already loaded
        it (a look-ahead fetched the whole level), else an awaitable through the loader."""
        loaded = self._loaded.get(relation)
        if loaded is not None and key in loaded:
            return build(loaded[key])
        wider = self._loaded.get(relation.wider) if relation.wider is not None else None
        if wider is not None and key in wider:
            return build(relation.kept(wider[key]))
        self.awaited += 1
        return self._built_later(relation, key, build)

    async def _built_later(self, relation: Relation, key: Hashable, build: Callable[[Any], R]) -> R:
        return build(await self._load(relation, key))

    async def load_all(self, relation: Relation, keys: Sequence[Hashable]) -> list[Any]:
        """What `relation` holds for each of `keys`, those not loaded yet loaded in one batch
        (of at most BATCH_SIZE keys): a look-ahead's level. The batch function is called
        directly: the keys are all known, so a loader's future and callback per key, and
        its turn of the event loop, would buy nothing."""
        loaded = self._loaded.setdefault(relation, {})
        missing = [key for key in dict.fromkeys(keys) if key not in loaded]
        load = self._batch_function(relation)
        for start in range(0, len(missing), BATCH_SIZE):
            await load(missing[start : start + BATCH_SIZE])
        return [loaded[key] for key in keys]

    async def _rows(self, relation: Relation, keys: Sequence[Hashable]) -> Sequence[Any]:
        prepared = _prepared_read(relation, self._session.dialect)
        if prepared is not None:
            return await self._session.prepared_rows(prepared, {KEYS: list(keys)})
        shared = _shared_statement(relation, self._session.dialect)
        if shared is not None:
            return await self._session.core_rows(shared, {KEYS: list(keys)})
        statement: Select[Any] = select(relation.target).where(
            _matches_keys(relation.match, self._session.dialect, list(keys)),
            self.visible(relation),
            *relation.conditions(),
        )
        if relation.order_by:
            statement = statement.order_by(*relation.order_by)
        return await self._session.scalars(statement)

    def _batch_function(self, relation: Relation) -> Callable[[Sequence[Hashable]], Any]:
        async def load(keys: Sequence[Hashable]) -> list[Any]:
            rows = await self._rows(relation, keys)
            column = relation.match_key
            loaded = self._loaded.setdefault(relation, {})
            found: list[Any]
            if relation.many:
                grouped: dict[Hashable, list[Any]] = defaultdict(list)
                for row in rows:
                    grouped[getattr(row, column)].append(row)
                found = [grouped.get(key, []) for key in keys]
            else:
                by_key = {getattr(row, column): row for row in rows}
                found = [by_key.get(key) for key in keys]
            loaded.update(zip(keys, found, strict=True))
            return found

        return load


KEYS = "keys"
# The most keys one statement binds, by a loader's batch or a look-ahead's.
BATCH_SIZE = 1_000


@cache
def narrowed(relation: Relation, column: str, value: Hashable) -> Relation:
    """`relation` with only the rows whose `column` holds `value`: a relation of its own, one
    per value, so its batches and the rows loaded are its own. Callers pass checked values
    only (a currency code), which keeps the number of relations made bounded."""
    return replace(
        relation,
        name=f"{relation.name}[{column}={value}]",
        where=(*relation.where, (column, value)),
        wider=relation,
    )


@cache
def _shared_statement(relation: Relation, dialect: str) -> Select[Any] | None:
    """The Core statement of a relation every caller sees alike (no `visible`), read as rows:
    built once per process, with the keys bound at each batch, so a batch neither builds a
    statement nor computes its cache key anew. None for a relation that varies by caller or
    whose model is read as instances (`core.request_session`)."""
    whole = select(relation.target)
    if relation.visible is not None or model_table(whole) is None:
        return None
    statement = as_core(whole).where(_matches_keys(relation.match, dialect), *relation.conditions())
    return statement.order_by(*relation.order_by) if relation.order_by else statement


@cache
def _prepared_read(relation: Relation, dialect: str) -> PreparedRead | None:
    """The relation's shared statement ready for the driver (`core.prepared_reads`)."""
    shared = _shared_statement(relation, dialect)
    if shared is None or dialect != "postgresql":
        return None
    return prepare_read(shared, runtime=(KEYS,))


def _matches_keys(
    match: Mapped[Any], dialect: str, keys: list[Hashable] | None = None
) -> ColumnElement[bool]:
    """`match` is one of the batch's keys: `keys`, or the `KEYS` parameter of each run.

    On PostgreSQL an integer or string column (an id, a slug) is matched against one array
    parameter (`= ANY($1)`): the statement's text is then the same for any number of keys, so
    it is neither rendered again per batch (an expanding IN is, one placeholder per key) nor
    prepared again by asyncpg for each new count of keys, and a statement made per batch has
    one shape (`core.prepared_reads.prepared_statement`)."""
    column_type = match.type  # type: ignore[attr-defined]
    expanding = not (dialect == "postgresql" and isinstance(column_type, Integer | String))
    keys_type = column_type if expanding else ARRAY(column_type)
    bound = (
        bindparam(KEYS, type_=keys_type, expanding=expanding)
        if keys is None
        else bindparam(KEYS, keys, type_=keys_type, expanding=expanding)
    )
    return match.in_(bound) if expanding else match == any_(bound)
