"""The worker: claims due outbox events, runs their handlers, finishes or retries them.

Any number of workers may run against PostgreSQL. On SIGTERM a worker stops claiming, lets
running handlers finish within the grace period, and hands back (releases) what it could not
finish, so another worker picks it up at once instead of waiting for the lease to expire.

A worker sleeps between claims until whichever comes first: its poll, a freed slot while a
backlog may remain, or word of a newly committed event (a PostgreSQL notification heard by its
listener, or on SQLite `wake()` called in-process). Retries, deferred and scheduled events
become due without a word, so a worker that claimed less than it could also asks when the
next pending event falls due and wakes then if that is before its poll: a scheduled event
starts at its moment, not up to a poll later. The poll bounds the rest (another worker's
retries set after that question); a worker sleeps past it only while claims fail.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from datetime import datetime
from functools import partial

from core import outbox
from core.db import Database
from core.outbox_listener import OutboxListener, asyncpg_dsn
from core.settings import Settings
from jobs.context import JobContext
from jobs.registry import Defer, HandlerRegistry
from models.outbox import EventState, OutboxEvent

logger = logging.getLogger("tradeql.worker")
MAX_BACKOFF_SECONDS = 30.0


def new_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Worker:
    def __init__(
        self,
        *,
        settings: Settings,
        database: Database,
        registry: HandlerRegistry,
        context: JobContext,
        worker_id: str | None = None,
    ) -> None:
        self.settings = settings
        self.database = database
        self.registry = registry
        self.context = context
        self.worker_id = worker_id or new_worker_id()
        self.policy = outbox.RetryPolicy(
            max_attempts=settings.outbox_max_attempts,
            base_seconds=settings.outbox_backoff_base_seconds,
            max_seconds=settings.outbox_backoff_max_seconds,
        )
        self._running: dict[int, asyncio.Task[None]] = {}
        self._wake = asyncio.Event()
        # The last claim filled every free slot, so more may be due: a freed slot claims again.
        self._backlog_may_remain = False
        self._claim_failures = 0
        # When the earliest pending event not yet due falls due, as of the last claim.
        self._next_due_at: datetime | None = None
        self.listener = (
            OutboxListener(asyncpg_dsn(database.bind.engine.url), self.wake)
            if settings.worker_listen and database.dialect == "postgresql"
            else None
        )

    def wake(self) -> None:
        """Claim now rather than at the next poll: new events were committed."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Work until `stop` is set, then shut down gracefully."""
        logger.info("worker %s started", self.worker_id, extra={"handlers": self.registry.names})
        background = [asyncio.create_task(self._renew_leases_until(stop))]
        if self.listener is not None:
            background.append(asyncio.create_task(self.listener.listen_until(stop)))
        try:
            while not stop.is_set():
                # Cleared before claiming, so word that arrives during the claim is kept.
                self._wake.clear()
                await self._claim()
                await self._sleep(stop)
        finally:
            for task in background:
                task.cancel()
            await asyncio.gather(*background, return_exceptions=True)
            await self._drain()
        logger.info("worker %s stopped", self.worker_id)

    async def run_once(self) -> int:
        """Claim and finish one batch (for tests and operators); returns how many ran."""
        claimed = await self._claim()
        await asyncio.gather(*self._running.values(), return_exceptions=True)
        return claimed

    async def _claim(self) -> int:
        capacity = self.settings.worker_concurrency - len(self._running)
        self._next_due_at = None
        if capacity <= 0:
            return 0
        try:
            events = await outbox.claim_due(
                self.database,
                worker_id=self.worker_id,
                limit=capacity,
                lease_seconds=self.settings.outbox_lease_seconds,
            )
        except Exception:
            # The database is down or unmigrated: back off, and log the details once.
            self._claim_failures += 1
            if self._claim_failures == 1:
                logger.exception("claiming events failed; backing off until it works again")
            return 0
        if self._claim_failures:
            logger.info("claiming events works again after %s failures", self._claim_failures)
            self._claim_failures = 0
        self._backlog_may_remain = len(events) == capacity
        for event in events:
            assert event.id is not None
            task = asyncio.create_task(self._process(event))
            self._running[event.id] = task
            task.add_done_callback(partial(self._finished, event.id))
        if not self._backlog_may_remain:
            self._next_due_at = await self._next_due()
        return len(events)

    async def _next_due(self) -> datetime | None:
        try:
            return await outbox.next_available_at(self.database, after=outbox.utcnow())
        except Exception:
            return None  # the claim just worked: a failure here is the next claim's to report

    def _finished(self, event_id: int, _task: asyncio.Task[None]) -> None:
        self._running.pop(event_id, None)
        if self._backlog_may_remain:
            self._wake.set()

    async def _sleep(self, stop: asyncio.Event) -> None:
        """Wait for the poll interval (backing off while claims fail), the next event falling
        due, a stop, or a wake-up."""
        waiters = [asyncio.create_task(stop.wait()), asyncio.create_task(self._wake.wait())]
        pause = min(
            self.settings.worker_poll_seconds * 2 ** min(self._claim_failures, 5),
            MAX_BACKOFF_SECONDS,
        )
        if self._next_due_at is not None and not self._claim_failures:
            until_due = (self._next_due_at - outbox.utcnow()).total_seconds()
            pause = min(pause, max(until_due, 0.0))
        try:
            await asyncio.wait(waiters, timeout=pause, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()

    async def _process(self, event: OutboxEvent) -> None:
        assert event.id is not None
        try:
            for handler in self.registry.handlers_for(event.event_type):
                await handler.run(event, self.context)
        except Defer as deferral:
            await outbox.defer(
                self.database,
                event.id,
                worker_id=self.worker_id,
                seconds=deferral.seconds,
                reason=deferral.reason,
            )
        except asyncio.CancelledError:
            raise
        except Exception as error:
            outcome = await outbox.fail(
                self.database,
                event,
                f"{type(error).__name__}: {error}",
                worker_id=self.worker_id,
                policy=self.policy,
            )
            log = logger.error if outcome is EventState.DEAD else logger.warning
            log(
                "event %s (%s) failed on attempt %s%s",
                event.id,
                event.event_type,
                event.attempts,
                ", dead-lettered" if outcome is EventState.DEAD else ", will retry",
                exc_info=error,
            )
        else:
            await outbox.complete(self.database, event.id, worker_id=self.worker_id)

    async def _renew_leases_until(self, stop: asyncio.Event) -> None:
        """Keep leases of long-running handlers alive while this worker is."""
        interval = self.settings.outbox_lease_seconds / 3
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=interval)
            if self._running:
                try:
                    await outbox.renew_leases(
                        self.database,
                        list(self._running),
                        worker_id=self.worker_id,
                        lease_seconds=self.settings.outbox_lease_seconds,
                    )
                except Exception:
                    logger.exception("renewing leases failed")

    async def _drain(self) -> None:
        running = dict(self._running)
        if not running:
            return
        _done, unfinished = await asyncio.wait(
            running.values(), timeout=self.settings.worker_grace_seconds
        )
        if not unfinished:
            return
        for task in unfinished:
            task.cancel()
        await asyncio.gather(*unfinished, return_exceptions=True)
        unfinished_ids = [event_id for event_id, task in running.items() if task in unfinished]
        released = await outbox.release(self.database, unfinished_ids, worker_id=self.worker_id)
        logger.warning("released %s unfinished events at shutdown", released)
