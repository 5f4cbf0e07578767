"""Managing webhook endpoints: secrets issued once, stored encrypted, rotated with overlap."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import SecretStr

from core.crypto import DataCipher
from core.db import Database
from core.event_types import UnknownEventType
from core.outbox import utcnow
from core.settings import Settings
from core.webhook_endpoints import (
    EndpointDisabled,
    add_endpoint,
    disable_endpoint,
    list_endpoints,
    request_ping,
    rotate_secret,
    signing_secrets,
)

URL = "https://partner.example.com/hooks"


async def test_a_new_endpoint_signs_with_the_one_secret_it_was_given(
    db: Database, settings: Settings
) -> None:
    async with db.transaction() as session:
        issued = await add_endpoint(
            session, settings=settings, url=URL, event_types=["webhook.ping", "webhook.ping"]
        )
        [listed] = await list_endpoints(session)
    assert listed.public_id == issued.endpoint.public_id
    assert listed.event_types == ["webhook.ping"]
    assert listed.active
    cipher = DataCipher(settings.data_key)
    assert signing_secrets(listed, cipher=cipher, now=utcnow()) == [issued.secret]


async def test_only_published_event_types_can_be_subscribed(
    db: Database, settings: Settings
) -> None:
    async with db.transaction() as session:
        with pytest.raises(UnknownEventType, match=r"'webhook\.deliver'"):
            await add_endpoint(session, settings=settings, url=URL, event_types=["webhook.deliver"])


async def test_rotation_signs_with_both_secrets_until_the_overlap_ends(
    db: Database, settings: Settings
) -> None:
    cipher = DataCipher(settings.data_key)
    async with db.transaction() as session:
        old = await add_endpoint(session, settings=settings, url=URL, event_types=["webhook.ping"])
        new = await rotate_secret(session, settings=settings, public_id=old.endpoint.public_id)
    endpoint = new.endpoint
    assert new.previous_valid_until is not None
    assert signing_secrets(endpoint, cipher=cipher, now=utcnow()) == [new.secret, old.secret]
    later = new.previous_valid_until + timedelta(seconds=1)
    assert signing_secrets(endpoint, cipher=cipher, now=later) == [new.secret]


async def test_without_overlap_the_old_secret_stops_at_once(
    db: Database, settings: Settings
) -> None:
    no_overlap = settings.model_copy(update={"webhook_secret_overlap_hours": 0})
    async with db.transaction() as session:
        old = await add_endpoint(session, settings=settings, url=URL, event_types=["webhook.ping"])
        new = await rotate_secret(session, settings=no_overlap, public_id=old.endpoint.public_id)
    assert new.previous_valid_until is None
    assert new.endpoint.previous_secret_ciphertext is None
    cipher = DataCipher(settings.data_key)
    assert signing_secrets(new.endpoint, cipher=cipher, now=utcnow()) == [new.secret]


async def test_after_a_lost_data_key_rotating_recovers_the_endpoint(
    db: Database, settings: Settings
) -> None:
    replaced = settings.model_copy(
        update={"data_key": SecretStr("a-brand-new-data-key-" + "z" * 40)}
    )
    async with db.transaction() as session:
        old = await add_endpoint(session, settings=settings, url=URL, event_types=["webhook.ping"])
        new = await rotate_secret(session, settings=replaced, public_id=old.endpoint.public_id)
    # the undecryptable old secret is not kept, so deliveries sign with the new one alone
    assert new.previous_valid_until is None
    cipher = DataCipher(replaced.data_key)
    assert signing_secrets(new.endpoint, cipher=cipher, now=utcnow()) == [new.secret]


async def test_a_disabled_endpoint_stays_disabled_and_cannot_be_pinged(
    db: Database, settings: Settings
) -> None:
    async with db.transaction() as session:
        issued = await add_endpoint(
            session, settings=settings, url=URL, event_types=["webhook.ping"]
        )
        public_id = issued.endpoint.public_id
        first = await disable_endpoint(session, public_id=public_id)
        disabled_at = first.disabled_at
        again = await disable_endpoint(session, public_id=public_id)
        assert not again.active
        assert again.disabled_at == disabled_at
        with pytest.raises(EndpointDisabled):
            await request_ping(session, public_id=public_id)
