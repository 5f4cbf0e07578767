"""TradeQL's reads against a hand-written endpoint (`bench/reads_baseline.py`), over HTTP.

    .venv/bin/python -m bench.reads [--rounds 3] [--seconds 10] [--quick] [--only listing20,...]

Seeds a scratch database with the demo catalog, starts TradeQL as in production (`tradeql
serve`, one process, ENV=production, its logging and limits on: twice, with the read cache
off and on) and the baseline (uvicorn, one process), checks that both answer each scenario
with the same bytes, then drives them with wrk at 1 and 32 connections, alternating the
servers over the rounds. Prints per scenario and connection count requests/s, p50, p99,
server CPU per request (from /proc/<pid>/stat), SQL statements per request and the ratio to
the baseline; ends with one `SCENARIO ratio_to_raw=...` line each. Figures are printed, never
asserted; how to read them is in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import asyncpg
import httpx

from bench import scratch_database
from bench.reads_scenarios import SCENARIOS, Scenario
from bench.reads_servers import Server, start_baseline, start_tradeql, tradeql_statements

PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
CONNECTIONS = (1, 32)
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Sample:
    """One wrk run against one server."""

    rps: float  # answers of status 2xx a second: refused requests are not served
    p50_ms: float
    p99_ms: float
    cpu_ms_per_request: float
    refused: int  # non-2xx answers (e.g. 503 OVERLOADED when the pool wait runs out)


def ensure_wrk() -> str:
    """wrk's path, installed from Debian when missing."""
    found = shutil.which("wrk")
    if found:
        return found
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    install = [*sudo, "apt-get", "install", "-y", "-q", "wrk"]
    print("installing wrk:", " ".join(install))
    if subprocess.run(install, stdout=subprocess.DEVNULL).returncode != 0:  # noqa: S603
        # Package lists too old to know wrk's current version: refresh them once.
        subprocess.run([*sudo, "apt-get", "update", "-q"], check=True, stdout=subprocess.DEVNULL)  # noqa: S603
        subprocess.run(install, check=True, stdout=subprocess.DEVNULL)  # noqa: S603
    found = shutil.which("wrk")
    if found is None:
        raise SystemExit("wrk is still missing after apt-get")
    return found


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


@contextmanager
def lua_script(scenario: Scenario) -> Iterator[str]:
    """A wrk script POSTing the scenario's body (and its headers)."""
    lines = ['wrk.method = "POST"', f"wrk.body = [==[{scenario.body().decode()}]==]"]
    for name, value in {"Content-Type": "application/json", **scenario.headers}.items():
        lines.append(f'wrk.headers["{name}"] = "{value}"')
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write("\n".join(lines) + "\n")
    try:
        yield script.name
    finally:
        os.unlink(script.name)


def _milliseconds(text: str) -> float:
    units = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}
    for unit in ("us", "ms", "s", "m"):
        if text.endswith(unit):
            return float(text[: -len(unit)]) * units[unit]
    raise ValueError(text)


def _any_errors(line: str) -> bool:
    """`Socket errors: connect 0, read 0, write 0, timeout 15`: any count above 0."""
    counts = line.split(":", 1)[1].split(",")
    return any(int(count.split()[-1]) for count in counts)


def parse_wrk(output: str) -> tuple[int, float, float, float, int]:
    """Requests, requests/s, p50 and p99 (ms) and non-2xx answers of wrk's `--latency`
    report; stops on socket errors (timeouts, resets), which leave nothing to measure."""
    requests = rps = p50 = p99 = None
    refused = 0
    for line in output.splitlines():
        words = line.split()
        if not words:
            continue
        if words[0] == "Socket" and _any_errors(line):
            raise SystemExit(f"wrk saw failures: {line.strip()}")
        if words[0] == "Non-2xx":
            refused = int(words[-1])
        elif words[0] == "50%":
            p50 = _milliseconds(words[1])
        elif words[0] == "99%":
            p99 = _milliseconds(words[1])
        elif words[0] == "Requests/sec:":
            rps = float(words[1])
        elif len(words) > 1 and words[1] == "requests" and words[0].isdigit():
            requests = int(words[0])
    if requests is None or rps is None or p50 is None or p99 is None:
        raise SystemExit(f"cannot read wrk's report:\n{output}")
    return requests, rps, p50, p99, refused


def drive(wrk: str, server: Server, scenario: Scenario, connections: int, seconds: int) -> Sample:
    url = server.url(scenario)
    with lua_script(scenario) as script:
        # A timeout far above any answer's: wrk's 2 s default would count slow answers as errors.
        command = [wrk, "-t1", f"-c{connections}", "-d2s", "--timeout", "60s", "-s", script, url]
        subprocess.run(command, check=True, capture_output=True)  # noqa: S603 - warm-up
        before = cpu_seconds(server.pid)
        command[3] = f"-d{seconds}s"
        done = subprocess.run(  # noqa: S603 - our own command
            [*command[:-1], "--latency", url], check=True, capture_output=True, text=True
        )
        used = cpu_seconds(server.pid) - before
    requests, rps, p50, p99, refused = parse_wrk(done.stdout)
    served = requests - refused
    # CPU per answer served: refusing is cheap, and would flatter the figure.
    return Sample(rps * served / max(requests, 1), p50, p99, used * 1000 / max(served, 1), refused)


def check_same_bytes(tradeql: Server, baseline: Server, scenario: Scenario) -> None:
    ours = httpx.post(tradeql.url(scenario), content=scenario.body(), headers=scenario.all_headers)
    theirs = httpx.post(
        baseline.url(scenario), content=scenario.body(), headers=scenario.all_headers
    )
    if ours.status_code != 200 or b'"errors"' in ours.content:
        raise SystemExit(f"{scenario.name}: TradeQL answered {ours.status_code} {ours.text[:500]}")
    if scenario.expect not in ours.content:
        raise SystemExit(f"{scenario.name}: TradeQL's answer holds no rows: {ours.text[:500]}")
    if ours.content != theirs.content:
        at = next(
            (
                i
                for i, (a, b) in enumerate(zip(ours.content, theirs.content, strict=False))
                if a != b
            ),
            min(len(ours.content), len(theirs.content)),
        )
        raise SystemExit(
            f"{scenario.name}: the baseline's answer differs at byte {at}:\n"
            f"  TradeQL  ...{ours.content[max(0, at - 80) : at + 80]!r}\n"
            f"  baseline ...{theirs.content[max(0, at - 80) : at + 80]!r}"
        )


def baseline_statements(baseline: Server, scenario: Scenario) -> int:
    """Statements the baseline sends for one request of the scenario, by its own count."""

    def count() -> int:
        answer = httpx.get(f"{baseline.base_url}/statements").json()
        return int(answer["statements"])

    before = count()
    httpx.post(baseline.url(scenario), content=scenario.body(), headers=scenario.all_headers)
    return count() - before


@dataclass
class Figures:
    tradeql: dict[int, list[Sample]]
    baseline: dict[int, list[Sample]]
    sql_tradeql: int
    sql_baseline: int


def _median(samples: list[Sample], field: str) -> float:
    return float(statistics.median(getattr(sample, field) for sample in samples))


def _ratios(ours: list[Sample], theirs: list[Sample], field: str) -> float:
    """The median of per-round ratios: both servers of a round saw the same machine."""
    return float(
        statistics.median(
            getattr(a, field) / getattr(b, field) for a, b in zip(ours, theirs, strict=True)
        )
    )


def report(scenario: Scenario, figures: Figures) -> str:
    for connections in CONNECTIONS:
        for name, samples, sql in (
            ("tradeql", figures.tradeql[connections], figures.sql_tradeql),
            ("baseline", figures.baseline[connections], figures.sql_baseline),
        ):
            print(
                f"  {scenario.name:<18} c={connections:<3} {name:<9}"
                f" rps={_median(samples, 'rps'):9.1f}"
                f" p50={_median(samples, 'p50_ms'):8.2f} ms"
                f" p99={_median(samples, 'p99_ms'):8.2f} ms"
                f" cpu/req={_median(samples, 'cpu_ms_per_request'):7.3f} ms sql/req={sql}"
                f" refused={sum(sample.refused for sample in samples)}"
            )
        ours, theirs = figures.tradeql[connections], figures.baseline[connections]
        print(
            f"  {scenario.name:<18} c={connections:<3} ratio_to_raw="
            f"{_ratios(ours, theirs, 'rps'):.3f}"
            f" cpu_ratio={_ratios(ours, theirs, 'cpu_ms_per_request'):.2f}"
        )
    ours = figures.tradeql[32]
    cpu_32 = _median(ours, "cpu_ms_per_request")
    cpu_1 = _median(figures.tradeql[1], "cpu_ms_per_request")
    print(f"  {scenario.name:<18} TradeQL CPU/req at 32 against 1: {cpu_32 / cpu_1:.2f}x")
    theirs = figures.baseline[32]
    return (
        f"{scenario.name} ratio_to_raw={_ratios(ours, theirs, 'rps'):.3f}"
        f" cpu_ratio={_ratios(ours, theirs, 'cpu_ms_per_request'):.2f}"
        f" rps={_median(ours, 'rps'):.1f} p50_ms={_median(ours, 'p50_ms'):.2f}"
        f" p99_ms={_median(ours, 'p99_ms'):.2f} sql_per_req={figures.sql_tradeql}"
        f" path={'cached' if scenario.cached else 'uncached'}"
    )


def measure(
    wrk: str,
    servers: dict[str, Server],
    scenario: Scenario,
    rounds: int,
    seconds: int,
) -> Figures:
    tradeql = servers["cached" if scenario.cached else "uncached"]
    baseline = servers["baseline"]
    figures = Figures({c: [] for c in CONNECTIONS}, {c: [] for c in CONNECTIONS}, 0, 0)
    check_same_bytes(tradeql, baseline, scenario)
    figures.sql_baseline = baseline_statements(baseline, scenario)
    figures.sql_tradeql = 0 if scenario.cached else -1
    for round_number in range(rounds):
        # Which server goes first alternates round by round, so drift hits both alike.
        order = [tradeql, baseline] if round_number % 2 == 0 else [baseline, tradeql]
        for connections in CONNECTIONS:
            for server in order:
                sample = drive(wrk, server, scenario, connections, seconds)
                target = figures.baseline if server is baseline else figures.tradeql
                target[connections].append(sample)
    return figures


async def seed(name: str, products: int, orders: int) -> tuple[str, str]:
    """A scratch database with the demo catalog and order book, and a sales desk's API key:
    its URL and the key."""
    from app.cli.seed_commands import seed_demo
    from app.demo_orders.seeding import seed_order_book
    from auth.api_keys import create_api_key
    from core.db import Database, create_engine
    from core.settings import Settings
    from models.accounts import Role

    url = await scratch_database.create_migrated(PG_SERVER, name)
    engine = create_engine(Settings(env="test", database_url=url, redis_url=None))
    try:
        database = Database(engine)
        await seed_demo(database, products=products)
        await seed_order_book(database, orders=orders)
        async with database.transaction() as db:
            created = await create_api_key(db, name="bench-reads", role=Role.SALES)
    finally:
        await engine.dispose()
    return url, created.key


async def with_run_variables(url: str, key: str, scenarios: list[Scenario]) -> list[Scenario]:
    """The scenarios, with what depends on the seeded rows filled in: the product page shows
    the first product of the listing; staff scenarios carry the API key."""
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        slug = await connection.fetchval(
            "select slug from products where status = 'active' order by name, id limit 1"
        )
    finally:
        await connection.close()
    filled = []
    for scenario in scenarios:
        if "slug" in scenario.variables:
            scenario = replace(scenario, variables={**scenario.variables, "slug": slug})
        if "Authorization" in scenario.headers:
            scenario = replace(scenario, headers={"Authorization": f"Bearer {key}"})
        filled.append(scenario)
    return filled


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10, help="per wrk run, after 2 s warm-up")
    parser.add_argument("--quick", action="store_true", help="1 round of 5 s: a smoke run")
    parser.add_argument("--only", default="", help="comma-separated scenario names")
    parser.add_argument("--products", type=int, default=300)
    parser.add_argument("--orders", type=int, default=500)
    args = parser.parse_args()
    rounds, seconds = (1, 5) if args.quick else (args.rounds, args.seconds)
    chosen = [s for s in SCENARIOS if not args.only or s.name in args.only.split(",")]
    if args.only and len(chosen) != len(args.only.split(",")):
        raise SystemExit(f"--only names one of {', '.join(s.name for s in SCENARIOS)}")
    # Stopped from outside, it still stops its servers and drops its database (finally below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    wrk = ensure_wrk()
    name = f"tradeql_bench_reads_{uuid.uuid4().hex[:8]}"
    url, key = asyncio.run(seed(name, args.products, args.orders))
    print(f"seeded {args.products} demo products and {args.orders} orders into {name}")
    chosen = asyncio.run(with_run_variables(url, key, chosen))
    prefix = f"tqbench{uuid.uuid4().hex[:8]}:"
    keys = {"SECRET_KEY": secrets.token_hex(32), "DATA_KEY": secrets.token_hex(32)}
    started: list[Server] = []
    lines: list[str] = []
    try:
        servers = {
            "uncached": start_tradeql(url, REDIS_URL, prefix + "u:", keys, cache_seconds=0),
            "cached": start_tradeql(url, REDIS_URL, prefix + "c:", keys, cache_seconds=3600),
            "baseline": start_baseline(url),
        }
        started.extend(servers.values())
        for scenario in chosen:
            print(f"{scenario.name}: {rounds} round(s) of {seconds} s per server and c")
            figures = measure(wrk, servers, scenario, rounds, seconds)
            if not scenario.cached:
                figures.sql_tradeql = asyncio.run(tradeql_statements(url, scenario))
            lines.append(report(scenario, figures))
    finally:
        for server in started:
            server.stop()
        asyncio.run(scratch_database.drop(PG_SERVER, name))
    print()
    for line in lines:
        print(line)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
