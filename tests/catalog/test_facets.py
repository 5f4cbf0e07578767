"""Facets: what a storefront sidebar shows beside each filter value, on PostgreSQL and SQLite.

The main check generates a catalog, asks for facets under several filters and compares them
with a straightforward recomputation in Python over the products the test created.
"""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

import pytest

from core.db import Database
from models.catalog import AttributeDefinition, ProductStatus
from models.catalog.discovery import COUNTRY_KEY
from resolvers.catalog.facet_buckets import bucket_index, number_buckets
from resolvers.catalog.facet_groups import sidebar_groups
from resolvers.catalog.facet_keys import facetable_attributes
from resolvers.catalog.facet_values import MAX_FACET_VALUES
from resolvers.catalog.product_filters import ProductFilter, compile_filter
from resolvers.catalog.spec_filters import AttributeCatalog, SpecFilter, SpecValue
from tests.builders import make_category, make_product
from tests.catalog.discovery_catalog import (
    BEARING_ATTRIBUTES,
    FABRIC_ATTRIBUTES,
    make_product_type,
    seed_discovery_catalog,
)
from tests.graphql_client import GraphQLClient

FACETS = """
query Facets($filter: ProductFilter) {
  facets(filter: $filter) {
    attributes {
      key label kind unit
      values { value count }
      numbers { min max buckets { from to count } }
    }
    countriesOfOrigin { value count }
  }
}
"""
COUNTRIES = ("IN", "CN", "TR", "JP", "DE")
TYPES = {"fabric": FABRIC_ATTRIBUTES, "bearing": BEARING_ATTRIBUTES}


def _draft_specs(rng: random.Random, type_name: str) -> dict[str, Any]:
    def maybe(value: Any) -> Any:
        return value if rng.random() < 0.8 else None

    if type_name == "fabric":
        specs = {
            # often one of a few common weights, else any: more distinct weights than a
            # facet lists, so their buckets are counted in SQL rather than from the values
            "gsm": rng.choice([120, 155.5]) if rng.random() < 0.3 else rng.randint(80, 360),
            "weave": rng.choice(["plain", "twill", "satin"]),
            "organic": maybe(rng.random() < 0.4),
            "certifications": maybe(rng.sample(["GOTS", "OEKO-TEX", "BCI"], rng.randint(1, 3))),
            "composition": rng.choice(["100% cotton", "100% linen", "55% linen 45% cotton"]),
            "colour": maybe(rng.choice(["navy", "ecru", "black"])),
            "grade": rng.choice(["A", "B"]),
            "width": maybe(rng.choice([110, 145, 150])),
            "mill": "Surat",
        }
    else:
        specs = {
            "bore_mm": rng.choice([8, 10, 20, 25, 30]),
            "seal": rng.choice(["open", "ZZ", "2RS"]),
            "colour": maybe(rng.choice(["black", "silver"])),
            "grade": rng.choice(["A", "B", "C"]),
            "width": rng.choice([7, 14, 17.25]),
        }
    return {key: value for key, value in specs.items() if value is not None}


async def _seed_random_catalog(db: Database, count: int) -> list[dict[str, Any]]:
    """`count` products of two types with random specs; what the recomputation reads."""
    rng = random.Random(20261125)
    products = []
    async with db.session() as session:
        category = await make_category(session)
        types = {name: await make_product_type(session, name, TYPES[name]) for name in TYPES}
        for _ in range(count):
            type_name = rng.choice(list(TYPES))
            product: dict[str, Any] = {
                "type": type_name,
                "specs": _draft_specs(rng, type_name),
                "country": rng.choice(COUNTRIES),
                "active": rng.random() < 0.9,
            }
            await make_product(
                session,
                product_type=types[type_name],
                category=category,
                specs=product["specs"],
                country_of_origin=product["country"],
                status=ProductStatus.ACTIVE if product["active"] else ProductStatus.DRAFT,
                flush=False,  # one flush for all: the derived rows of a batch, written once
            )
            products.append(product)
        await session.commit()
        type_slugs = {name: product_type.slug for name, product_type in types.items()}
    for product in products:
        product["type_slug"] = type_slugs[product["type"]]
    return products


def _filterable(type_name: str) -> dict[str, tuple[Any, str | None]]:
    return {a[0]: (a[2], a[3]) for a in TYPES[type_name] if a[4]}


def _matches(product: dict[str, Any], condition: dict[str, Any]) -> bool:
    key = condition["attribute"]
    if key not in _filterable(product["type"]) or key not in product["specs"]:
        return False
    value = product["specs"][key]
    members = value if isinstance(value, list) else [value]
    if "equals" in condition:
        (wanted,) = condition["equals"].values()
        return any(
            member is wanted or (member == wanted and not isinstance(member, bool))
            for member in members
        )
    if "oneOf" in condition:
        return any(member in condition["oneOf"] for member in members)
    low, high = condition["range"].get("min"), condition["range"].get("max")
    return (low is None or value >= low) and (high is None or value <= high)


def _recompute(
    products: list[dict[str, Any]], product_filter: dict[str, Any], type_name: str | None
) -> dict[str, Any]:
    """Facets by definition: for each key, the products matching every condition but its own."""
    visible = [p for p in products if p["active"] and type_name in (None, p["type"])]
    specs = product_filter.get("specs", [])
    countries = product_filter.get("countryOfOrigin")

    def matching(without_key: str | None = None, without_country: bool = False) -> list[Any]:
        return [
            p
            for p in visible
            if (without_country or countries is None or p["country"] in countries)
            and all(_matches(p, c) for c in specs if c["attribute"] != without_key)
        ]

    in_scope = [type_name] if type_name else list(TYPES)
    kinds: dict[str, set[tuple[Any, str | None]]] = {}
    for name in in_scope:
        for key, kind_unit in _filterable(name).items():
            kinds.setdefault(key, set()).add(kind_unit)
    facets: dict[str, Any] = {}
    for key, kind_units in kinds.items():
        if len(kind_units) > 1:  # same key, different kind or unit: no facet
            continue
        ((kind, _unit),) = kind_units
        values = [
            p["specs"][key]
            for p in matching(without_key=key)
            if key in _filterable(p["type"]) and key in p["specs"]
        ]
        if not values:
            continue
        if kind == "number":
            low, high = min(values), max(values)
            buckets = number_buckets(low, high)
            counts = Counter(bucket_index(value, buckets) for value in values)
            facets[key] = {
                "min": low,
                "max": high,
                "buckets": [(b.lower, b.upper, counts[i]) for i, b in enumerate(buckets)],
            }
        else:
            members = [
                str(member).lower() if isinstance(member, bool) else member
                for value in values
                for member in (value if isinstance(value, list) else [value])
            ]
            facets[key] = dict(Counter(members))
    countries_counted = Counter(p["country"] for p in matching(without_country=True))
    return {"attributes": facets, "countries": dict(countries_counted)}


def _as_recomputed(data: dict[str, Any]) -> dict[str, Any]:
    facets: dict[str, Any] = {}
    for facet in data["facets"]["attributes"]:
        if facet["numbers"] is not None:
            numbers = facet["numbers"]
            facets[facet["key"]] = {
                "min": numbers["min"],
                "max": numbers["max"],
                "buckets": [(b["from"], b["to"], b["count"]) for b in numbers["buckets"]],
            }
        else:
            facets[facet["key"]] = {v["value"]: v["count"] for v in facet["values"]}
    countries = {v["value"]: v["count"] for v in data["facets"]["countriesOfOrigin"]}
    return {"attributes": facets, "countries": countries}


FILTERS = [
    pytest.param({}, None, id="no-filter"),
    pytest.param({"specs": [{"attribute": "weave", "oneOf": ["twill", "plain"]}]}, None,
                 id="enum-one-of"),
    pytest.param({"specs": [{"attribute": "gsm", "range": {"min": 120, "max": 260}},
                            {"attribute": "organic", "equals": {"boolean": True}}]}, None,
                 id="range-and-boolean"),
    # Each key's alternatives are counted over the products of the other two.
    pytest.param({"specs": [{"attribute": "gsm", "range": {"min": 100, "max": 300}},
                            {"attribute": "organic", "equals": {"boolean": True}},
                            {"attribute": "weave", "oneOf": ["twill", "plain"]}]}, "fabric",
                 id="three-keys-within-a-type"),
    pytest.param({"countryOfOrigin": ["IN", "TR"],
                  "specs": [{"attribute": "grade", "equals": {"text": "A"}}]}, None,
                 id="country-and-shared-key"),
    pytest.param({"specs": [{"attribute": "bore_mm", "range": {"min": 20}},
                            {"attribute": "seal", "oneOf": ["2RS", "ZZ"]}]}, "bearing",
                 id="product-type-and-specs"),
    pytest.param({"specs": [{"attribute": "certifications", "equals": {"text": "GOTS"}},
                            {"attribute": "certifications", "equals": {"text": "BCI"}},
                            {"attribute": "colour", "oneOf": ["navy", "black"]}]}, None,
                 id="two-conditions-on-one-key"),
    pytest.param({"specs": [{"attribute": "gsm", "equals": {"number": 155.5}}]}, "fabric",
                 id="fractional-equals"),
    pytest.param({"specs": [{"attribute": "weave", "equals": {"text": "satin"}}]}, "fabric",
                 id="enum-equals-within-a-type"),
    # One key's conditions besides a type: counted from facet_pair_counts (see below).
    pytest.param({"countryOfOrigin": ["IN", "JP"]}, None, id="countries-alone"),
    pytest.param({"specs": [{"attribute": "certifications", "equals": {"text": "GOTS"}}]},
                 "fabric", id="multi-enum-equals"),
    pytest.param({"specs": [{"attribute": "organic", "equals": {"boolean": False}}]}, "fabric",
                 id="boolean-equals"),
    pytest.param({"specs": [{"attribute": "bore_mm", "range": {"min": 10, "max": 25}}]},
                 "bearing", id="range-within-a-type"),
    pytest.param({"specs": [{"attribute": "gsm", "range": {"min": 100}},
                            {"attribute": "gsm", "range": {"max": 200}}]}, None,
                 id="two-ranges-on-one-number"),
    pytest.param({"specs": [{"attribute": "colour", "equals": {"text": "black"}}]}, None,
                 id="key-filterable-on-one-type-only"),
    pytest.param({"countryOfOrigin": ["CN"], "specs": [{"attribute": "seal",
                                                        "equals": {"text": "ZZ"}}]},
                 "bearing", id="a-country-and-a-spec"),
    # A product may have several of the values: counted product by product.
    pytest.param({"specs": [{"attribute": "certifications", "oneOf": ["GOTS", "BCI"]}]},
                 "fabric", id="multi-enum-one-of-two"),
]  # fmt: skip


@pytest.mark.parametrize(("product_filter", "type_name"), FILTERS)
async def test_facets_equal_a_straightforward_recomputation(
    any_db: Database,
    any_client: GraphQLClient,
    product_filter: dict[str, Any],
    type_name: str | None,
) -> None:
    # given 160 products of two types with random specs, countries and statuses
    products = await _seed_random_catalog(any_db, 160)
    weights = {p["specs"]["gsm"] for p in products if p["type"] == "fabric" and p["active"]}
    assert len(weights) > MAX_FACET_VALUES, "some buckets are counted in SQL, some in Python"
    variables = dict(product_filter)
    if type_name is not None:
        slug = next(p["type_slug"] for p in products if p["type"] == type_name)
        variables["productTypeSlug"] = slug
    # when the storefront asks for facets under a filter
    data = await any_client.data(FACETS, {"filter": variables})
    # then they are the counts computed by definition from the products created
    assert _as_recomputed(data) == _recompute(products, product_filter, type_name)


SOURCES = [
    pytest.param({}, {None: "facet_value_counts"}, id="no-filter"),
    pytest.param({"specs": [{"attribute": "weave", "equals": {"text": "twill"}}]},
                 {None: "facet_pair_counts", "weave": "facet_value_counts"}, id="one-pick"),
    pytest.param({"countryOfOrigin": ["IN"]},
                 {None: "facet_pair_counts", COUNTRY_KEY: "facet_value_counts"}, id="a-country"),
    pytest.param({"countryOfOrigin": ["IN"],
                  "specs": [{"attribute": "weave", "equals": {"text": "twill"}}]},
                 {None: "product_spec_values", "weave": "facet_pair_counts",
                  COUNTRY_KEY: "facet_pair_counts"}, id="two-picks"),
    pytest.param({"specs": [{"attribute": "weave", "equals": {"text": "twill"}},
                            {"attribute": "organic", "equals": {"boolean": True}},
                            {"attribute": "colour", "equals": {"text": "navy"}}]},
                 {None: "product_spec_values", "weave": "product_spec_values",
                  "organic": "product_spec_values", "colour": "product_spec_values"},
                 id="three-picks"),
    pytest.param({"specs": [{"attribute": "certifications", "oneOf": ["GOTS", "BCI"]}]},
                 {None: "products", "certifications": "facet_value_counts"},
                 id="several-values-of-one-product"),
    pytest.param({"search": "cotton"}, {None: "products"}, id="a-search"),
]  # fmt: skip


@pytest.mark.parametrize(("product_filter", "sources"), SOURCES)
def test_a_sidebar_with_at_most_one_picked_key_reads_only_the_count_tables(
    product_filter: dict[str, Any], sources: dict[str | None, str]
) -> None:
    # given the attribute catalog of the fabric type, and a filter within that type
    catalog = AttributeCatalog.of(
        (AttributeDefinition(id=n, product_type_id=1, key=a[0], label=a[1], kind=a[2],
                             unit=a[3], filterable=a[4], allowed_values=list(a[5])), "fabric")
        for n, a in enumerate(FABRIC_ATTRIBUTES)
    )  # fmt: skip
    specs = [_spec_filter(spec) for spec in product_filter.get("specs", [])]
    given = ProductFilter(
        product_type_id=None,
        search=product_filter.get("search"),
        country_of_origin=product_filter.get("countryOfOrigin"),
        specs=specs,
    )
    conditions = compile_filter(given, catalog=catalog)
    # when the sidebar's product sets are chosen
    groups = sidebar_groups(conditions, facetable_attributes(catalog), countries=True)
    # then each set whose conditions are a scope plus at most one key's is a count table's,
    # a set of attribute values is found in spec rows, and any other set in products
    found = {_own_key(conditions, group): _source(group) for group in groups}
    assert found == sources


def _source(group: Any) -> str:
    """The table the group counts from, or, for a product set, where it finds the set."""
    if group.products is None:
        return str(group.table.name)
    (found,) = group.products.element.get_final_froms()
    return str(found.name)


def _spec_filter(spec: dict[str, Any]) -> SpecFilter:
    equals = spec.get("equals")
    return SpecFilter(
        attribute=spec["attribute"],
        equals=None if equals is None else SpecValue(**equals),
        one_of=spec.get("oneOf"),
    )


def _own_key(conditions: Any, group: Any) -> str | None:
    """The key whose conditions the group's set leaves out."""
    if group.facetables and group.facetables[0].key in conditions.specs:
        return str(group.facetables[0].key)
    if group.countries and conditions.country is not None:
        return COUNTRY_KEY
    return None


async def test_facets_show_alternatives_in_the_types_order_with_labels_and_units(
    any_db: Database, any_client: GraphQLClient
) -> None:
    # given the hand-made catalog, when a buyer has picked twill fabrics
    catalog = await seed_discovery_catalog(any_db)
    data = await any_client.data(
        FACETS,
        {
            "filter": {
                "productTypeSlug": catalog.fabric_slug,
                "specs": [{"attribute": "weave", "equals": {"text": "twill"}}],
            }
        },
    )
    facets = {facet["key"]: facet for facet in data["facets"]["attributes"]}
    # then the weave facet still offers every weave, in the type's order
    assert facets["weave"]["values"] == [
        {"value": "plain", "count": 2},
        {"value": "twill", "count": 2},
        {"value": "satin", "count": 1},
    ]
    assert facets["weave"]["kind"] == "ENUM"
    # and the other facets count the twill fabrics only (Bleached 220 and Twill 260)
    assert facets["organic"]["values"] == [
        {"value": "true", "count": 1},
        {"value": "false", "count": 1},
    ]
    gsm = facets["gsm"]
    assert (gsm["label"], gsm["unit"], gsm["kind"]) == ("Fabric weight", "g/m²", "NUMBER")
    assert (gsm["numbers"]["min"], gsm["numbers"]["max"]) == (220, 260)
    buckets = gsm["numbers"]["buckets"]
    assert (buckets[0]["from"], buckets[-1]["to"]) == (220, 260)
    assert [b["count"] for b in buckets] == [1, 0, 0, 0, 0, 0, 0, 1]
    assert gsm["values"] == []
    # and a text attribute that is not filterable gets no facet
    assert "mill" not in facets
    assert [facet["key"] for facet in data["facets"]["attributes"]] == [
        "gsm", "weave", "organic", "certifications", "composition", "colour", "grade", "width",
    ]  # fmt: skip


async def test_a_key_shared_by_types_is_one_facet_only_where_kind_and_unit_agree(
    any_db: Database, any_client: GraphQLClient
) -> None:
    catalog = await seed_discovery_catalog(any_db)
    everything = await any_client.data(FACETS, {"filter": {}})
    facets = {facet["key"]: facet for facet in everything["facets"]["attributes"]}
    # grade is an ENUM on both types: one facet, fabric values then bearing-only ones
    assert facets["grade"]["values"] == [
        {"value": "A", "count": 5},
        {"value": "B", "count": 3},
        {"value": "C", "count": 1},
    ]
    # colour is filterable on fabrics only, so black bearings are not counted
    assert facets["colour"]["values"] == [
        {"value": "navy", "count": 2},
        {"value": "ecru", "count": 1},
        {"value": "black", "count": 2},
    ]
    # width is in cm on fabrics and mm on bearings: no facet until a type is chosen
    assert "width" not in facets
    bearings = await any_client.data(FACETS, {"filter": {"productTypeSlug": catalog.bearing_slug}})
    widths = {f["key"]: f for f in bearings["facets"]["attributes"]}["width"]
    assert widths["unit"] == "mm"
    assert (widths["numbers"]["min"], widths["numbers"]["max"]) == (14, 17.25)


async def test_country_facet_ignores_its_own_condition_but_not_the_others(
    any_db: Database, any_client: GraphQLClient
) -> None:
    await seed_discovery_catalog(any_db)
    data = await any_client.data(
        FACETS,
        {
            "filter": {
                "countryOfOrigin": ["IN"],
                "specs": [{"attribute": "grade", "equals": {"text": "A"}}],
            }
        },
    )
    # grade A: Bleached (IN), Duck (IN), Twill (IN), Groove (CN), Roller (DE)
    assert data["facets"]["countriesOfOrigin"] == [
        {"value": "IN", "count": 3},
        {"value": "CN", "count": 1},
        {"value": "DE", "count": 1},
    ]


async def test_a_filter_matching_nothing_has_no_facets(
    any_db: Database, any_client: GraphQLClient
) -> None:
    await seed_discovery_catalog(any_db)
    data = await any_client.data(FACETS, {"filter": {"search": "nothing-like-this"}})
    assert data["facets"] == {"attributes": [], "countriesOfOrigin": []}


async def test_many_distinct_numbers_between_two_whole_numbers_share_one_bucket(
    any_db: Database, any_client: GraphQLClient
) -> None:
    # given 60 weights from 100 to 101 in steps of a sixtieth: whole-number ends, one bucket
    async with any_db.session() as session:
        fabric = await make_product_type(session, "Fabric", FABRIC_ATTRIBUTES)
        category = await make_category(session)
        for index in range(61):
            await make_product(
                session,
                product_type=fabric,
                category=category,
                specs={"gsm": 100 + index / 60, "weave": "twill"},
            )
        await session.commit()
    body = await any_client.data(
        "{ facets { attributes { key numbers { min max buckets { from to count } } } } }"
    )
    gsm = {facet["key"]: facet for facet in body["facets"]["attributes"]}["gsm"]
    assert gsm["numbers"] == {
        "min": 100,
        "max": 101,
        "buckets": [{"from": 100, "to": 101, "count": 61}],
    }
