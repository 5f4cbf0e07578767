"""`importCatalog` over a real multipart request: a dry run reports, a real run imports."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from app.worker_main import build_worker, job_context
from core.db import Database
from core.global_id import encode_global_id
from core.settings import Settings
from models.accounts import Role
from tests.app.uploads_support import BOUNDARY, PREFLIGHT, closing, fields, part
from tests.callers import token_for
from tests.catalog.catalog_file_support import CSV, catalog_rows, zipped
from tests.cli_runner import Tradeql
from tests.graphql_client import graphql_client

IMPORT = """mutation($file: Upload!, $dryRun: Boolean!) {
  importCatalog(file: $file, dryRun: $dryRun) {
    catalogImport { id status }
    dryRun { created updated unchanged failed errors { file row column code } }
  } }"""
PROGRESS = """query($id: ID!) { catalogImport(id: $id) {
  status recordsTotal recordsDone created failed errors { file row column code } } }"""


def _request(content: bytes, *, dry_run: bool) -> bytes:
    operations = {"query": IMPORT, "variables": {"file": None, "dryRun": dry_run}}
    return (
        fields(operations, {"0": ["variables.file"]})
        + part("0", content, "catalog.zip", "application/zip")
        + closing()
    )


async def _send(http: Any, token: str, body: bytes) -> dict[str, Any]:
    response = await http.post(
        "/graphql",
        content=body,
        headers={
            "content-type": f"multipart/form-data; boundary={BOUNDARY}",
            "authorization": f"Bearer {token}",
            **PREFLIGHT,
        },
    )
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    assert "errors" not in answer, answer["errors"]
    data: dict[str, Any] = answer["data"]
    return data


def _bad_file() -> bytes:
    files = dict(CSV)
    files["products.csv"] = CSV["products.csv"].replace("5209.42", "52")
    return zipped(files)


async def test_a_dry_run_reports_every_error_and_writes_nothing(
    db: Database, settings: Settings
) -> None:
    async with db.transaction() as session:
        token = await token_for(session, settings, Role.CATALOG_MANAGER)
    async with graphql_client(settings, db) as client:
        data = await _send(client.http, token, _request(_bad_file(), dry_run=True))
    report = data["importCatalog"]["dryRun"]
    assert data["importCatalog"]["catalogImport"] is None
    assert report["created"] > 0, report["errors"]
    assert {"file": "products.csv", "row": 2, "column": "hs_code", "code": "INVALID_HS_CODE"} in (
        report["errors"]
    )
    assert (await catalog_rows(db))["products"] == []


@pytest.mark.slow
async def test_a_real_import_runs_in_the_background_and_reports_its_progress(
    committed_db: Database, committed_settings: Settings, jobs_settings: Settings
) -> None:
    async with committed_db.transaction() as session:
        token = await token_for(session, committed_settings, Role.CATALOG_MANAGER)
    async with graphql_client(committed_settings, committed_db) as client:
        data = await _send(client.http, token, _request(_bad_file(), dry_run=False))
        queued = data["importCatalog"]["catalogImport"]
        assert queued["status"] == "QUEUED"
        async with job_context(jobs_settings, committed_db) as context:
            await build_worker(jobs_settings, committed_db, context).run_once()
        progress = await client.as_(token).post(PROGRESS, {"id": queued["id"]})
    found = progress["data"]["catalogImport"]
    assert found["status"] == "DONE"
    assert found["recordsDone"] == found["recordsTotal"] > 0
    assert {"file": "products.csv", "row": 2, "column": "hs_code", "code": "INVALID_HS_CODE"} in (
        found["errors"]
    )
    assert [row[0] for row in (await catalog_rows(committed_db))["products"]] == ["grey-plain"]


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.ADMIN, True),
        (Role.CATALOG_MANAGER, True),
        (Role.SALES, False),
        (Role.FINANCE, False),
        (Role.SUPPORT, False),
        (Role.CLIENT, False),
    ],
)
async def test_only_catalog_writers_may_import(
    db: Database, settings: Settings, role: Role, allowed: bool
) -> None:
    """The permission matrix's row for importCatalog, probed with real multipart requests."""
    async with db.transaction() as session:
        token = await token_for(session, settings, role)
    async with graphql_client(settings, db) as client:
        response = await client.http.post(
            "/graphql",
            content=_request(zipped(CSV), dry_run=True),
            headers={
                "content-type": f"multipart/form-data; boundary={BOUNDARY}",
                "authorization": f"Bearer {token}",
                **PREFLIGHT,
            },
        )
    answer = response.json()
    if allowed:
        assert "errors" not in answer, answer["errors"]
        assert answer["data"]["importCatalog"]["dryRun"]["failed"] == 0
    else:
        assert [error["extensions"]["code"] for error in answer["errors"]] == ["FORBIDDEN"]
        assert answer["data"]["importCatalog"] is None


CLI_ERROR = re.compile(
    r"^(?P<file>[^ ]+)(?: row (?P<row>\d+))?(?:, (?P<column>[^:]+))?: (?P<code>[A-Z_]+): "
)


def _cli_errors(stderr: str) -> set[tuple[str, int | None, str | None, str]]:
    found = set()
    for line in stderr.splitlines():
        if line.startswith("tradeql "):
            continue  # the command's own summary of an unreadable file
        match = CLI_ERROR.match(line)
        assert match is not None, line
        row = None if match["row"] is None else int(match["row"])
        found.add((match["file"], row, match["column"], match["code"]))
    return found


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("catalog.zip", zipped(CSV)),
        ("catalog.zip", _bad_file()),
        ("stock.csv", b"sku;stock_on_hand\r\nNOPE;3\r\n"),
        ("products.csv", b"\x00\x01 not a catalog"),
    ],
)
async def test_the_cli_and_the_mutation_accept_and_refuse_the_same_files(
    committed_db: Database,
    committed_settings: Settings,
    committed_url: str,
    tmp_path: Path,
    name: str,
    content: bytes,
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    cli = Tradeql(committed_url, command=("catalog",))("import", str(path), "--dry-run")
    async with committed_db.transaction() as session:
        token = await token_for(session, committed_settings, Role.CATALOG_MANAGER)
    operations = {"query": IMPORT, "variables": {"file": None, "dryRun": True}}
    body = fields(operations, {"0": ["variables.file"]}) + part("0", content, name) + closing()
    async with graphql_client(committed_settings, committed_db) as client:
        data = await _send(client.http, token, body)
    errors = data["importCatalog"]["dryRun"]["errors"]
    assert _cli_errors(cli.stderr) == {
        (error["file"], error["row"], error["column"], error["code"]) for error in errors
    }
    assert (cli.returncode == 0) == (errors == [])


@pytest.mark.parametrize(
    ("given", "code"),
    [
        (encode_global_id("Product", 1), "BAD_USER_INPUT"),  # an id of another type
        ("a\u0000", "BAD_USER_INPUT"),
        ("not an id", "BAD_USER_INPUT"),
        (encode_global_id("CatalogImport", 2**63), None),  # beyond the key: unknown, null
    ],
)
async def test_catalog_import_answers_hostile_ids_with_a_code(
    db: Database, settings: Settings, given: str, code: str | None
) -> None:
    async with db.transaction() as session:
        token = await token_for(session, settings, Role.CATALOG_MANAGER)
    async with graphql_client(settings, db) as client:
        body = await client.as_(token).post(PROGRESS, {"id": given})
    assert body["data"] is None or body["data"]["catalogImport"] is None
    codes = [error["extensions"]["code"] for error in body.get("errors", [])]
    assert codes == ([] if code is None else [code])
