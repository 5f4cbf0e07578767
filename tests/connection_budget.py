"""The run's budget of PostgreSQL connections, enforced by the server and measured.

The server is shared with other developers' runs, so a run may hold at most
CONNECTION_BUDGET connections at once, counting the servers and workers its tests spawn.

- Enforced: every test connection logs in as the run's role (tests/databases.py), which
  PostgreSQL refuses more than ROLE_CONNECTION_LIMIT connections, so a test that overspends
  fails where it does, with "too many connections for role".
- Measured: a thread with a connection of its own polls pg_stat_activity every SAMPLE_SECONDS
  and keeps the peak of this run's connections: those to its databases (every name carries
  RUN_ID) and the superuser's tagged with RUN_APPLICATION_NAME, the sampler's included. The
  peak is printed at the end, and a peak over the budget fails the run.
- Explained: when the role's connections reach its limit, the sampler keeps who held them
  (database, state, age, query) and which test was running; the summary prints it, so a
  run that failed with "too many connections for role" says which test overspent.

Under pytest-xdist (`make test-fast`) the processes share the run's id, so the controlling
process alone creates the role, samples and reports, and the budget covers all of them.

A pytest plugin, loaded by the root conftest.
"""

from __future__ import annotations

import asyncio
import threading

import asyncpg
import pytest

from tests.databases import (
    RUN_APPLICATION_NAME,
    RUN_ID,
    RUN_ROLE,
    WORKER,
    admin_connection,
    create_run_role,
    drop_run_role,
)

CONNECTION_BUDGET = 20
# The superuser's connections are not the role's: the sampler's, and one at a time to create
# or drop a database.
ROLE_CONNECTION_LIMIT = CONNECTION_BUDGET - 2
SAMPLE_SECONDS = 0.02

_COUNT = """
SELECT count(*) FROM pg_stat_activity
WHERE strpos(datname, $1) > 0 OR application_name = $2
"""
_HOLDERS = """
SELECT datname, state, round(extract(epoch FROM now() - backend_start)::numeric, 1) AS age,
       left(regexp_replace(query, '\\s+', ' ', 'g'), 100) AS query
FROM pg_stat_activity WHERE usename = $1 ORDER BY backend_start
"""


class ConnectionSampler:
    """Polls pg_stat_activity on a thread of its own until stopped; `peak` is the most seen."""

    def __init__(self) -> None:
        self.peak = 0
        # The test running now (set by the hooks below), and what the role held at its limit.
        self.running = "(no test yet)"
        self.at_limit: list[str] = []
        self._stopping = threading.Event()
        self._ready = threading.Event()
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="connection-sampler", daemon=True)

    def start(self) -> None:
        self._thread.start()
        self._ready.wait()
        self._raise_failure()

    def stop(self) -> int:
        self._stopping.set()
        self._thread.join()
        self._raise_failure()
        return self.peak

    def _raise_failure(self) -> None:
        if self._failure is not None:
            raise RuntimeError(f"the connection sampler failed: {self._failure!r}")

    def _run(self) -> None:
        try:
            asyncio.run(self._poll())
        except BaseException as failure:  # reported on the main thread by start() or stop()
            self._failure = failure
        finally:
            self._ready.set()

    async def _poll(self) -> None:
        connection = await admin_connection()
        try:
            self._ready.set()
            while not self._stopping.is_set():
                count = int(await connection.fetchval(_COUNT, RUN_ID, RUN_APPLICATION_NAME))
                self.peak = max(self.peak, count)
                if count >= ROLE_CONNECTION_LIMIT and not self.at_limit:
                    await self._note_holders_at_limit(connection)
                await asyncio.sleep(SAMPLE_SECONDS)
        finally:
            await connection.close()

    async def _note_holders_at_limit(self, connection: asyncpg.Connection) -> None:
        """The first time the role holds its limit of connections, keep who holds them."""
        holders = await connection.fetch(_HOLDERS, RUN_ROLE)
        if len(holders) < ROLE_CONNECTION_LIMIT:
            return
        self.at_limit = [f"while {self.running}:"] + [
            f"  {row['datname']} {row['state']} {row['age']} s: {row['query']}" for row in holders
        ]


_SAMPLER = pytest.StashKey[ConnectionSampler]()
# The sampler of this process, if it samples: the hook naming the running test has no config.
_sampling: list[ConnectionSampler] = []
_PEAK = pytest.StashKey[int]()
_AT_LIMIT = pytest.StashKey[list[str]]()


# Before xdist's own session start, which starts the processes that log in as the role.
@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    if WORKER:
        return  # the controlling process made the role and samples for every process
    asyncio.run(create_run_role(ROLE_CONNECTION_LIMIT))
    sampler = ConnectionSampler()
    sampler.start()
    session.config.stash[_SAMPLER] = sampler
    _sampling.append(sampler)


# Called where the sampler runs, also under xdist (from the processes' reports).
def pytest_runtest_logstart(nodeid: str, location: tuple[str, int | None, str]) -> None:
    if _sampling:
        _sampling[0].running = nodeid


def pytest_sessionfinish(session: pytest.Session) -> None:
    sampler = session.config.stash.get(_SAMPLER, None)
    if sampler is None:
        return
    try:
        peak = sampler.stop()
    finally:
        asyncio.run(drop_run_role())
    session.config.stash[_PEAK] = peak
    session.config.stash[_AT_LIMIT] = sampler.at_limit
    if peak > CONNECTION_BUDGET and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    peak = terminalreporter.config.stash.get(_PEAK, None)
    if peak is None:
        return
    if peak > CONNECTION_BUDGET:
        terminalreporter.write_line(
            f"FAILED: this run held {peak} PostgreSQL connections at once, over its budget "
            f"of {CONNECTION_BUDGET} (tests/connection_budget.py)",
            red=True,
            bold=True,
        )
    else:
        terminalreporter.write_line(
            f"PostgreSQL connections of this run: at most {peak} at once "
            f"(budget {CONNECTION_BUDGET})"
        )
    at_limit = terminalreporter.config.stash.get(_AT_LIMIT, [])
    if at_limit:
        terminalreporter.write_line(
            f"The run's role reached its limit of {ROLE_CONNECTION_LIMIT} connections", red=True
        )
        for line in at_limit:
            terminalreporter.write_line(line)
