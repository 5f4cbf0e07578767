"""A PostgreSQL cluster of a test's own, on a free port, so the test may stop and start it.

Tests that need the database to fail use this; the shared server on 5432 is never stopped.
The cluster is small (few connections, little memory, no fsync) and trusts local logins, in a
temporary directory owned by `postgres`. `initdb` and `postgres` refuse to run as root, so as
root they run as that user: switched to in the child before exec rather than through
`runuser`, which does not pass signals on, so a server started through it would outlive a
killed test run.
"""

from __future__ import annotations

import asyncio
import ctypes
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
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
PR_SET_PDEATHSIG = 1


def server_binaries() -> Path | None:
    """The directory holding initdb, postgres and pg_isready, or None when they are absent."""
    pg_config = shutil.which("pg_config")
    if pg_config is None:
        return None
    found = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
    bindir = Path(found.stdout.strip())
    if found.returncode != 0 or not all(
        (bindir / name).is_file() for name in ("initdb", "postgres", "pg_isready")
    ):
        return None
    return bindir


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _as_cluster_owner() -> None:
    """In the child, before exec: become `postgres` when root (PostgreSQL refuses root), then
    ask for SIGQUIT (PostgreSQL's immediate shutdown) when the test run ends, however it ends.
    The request comes last: changing user clears it."""
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        os.setgroups([])
        os.setgid(owner.pw_gid)
        os.setuid(owner.pw_uid)
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGQUIT)


class PostgresCluster:
    """One initialised cluster: `start()`, `stop()` (an immediate shutdown, as a crash), URLs.

    The server is a child of the test run, not a daemon (no `pg_ctl start`), so it ends with
    the run even when pytest is killed (tests/child_processes.py says why that matters).
    """

    def __init__(self, bindir: Path, directory: Path, port: int) -> None:
        self.bindir = bindir
        self.directory = directory
        self.port = port
        self.data = directory / "data"
        self.log = directory / "server.log"
        self._server: subprocess.Popen[bytes] | None = None

    def url(self, database: str) -> str:
        """The SQLAlchemy URL of one of the cluster's databases."""
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{database}"

    def initialise(self) -> None:
        done = subprocess.run(
            [
                *(str(self.bindir / "initdb"), "--pgdata", str(self.data), "--auth", "trust"),
                *("--username", "postgres", "--encoding", "UTF8", "--locale", "C", "--no-sync"),
            ],
            capture_output=True,
            text=True,
            check=False,
            preexec_fn=_as_cluster_owner,
        )
        if done.returncode != 0:
            raise RuntimeError(f"initdb failed: {done.stdout}{done.stderr}")

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        settings = [f"--{name}={value}" for name, value in SERVER_SETTINGS.items()]
        with self.log.open("ab") as log:
            self._server = subprocess.Popen(
                [
                    str(self.bindir / "postgres"),
                    "-D",
                    str(self.data),
                    "-p",
                    str(self.port),
                    *settings,
                ],
                stdout=log,
                stderr=log,
                preexec_fn=_as_cluster_owner,
            )
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not self._accepts_connections():
            if self._server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"postgres did not start: {self.log.read_text()}")
            time.sleep(0.05)

    def _accepts_connections(self) -> bool:
        probe = [str(self.bindir / "pg_isready"), "--host=127.0.0.1", f"--port={self.port}"]
        return subprocess.run(probe, capture_output=True, check=False).returncode == 0

    def stop(self) -> None:
        """Stop at once, as a crash would: connections are cut, nothing is flushed."""
        if self._server is not None:
            self._server.send_signal(signal.SIGQUIT)
            self._server.wait(timeout=START_TIMEOUT_SECONDS)
            self._server = None

    def is_running(self) -> bool:
        return self._server is not None

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
            "needs the PostgreSQL server binaries (initdb, postgres, pg_isready), found "
            "through `pg_config --bindir`"
        )
    with own_postgres_cluster(bindir) as cluster:
        yield cluster
