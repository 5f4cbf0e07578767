"""`tradeql catalog import|export` as an operator runs them, on the committed database: the
same files accepted and refused as the reader does, exit codes 0, 1 and 2, audit rows of the
command line, and an export that imports back unchanged."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
import redis

from app.read_cache import CATALOG_NAMESPACE
from core.db import Database
from tests.catalog.catalog_file_support import CSV, zipped
from tests.cli_runner import Tradeql
from tests.databases import REDIS_URL


@pytest.fixture
def tradeql(committed_url: str, committed_db: Database) -> Tradeql:
    """The command on the committed database (which `committed_db` empties afterwards)."""
    return Tradeql(committed_url, command=("catalog",))


def _file(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_a_dry_run_reports_and_writes_nothing_then_the_import_applies(
    tradeql: Tradeql, tmp_path: Path
) -> None:
    path = _file(tmp_path, "catalog.zip", zipped(dict(CSV)))

    checked = tradeql("import", path, "--dry-run")
    assert (checked.returncode, checked.stderr) == (0, "")
    assert "would be created" in checked.stdout
    assert tradeql.rows("select count(*) from products")[0][0] == 0

    applied = tradeql("import", path)
    assert applied.returncode == 0, applied.stderr
    assert "0 rows failed" in applied.stdout
    assert tradeql.rows("select count(*) from products")[0][0] == 2
    labels = {row[0] for row in tradeql.rows("select actor_label from audit_entries")}
    assert labels == {"cli"}

    again = tradeql("import", path)
    assert again.returncode == 0
    assert again.stdout.startswith("0 records were created, 0 updated")


def test_refused_rows_are_listed_and_exit_1(tradeql: Tradeql, tmp_path: Path) -> None:
    stock = _file(tmp_path, "stock.csv", b"sku;stock_on_hand\r\nNOPE;3\r\n")

    result = tradeql("import", stock)

    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "stock.csv row 2, sku: NOT_FOUND: no variant has this SKU"
    ]


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("stock.csv", b"sku,stock_on_hand\n\x00\n"),
        ("stock.csv", b"sku,stock_on_hand\n\xff\n"),
        ("orders.csv", b"a,b\n"),
        ("evil.zip", zipped({"../stock.csv": "sku,stock_on_hand\n"})),
    ],
)
def test_unreadable_files_exit_2_as_the_reader_refuses_them(
    tradeql: Tradeql, tmp_path: Path, name: str, data: bytes
) -> None:
    result = tradeql("import", _file(tmp_path, name, data))

    assert result.returncode == 2
    assert "cannot be read" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_export_imports_back_unchanged(tradeql: Tradeql, tmp_path: Path) -> None:
    assert tradeql("import", _file(tmp_path, "catalog.zip", zipped(dict(CSV)))).returncode == 0
    exported = tmp_path / "export.zip"

    assert tradeql("export", str(exported)).returncode == 0
    result = tradeql("import", str(exported))

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("0 records were created, 0 updated")


def test_an_import_invalidates_the_servers_cached_catalog_reads(
    committed_url: str, committed_db: Database, redis_prefix: str, tmp_path: Path
) -> None:
    """Servers cache catalog reads under a version kept in Redis: a command that changes the
    catalog must move it on, or the storefront shows the old catalog until the cache expires."""
    prefix = f"{redis_prefix}cli-import:"
    tradeql = Tradeql(
        committed_url,
        command=("catalog",),
        env={"REDIS_URL": REDIS_URL, "REDIS_PREFIX": prefix},
    )
    client = redis.Redis.from_url(REDIS_URL)
    version_key = f"{prefix}cache-version:{CATALOG_NAMESPACE}"
    try:
        before = int(client.get(version_key) or 0)
        path = _file(tmp_path, "catalog.zip", zipped(dict(CSV)))
        assert tradeql("import", path).returncode == 0
        assert int(client.get(version_key) or 0) > before
    finally:
        client.delete(version_key)
        client.close()


COUNTED = (
    *("categories", "product_types", "attribute_definitions", "products", "variants"),
    *("price_tiers", "product_prices", "product_search", "facet_value_counts"),
)


def _counts(path: Path) -> dict[str, int]:
    with closing(sqlite3.connect(path)) as connection:
        return {
            table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608 - our table names
            for table in COUNTED
        }


@pytest.mark.slow
def test_on_sqlite_a_demo_catalog_exports_and_imports_into_an_empty_database(
    tmp_path: Path,
) -> None:
    """The development database (`make run`) takes the same files as PostgreSQL."""
    source = Tradeql(f"sqlite+aiosqlite:///{tmp_path / 'source.db'}", env={"ENV": "development"})
    target = Tradeql(f"sqlite+aiosqlite:///{tmp_path / 'target.db'}", env={"ENV": "development"})
    for database in (source, target):
        assert database("migrate").returncode == 0
    assert source("seed-demo", "--products", "12").returncode == 0
    exported = str(tmp_path / "demo.zip")
    assert source("catalog", "export", exported).returncode == 0

    imported = target("catalog", "import", exported)

    assert imported.returncode == 0, imported.stderr
    assert "0 rows failed" in imported.stdout
    assert _counts(tmp_path / "target.db") == _counts(tmp_path / "source.db")
    assert _counts(tmp_path / "target.db")["products"] == 12
    again = target("catalog", "import", exported)
    assert again.stdout.startswith("0 records were created, 0 updated"), again.stdout
