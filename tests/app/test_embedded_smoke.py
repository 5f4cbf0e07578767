"""The embedded default exactly as a user runs it: migrate, seed, serve, query, stop."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.child_processes import ends_with_parent
from tests.cli_runner import run_tradeql

TRADEQL = str(Path(sys.executable).parent / "tradeql")

QUERY = """{
  categories { slug children { slug } }
  products(first: 5, filter: { inStock: true }) {
    totalCount
    edges { node { name specs { label display }
      variants { sku available price(currency: "USD", quantity: 1000) { unitPrice total } } } }
  }
}"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _sqlite_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        **{key: value for key, value in os.environ.items() if not key.startswith("DATABASE")},
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'tradeql.db'}",
        "REDIS_URL": "",
        "ENV": "development",
        **extra,
    }


@dataclass
class Served:
    base_url: str
    logs: str = field(default="")


@contextmanager
def serving(env: dict[str, str], cwd: Path) -> Iterator[Served]:
    """`tradeql serve` on a free port until the block ends, then SIGTERM; logs kept."""
    port = _free_port()
    served = Served(base_url=f"http://127.0.0.1:{port}")
    server = subprocess.Popen(
        [TRADEQL, "serve", "--port", str(port)],
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        preexec_fn=ends_with_parent(),
    )
    try:
        _wait_until_ready(served.base_url, server)
        yield served
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            _, stderr = server.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.communicate()
            raise
        served.logs = stderr.decode()
    # uvicorn shuts down gracefully, then re-raises the signal it caught.
    assert server.returncode in (0, -signal.SIGTERM), served.logs
    assert "Finished server process" in served.logs
    assert "Traceback" not in served.logs


def _wait_until_ready(base_url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert server.poll() is None, "tradeql serve exited early"
        try:
            if httpx.get(f"{base_url}/readyz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError("tradeql serve did not become ready within 30 s")


@pytest.mark.slow
def test_serve_an_empty_sqlite_file_seeded_and_queried_over_http(tmp_path: Path) -> None:
    env = _sqlite_env(tmp_path)
    for command in (["migrate"], ["seed-demo", "--products", "40", "--if-empty"]):
        done = subprocess.run(
            [TRADEQL, *command], env=env, cwd=tmp_path, capture_output=True, timeout=120
        )
        assert done.returncode == 0, done.stderr

    with serving(env, tmp_path) as served:
        response = httpx.post(f"{served.base_url}/graphql", json={"query": QUERY}, timeout=10)
        graphiql = httpx.get(
            f"{served.base_url}/graphql", headers={"accept": "text/html"}, timeout=10
        )
    assert response.status_code == 200
    body = response.json()
    assert "errors" not in body, body
    assert {category["slug"] for category in body["data"]["categories"]} >= {"textiles"}
    products = body["data"]["products"]
    assert products["totalCount"] > 0
    assert len(products["edges"]) == 5
    assert all(edge["node"]["variants"] for edge in products["edges"])
    assert "graphiql" in graphiql.text.lower()


def _client_seen_by_server(tmp_path: Path, trusted_proxies: str) -> str:
    """Serve, send one request claiming X-Forwarded-For, return the client the log shows."""
    env = _sqlite_env(tmp_path, TRUSTED_PROXIES=trusted_proxies)
    subprocess.run([TRADEQL, "migrate"], env=env, cwd=tmp_path, timeout=60, check=True)
    with serving(env, tmp_path) as served:
        httpx.get(
            f"{served.base_url}/healthz", headers={"x-forwarded-for": "203.0.113.9"}, timeout=5
        )
    entries = [json.loads(line) for line in served.logs.splitlines() if line.startswith("{")]
    health = [entry for entry in entries if entry.get("message") == "GET /healthz 200"]
    assert len(health) == 1, entries
    client: str = health[0]["client"]
    return client


def test_serve_refuses_an_unmigrated_database_in_one_line(tmp_path: Path) -> None:
    result = run_tradeql(
        ["serve", "--port", str(_free_port())],
        env={"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'tradeql.db'}", "REDIS_URL": ""},
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "run `tradeql migrate` first" in lines[0]


@pytest.mark.slow
def test_forwarded_for_is_believed_only_from_trusted_proxies(tmp_path: Path) -> None:
    assert _client_seen_by_server(tmp_path, "") == "127.0.0.1"
    assert _client_seen_by_server(tmp_path, "127.0.0.1") == "203.0.113.9"
