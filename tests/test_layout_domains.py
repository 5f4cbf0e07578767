"""One domain, one name, one place: each domain is found by its word in every folder.

A newcomer given "orders" or "inquiries" finds the model, loaders, resolvers, staff-only
reads, schema types and tests under that one name; shared mechanisms sit beside the domains
under plain names, and nothing else lies loose in a folder that is split by domain.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Each domain and the folders that hold code of it (a domain with no code of a kind has none).
DOMAINS: dict[str, set[str]] = {
    "accounts": {"models", "resolvers", "admin_queries", "schema", "jobs", "tests"},
    "audit": {"models", "admin_queries", "schema", "tests"},
    "catalog": {"models", "loaders", "resolvers", "admin_queries", "schema", "jobs", "tests"},
    "clients": {"models", "loaders", "resolvers", "admin_queries", "schema", "tests"},
    "files": {"models", "resolvers", "schema", "tests"},
    "fx": {"models", "resolvers", "admin_queries", "schema", "tests"},
    "inquiries": {"models", "loaders", "resolvers", "admin_queries", "schema", "jobs", "tests"},
    "ledger": {"models", "loaders", "resolvers", "admin_queries", "schema", "jobs", "tests"},
    "orders": {"models", "loaders", "resolvers", "admin_queries", "schema", "tests"},
    "reports": {"models", "resolvers", "admin_queries", "schema", "jobs", "tests"},
    "shipments": {"models", "loaders", "resolvers", "admin_queries", "schema", "tests"},
    "webhooks": {"models", "jobs", "tests"},
}
# What may sit beside the domains in the folders split by domain.
SHARED: dict[str, set[str]] = {
    "resolvers": {
        "context",
        "outcomes",
        "pagination",
        "keyset",
        "prefix_search",
        "newest_first",
        "checks",
        "idempotency",
        "versions",
        "look_ahead",
    },
    "loaders": {"relations", "scoping"},
    "admin_queries": set(),
    "schema": {
        "access",
        "argument_paths",
        "audiences",
        "build",
        "cost",
        "counts",
        "debug",
        "decimal_input",
        "errors",
        "execution",
        "info",
        "input_text",
        "introspection",
        "moments",
        "money",
        "node",
        "permissions",
        "response_cost",
        "selection",
        "single_operation",
        "uploads",
        "user_errors",
        "validation",
        "views",
    },
    "tests": {"app", "core", "jobs", "migrations", "schema"},
}
# tests/ also holds, as modules at its root, the helpers every domain's tests share.


def _entries(folder: str) -> set[str]:
    """The modules and packages directly in `folder`, by name (tests/: packages only)."""
    names = set()
    for path in (ROOT / folder).iterdir():
        if path.name.startswith(("_", ".")):
            continue
        if path.suffix == ".py" and folder != "tests":
            names.add(path.stem)
        elif path.is_dir() and any(path.rglob("*.py")):
            names.add(path.name)
    return names


@pytest.mark.parametrize("domain", sorted(DOMAINS))
def test_a_domain_is_found_by_its_name_in_each_folder_that_holds_it(domain: str) -> None:
    missing = sorted(folder for folder in DOMAINS[domain] if domain not in _entries(folder))
    assert missing == []


@pytest.mark.parametrize("folder", sorted(SHARED))
def test_a_folder_split_by_domain_holds_only_domains_and_its_shared_mechanisms(
    folder: str,
) -> None:
    domains_here = {domain for domain, folders in DOMAINS.items() if folder in folders}
    assert _entries(folder) - domains_here - SHARED[folder] == set()
