"""Imports flow one way, up the layout in README.md: a package imports only those above it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Each package and the packages of ours it may import (besides itself).
ALLOWED: dict[str, set[str]] = {
    "models": set(),
    "core": {"models"},
    "auth": {"core", "models"},
    "loaders": {"auth", "core", "models"},
    "resolvers": {"loaders", "auth", "core", "models"},
    "admin_queries": {"resolvers", "loaders", "auth", "core", "models"},
    # Schema types reach data through resolvers only, never loaders directly.
    "schema": {"admin_queries", "resolvers", "auth", "core", "models"},
    # A job that runs business rules (a catalog import applies the mutations' rules row by
    # row) calls them where they live; resolvers never import jobs, so no cycle.
    "jobs": {"resolvers", "loaders", "core", "models", "auth"},
    "app": {"schema", "jobs", "admin_queries", "resolvers", "loaders", "auth", "core", "models"},
    "migrations": {"core", "models"},
}
OURS = set(ALLOWED)


def _imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found & OURS


def _violations(package: str) -> list[str]:
    problems = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for imported in sorted(_imported_packages(path) - ALLOWED[package] - {package}):
            problems.append(f"{path.relative_to(ROOT)} imports {imported}")
    return problems


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_package_imports_only_packages_above_it(package: str) -> None:
    assert (ROOT / package).is_dir()
    assert _violations(package) == []


def test_resolvers_never_import_strawberry_types() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "resolvers").rglob("*.py"))
        if "strawberry"
        in {
            name.split(".")[0]
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.Import | ast.ImportFrom)
            for name in (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
            )
        }
    ]
    assert offenders == []


def test_the_check_catches_a_downward_import(tmp_path: Path) -> None:
    module = tmp_path / "bad.py"
    module.write_text(
        "from schema.build import build_schema\nimport app.cli.main\n", encoding="utf-8"
    )
    assert _imported_packages(module) == {"schema", "app"}
