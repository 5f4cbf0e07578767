"""Read-side tables of catalog discovery, derived from products, variants and price tiers.

Spec values, from-prices, facet counts and search rows, each indexed for what the storefront
filters, sorts and counts on; what each table serves is in docs/design/catalog-discovery.md.
Nothing writes these rows but `core.catalog_index` (from the ORM flush hook and the seeder);
the functions here only say what the rows of one product are.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Computed,
    Double,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import TSVECTOR

from models.base import metadata

PG_ONLY = {"only_on": "postgresql"}
# What a listing by name needs of a spec row besides its value: scope and sort key.
LISTED = ["product_type_id", "category_id", "name"]
MAX_TEXT_VALUE_LENGTH = 500


def _value_index(column: str) -> Index:
    """The (attribute_key, value, product_id) index of one value column, over only the rows
    that hold a value there: a row holds one of three, and a condition on a value implies it
    is not null, so the other rows would only weigh on the cache and on every write."""
    holds = text(f"{column} IS NOT NULL")
    return Index(
        None,
        "attribute_key",
        column,
        "product_id",
        postgresql_include=LISTED,
        postgresql_where=holds,
        sqlite_where=holds,
    )


product_spec_values = Table(
    "product_spec_values",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("product_id", Integer, ForeignKey("products.id", ondelete="CASCADE"), nullable=False),
    # Copied from the product so facets can tell which type's attribute a value belongs to
    # (and whether it is filterable there) without joining products; with the category and
    # name, a listing of a type or category under one attribute's values is a range of one
    # index: it reads no product row but its page's.
    Column("product_type_id", Integer, nullable=False),
    Column("category_id", Integer, nullable=False),
    Column("name", String(200), nullable=False),
    Column("attribute_key", String(64), nullable=False),
    Column("value_text", String(MAX_TEXT_VALUE_LENGTH), nullable=True),
    # Spec numbers are JSON numbers: a double holds each exactly, so equality means equality.
    Column("value_number", Double, nullable=True),
    Column("value_bool", Boolean, nullable=True),
    # Filters and facets over one attribute read one of these and never the table.
    *(_value_index(column) for column in ("value_text", "value_number", "value_bool")),
    # All values of given products (facets over a filtered set), also without the table.
    Index(
        "ix_product_spec_values_product_rows",
        "product_id",
        "attribute_key",
        "value_text",
        "value_number",
        "value_bool",
    ),
)

product_prices = Table(
    "product_prices",
    metadata,
    Column(
        "product_id",
        Integer,
        ForeignKey("products.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("currency", String(3), primary_key=True),
    Column("from_price", Numeric(14, 4), nullable=False),
    Index(None, "currency", "from_price", "product_id"),
)

# Active products per spec value within one product type and category, kept by every writer
# of spec rows (`core.catalog_index`), so a facet whose other conditions are only a product
# type and/or category sums a few rows instead of counting the products. `value_key` is the
# value as one non-null string (`facet_value_key`), the typed columns are for reading; a
# value no product has any more keeps its row with `products` 0.
facet_value_counts = Table(
    "facet_value_counts",
    metadata,
    Column("product_type_id", Integer, primary_key=True),
    Column("category_id", Integer, primary_key=True),
    Column("attribute_key", String(64), primary_key=True),
    Column("value_key", String(MAX_TEXT_VALUE_LENGTH + 2), primary_key=True),
    Column("value_text", String(MAX_TEXT_VALUE_LENGTH), nullable=True),
    Column("value_number", Double, nullable=True),
    Column("value_bool", Boolean, nullable=True),
    Column("products", Integer, nullable=False),
)

# Active products per pair of values of two different attributes (the picked one and the
# counted one) within one product type and category: "bearings with bore 20 mm, per seal".
# Kept with `facet_value_counts`, by the same writers and the same deltas. A storefront's
# first click in a sidebar (a type or category page plus one picked value) then reads a few
# hundred rows whatever the catalog's size. The table grows with the distinct value pairs,
# not with the products: 6,600 rows for the 100,000-product demo catalog.
facet_pair_counts = Table(
    "facet_pair_counts",
    metadata,
    Column("product_type_id", Integer, primary_key=True),
    Column("category_id", Integer, primary_key=True),
    Column("picked_key", String(64), primary_key=True),
    Column("picked_value_key", String(MAX_TEXT_VALUE_LENGTH + 2), primary_key=True),
    Column("attribute_key", String(64), primary_key=True),
    Column("value_key", String(MAX_TEXT_VALUE_LENGTH + 2), primary_key=True),
    Column("picked_text", String(MAX_TEXT_VALUE_LENGTH), nullable=True),
    Column("picked_number", Double, nullable=True),
    Column("picked_bool", Boolean, nullable=True),
    Column("value_text", String(MAX_TEXT_VALUE_LENGTH), nullable=True),
    Column("value_number", Double, nullable=True),
    Column("value_bool", Boolean, nullable=True),
    Column("products", Integer, nullable=False),
    # A sidebar without a product type or category reads one picked key across all of them.
    Index(None, "picked_key", "attribute_key"),
)

# The country of origin as an attribute key, in the spec rows and the facet count tables;
# attribute keys cannot start with "@" (a CHECK on attribute_definitions), so it never meets
# a real key.
COUNTRY_KEY = "@country"

# Written exactly as PostgreSQL prints it back, so Alembic's drift check sees no change.
SEARCH_VECTOR_SQL = (
    "setweight(to_tsvector('simple'::regconfig, title), 'A'::\"char\") || "
    "setweight(to_tsvector('simple'::regconfig, body), 'B'::\"char\")"
)

product_search = Table(
    "product_search",
    metadata,
    Column(
        "product_id",
        Integer,
        ForeignKey("products.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("title", Text, nullable=False),
    Column("body", Text, nullable=False),
    # The product's name, for relevance ties: a search reads no product row but the page's.
    Column("name", String(200), nullable=False),
    Column("search_vector", TSVECTOR, Computed(SEARCH_VECTOR_SQL, persisted=True), info=PG_ONLY),
    Index(
        "ix_product_search_search_vector",
        "search_vector",
        postgresql_using="gin",
        info=PG_ONLY,
    ),
)

_WORD = re.compile(r"[^\W_]+")


def search_words(text: str) -> list[str]:
    """The words of `text` as search sees them: NFKC-folded, lowercase, letters and digits.

    Everything else separates words, so the SKU `BRG-000123-01` reads as `brg 000123 01` and
    a buyer finds it by any of those parts. Documents and queries go through this one function,
    and PostgreSQL's parser reads each resulting word as one token, so both dialects agree on
    what a word is.
    """
    return _WORD.findall(unicodedata.normalize("NFKC", text).lower())


def search_document(name: str, description: str, skus: Iterable[str]) -> dict[str, str]:
    """The `title` (name and SKUs, ranked higher) and `body` (description) of a product."""
    title = search_words(" ".join([name, *sorted(skus)]))
    return {"title": " ".join(title), "body": " ".join(search_words(description))}


def facet_value_key(text: str | None, number: float | None, boolean: bool | None) -> str:
    """One spec value as a non-null string, distinct across kinds: `t:cotton`, `n:20.0`, `b:1`."""
    if boolean is not None:
        return f"b:{int(boolean)}"
    if number is not None:
        return f"n:{float(number)!r}"
    return f"t:{text}"


def product_value_rows(
    product_id: int, product_type_id: int, specs: Mapping[str, Any], country_of_origin: str
) -> list[dict[str, Any]]:
    """All rows of a product in `product_spec_values`: its spec values and its country."""
    return spec_value_rows(product_id, product_type_id, {**specs, COUNTRY_KEY: country_of_origin})


def spec_value_rows(
    product_id: int, product_type_id: int, specs: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """The typed rows of a product's validated specs; the value's type picks the column."""
    rows: list[dict[str, Any]] = []
    for key, value in specs.items():
        members = value if isinstance(value, list) else [value]
        for member in members:
            row: dict[str, Any] = {
                "product_id": product_id,
                "product_type_id": product_type_id,
                "attribute_key": key,
                "value_text": None,
                "value_number": None,
                "value_bool": None,
            }
            if isinstance(member, bool):
                row["value_bool"] = member
            elif isinstance(member, int | float):
                row["value_number"] = float(member)
            else:
                row["value_text"] = str(member)
            rows.append(row)
    return rows
