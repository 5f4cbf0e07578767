"""A worker's ear on PostgreSQL: one LISTEN connection that hears of newly committed events.

A trigger on outbox_events notifies `WAKE_CHANNEL` as an inserting transaction commits;
the listener calls back on each notification, so an idle worker claims at once instead of
waiting out its poll. The connection is the worker's own, outside the pool, and does nothing
but listen (and answer a health check now and then). When it drops (the database restarts, an
operator terminates it) the listener reconnects with backoff while the worker keeps polling,
and calls back on every new connection too, for whatever committed while nobody listened.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

import asyncpg
from sqlalchemy.engine import URL

from core.outbox import WAKE_CHANNEL

logger = logging.getLogger("tradeql.worker")

# How the listening connection shows in pg_stat_activity.
LISTENER_APPLICATION_NAME = "tradeql-worker-listener"
CONNECT_TIMEOUT_SECONDS = 5.0
# A connection that died without a word (a network partition) shows only when used.
HEALTH_CHECK_SECONDS = 30.0
FIRST_RETRY_SECONDS = 0.5
MAX_RETRY_SECONDS = 30.0


class ConnectionLost(Exception):
    """The listening connection closed under us."""


def asyncpg_dsn(url: URL) -> str:
    """The engine's URL as asyncpg spells it (it carries the password: never log it)."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


class OutboxListener:
    def __init__(self, dsn: str, on_notified: Callable[[], None]) -> None:
        self._dsn = dsn
        self._on_notified = on_notified
        self._failures = 0
        # The listening backend's process id while listening, else None (tests, operators).
        self.server_pid: int | None = None

    async def listen_until(self, stop: asyncio.Event) -> None:
        """Listen, reconnecting with backoff, until `stop` is set or the task is cancelled."""
        while not stop.is_set():
            try:
                await self._listen(stop)
            except Exception as error:  # refused, timed out, terminated: all mean try again
                self._failures += 1
                if self._failures == 1:
                    logger.warning(
                        "the outbox listener has no connection (%s); polling until it is back",
                        type(error).__name__,
                    )
                retry = min(MAX_RETRY_SECONDS, FIRST_RETRY_SECONDS * 2 ** (self._failures - 1))
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=retry)

    async def _listen(self, stop: asyncio.Event) -> None:
        connection = await asyncpg.connect(
            self._dsn,
            timeout=CONNECT_TIMEOUT_SECONDS,
            server_settings={"application_name": LISTENER_APPLICATION_NAME},
        )
        lost = asyncio.Event()
        connection.add_termination_listener(lambda _connection: lost.set())
        try:
            await connection.add_listener(WAKE_CHANNEL, self._notified)
            self.server_pid = connection.get_server_pid()
            if self._failures:
                logger.info("the outbox listener is back after %s failures", self._failures)
                self._failures = 0
            self._on_notified()
            while not stop.is_set():
                await _first_of(stop, lost, seconds=HEALTH_CHECK_SECONDS)
                if lost.is_set():
                    raise ConnectionLost
                if not stop.is_set():
                    await connection.execute("SELECT 1", timeout=CONNECT_TIMEOUT_SECONDS)
        finally:
            self.server_pid = None
            # Closes politely while the server answers, else drops the socket: never leaks.
            await connection.close(timeout=CONNECT_TIMEOUT_SECONDS)

    def _notified(self, *_notification: Any) -> None:
        self._on_notified()


async def _first_of(*events: asyncio.Event, seconds: float) -> None:
    waiters = [asyncio.create_task(event.wait()) for event in events]
    try:
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
