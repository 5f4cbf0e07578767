"""Export a catalog, import it into an empty database: the same catalog, field by field."""

from __future__ import annotations

from core.db import Database
from core.settings import Settings
from resolvers.catalog.catalog_export import export_catalog
from resolvers.catalog.catalog_file import FORMULA_STARTS, plain_cell, safe_cell
from resolvers.catalog.catalog_import import Actor, apply_batch
from resolvers.catalog.catalog_rows import read_catalog_file
from tests.catalog.catalog_file_support import CSV, catalog_rows, zipped

SYSTEM = Actor(label="cli")


async def test_export_then_import_into_an_empty_database_gives_the_same_catalog(
    db: Database, settings: Settings, committed_db: Database, committed_settings: Settings
) -> None:
    files = dict(CSV)
    files["categories.csv"] += "apparel,Apparel,,1,\r\nknits,Knits,textiles,1,@risk\r\n"
    source = read_catalog_file(zipped(files), "catalog.zip")
    assert (await apply_batch(db, settings, SYSTEM, source.records)).errors == []
    async with db.session() as session:
        exported = await export_catalog(session)

    copied = read_catalog_file(exported, "export.zip")
    outcome = await apply_batch(committed_db, committed_settings, SYSTEM, copied.records)

    assert copied.errors == []
    assert outcome.errors == []
    assert await catalog_rows(committed_db) == await catalog_rows(db)
    again = await apply_batch(committed_db, committed_settings, SYSTEM, copied.records)
    assert (again.created, again.updated, again.failed) == (0, 0, 0)


def test_export_neutralises_formula_cells_and_import_restores_them() -> None:
    for value in ['=HYPERLINK("x")', "+1", "-2", "@SUM(A1)", "'=x", "''", "'", "'a", "plain"]:
        shown = safe_cell(value)
        assert shown[:1] not in FORMULA_STARTS
        assert plain_cell(shown) == value
