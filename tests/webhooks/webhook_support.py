"""Builders and probes for webhook tests: endpoints, events, a worker, and what they left.

Endpoints are added through the same function `tradeql webhooks add` uses; tests that
need several endpoints on one event use a test-only event type, which the public
catalogue (rightly) refuses, so it is set on the row directly.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager

import httpx
from sqlmodel import col, select

from app.worker import Worker
from app.worker_main import job_context
from core import webhook_endpoints
from core.db import Database
from core.event_types import PUBLIC_EVENT_TYPES, WEBHOOK_DELIVER
from core.outbox import emit
from core.settings import Settings
from jobs.registry import HandlerRegistry
from jobs.webhooks import delivery as webhooks
from models.outbox import OutboxEvent
from models.webhooks import WebhookAttempt, WebhookDelivery, WebhookEndpoint

TEST_EVENT = "test.order_placed"


@asynccontextmanager
async def webhook_worker(
    settings: Settings, database: Database, *, http: httpx.AsyncClient | None = None
) -> AsyncIterator[Worker]:
    """The real worker with the webhook handlers, fanning out TEST_EVENT as well."""
    registry = HandlerRegistry()
    webhooks.register(registry, event_types=[*PUBLIC_EVENT_TYPES, TEST_EVENT])
    async with job_context(settings, database) as context:
        if http is not None:
            context = dataclasses.replace(context, http=http)
        yield Worker(settings=settings, database=database, registry=registry, context=context)


async def run_until(worker: Worker, done: Callable[[], Awaitable[bool]]) -> None:
    """Let the worker make passes until `done`; ten seconds at most."""
    async with asyncio.timeout(10):
        while not await done():
            await worker.run_once()
            await asyncio.sleep(0.02)


async def run_passes(worker: Worker, passes: int) -> None:
    for _ in range(passes):
        await worker.run_once()
        await asyncio.sleep(0.02)


async def add_endpoint(
    database: Database,
    settings: Settings,
    url: str,
    *,
    event_types: Sequence[str] = ("webhook.ping",),
) -> webhook_endpoints.IssuedSecret:
    async with database.transaction() as session:
        issued = await webhook_endpoints.add_endpoint(
            session, settings=settings, url=url, event_types=["webhook.ping"]
        )
        issued.endpoint.event_types = list(event_types)
        session.add(issued.endpoint)
    return issued


async def ping(database: Database, endpoint: WebhookEndpoint) -> OutboxEvent:
    async with database.transaction() as session:
        return await webhook_endpoints.request_ping(session, public_id=endpoint.public_id)


async def emit_test_event(database: Database) -> OutboxEvent:
    async with database.transaction() as session:
        return await emit(session, TEST_EVENT, {"order_id": "ORD-7", "total": "1250.00"})


async def redeliver(database: Database, delivery_id: int) -> OutboxEvent:
    """A second `webhook.deliver` event for a delivery, as a duplicate or replay would be."""
    async with database.transaction() as session:
        return await emit(session, WEBHOOK_DELIVER, {"delivery_id": delivery_id})


async def deliveries(database: Database) -> list[WebhookDelivery]:
    async with database.session() as session:
        return list(
            await session.scalars(select(WebhookDelivery).order_by(col(WebhookDelivery.id)))
        )


async def delivery_to(database: Database, endpoint: WebhookEndpoint) -> WebhookDelivery | None:
    async with database.session() as session:
        return await session.scalar(
            select(WebhookDelivery).where(col(WebhookDelivery.endpoint_id) == endpoint.id)
        )


async def attempts(database: Database, delivery: WebhookDelivery) -> list[WebhookAttempt]:
    async with database.session() as session:
        return list(
            await session.scalars(
                select(WebhookAttempt)
                .where(col(WebhookAttempt.delivery_id) == delivery.id)
                .order_by(col(WebhookAttempt.id))
            )
        )


async def reload(database: Database, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    async with database.session() as session:
        found = await session.get(WebhookEndpoint, endpoint.id)
    assert found is not None
    return found


async def deliver_event_of(database: Database, delivery: WebhookDelivery) -> OutboxEvent:
    async with database.session() as session:
        events = await session.scalars(
            select(OutboxEvent).where(col(OutboxEvent.event_type) == WEBHOOK_DELIVER)
        )
    matching = [event for event in events if event.payload["delivery_id"] == delivery.id]
    assert len(matching) == 1
    return matching[0]


async def is_delivered(database: Database, endpoint: WebhookEndpoint) -> bool:
    delivery = await delivery_to(database, endpoint)
    return delivery is not None and delivery.state == "delivered"
