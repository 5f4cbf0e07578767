"""The `tradeql` command as a user runs it: one clear line on stderr and a non-zero exit."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from schema.build import build_schema
from tests.cli_runner import Finished, run_tradeql

TRADEQL = str(Path(sys.executable).parent / "tradeql")
ROOT = Path(__file__).resolve().parent.parent.parent


def run(*args: str, **env: str) -> Finished:
    return run_tradeql(args, env=env)


def _one_line_error(result: Finished) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((), "required: COMMAND"),
        (("fly",), "invalid choice"),
        (("serve", "--port", "abc"), "'abc' is not a whole number"),
        (("serve", "--port", "70000"), "not a TCP port"),
        (("serve", "--workers", "0"), "must be at least 1"),
        (("seed-demo", "--products", "-3"), "must be at least 1"),
    ],
)
def test_bad_arguments_are_one_line_and_exit_2(args: tuple[str, ...], expected: str) -> None:
    result = run(*args)
    assert result.returncode == 2
    assert expected in _one_line_error(result)


@pytest.mark.parametrize(
    ("database_url", "expected"),
    [
        ("postgresql+asyncpg://postgres@127.0.0.1:1/tradeql", "database unreachable"),
        ("postgresql+asyncpg://postgres@127.0.0.1:5432/no_such_db_here", "does not exist"),
        ("sqlite+aiosqlite:////no/such/directory/tradeql.db", "unable to open"),
    ],
)
@pytest.mark.parametrize("command", ["migrate", "seed-demo"])
def test_an_unreachable_database_is_one_line_and_exit_1(
    command: str, database_url: str, expected: str
) -> None:
    result = run(command, DATABASE_URL=database_url)
    assert result.returncode == 1
    line = _one_line_error(result)
    assert line.startswith(f"tradeql {command}: database unreachable")
    assert expected in line


def test_unsafe_production_settings_are_refused_before_anything_runs() -> None:
    result = run("migrate", ENV="production", SECRET_KEY="x" * 40, DATA_KEY="y" * 40)
    assert result.returncode == 1
    line = _one_line_error(result)
    assert "SQLite" in line
    assert "REDIS_URL" in line
    assert "x" * 40 not in line


def test_workers_refuse_sqlite() -> None:
    result = run("serve", "--workers", "2", DATABASE_URL="sqlite+aiosqlite:///./never.db")
    assert result.returncode == 1
    assert "--workers needs PostgreSQL" in _one_line_error(result)


def test_export_schema_prints_and_checks_the_sdl(tmp_path: Path) -> None:
    printed = run("export-schema")
    assert printed.returncode == 0
    assert printed.stdout == build_schema().as_str() + "\n"
    assert run("export-schema", "--check").returncode == 0

    stale = tmp_path / "schema.graphql"
    stale.write_text("type Query { old: String }\n", encoding="utf-8")
    check = run("export-schema", "--check", "--file", str(stale))
    assert check.returncode == 1
    assert "stale" in _one_line_error(check)
    assert run("export-schema", "--write", "--file", str(stale)).returncode == 0
    assert run("export-schema", "--check", "--file", str(stale)).returncode == 0


@pytest.mark.slow
def test_the_installed_command_runs_the_entry_point() -> None:
    # The other tests call main() in-process; this one runs the console script pip installed.
    printed = subprocess.run(
        [TRADEQL, "export-schema"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        check=False,
    )
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout == build_schema().as_str() + "\n"
