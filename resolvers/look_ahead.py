"""Looking ahead at a selection: each level of a list's relations fetched in one batch, before
its fields resolve, so that they resolve at once instead of each awaiting its loader.

A type's read paths say, per GraphQL field, which `Relation` holds its rows and which column
of the parent row is the key: data, the same declaration the field's resolver follows
(`follow`) and a look-ahead walks (`look_ahead`). A root field that lists rows (a page of
products, of orders) calls `look_ahead` with what the operation selects under each row; it
loads level by level, one statement per relation whatever the page size, as the loaders
would, and the resolvers then find their rows loaded (`Loaders.now_or_later`): no future,
task or turn of the event loop per item, which graphql-core otherwise pays for every async
field of every list item. A field the look-ahead did not reach still resolves, through its
loader, as before.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias, TypeVar, Union

from loaders.relations import Relation
from resolvers.context import Context

T = TypeVar("T")

# What a field resolver returns when its rows may or may not be loaded yet.
Soon: TypeAlias = Union[T, Awaitable[T]]  # noqa: UP007 - a generic alias needs Union

# What an operation selects below a row: each field's name (aliases and fragments merged)
# and what it selects below it in turn; a leaf selects nothing.
Selection = Mapping[str, "Selection"]


@dataclass(frozen=True)
class Step:
    """A field whose value is `relation`'s rows for the parent row's `key` attribute; `then`
    names the read paths of the rows it reaches, to look further ahead from them. Without a
    relation the field shows the parent's own row as another type (`then`)."""

    relation: Relation | None
    key: str = "id"
    then: str | None = None


# Read paths by GraphQL type name, each a mapping of field names to steps; each domain adds
# its own types (`resolvers.catalog.read_paths`, `resolvers.orders.read_paths`).
READ_PATHS: dict[str, dict[str, Step]] = {}


def follow(ctx: Context, step: Step, row: Any, build: Callable[[Any], T]) -> Soon[T]:
    """`build` of the step's rows for `row`: at once when loaded, else once the loader has."""
    assert step.relation is not None
    return ctx.loaders.now_or_later(step.relation, getattr(row, step.key), build)


async def look_ahead(
    ctx: Context, type_name: str, rows: Sequence[Any], selected: Selection
) -> None:
    """Load what `selected` reaches from `rows` (of `type_name`), one batch per step and level."""
    paths = READ_PATHS.get(type_name, {})
    for name, below in selected.items():
        step = paths.get(name)
        if step is None or not rows:
            continue
        if step.relation is None:
            if step.then is not None:
                await look_ahead(ctx, step.then, rows, below)
            continue
        keys = [key for row in rows if (key := getattr(row, step.key)) is not None]
        reached = await ctx.loaders.load_all(step.relation, keys)
        if step.then is not None and below:
            await look_ahead(ctx, step.then, _flattened(reached), below)


def _flattened(found: list[Any]) -> list[Any]:
    """The rows a step reached: lists (a to-many step) joined, misses (None) left out."""
    rows: list[Any] = []
    for item in found:
        if isinstance(item, list):
            rows.extend(item)
        elif item is not None:
            rows.append(item)
    return rows
