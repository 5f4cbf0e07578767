"""Which attribute keys get a facet in a filter's scope, and what a facet knows of its key.

A key defined by several product types is one facet when its filterable definitions agree on
kind and unit; when they do not (a width in mm on one type, in inches on another), adding the
values would mislead, so the key is left out until the filter names a product type. A key that
only some of the types defining it make filterable is counted on those types' rows only.
"""

from __future__ import annotations

from dataclasses import dataclass

from models.catalog import AttributeDefinition, AttributeKind
from resolvers.catalog.spec_filters import AttributeCatalog


@dataclass(frozen=True)
class Facetable:
    """A key to count: its first filterable definition and, if only some of the types that
    define it make it filterable, those types' ids."""

    definition: AttributeDefinition
    allowed: tuple[str, ...]
    type_ids: tuple[int, ...] | None

    @property
    def key(self) -> str:
        return self.definition.key

    @property
    def kind(self) -> AttributeKind:
        return AttributeKind(self.definition.kind)


def facetable_attributes(scope: AttributeCatalog) -> list[Facetable]:
    """The keys in scope that get a facet, in the order of their first filterable definition."""
    found = []
    for scoped in scope.by_key.values():
        filterable = [s.definition for s in scoped if s.definition.filterable]
        if not filterable or len({(d.kind, d.unit) for d in filterable}) > 1:
            continue
        allowed = tuple(dict.fromkeys(v for d in filterable for v in d.allowed_values))
        partial = len(filterable) != len(scoped)
        type_ids = tuple(d.product_type_id for d in filterable) if partial else None
        found.append(Facetable(filterable[0], allowed, type_ids))
    order = {id(scoped.definition): n for n, scoped in enumerate(scope.attributes)}
    return sorted(found, key=lambda facetable: order[id(facetable.definition)])
