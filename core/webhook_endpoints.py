"""Partners' webhook endpoints: add, list, rotate the secret, disable, ping.

Plain functions over a session, so `tradeql webhooks` today and the admin API later share
them. A secret is generated here, handed to the caller once, and stored only encrypted,
bound to its endpoint's public id.
"""

from __future__ import annotations

import base64
import os
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core.crypto import DataCipher, DecryptionFailed
from core.event_types import WEBHOOK_PING, check_public_event_types
from core.outbox import emit, utcnow
from core.settings import Settings
from core.webhook_targets import check_target_url
from models.outbox import OutboxEvent
from models.webhooks import WebhookEndpoint

SECRET_PREFIX = "whsec_"  # noqa: S105 - the Standard Webhooks prefix, not a secret
# Standard Webhooks asks for 24 to 64 random bytes.
SECRET_BYTES = 32


class EndpointNotFound(LookupError):
    def __init__(self, public_id: str) -> None:
        super().__init__(f"no webhook endpoint {public_id}")


class EndpointDisabled(ValueError):
    def __init__(self, public_id: str) -> None:
        super().__init__(f"webhook endpoint {public_id} is disabled")


@dataclass(frozen=True)
class IssuedSecret:
    """A secret in clear, to show once; `previous_valid_until` is set during a rotation."""

    endpoint: WebhookEndpoint
    secret: str
    previous_valid_until: datetime | None = None


def generate_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(os.urandom(SECRET_BYTES)).decode()


def secret_associated_data(public_id: str) -> bytes:
    return b"webhook_endpoint:" + public_id.encode()


def _encrypt_secret(settings: Settings, public_id: str, secret: str) -> bytes:
    return DataCipher(settings.data_key).encrypt(
        secret.encode(), associated_data=secret_associated_data(public_id)
    )


def requires_https(settings: Settings) -> bool:
    # Plain HTTP would expose payloads to the network; closed networks opt out explicitly.
    return settings.env == "production" and not settings.webhook_allow_private_targets


async def add_endpoint(
    session: AsyncSession, *, settings: Settings, url: str, event_types: list[str]
) -> IssuedSecret:
    """A new active endpoint; raises TargetRefused or UnknownEventType, naming the problem."""
    check_target_url(
        url,
        allow_private=settings.webhook_allow_private_targets,
        require_https=requires_https(settings),
    )
    subscribed = check_public_event_types(event_types)
    public_id = str(uuid.uuid4())
    secret = generate_secret()
    endpoint = WebhookEndpoint(
        public_id=public_id,
        url=url,
        event_types=subscribed,
        secret_ciphertext=_encrypt_secret(settings, public_id, secret),
    )
    session.add(endpoint)
    await session.flush()
    return IssuedSecret(endpoint=endpoint, secret=secret)


async def find_endpoint(session: AsyncSession, public_id: str) -> WebhookEndpoint:
    endpoint = await session.scalar(
        select(WebhookEndpoint).where(col(WebhookEndpoint.public_id) == public_id)
    )
    if endpoint is None:
        raise EndpointNotFound(public_id)
    return endpoint


async def list_endpoints(session: AsyncSession) -> list[WebhookEndpoint]:
    return list(await session.scalars(select(WebhookEndpoint).order_by(col(WebhookEndpoint.id))))


async def rotate_secret(
    session: AsyncSession, *, settings: Settings, public_id: str
) -> IssuedSecret:
    """A new secret; the current one keeps signing for WEBHOOK_SECRET_OVERLAP_HOURS.

    Only two secrets are ever live: rotating again during an overlap drops the oldest. A
    current secret that no longer decrypts (DATA_KEY was replaced) is dropped at once, so
    rotating is also how endpoints recover from a lost DATA_KEY.
    """
    endpoint = await find_endpoint(session, public_id)
    secret = generate_secret()
    overlap = timedelta(hours=settings.webhook_secret_overlap_hours)
    keep_current = overlap > timedelta() and _decrypts(settings, endpoint)
    valid_until = utcnow() + overlap if keep_current else None
    endpoint.previous_secret_ciphertext = endpoint.secret_ciphertext if valid_until else None
    endpoint.previous_secret_expires_at = valid_until
    endpoint.secret_ciphertext = _encrypt_secret(settings, public_id, secret)
    session.add(endpoint)
    await session.flush()
    return IssuedSecret(endpoint=endpoint, secret=secret, previous_valid_until=valid_until)


def _decrypts(settings: Settings, endpoint: WebhookEndpoint) -> bool:
    try:
        DataCipher(settings.data_key).decrypt(
            endpoint.secret_ciphertext, associated_data=secret_associated_data(endpoint.public_id)
        )
    except DecryptionFailed:
        return False
    return True


async def disable_endpoint(session: AsyncSession, *, public_id: str) -> WebhookEndpoint:
    """Stop deliveries to the endpoint; pending ones are marked failed when their turn comes."""
    endpoint = await find_endpoint(session, public_id)
    if endpoint.active:
        endpoint.active = False
        endpoint.disabled_at = utcnow()
        session.add(endpoint)
        await session.flush()
    return endpoint


async def request_ping(session: AsyncSession, *, public_id: str) -> OutboxEvent:
    """Emit a `webhook.ping` event that will be delivered to this endpoint only."""
    endpoint = await find_endpoint(session, public_id)
    if not endpoint.active:
        raise EndpointDisabled(public_id)
    return await emit(session, WEBHOOK_PING, {"endpoint_id": endpoint.public_id})


def signing_secrets(endpoint: WebhookEndpoint, *, cipher: DataCipher, now: datetime) -> list[str]:
    """The secrets to sign with: the current one, then the previous one until it expires."""
    associated_data = secret_associated_data(endpoint.public_id)
    secrets = [cipher.decrypt(endpoint.secret_ciphertext, associated_data=associated_data)]
    expires_at = endpoint.previous_secret_expires_at
    if endpoint.previous_secret_ciphertext is not None and expires_at and expires_at > now:
        secrets.append(
            cipher.decrypt(endpoint.previous_secret_ciphertext, associated_data=associated_data)
        )
    return [secret.decode() for secret in secrets]
