"""The servers `bench.reads` starts: TradeQL as in production, and the baseline."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench.reads_scenarios import Scenario

BIN = Path(sys.executable).parent


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    base_url: str
    tradeql: bool
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def url(self, scenario: Scenario) -> str:
        return (
            f"{self.base_url}/graphql" if self.tradeql else self.base_url + scenario.baseline_path
        )

    def stop(self) -> None:
        """Stops the server; its log stays only if it did not stop cleanly."""
        self.process.send_signal(signal.SIGTERM)
        try:
            # uvicorn re-raises the signal once it has shut down cleanly.
            if self.process.wait(timeout=20) in (0, -signal.SIGTERM):
                self.log.unlink(missing_ok=True)
        except subprocess.TimeoutExpired:
            self.process.kill()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _started(
    command: list[str], env: dict[str, str], port: int, ready: str, tradeql: bool
) -> Server:
    # The server's own log, kept for a failed start or run; it lives as long as the process.
    log = tempfile.NamedTemporaryFile(prefix=f"bench-reads-{port}-", suffix=".log", delete=False)  # noqa: SIM115
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{command[0]} exited early; see {log.name}")
        try:
            httpx.get(base_url + ready, timeout=1)
            return Server(process, base_url, tradeql, Path(log.name))
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"{command[0]} did not start within 60 s; see {log.name}")


def start_tradeql(
    url: str, redis_url: str, prefix: str, keys: dict[str, str], *, cache_seconds: int
) -> Server:
    """`tradeql serve`, one process, as production runs it. Caller budgets are off: one wrk
    client asks far more than any caller's budget allows, and throttled answers are not
    measurements (the bench refuses non-2xx answers)."""
    port = _free_port()
    env = {
        **os.environ,
        **keys,
        "ENV": "production",
        "DATABASE_URL": url,
        "REDIS_URL": redis_url,
        "REDIS_PREFIX": prefix,
        "PUBLIC_APP_URL": "https://bench.invalid",
        "CATALOG_CACHE_SECONDS": str(cache_seconds),
        "CALLER_BUDGETS": "false",
        "LOG_LEVEL": "INFO",
    }
    command = [str(BIN / "tradeql"), "serve", "--port", str(port), "--workers", "1"]
    return _started(command, env, port, "/readyz", tradeql=True)


def start_baseline(url: str) -> Server:
    port = _free_port()
    dsn = url.replace("postgresql+asyncpg://", "postgresql://")
    env = {**os.environ, "BENCH_BASELINE_DSN": dsn}
    command = [
        str(BIN / "uvicorn"),
        "bench.reads_baseline:create_app",
        "--factory",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    return _started(command, env, port, "/statements", tradeql=False)


async def tradeql_statements(url: str, scenario: Scenario) -> int:
    """Statements TradeQL sends for one uncached request, by its own counter (the app
    in-process, DEBUG_EXTENSIONS on and the read cache off: `extensions.sqlStatements`)."""
    from app.factory import create_app
    from core.db import Database, create_engine
    from core.settings import Settings

    settings = Settings(
        env="test", database_url=url, redis_url=None, debug_extensions=True, caller_budgets=False
    )
    engine = create_engine(settings)
    try:
        app = create_app(settings, Database(engine))
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            answer: dict[str, Any] = (
                await client.post("/graphql", content=scenario.body(), headers=scenario.all_headers)
            ).json()
    finally:
        await engine.dispose()
    return int(answer["extensions"]["sqlStatements"])
