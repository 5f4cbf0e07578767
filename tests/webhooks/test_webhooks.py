"""Webhooks end to end: signed deliveries through the real worker to a real HTTP receiver.

The receiver checks every signature with the `standardwebhooks` package, as partners are
told to, so these tests hold our signing to the specification, not to itself.
"""

from __future__ import annotations

import json
import time
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import update
from sqlmodel import col
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from core.db import Database
from core.outbox import utcnow
from core.settings import Settings
from core.webhook_endpoints import generate_secret, rotate_secret
from models.outbox import OutboxEvent
from models.webhooks import WebhookEndpoint
from tests.webhooks.webhook_receiver import localhost_tls, webhook_receiver
from tests.webhooks.webhook_support import (
    add_endpoint,
    attempts,
    deliver_event_of,
    delivery_to,
    is_delivered,
    ping,
    redeliver,
    reload,
    run_passes,
    run_until,
    webhook_worker,
)


async def test_a_receiver_that_fails_four_times_gets_the_event_on_the_fifth_attempt(
    committed_db: Database, webhook_settings: Settings
) -> None:
    # given a partner's receiver that answers 500 four times, then 200
    async with webhook_receiver(statuses=[500] * 4, then=200) as receiver:
        issued = await add_endpoint(committed_db, webhook_settings, receiver.url)
        receiver.secret = issued.secret
        # when the endpoint is pinged and the worker runs until the delivery is done
        await ping(committed_db, issued.endpoint)
        async with webhook_worker(webhook_settings, committed_db) as worker:
            await run_until(worker, lambda: is_delivered(committed_db, issued.endpoint))

    # then the fifth request delivered it, every one of them signed verifiably
    assert len(receiver.requests) == 5
    assert all(request.verified for request in receiver.requests)
    # and every retry carried the same webhook-id, so the partner can drop duplicates
    assert len({request.headers["webhook-id"] for request in receiver.requests}) == 1
    last = receiver.requests[-1]
    assert last.method == "POST"
    assert last.headers["content-type"] == "application/json"
    assert last.headers["user-agent"].startswith("TradeQL-Webhooks/")
    document = Webhook(issued.secret).verify(last.body, last.headers)
    assert document["type"] == "webhook.ping"
    assert document["data"] == {"endpoint_id": issued.endpoint.public_id}
    assert document["timestamp"].endswith("Z")
    # and each attempt is recorded with its status and duration
    delivery = await delivery_to(committed_db, issued.endpoint)
    assert delivery is not None
    assert delivery.attempts == 5
    assert delivery.delivered_at is not None
    recorded = await attempts(committed_db, delivery)
    assert [a.response_status for a in recorded] == [500, 500, 500, 500, 200]
    assert [a.success for a in recorded] == [False] * 4 + [True]
    assert [a.error for a in recorded] == ["HTTP 500"] * 4 + [None]
    assert all(a.duration_ms >= 0 for a in recorded)
    # and the endpoint counts as healthy again
    endpoint = await reload(committed_db, issued.endpoint)
    assert endpoint.consecutive_failures == 0
    assert endpoint.paused_until is None
    event = await deliver_event_of(committed_db, delivery)
    assert (event.state, event.attempts) == ("done", 5)

    # when the body is tampered with, or the timestamp is ten minutes old
    tampered = last.body.replace(b"webhook.ping", b"order.refund")
    stale = {**last.headers, "webhook-timestamp": str(int(time.time()) - 600)}
    # then the partner's verification refuses both
    with pytest.raises(WebhookVerificationError):
        Webhook(issued.secret).verify(tampered, last.headers)
    with pytest.raises(WebhookVerificationError, match="too old"):
        Webhook(issued.secret).verify(last.body, stale)
    # and another secret does not verify the genuine request either
    with pytest.raises(WebhookVerificationError):
        Webhook(generate_secret()).verify(last.body, last.headers)


async def test_during_a_rotation_both_secrets_sign_until_the_overlap_ends(
    committed_db: Database, webhook_settings: Settings
) -> None:
    async with webhook_receiver() as receiver:
        # given an endpoint whose secret was just rotated
        old = await add_endpoint(committed_db, webhook_settings, receiver.url)
        async with committed_db.transaction() as session:
            new = await rotate_secret(
                session, settings=webhook_settings, public_id=old.endpoint.public_id
            )
        assert new.secret != old.secret
        assert new.previous_valid_until is not None
        assert new.previous_valid_until > utcnow() + timedelta(hours=23)
        # when a delivery is made
        async with webhook_worker(webhook_settings, committed_db) as worker:
            await ping(committed_db, old.endpoint)
            await run_until(worker, lambda: is_delivered(committed_db, old.endpoint))
            rotating = receiver.requests[-1]
            # and another after the overlap has ended
            async with committed_db.transaction() as session:
                await session.execute(
                    update(WebhookEndpoint)
                    .where(col(WebhookEndpoint.id) == old.endpoint.id)
                    .values(previous_secret_expires_at=utcnow() - timedelta(seconds=1))
                )
            await ping(committed_db, old.endpoint)
            await run_until(worker, lambda: receiver.has_received(2))
            after = receiver.requests[-1]

    # then during the overlap two signatures were sent, and each secret alone verifies
    assert len(rotating.headers["webhook-signature"].split(" ")) == 2
    Webhook(old.secret).verify(rotating.body, rotating.headers)
    Webhook(new.secret).verify(rotating.body, rotating.headers)
    # and afterwards only the new secret signs
    assert len(after.headers["webhook-signature"].split(" ")) == 1
    Webhook(new.secret).verify(after.body, after.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(old.secret).verify(after.body, after.headers)


async def test_a_redelivered_event_after_success_sends_nothing(
    committed_db: Database, webhook_settings: Settings
) -> None:
    async with webhook_receiver() as receiver:
        # given a delivery that has succeeded
        issued = await add_endpoint(committed_db, webhook_settings, receiver.url)
        await ping(committed_db, issued.endpoint)
        async with webhook_worker(webhook_settings, committed_db) as worker:
            await run_until(worker, lambda: is_delivered(committed_db, issued.endpoint))
            delivery = await delivery_to(committed_db, issued.endpoint)
            assert delivery is not None
            assert delivery.id is not None
            # when its webhook.deliver event arrives again
            duplicate = await redeliver(committed_db, delivery.id)
            await run_passes(worker, 2)

    # then the partner received it once, and no second attempt was recorded
    assert len(receiver.requests) == 1
    assert len(await attempts(committed_db, delivery)) == 1
    async with committed_db.session() as session:
        handled = await session.get(OutboxEvent, duplicate.id)
    assert handled is not None
    assert handled.state == "done"


async def test_redirects_are_not_followed_and_count_as_failures(
    committed_db: Database, webhook_settings: Settings
) -> None:
    async with (
        webhook_receiver() as elsewhere,
        webhook_receiver(then=302, location=f"{elsewhere.url}?stolen=1") as receiver,
    ):
        # given a receiver that answers with a redirect
        issued = await add_endpoint(committed_db, webhook_settings, receiver.url)
        # when a delivery is attempted
        await ping(committed_db, issued.endpoint)
        async with webhook_worker(webhook_settings, committed_db) as worker:
            await run_until(worker, lambda: receiver.has_received(1))
            await run_passes(worker, 1)

    # then the redirect target never saw the request
    assert elsewhere.requests == []
    # and the attempt is a failure that says why
    delivery = await delivery_to(committed_db, issued.endpoint)
    assert delivery is not None
    assert delivery.state == "pending"
    first = (await attempts(committed_db, delivery))[0]
    assert (first.response_status, first.success) == (302, False)
    assert first.error is not None
    assert "redirect" in first.error
    assert "not followed" in first.error


async def test_https_deliveries_check_the_partners_certificate_for_its_host_name(
    committed_db: Database, webhook_settings: Settings, tmp_path: Path
) -> None:
    # given a partner serving HTTPS for "localhost" with a certificate the client trusts
    server_tls, client_tls = localhost_tls(tmp_path)
    async with (
        webhook_receiver(tls=server_tls) as receiver,
        httpx.AsyncClient(verify=client_tls, timeout=2.0) as http,
    ):
        issued = await add_endpoint(committed_db, webhook_settings, receiver.url)
        receiver.secret = issued.secret
        # when a delivery is made (to the address "localhost" resolved to)
        await ping(committed_db, issued.endpoint)
        async with webhook_worker(webhook_settings, committed_db, http=http) as worker:
            await run_until(worker, lambda: is_delivered(committed_db, issued.endpoint))

    # then TLS and the Host header still named the host, and the signature verified
    assert len(receiver.requests) == 1
    assert receiver.requests[0].verified is True
    assert receiver.requests[0].headers["host"] == receiver.url.split("/")[2]
    body = json.loads(receiver.requests[0].body)
    assert body["data"]["endpoint_id"] == issued.endpoint.public_id
