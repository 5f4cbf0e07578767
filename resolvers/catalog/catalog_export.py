"""Writing the whole catalog as a catalog file (docs/api/catalog-files.md): a ZIP of CSVs.

Categories, product types and their attributes, products in every status, variants, price
ladders and stock on hand, keyed by slugs and SKUs, never database ids, so the file loads into
another database. Cells a spreadsheet would run as formulas are prefixed (`safe_cell`).
History (the stock ledger, the audit log) is not part of a catalog. Staff export over HTTP
with `exportCatalog`, which stores the file and answers a download link.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core.stored_files import StoredBy, store_file
from models.catalog import (
    AttributeDefinition,
    Category,
    PriceTier,
    Product,
    ProductType,
    Variant,
)
from models.files import FilePurpose, StoredFile
from resolvers.catalog.catalog_file import join_list, safe_cell
from resolvers.catalog.catalog_file_records import COLUMNS, OPTION, SPEC
from resolvers.context import Context
from resolvers.files.download_links import DownloadLink, make_download_link
from resolvers.outcomes import audit


async def export_catalog(db: AsyncSession) -> bytes:
    """The catalog as the bytes of a ZIP file, read in one transaction."""
    categories = list(await db.scalars(select(Category)))
    types = list(await db.scalars(select(ProductType).order_by(col(ProductType.slug))))
    attributes = list(
        await db.scalars(
            select(AttributeDefinition).order_by(
                col(AttributeDefinition.product_type_id),
                col(AttributeDefinition.position),
                col(AttributeDefinition.key),
            )
        )
    )
    products = list(await db.scalars(select(Product).order_by(col(Product.slug))))
    variants = list(await db.scalars(select(Variant).order_by(col(Variant.id))))
    tiers = list(
        await db.scalars(
            select(PriceTier).order_by(
                col(PriceTier.variant_id), col(PriceTier.currency), col(PriceTier.min_quantity)
            )
        )
    )
    category_slugs = {c.id: c.slug for c in categories}
    type_slugs = {t.id: t.slug for t in types}
    product_slugs = {p.id: p.slug for p in products}
    skus = {v.id: v.sku for v in variants}
    files = {
        "categories.csv": _categories(categories, category_slugs),
        "product_types.csv": _table(
            "product_types.csv", ([t.slug, t.name, t.description] for t in types)
        ),
        "attributes.csv": _table(
            "attributes.csv",
            (
                [
                    type_slugs[a.product_type_id],
                    a.key,
                    a.label,
                    str(a.kind),
                    a.unit or "",
                    _flag(a.required),
                    _flag(a.filterable),
                    join_list(list(a.allowed_values)),
                ]
                for a in attributes
            ),
        ),
        "products.csv": _products(products, category_slugs, type_slugs),
        "variants.csv": _variants(variants, product_slugs),
        "prices.csv": _table(
            "prices.csv",
            (
                [skus[t.variant_id], t.currency, str(t.min_quantity), str(t.unit_price)]
                for t in tiers
            ),
        ),
        "stock.csv": _table("stock.csv", ([v.sku, str(v.stock_on_hand)] for v in variants)),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _columns(name: str) -> list[str]:
    required, optional = COLUMNS[name]
    return [*required, *optional]


def _table(name: str, rows: Iterable[Sequence[str]], extra: Sequence[str] = ()) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([*_columns(name), *extra])
    writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    return out.getvalue()


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _categories(categories: list[Category], slugs: dict[int | None, str]) -> str:
    """Parents before children; a position is the rank among siblings, as moves keep it."""
    by_parent: dict[int | None, list[Category]] = {}
    for category in categories:
        by_parent.setdefault(category.parent_id, []).append(category)
    rows: list[list[str]] = []
    level = [None]
    while level:
        below: list[Any] = []
        for parent in level:
            siblings = sorted(by_parent.get(parent, []), key=lambda c: (c.position, c.name, c.id))
            for rank, c in enumerate(siblings):
                parent_slug = "" if c.parent_id is None else slugs[c.parent_id]
                rows.append([c.slug, c.name, parent_slug, str(rank), c.description])
                below.append(c.id)
        level = below
    return _table("categories.csv", rows)


def _spec_cell(value: Any) -> str:
    if isinstance(value, bool):
        return _flag(value)
    if isinstance(value, list):
        return join_list([str(item) for item in value])
    return repr(value) if isinstance(value, float) else str(value)


def _products(
    products: list[Product], categories: dict[int | None, str], types: dict[int | None, str]
) -> str:
    keys = sorted({key for product in products for key in product.specs})
    rows = (
        [
            p.slug,
            p.name,
            categories[p.category_id],
            types[p.product_type_id],
            p.hs_code,
            p.country_of_origin,
            str(p.moq),
            str(p.lead_time_days),
            join_list(list(p.incoterms)),
            str(p.status),
            p.description,
            *(_spec_cell(p.specs[key]) if key in p.specs else "" for key in keys),
        ]
        for p in products
    )
    return _table("products.csv", rows, [SPEC + key for key in keys])


def _variants(variants: list[Variant], products: dict[int | None, str]) -> str:
    names = sorted({name for variant in variants for name in variant.option_values})
    rows = (
        [
            products[v.product_id],
            v.sku,
            v.name,
            str(v.units_per_carton),
            "" if v.carton_weight_kg is None else str(v.carton_weight_kg),
            "" if v.carton_volume_m3 is None else str(v.carton_volume_m3),
            "" if v.cost_price is None else str(v.cost_price),
            v.cost_currency or "",
            *(v.option_values.get(name, "") for name in names),
        ]
        for v in variants
    )
    return _table("variants.csv", rows, [OPTION + name for name in names])


# How long an export stays downloadable; `tradeql files purge-expired` deletes it after.
EXPORT_KEPT_FOR = timedelta(days=1)


@dataclass(frozen=True)
class CatalogExport:
    file: StoredFile
    link: DownloadLink


async def export_catalog_for_download(ctx: Context) -> CatalogExport:
    """The whole catalog written to a stored file, and a download link for the caller.

    The file is read in one session, stored in its own transaction with an audit row (an
    export carries cost prices), and kept for EXPORT_KEPT_FOR."""
    async with ctx.database.session() as session:
        content = await export_catalog(session)
    now = datetime.now(UTC)
    async with ctx.database.transaction() as db:
        stored = await store_file(
            db,
            purpose=FilePurpose.CATALOG_EXPORT,
            filename=f"catalog-{now:%Y%m%d-%H%M%S}.zip",
            content_type="application/zip",
            content=content,
            max_bytes=ctx.settings.max_stored_file_bytes,
            stored_by=StoredBy(user_id=ctx.principal.user_id, api_key_id=ctx.principal.api_key_id),
            expires_at=now + EXPORT_KEPT_FOR,
        )
        await audit(
            ctx,
            db,
            action="catalog.export",
            target_type="StoredFile",
            target_id=stored.id,
            changes={"size_bytes": [None, stored.size_bytes], "sha256": [None, stored.sha256]},
        )
    return CatalogExport(file=stored, link=make_download_link(ctx, stored))
