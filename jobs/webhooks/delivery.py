"""Webhook handlers: fan each public event out to its endpoints, then deliver each on its own.

Fan-out writes one delivery per subscribed endpoint and one `webhook.deliver` event per
delivery, all in one transaction, so each delivery has its own attempts and backoff and a
failing endpoint never holds up another. An endpoint that keeps failing is paused: its
deliveries wait (without spending attempts) until the pause ends, then one probes it.

Delivery is at least once. `webhook-id` is the same on every retry of a delivery, so
receivers drop duplicates by it; a delivery already delivered is never sent again.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Iterable
from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core.crypto import DataCipher
from core.event_types import PUBLIC_EVENT_TYPES, WEBHOOK_DELIVER, WEBHOOK_PING
from core.outbox import claim_effect, emit, utcnow
from core.webhook_endpoints import signing_secrets
from jobs.context import JobContext
from jobs.registry import Defer, HandlerRegistry
from jobs.webhooks.http import AttemptOutcome, post_webhook
from jobs.webhooks.signing import signature_headers
from models.outbox import OutboxEvent
from models.webhooks import DeliveryState, WebhookAttempt, WebhookDelivery, WebhookEndpoint

FAN_OUT = "webhooks.fan_out"
DELIVER = "webhooks.deliver"
PAUSE_AFTER_FAILURES = 5
MAX_PAUSE = timedelta(hours=1)


class DeliveryFailed(Exception):
    """The endpoint did not accept the delivery; the outbox retries it with backoff."""


def register(registry: HandlerRegistry, *, event_types: Iterable[str] = PUBLIC_EVENT_TYPES) -> None:
    registry.register(FAN_OUT, event_types)(fan_out)
    registry.register(DELIVER, [WEBHOOK_DELIVER])(deliver)


async def fan_out(event: OutboxEvent, context: JobContext) -> None:
    assert event.id is not None
    async with context.database.transaction() as session:
        if not await claim_effect(session, event.id, FAN_OUT):
            return
        deliveries = [
            WebhookDelivery(endpoint_id=endpoint_id, event_id=event.id)
            for endpoint_id in await _recipients(session, event)
        ]
        session.add_all(deliveries)
        await session.flush()
        # One event per delivery is what lets each endpoint fail and retry on its own.
        for delivery in deliveries:
            await emit(session, WEBHOOK_DELIVER, {"delivery_id": delivery.id})


async def _recipients(session: AsyncSession, event: OutboxEvent) -> list[int]:
    """Ids of the active endpoints owed this event."""
    active = (
        select(col(WebhookEndpoint.id), col(WebhookEndpoint.event_types))
        .where(col(WebhookEndpoint.active))
        .order_by(col(WebhookEndpoint.id))
    )
    ping = event.event_type == WEBHOOK_PING
    if ping:
        # A ping goes to the endpoint it names, whatever that endpoint subscribes to.
        active = active.where(col(WebhookEndpoint.public_id) == str(event.payload["endpoint_id"]))
    # Endpoints are partners, a handful of rows: filtering their JSON list here is portable
    # and cheaper than a per-dialect containment query.
    return [
        endpoint_id
        for endpoint_id, event_types in await session.execute(active)
        if endpoint_id is not None and (ping or event.event_type in event_types)
    ]


async def deliver(event: OutboxEvent, context: JobContext) -> None:
    settings = context.settings
    async with context.database.session() as session:
        found = (
            await session.execute(
                select(WebhookDelivery, WebhookEndpoint, OutboxEvent)
                .join(WebhookEndpoint, col(WebhookEndpoint.id) == col(WebhookDelivery.endpoint_id))
                .join(OutboxEvent, col(OutboxEvent.id) == col(WebhookDelivery.event_id))
                .where(col(WebhookDelivery.id) == int(event.payload["delivery_id"]))
            )
        ).one_or_none()
    if found is None:
        return  # the endpoint was deleted with its deliveries: nothing is owed any more
    delivery, endpoint, source = found
    if delivery.state == DeliveryState.DELIVERED:
        return
    if not endpoint.active:
        await _set_state(context, delivery, DeliveryState.FAILED)
        return
    now = utcnow()
    paused_until = endpoint.paused_until
    if paused_until is not None and paused_until > now:
        wait = (paused_until - now).total_seconds()
        # Spread the wake-ups so a recovering endpoint is not hit by every delivery at once.
        raise Defer(
            wait + random.uniform(0, wait / 10),  # noqa: S311 - jitter, not secrecy
            f"endpoint {endpoint.public_id} paused until {paused_until.isoformat()} after "
            f"{endpoint.consecutive_failures} consecutive failures",
        )
    body = _body(source)
    headers = signature_headers(
        signing_secrets(endpoint, cipher=DataCipher(settings.data_key), now=now),
        message_id=f"msg_{delivery.id}",
        timestamp=int(time.time()),
        body=body,
    )
    outcome = await post_webhook(
        context.http,
        endpoint.url,
        body=body,
        headers=headers,
        timeout_seconds=settings.webhook_timeout_seconds,
        allow_private=settings.webhook_allow_private_targets,
    )
    last_attempt = event.attempts >= settings.outbox_max_attempts
    await _record(context, delivery, endpoint, outcome, last_attempt=last_attempt)
    if not outcome.success:
        raise DeliveryFailed(f"endpoint {endpoint.public_id}: {outcome.error}")


def _body(source: OutboxEvent) -> bytes:
    created_at = source.created_at or utcnow()
    document = {
        "type": source.event_type,
        "timestamp": created_at.isoformat().replace("+00:00", "Z"),
        "data": source.payload,
    }
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()


def pause_for(consecutive_failures: int) -> timedelta | None:
    """How long to leave an endpoint alone: 1, 2, 4 ... minutes from the 5th failure, up to 1 h."""
    if consecutive_failures < PAUSE_AFTER_FAILURES:
        return None
    doublings = min(consecutive_failures - PAUSE_AFTER_FAILURES, 10)
    return min(timedelta(minutes=2**doublings), MAX_PAUSE)


async def _set_state(context: JobContext, delivery: WebhookDelivery, state: DeliveryState) -> None:
    async with context.database.transaction() as session:
        await session.execute(
            update(WebhookDelivery)
            .where(col(WebhookDelivery.id) == delivery.id)
            .values(state=state)
            .execution_options(synchronize_session=False)
        )


async def _record(
    context: JobContext,
    delivery: WebhookDelivery,
    endpoint: WebhookEndpoint,
    outcome: AttemptOutcome,
    *,
    last_attempt: bool,
) -> None:
    """Store the attempt, the delivery's state and the endpoint's health in one transaction."""
    assert delivery.id is not None
    async with context.database.transaction() as session:
        session.add(
            WebhookAttempt(
                delivery_id=delivery.id,
                attempted_at=outcome.attempted_at,
                duration_ms=outcome.duration_ms,
                response_status=outcome.response_status,
                error=outcome.error,
                success=outcome.success,
            )
        )
        if outcome.success:
            state, delivered_at = DeliveryState.DELIVERED, utcnow()
        else:
            state = DeliveryState.FAILED if last_attempt else DeliveryState.PENDING
            delivered_at = None
        await session.execute(
            update(WebhookDelivery)
            .where(col(WebhookDelivery.id) == delivery.id)
            .values(
                state=state,
                delivered_at=delivered_at,
                attempts=col(WebhookDelivery.attempts) + 1,
            )
            .execution_options(synchronize_session=False)
        )
        await _update_health(session, endpoint, succeeded=outcome.success)


async def _update_health(
    session: AsyncSession, endpoint: WebhookEndpoint, *, succeeded: bool
) -> None:
    this_endpoint = col(WebhookEndpoint.id) == endpoint.id
    if succeeded:
        await session.execute(
            update(WebhookEndpoint)
            .where(this_endpoint)
            .values(consecutive_failures=0, paused_until=None)
            .execution_options(synchronize_session=False)
        )
        return
    # Incremented in SQL, not from the loaded row: concurrent deliveries all count.
    failures = await session.scalar(
        update(WebhookEndpoint)
        .where(this_endpoint)
        .values(consecutive_failures=col(WebhookEndpoint.consecutive_failures) + 1)
        .returning(col(WebhookEndpoint.consecutive_failures))
        .execution_options(synchronize_session=False)
    )
    pause = pause_for(int(failures or 0))
    if pause is not None:
        await session.execute(
            update(WebhookEndpoint)
            .where(this_endpoint)
            .values(paused_until=utcnow() + pause)
            .execution_options(synchronize_session=False)
        )
