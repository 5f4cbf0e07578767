"""Running `tradeql` as an operator would, through its entry point, inside the test process.

`main(argv)` runs on a thread of its own (it starts event loops with asyncio.run, which cannot
nest inside a test's loop), with stdin, stdout and stderr swapped for strings and the
environment holding only the settings the test gives. Starting a process per command would
cost about a second of imports each; tests/app/test_cli.py keeps one test of the installed
`tradeql` executable itself.
"""

from __future__ import annotations

import asyncio
import io
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass
from typing import TypeVar
from unittest import mock

import asyncpg

from app.cli.main import main
from core.settings import Settings, get_settings

# Variables Settings would read: a developer's own DATABASE_URL must not reach the command.
_SETTINGS_VARIABLES = {name.upper() for name in Settings.model_fields}
T = TypeVar("T")


@dataclass(frozen=True)
class Finished:
    """What a finished command left: its exit status and what it printed."""

    returncode: int
    stdout: str
    stderr: str


def run_tradeql(args: Sequence[str], *, env: Mapping[str, str], stdin: str = "") -> Finished:
    """`tradeql ARGS` with `env` as its settings, `stdin` as its input."""

    def command() -> Finished:
        stdout, stderr = io.StringIO(), io.StringIO()
        with (
            _environment(env),
            mock.patch("sys.stdin", io.StringIO(stdin)),
            redirect_stdout(stdout),
            redirect_stderr(stderr),
        ):
            returncode = _exit_status(list(args))
        return Finished(returncode, stdout.getvalue(), stderr.getvalue())

    return _on_a_thread(command)


def _exit_status(argv: list[str]) -> int:
    # Settings are read once per process: each command reads them afresh, as a new process.
    get_settings.cache_clear()
    try:
        return main(argv)
    except SystemExit as stop:  # argparse: bad arguments, --help
        return stop.code if isinstance(stop.code, int) else int(stop.code is not None)
    finally:
        get_settings.cache_clear()


@contextmanager
def _environment(settings: Mapping[str, str]) -> Iterator[None]:
    kept = {key: value for key, value in os.environ.items() if key not in _SETTINGS_VARIABLES}
    with mock.patch.dict(os.environ, {**kept, **settings}, clear=True):
        yield


class Tradeql:
    """`tradeql <command...> ARGS` on one database, with extra settings; reads its rows."""

    def __init__(
        self,
        database_url: str,
        *,
        command: Sequence[str] = (),
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.database_url = database_url
        self.command = tuple(command)
        self.env = {"DATABASE_URL": database_url, **(env or {})}

    def __call__(self, *args: str, stdin: str = "") -> Finished:
        return run_tradeql([*self.command, *args], env=self.env, stdin=stdin)

    def rows(self, sql: str, *arguments: object) -> list[asyncpg.Record]:
        """What a query finds in the command's database now."""
        return _on_a_thread(lambda: asyncio.run(_fetch(self.database_url, sql, *arguments)))


async def _fetch(database_url: str, sql: str, *arguments: object) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(database_url.replace("+asyncpg", "", 1))
    try:
        return list(await connection.fetch(sql, *arguments))
    finally:
        await connection.close()


def _on_a_thread(function: Callable[[], T]) -> T:
    """Run `function` on a thread of its own: free to start an event loop of its own."""
    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(function).result()
