"""Failing endpoints: retried and paused on their own, never holding up other endpoints.

Also what must never be sent: to private addresses (unless allowed), to disabled endpoints.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from core import webhook_endpoints
from core.db import Database
from core.outbox import utcnow
from core.settings import Settings
from core.webhook_targets import TargetRefused
from jobs.webhooks.delivery import pause_for
from tests.webhooks.webhook_receiver import webhook_receiver
from tests.webhooks.webhook_support import (
    TEST_EVENT,
    add_endpoint,
    attempts,
    deliver_event_of,
    delivery_to,
    emit_test_event,
    is_delivered,
    ping,
    reload,
    run_passes,
    run_until,
    webhook_worker,
)


async def test_a_failing_endpoint_does_not_hold_up_another_endpoint(
    committed_db: Database, webhook_settings: Settings
) -> None:
    async with (
        webhook_receiver(then=500) as broken,
        webhook_receiver(then=200) as healthy,
    ):
        # given two endpoints subscribed to the same event, one of them failing
        failing = await add_endpoint(
            committed_db, webhook_settings, broken.url, event_types=[TEST_EVENT]
        )
        working = await add_endpoint(
            committed_db, webhook_settings, healthy.url, event_types=[TEST_EVENT]
        )
        # and one endpoint that does not subscribe to it
        await add_endpoint(
            committed_db, webhook_settings, healthy.url, event_types=["webhook.ping"]
        )
        # when the event is emitted and the worker makes two passes (fan-out, then delivery)
        await emit_test_event(committed_db)
        async with webhook_worker(webhook_settings, committed_db) as worker:
            await run_passes(worker, 2)

    # then the healthy endpoint has it, on its first attempt, while the other one is retrying
    assert await is_delivered(committed_db, working.endpoint)
    assert len(healthy.requests) == 1
    delivered = await delivery_to(committed_db, working.endpoint)
    assert delivered is not None
    assert delivered.attempts == 1
    pending = await delivery_to(committed_db, failing.endpoint)
    assert pending is not None
    assert pending.state == "pending"
    assert [a.response_status for a in await attempts(committed_db, pending)] == [500]
    assert (await reload(committed_db, failing.endpoint)).consecutive_failures == 1
    assert (await reload(committed_db, working.endpoint)).consecutive_failures == 0


async def test_an_endpoint_failing_five_times_in_a_row_is_paused_without_spending_attempts(
    committed_db: Database, webhook_settings: Settings
) -> None:
    async with webhook_receiver(then=500) as broken:
        # given an endpoint that always fails
        issued = await add_endpoint(committed_db, webhook_settings, broken.url)
        await ping(committed_db, issued.endpoint)
        async with webhook_worker(webhook_settings, committed_db) as worker:
            # when it has failed five times in a row
            await run_until(worker, lambda: broken.has_received(5))
            paused = await reload(committed_db, issued.endpoint)
            # and the worker keeps running
            await run_passes(worker, 5)

    # then the endpoint is paused for a minute
    assert paused.consecutive_failures == 5
    assert paused.paused_until is not None
    assert timedelta(seconds=50) < paused.paused_until - utcnow() <= timedelta(minutes=1)
    # and its delivery waits for the pause to end: no sixth request, attempt or spent try
    assert len(broken.requests) == 5
    delivery = await delivery_to(committed_db, issued.endpoint)
    assert delivery is not None
    assert len(await attempts(committed_db, delivery)) == 5
    event = await deliver_event_of(committed_db, delivery)
    assert (event.state, event.attempts) == ("pending", 5)
    assert event.available_at >= paused.paused_until
    assert event.last_error is not None
    assert "paused until" in event.last_error


def test_pauses_double_from_one_minute_up_to_an_hour() -> None:
    assert [pause_for(failures) for failures in (1, 4)] == [None, None]
    assert pause_for(5) == timedelta(minutes=1)
    assert pause_for(6) == timedelta(minutes=2)
    assert pause_for(10) == timedelta(minutes=32)
    assert pause_for(11) == timedelta(hours=1)
    assert pause_for(500) == timedelta(hours=1)


async def test_the_last_attempt_marks_the_delivery_failed(
    committed_db: Database, webhook_settings: Settings
) -> None:
    settings = webhook_settings.model_copy(update={"outbox_max_attempts": 2})
    async with webhook_receiver(then=500) as broken:
        # given an endpoint that always fails, and two attempts per event
        issued = await add_endpoint(committed_db, settings, broken.url)
        await ping(committed_db, issued.endpoint)
        # when both attempts are spent
        async with webhook_worker(settings, committed_db) as worker:
            await run_until(worker, lambda: _given_up(committed_db, issued))

    # then the delivery is failed and its event dead-lettered, ready for `events replay`
    delivery = await delivery_to(committed_db, issued.endpoint)
    assert delivery is not None
    assert len(broken.requests) == 2
    event = await deliver_event_of(committed_db, delivery)
    assert event.state == "dead"


async def test_private_targets_are_refused_unless_allowed(
    committed_db: Database, webhook_settings: Settings
) -> None:
    strict = webhook_settings.model_copy(update={"webhook_allow_private_targets": False})
    async with webhook_receiver() as receiver:
        # given an endpoint on loopback, added while private targets were allowed
        issued = await add_endpoint(committed_db, webhook_settings, receiver.url)
        # when a delivery is attempted while they are not
        await ping(committed_db, issued.endpoint)
        async with webhook_worker(strict, committed_db) as worker:
            await run_passes(worker, 2)

    # then nothing reached the receiver, and the attempt says why
    assert receiver.requests == []
    delivery = await delivery_to(committed_db, issued.endpoint)
    assert delivery is not None
    assert delivery.state == "pending"
    [refused] = await attempts(committed_db, delivery)
    assert refused.response_status is None
    assert refused.success is False
    assert refused.error is not None
    assert "127.0.0.1" in refused.error
    assert "private or reserved" in refused.error

    # and such an endpoint cannot be added either
    async with committed_db.transaction() as session:
        with pytest.raises(TargetRefused, match=r"127\.0\.0\.1"):
            await webhook_endpoints.add_endpoint(
                session, settings=strict, url=receiver.url, event_types=["webhook.ping"]
            )


async def test_deliveries_to_a_disabled_endpoint_are_marked_failed_and_not_sent(
    committed_db: Database, webhook_settings: Settings
) -> None:
    async with webhook_receiver() as receiver:
        # given a ping fanned out to an endpoint that is then disabled
        issued = await add_endpoint(committed_db, webhook_settings, receiver.url)
        await ping(committed_db, issued.endpoint)
        async with webhook_worker(webhook_settings, committed_db) as worker:
            await worker.run_once()
            async with committed_db.transaction() as session:
                await webhook_endpoints.disable_endpoint(
                    session, public_id=issued.endpoint.public_id
                )
            # when the worker reaches the delivery
            await run_passes(worker, 2)

    # then nothing was sent and the delivery is failed, with no attempt recorded
    assert receiver.requests == []
    delivery = await delivery_to(committed_db, issued.endpoint)
    assert delivery is not None
    assert delivery.state == "failed"
    assert await attempts(committed_db, delivery) == []
    assert (await deliver_event_of(committed_db, delivery)).state == "done"


async def _given_up(committed_db: Database, issued: webhook_endpoints.IssuedSecret) -> bool:
    delivery = await delivery_to(committed_db, issued.endpoint)
    if delivery is None or delivery.state != "failed":
        return False
    return (await deliver_event_of(committed_db, delivery)).state == "dead"
