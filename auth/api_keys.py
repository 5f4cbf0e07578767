"""API keys for storefronts and partner integrations: shown once, stored as a hash."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from auth import tokens
from auth.policy import Budget, budget_of
from auth.principal import Principal, api_key_principal
from core.db import Database
from models.accounts import API_KEY_ROLES, ApiKey, Role

TOUCH_INTERVAL = timedelta(seconds=60)
PREFIX_LENGTH = 12


class ApiKeyRoleRefused(ValueError):
    pass


@dataclass(frozen=True)
class CreatedApiKey:
    row: ApiKey
    key: str  # the only time the key exists outside its owner's hands


async def create_api_key(
    db: AsyncSession,
    *,
    name: str,
    role: Role,
    budget_size: int | None = None,
    budget_restore_rate: int | None = None,
) -> CreatedApiKey:
    """A new key; `budget_*` in place of the role's budget (None: the role's)."""
    if role not in API_KEY_ROLES:
        raise ApiKeyRoleRefused(f"API keys cannot have the role {role.value}")
    key = tokens.new_token(tokens.API_KEY)
    row = ApiKey(
        name=name,
        role=role,
        prefix=key[:PREFIX_LENGTH],
        key_hash=tokens.token_hash(key),
        budget_size=budget_size,
        budget_restore_rate=budget_restore_rate,
    )
    db.add(row)
    await db.flush()
    return CreatedApiKey(row=row, key=key)


async def revoke_api_key(db: AsyncSession, api_key_id: int) -> bool:
    result = await db.execute(
        update(ApiKey)
        .where(col(ApiKey.id) == api_key_id, col(ApiKey.revoked_at).is_(None))
        .values(revoked_at=datetime.now(UTC))
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def active_api_key(db: AsyncSession, api_key_id: int) -> ApiKey | None:
    """The key, unless it is revoked or does not exist."""
    return (
        await db.scalars(
            select(ApiKey).where(col(ApiKey.id) == api_key_id, col(ApiKey.revoked_at).is_(None))
        )
    ).first()


async def list_api_keys(db: AsyncSession) -> list[ApiKey]:
    return list(await db.scalars(select(ApiKey).order_by(col(ApiKey.id))))


async def resolve_api_key(database: Database, key: str) -> Principal | None:
    async with database.session() as db:
        row = (
            await db.scalars(select(ApiKey).where(col(ApiKey.key_hash) == tokens.token_hash(key)))
        ).first()
    if row is None or row.revoked_at is not None:
        return None
    now = datetime.now(UTC)
    last_used = row.last_used_at
    if last_used is None or now - last_used > TOUCH_INTERVAL:
        async with database.transaction() as db:
            await db.execute(
                update(ApiKey).where(col(ApiKey.id) == row.id).values(last_used_at=now)
            )
    assert row.id is not None
    return api_key_principal(
        api_key_id=row.id, role=Role(row.role), budget_override=budget_override_of(row)
    )


async def principal_of_api_key(database: Database, api_key_id: int) -> Principal | None:
    """The principal a background job acts as for an API key, or None once it is revoked."""
    async with database.session() as db:
        row = await db.get(ApiKey, api_key_id)
    if row is None or row.revoked_at is not None:
        return None
    return api_key_principal(
        api_key_id=api_key_id, role=Role(row.role), budget_override=budget_override_of(row)
    )


def budget_override_of(row: ApiKey) -> Budget | None:
    """The key's own budget, its role's in each part the key leaves unset; None if both are."""
    if row.budget_size is None and row.budget_restore_rate is None:
        return None
    default = budget_of(Role(row.role))
    return Budget(
        size=row.budget_size or default.size,
        restore_rate=row.budget_restore_rate or default.restore_rate,
    )
