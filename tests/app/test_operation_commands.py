"""`tradeql operations register|list|remove` as an operator runs them, on the committed
database: .graphql files split per operation, Apollo manifests and Relay maps registered as
written, every document validated before any is stored, registering again changing nothing."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from core.db import Database
from tests.cli_runner import Tradeql

OPERATIONS = """
# The storefront's listing and product page.
query Listing($first: Int!) { products(first: $first) { edges { node { ...Card } } } }

query ProductPage($slug: String!) { product(slug: $slug) { ...Card } }

fragment Card on Product { name slug }

fragment Unused on Product { name }
"""


@pytest.fixture
def tradeql(committed_url: str, committed_db: Database) -> Tradeql:
    """The command on the committed database (which `committed_db` empties afterwards)."""
    return Tradeql(committed_url, command=("operations",))


def _file(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def test_a_graphql_file_registers_each_operation_with_its_fragments_once(
    tradeql: Tradeql, tmp_path: Path
) -> None:
    path = _file(tmp_path, "storefront.graphql", OPERATIONS)

    first = tradeql("register", path, "--client", "Storefront")
    again = tradeql("register", path, "--client", "Storefront")

    assert first.returncode == 0, first.stderr
    assert first.stderr == "2 new, 0 already registered\n"
    assert again.stderr == "0 new, 2 already registered\n"
    rows = tradeql.rows(
        "select sha256_hash, document, operation_names, client_name, registered_by"
        " from registered_operations order by id"
    )
    assert [row["operation_names"] for row in rows] == ["Listing", "ProductPage"]
    for row in rows:
        assert row["sha256_hash"] == _sha256(row["document"])
        assert row["sha256_hash"] in first.stdout
        assert "fragment Card on Product" in row["document"]
        assert "Unused" not in row["document"]
        assert (row["client_name"], row["registered_by"][:3]) == ("Storefront", "cli")

    listed = tradeql("list", "--client", "Storefront")
    assert listed.returncode == 0
    assert [line.split()[0] for line in listed.stdout.splitlines()[1:]] == [
        row["sha256_hash"] for row in rows
    ]


def test_an_invalid_operation_registers_nothing(tradeql: Tradeql, tmp_path: Path) -> None:
    path = _file(
        tmp_path, "bad.graphql", OPERATIONS + "\nquery Costs { products(first: 1) { nope } }\n"
    )

    result = tradeql("register", path)

    assert result.returncode == 1
    assert result.stderr.startswith("tradeql operations: operation Costs: Cannot query field")
    assert tradeql.rows("select count(*) from registered_operations")[0][0] == 0


def test_an_apollo_manifest_is_registered_verbatim(tradeql: Tradeql, tmp_path: Path) -> None:
    body = "query Ping {\n  __typename\n}"
    manifest = {
        "format": "apollo-persisted-query-manifest",
        "version": 1,
        "operations": [{"id": _sha256(body), "name": "Ping", "type": "query", "body": body}],
    }

    result = tradeql("register", _file(tmp_path, "manifest.json", json.dumps(manifest)))

    assert result.returncode == 0, result.stderr
    assert tradeql.rows("select document from registered_operations")[0][0] == body


def test_a_relay_map_whose_ids_are_not_sha256_is_refused(tradeql: Tradeql, tmp_path: Path) -> None:
    body = "query Ping { __typename }"
    md5 = hashlib.md5(body.encode()).hexdigest()  # noqa: S324  (Relay's default ids)

    refused = tradeql("register", _file(tmp_path, "relay.json", json.dumps({md5: body})))
    accepted = tradeql(
        "register", _file(tmp_path, "relay256.json", json.dumps({_sha256(body): body}))
    )

    assert refused.returncode == 1
    assert "the id is not the SHA-256 of its document" in refused.stderr
    assert accepted.returncode == 0, accepted.stderr


def test_remove_stops_an_operation_and_an_unknown_hash_is_one_line(
    tradeql: Tradeql, tmp_path: Path
) -> None:
    tradeql("register", _file(tmp_path, "ping.graphql", "query Ping { __typename }"))
    sha256_hash = tradeql.rows("select sha256_hash from registered_operations")[0][0]

    removed = tradeql("remove", sha256_hash)
    unknown = tradeql("remove", sha256_hash)

    assert removed.returncode == 0
    assert tradeql.rows("select count(*) from registered_operations")[0][0] == 0
    assert (unknown.returncode, unknown.stderr) == (
        1,
        f"tradeql operations: no registered operation with hash {sha256_hash}\n",
    )
