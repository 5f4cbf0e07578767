"""A PostgreSQL cluster of a test's own, on a free port, so the test may stop and start it.

Tests that need the database to fail use this; the shared server on 5432 is never stopped.
The cluster is small (few connections, little memory, no fsync) and trusts local logins.
`initdb` and `postgres` refuse to run as root, so as root they run as the `postgres` user
(`runuser`), in a temporary directory that user owns.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg
import pytest
from alembic import command

from tests.databases import alembic_config

# Enough for an app with a small pool, a worker and the test's own probes.
MAX_CONNECTIONS = 20
SERVER_SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "unix_socket_directories": "",
    "max_connections": str(MAX_CONNECTIONS),
    "shared_buffers": "8MB",
    # Safe to skip for a throwaway cluster; synchronous_commit stays on, as commits must
    # survive the immediate stops (crashes, to PostgreSQL) that tests make.
    "fsync": "off",
    "full_page_writes": "off",
}
START_TIMEOUT_SECONDS = 30


def server_binaries() -> Path | None:
    """The directory holding initdb, pg_ctl and postgres, or None when they are not installed."""
    pg_config = shutil.which("pg_config")
    if pg_config is None:
        return None
    found = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
    bindir = Path(found.stdout.strip())
    if found.returncode != 0 or not all(
        (bindir / name).is_file() for name in ("initdb", "pg_ctl", "postgres")
    ):
        return None
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return None
    return bindir


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class PostgresCluster:
    """One initialised cluster: `start()`, `stop()` (an immediate shutdown, as a crash), URLs."""

    def __init__(self, bindir: Path, directory: Path, port: int) -> None:
        self.bindir = bindir
        self.directory = directory
        self.port = port
        self.data = directory / "data"
        self.log = directory / "server.log"

    def url(self, database: str) -> str:
        """The SQLAlchemy URL of one of the cluster's databases."""
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, program: str, *args: str) -> None:
        as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        done = subprocess.run(
            [*as_postgres, str(self.bindir / program), *args],
            capture_output=True,
            text=True,
            check=False,
            timeout=START_TIMEOUT_SECONDS + 10,
        )
        if done.returncode != 0:
            log = self.log.read_text() if self.log.exists() else ""
            raise RuntimeError(f"{program} failed: {done.stdout}{done.stderr}{log}")

    def initialise(self) -> None:
        self._run(
            "initdb",
            "--pgdata",
            str(self.data),
            "--auth",
            "trust",
            "--username",
            "postgres",
            "--encoding",
            "UTF8",
            "--locale",
            "C",
            "--no-sync",
        )

    def start(self) -> None:
        options = " ".join(f"-c {name}={value!r}" for name, value in SERVER_SETTINGS.items())
        self._run(
            "pg_ctl",
            "start",
            "--wait",
            f"--timeout={START_TIMEOUT_SECONDS}",
            "--pgdata",
            str(self.data),
            "--log",
            str(self.log),
            "-o",
            f"-p {self.port} {options}",
        )

    def stop(self) -> None:
        """Stop at once, as a crash would: connections are cut, nothing is flushed."""
        self._run("pg_ctl", "stop", "--wait", "--mode", "immediate", "--pgdata", str(self.data))

    def is_running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    async def create_migrated_database(self, name: str) -> str:
        """Create database `name`, migrate it to head; its SQLAlchemy URL."""
        connection = await asyncpg.connect(f"postgresql://postgres@127.0.0.1:{self.port}/postgres")
        try:
            await connection.execute(f'CREATE DATABASE "{name}"')
        finally:
            await connection.close()
        url = self.url(name)
        # Alembic's env.py runs its own event loop, so the upgrade runs in a thread.
        await asyncio.to_thread(command.upgrade, alembic_config(url), "head")
        return url


@contextmanager
def own_postgres_cluster(bindir: Path) -> Iterator[PostgresCluster]:
    """A started cluster in a temporary directory, stopped and deleted afterwards."""
    directory = Path(tempfile.mkdtemp(prefix="tradeql-pg-"))
    try:
        if os.geteuid() == 0:
            shutil.chown(directory, "postgres", "postgres")
        cluster = PostgresCluster(bindir, directory, free_port())
        cluster.initialise()
        cluster.start()
        try:
            yield cluster
        finally:
            if cluster.is_running():
                cluster.stop()
    finally:
        shutil.rmtree(directory, ignore_errors=True)


@contextmanager
def own_postgres_cluster_or_skip() -> Iterator[PostgresCluster]:
    """`own_postgres_cluster`, or the test skipped when the server binaries are not installed."""
    bindir = server_binaries()
    if bindir is None:
        pytest.skip(
            "needs the PostgreSQL server binaries (initdb, pg_ctl, postgres; found through "
            "`pg_config --bindir`) and, as root, runuser"
        )
    with own_postgres_cluster(bindir) as cluster:
        yield cluster
