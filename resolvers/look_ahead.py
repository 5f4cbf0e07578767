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

from loaders.relations import Relation, narrowed
from resolvers.context import Context

T = TypeVar("T")

# What a field resolver returns when its rows may or may not be loaded yet.
Soon: TypeAlias = Union[T, Awaitable[T]]  # noqa: UP007 - a generic alias needs Union

# What an operation selects below a row: each field's name (aliases and fragments merged)
# and what it selects below it in turn; a leaf selects nothing.
Selection = Mapping[str, "Selection"]


class Selected(dict[str, Any]):
    """A `Selection` that also holds the arguments of each occurrence of its field (two with
    aliases, `usd: price(currency: "USD")` and `eur: price(currency: "EUR")`, give two)."""

    def __init__(self, below: Selection | None = None) -> None:
        super().__init__(below or {})
        self.arguments: list[dict[str, Any]] = list(getattr(below, "arguments", ()))


@dataclass(frozen=True)
class Narrowing:
    """A field's argument that narrows its relation to the rows whose `column` holds the
    argument's value (`priceTiers(currency:)`): `accepts` tells the values worth a relation
    of their own, the others (a mistyped code the resolver refuses) take the whole relation."""

    argument: str
    column: str
    accepts: Callable[[Any], bool]


@dataclass(frozen=True)
class Step:
    """A field whose value is `relation`'s rows for the parent row's `key` attribute; `then`
    names the read paths of the rows it reaches, to look further ahead from them. Without a
    relation the field shows the parent's own row as another type (`then`). With `narrow`,
    the field's argument picks a narrower relation (`relation_for`)."""

    relation: Relation | None
    key: str = "id"
    then: str | None = None
    narrow: Narrowing | None = None

    def relation_for(self, value: Any = None) -> Relation:
        """The relation read for the narrowing argument's `value` (None: not given)."""
        assert self.relation is not None
        if self.narrow is None or value is None or not self.narrow.accepts(value):
            return self.relation
        return narrowed(self.relation, self.narrow.column, value)


# Read paths by GraphQL type name, each a mapping of field names to steps; each domain adds
# its own types (`resolvers.catalog.read_paths`, `resolvers.orders.read_paths`).
READ_PATHS: dict[str, dict[str, Step]] = {}


def follow(
    ctx: Context, step: Step, row: Any, build: Callable[[Any], T], narrow_by: Any = None
) -> Soon[T]:
    """`build` of the step's rows for `row` (narrowed by the argument's value `narrow_by`):
    at once when loaded, else once the loader has."""
    relation = step.relation_for(narrow_by)
    return ctx.loaders.now_or_later(relation, getattr(row, step.key), build)


async def look_ahead(
    ctx: Context, type_name: str, rows: Sequence[Any], selected: Selection
) -> None:
    """Load what `selected` reaches from `rows` (of `type_name`), one batch per step and level.
    A narrowed relation whose wider one this level reads anyway is not read apart: its rows
    are among the wider one's (`Loaders.now_or_later` picks them there)."""
    if not rows:
        return
    paths = READ_PATHS.get(type_name, {})
    planned = [
        (step, below, _relations(step, below))
        for name, below in selected.items()
        if (step := paths.get(name)) is not None
    ]
    read_anyway = {relation for _, _, relations in planned for relation in relations}
    for step, below, relations in planned:
        if step.relation is None:
            if step.then is not None:
                await look_ahead(ctx, step.then, rows, below)
            continue
        keys = [key for row in rows if (key := getattr(row, step.key)) is not None]
        for relation in relations:
            wider = relation.wider if relation.wider in read_anyway else None
            reached = await ctx.loaders.load_all(wider or relation, keys)
            if step.then is not None and below:
                if wider is not None:
                    reached = [relation.kept(found) for found in reached]
                await look_ahead(ctx, step.then, _flattened(reached), below)


def _relations(step: Step, selected: Selection) -> list[Relation]:
    """The relations a step reads for the occurrences of its field: one per value of its
    narrowing argument; none for a step that shows the parent's own row."""
    if step.relation is None:
        return []
    if step.narrow is None:
        return [step.relation_for()]
    occurrences: list[dict[str, Any]] = getattr(selected, "arguments", None) or [{}]
    argument = step.narrow.argument
    return list(dict.fromkeys(step.relation_for(args.get(argument)) for args in occurrences))


def _flattened(found: list[Any]) -> list[Any]:
    """The rows a step reached: lists (a to-many step) joined, misses (None) left out."""
    rows: list[Any] = []
    for item in found:
        if isinstance(item, list):
            rows.extend(item)
        elif item is not None:
            rows.append(item)
    return rows
