"""The baseline's facets sidebar (`bench/reads_baseline.py`) for one product type without spec
conditions: per filterable attribute its values counted over the type's active products, and
the countries of origin, counted straight from the products' specs."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import asyncpg

# TradeQL keeps at most this many values a key, most frequent first.
MAX_FACET_VALUES = 50

ATTRIBUTES = """
select a.key, a.kind, a.allowed_values
from attribute_definitions a join product_types t on t.id = a.product_type_id
where t.slug = $1 and a.filterable
order by a.position, a.key"""

# One row per product and value: a MULTI_ENUM spec counts once under each of its values.
VALUE_COUNTS = """
select a.key, v.value, count(*)
from products p
join product_types t on t.id = p.product_type_id
join attribute_definitions a on a.product_type_id = t.id and a.filterable
cross join lateral jsonb_array_elements_text(
    case when a.kind = 'multi_enum' then p.specs::jsonb -> a.key
         else jsonb_build_array(p.specs::jsonb -> a.key) end
) v(value)
where t.slug = $1 and p.status = 'active' and p.specs::jsonb ? a.key and a.kind <> 'number'
group by a.key, v.value"""

NUMBER_KEYS = """
select distinct a.key
from products p
join product_types t on t.id = p.product_type_id
join attribute_definitions a on a.product_type_id = t.id and a.filterable
where t.slug = $1 and p.status = 'active' and p.specs::jsonb ? a.key and a.kind = 'number'"""

COUNTRIES = """
select p.country_of_origin, count(*)
from products p join product_types t on t.id = p.product_type_id
where t.slug = $1 and p.status = 'active'
group by p.country_of_origin"""


def _ordered(kind: str, allowed: list[str], counts: list[tuple[str, int]]) -> list[Any]:
    top = sorted(counts, key=lambda value: (-value[1], value[0]))[:MAX_FACET_VALUES]
    if kind == "boolean":
        by_value = dict(top)
        top = [(v, by_value[v]) for v in ("true", "false") if v in by_value]
    elif kind != "text":
        order = {value: position for position, value in enumerate(allowed)}
        top.sort(key=lambda value: (order.get(value[0], len(order)), value[0]))
    return [{"value": value, "count": count} for value, count in top]


async def facets(connection: asyncpg.Connection, type_slug: str) -> tuple[dict[str, Any], int]:
    attributes = await connection.fetch(ATTRIBUTES, type_slug)
    counted: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for key, value, count in await connection.fetch(VALUE_COUNTS, type_slug):
        counted[key].append((value, count))
    numbers = {row[0] for row in await connection.fetch(NUMBER_KEYS, type_slug)}
    countries = sorted(
        await connection.fetch(COUNTRIES, type_slug), key=lambda row: (-row[1], row[0])
    )
    found = [
        {"key": key, "values": _ordered(kind, allowed, counted[key]) if key in counted else []}
        for key, kind, allowed in attributes
        if key in counted or key in numbers
    ]
    sidebar = {
        "attributes": found,
        "countriesOfOrigin": [{"value": value, "count": count} for value, count in countries],
    }
    return {"facets": sidebar}, 4
