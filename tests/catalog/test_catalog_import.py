"""Applying catalog files: a dry run writes nothing, bad rows are reported while good ones
land, the same file twice changes nothing, and the stock goes through the ledger."""

from __future__ import annotations

from sqlalchemy import text

from core.db import Database
from core.outcomes import UserErrorCode
from core.settings import Settings
from resolvers.catalog.catalog_import import Actor, apply_batch, dry_run
from resolvers.catalog.catalog_rows import read_catalog_file
from tests.catalog.catalog_file_support import CSV, catalog_rows, count, zipped
from tests.catalog.facet_recount import recounted_facets, stored_facet_counts

SYSTEM = Actor(label="cli")


async def test_a_whole_catalog_lands_with_audit_events_and_a_ledger(
    db: Database, settings: Settings
) -> None:
    catalog = read_catalog_file(zipped(dict(CSV)), "catalog.zip")
    assert catalog.errors == []

    outcome = await apply_batch(db, settings, SYSTEM, catalog.records)

    assert outcome.errors == []
    assert outcome.failed == 0
    rows = await catalog_rows(db)
    assert [row[0] for row in rows["categories"]] == ["denim", "textiles"]
    grey, navy = rows["products"]
    assert navy[0] == "navy-twill"
    assert navy[2] == '=HYPERLINK("x")'
    assert navy[5] == "520942"
    assert navy[-1] == "active"
    assert grey[-1] == "draft"
    assert [
        (sku, currency, least, str(price)) for sku, currency, least, price in rows["prices"]
    ] == [
        ("GP-01", "USD", 50, "3.1000"),
        ("NT-01", "EUR", 100, "3.9500"),
        ("NT-01", "USD", 100, "4.2000"),
        ("NT-01", "USD", 500, "3.9000"),
    ]
    assert [row[7] for row in rows["variants"]] == [0, 1200]
    async with db.session() as session:
        ledger = (await session.execute(text("select kind, reason from stock_movements"))).all()
        labels = set(
            (await session.execute(text("select actor_label from audit_entries"))).scalars()
        )
    assert [tuple(row) for row in ledger] == [("adjusted", "catalog import")]
    assert labels == {"cli"}
    assert await count(db, "outbox_events") > 0


async def test_the_same_file_twice_changes_nothing(db: Database, settings: Settings) -> None:
    records = read_catalog_file(zipped(dict(CSV)), "catalog.zip").records
    await apply_batch(db, settings, SYSTEM, records)
    before = await catalog_rows(db)
    audits, events = await count(db, "audit_entries"), await count(db, "outbox_events")

    again = await apply_batch(db, settings, SYSTEM, records)

    assert (again.created, again.updated, again.failed) == (0, 0, 0)
    assert again.unchanged == again.done > 0
    assert await catalog_rows(db) == before
    assert (await count(db, "audit_entries"), await count(db, "outbox_events")) == (audits, events)


async def test_a_bad_row_is_reported_and_the_good_ones_land(
    db: Database, settings: Settings
) -> None:
    files = dict(CSV)
    files["products.csv"] = CSV["products.csv"].replace("5209.42", "52") + (
        "third,Third,nowhere,fabric,520942,IN,1,0,,,,1,,\r\n"
    )
    catalog = read_catalog_file(zipped(files), "catalog.zip")

    outcome = await apply_batch(db, settings, SYSTEM, catalog.records)

    found = {(e.file, e.row, e.column, e.code) for e in outcome.errors}
    assert ("products.csv", 2, "hs_code", UserErrorCode.INVALID_HS_CODE) in found
    assert ("products.csv", 4, "category_slug", UserErrorCode.NOT_FOUND) in found
    assert ("variants.csv", 2, "product_slug", UserErrorCode.NOT_FOUND) in found
    rows = await catalog_rows(db)
    assert [row[0] for row in rows["products"]] == ["grey-plain"]
    assert [row[0] for row in rows["variants"]] == ["GP-01"]


async def test_a_dry_run_writes_nothing_and_reports_every_error(
    db: Database, settings: Settings
) -> None:
    files = dict(CSV)
    files["prices.csv"] = "sku,currency,min_quantity,unit_price\r\nNT-01,XXX,100,-1\r\n"
    files["stock.csv"] = "sku,stock_on_hand\r\nNT-01,lots\r\nnope,3\r\n"
    catalog = read_catalog_file(zipped(files), "catalog.zip")

    outcome = await dry_run(db, settings, SYSTEM, catalog)

    found = {(e.file, e.row, e.column, e.code) for e in outcome.errors}
    assert found == {
        ("prices.csv", 2, "currency", UserErrorCode.INVALID_CURRENCY),
        ("prices.csv", 2, "unit_price", UserErrorCode.OUT_OF_RANGE),
        ("stock.csv", 2, "stock_on_hand", UserErrorCode.INVALID),
        ("stock.csv", 3, "sku", UserErrorCode.NOT_FOUND),
        # No valid price for navy-twill: it cannot be published.
        ("products.csv", 2, "status", UserErrorCode.NOT_SELLABLE),
    }
    assert outcome.created > 0
    for table in ("categories", "products", "variants", "audit_entries", "outbox_events"):
        assert await count(db, table) == 0


async def test_stock_below_reserved_is_refused(db: Database, settings: Settings) -> None:
    await apply_batch(db, settings, SYSTEM, read_catalog_file(zipped(dict(CSV)), "c.zip").records)
    async with db.transaction() as session:
        await session.execute(text("update variants set stock_reserved = 10 where sku = 'NT-01'"))
    stock = "sku,stock_on_hand\r\nNT-01,5\r\n"

    outcome = await apply_batch(
        db, settings, SYSTEM, read_catalog_file(stock.encode(), "stock.csv").records
    )

    assert [(e.row, e.column, e.code) for e in outcome.errors] == [
        (2, "stock_on_hand", UserErrorCode.BELOW_RESERVED)
    ]


async def test_a_batch_leaves_the_storefront_rows_as_record_by_record_writes_would(
    db: Database, settings: Settings
) -> None:
    """The import rewrites derived rows once per batch: they must still equal a recount."""
    await apply_batch(db, settings, SYSTEM, read_catalog_file(zipped(dict(CSV)), "c.zip").records)
    files = dict(CSV)
    # navy-twill moves category and changes a spec; grey-plain is published; prices change;
    # a third product is refused and must leave nothing behind.
    files["products.csv"] = (
        CSV["products.csv"]
        .replace("navy-twill,Navy twill,denim", "navy-twill,Navy twill,textiles")
        .replace('",180,twill', '",200,twill')
        .replace(",draft,", ",active,")
        + "third,Third,denim,fabric,52,IN,1,0,,active,,100,plain,\r\n"
    )
    files["prices.csv"] = CSV["prices.csv"].replace("NT-01,EUR,100,3.95", "NT-01,EUR,100,3.55")

    outcome = await apply_batch(
        db, settings, SYSTEM, read_catalog_file(zipped(files), "c.zip").records
    )

    assert {(e.file, e.row, e.code) for e in outcome.errors} == {
        ("products.csv", 4, UserErrorCode.INVALID_HS_CODE)
    }
    async with db.session() as session:
        type_ids = list((await session.execute(text("select id from product_types"))).scalars())
        prices = (
            await session.execute(
                text(
                    "select p.slug, pp.currency, pp.from_price from product_prices pp "
                    "join products p on p.id = pp.product_id order by 1, 2"
                )
            )
        ).all()
        searchable = (
            await session.execute(
                text(
                    "select p.slug from product_search s join products p on p.id = s.product_id "
                    "order by 1"
                )
            )
        ).scalars()
        spec_scopes = (
            await session.execute(
                text(
                    "select distinct p.slug, c.slug from product_spec_values v "
                    "join products p on p.id = v.product_id "
                    "join categories c on c.id = v.category_id order by 1"
                )
            )
        ).all()
    assert await stored_facet_counts(db, type_ids) == await recounted_facets(db, type_ids)
    assert [(slug, currency, str(price)) for slug, currency, price in prices] == [
        ("grey-plain", "USD", "3.1000"),
        ("navy-twill", "EUR", "3.5500"),
        ("navy-twill", "USD", "4.2000"),
    ]
    assert list(searchable) == ["grey-plain", "navy-twill"]
    assert [tuple(row) for row in spec_scopes] == [
        ("grey-plain", "denim"),
        ("navy-twill", "textiles"),
    ]
