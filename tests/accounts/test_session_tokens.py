"""Sessions: access tokens resolve to principals until they expire, rotate or are revoked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from sqlmodel import col

from auth import tokens
from auth.api_keys import ApiKeyRoleRefused, create_api_key, resolve_api_key, revoke_api_key
from auth.policy import Permission
from auth.principal import PrincipalKind
from auth.sessions import (
    REFRESH_TOKEN_REUSED,
    refresh_session,
    resolve_access_token,
    revoke_all_sessions,
)
from core.db import Database
from core.settings import Settings
from models.accounts import ApiKey, Role, UserSession
from tests.graphql_client import graphql_client
from tests.user_builders import make_user, session_for


async def test_an_access_token_resolves_to_its_user_and_role(
    db: Database, settings: Settings
) -> None:
    async with db.transaction() as session:
        user = await make_user(session, Role.FINANCE)
        issued = await session_for(session, user, settings)
    principal = await resolve_access_token(db, issued.access_token, settings)
    assert principal is not None
    assert principal.kind is PrincipalKind.USER
    assert principal.user_id == user.id
    assert principal.role is Role.FINANCE
    assert principal.can(Permission.FINANCE_READ)
    assert not principal.can(Permission.USERS_MANAGE)
    assert await resolve_access_token(db, issued.refresh_token, settings) is None
    assert await resolve_access_token(db, tokens.new_token(tokens.ACCESS), settings) is None


async def test_staff_without_mfa_hold_no_permissions_until_they_enrol(
    db: Database, settings: Settings
) -> None:
    async with db.transaction() as session:
        user = await make_user(session, Role.ADMIN, mfa=False)
        issued = await session_for(session, user, settings)
    principal = await resolve_access_token(db, issued.access_token, settings)
    assert principal is not None
    assert principal.limited_to_mfa_setup
    assert principal.permissions == frozenset()


async def _expire(db: Database, session_id: int, **columns: datetime) -> None:
    async with db.transaction() as session:
        await session.execute(
            update(UserSession).where(col(UserSession.id) == session_id).values(**columns)
        )


async def test_expired_idle_or_absolute_sessions_do_not_resolve(
    db: Database, settings: Settings
) -> None:
    past = datetime.now(UTC) - timedelta(seconds=1)
    for column in ("access_expires_at", "idle_expires_at", "absolute_expires_at"):
        async with db.transaction() as session:
            user = await make_user(session, Role.SALES)
            issued = await session_for(session, user, settings)
        assert await resolve_access_token(db, issued.access_token, settings) is not None
        await _expire(db, issued.session_id, **{column: past})
        assert await resolve_access_token(db, issued.access_token, settings) is None, column


async def test_staff_sessions_are_shorter_than_clients(db: Database, settings: Settings) -> None:
    async with db.transaction() as session:
        staff = await session_for(session, await make_user(session, Role.SALES), settings)
        client = await session_for(session, await make_user(session, Role.CLIENT), settings)
    assert staff.refresh_expires_at < client.refresh_expires_at


async def test_refresh_rotates_and_a_reused_refresh_token_revokes_the_family(
    db: Database, settings: Settings
) -> None:
    async with db.transaction() as session:
        user = await make_user(session, Role.CLIENT)
        first = await session_for(session, user, settings)
    async with db.transaction() as session:
        outcome = await refresh_session(session, first.refresh_token, settings=settings)
    second = outcome.issued
    assert second is not None
    assert second.refresh_token != first.refresh_token
    assert await resolve_access_token(db, first.access_token, settings) is None
    assert await resolve_access_token(db, second.access_token, settings) is not None

    async with db.transaction() as session:  # the old refresh token again: stolen
        reuse = await refresh_session(session, first.refresh_token, settings=settings)
    assert reuse.failure is REFRESH_TOKEN_REUSED
    assert await resolve_access_token(db, second.access_token, settings) is None
    async with db.transaction() as session:
        after = await refresh_session(session, second.refresh_token, settings=settings)
    assert after.issued is None


async def test_revocation_and_disabling_take_effect_on_the_next_request(
    db: Database, settings: Settings
) -> None:
    async with db.transaction() as session:
        user = await make_user(session, Role.SUPPORT)
        one = await session_for(session, user, settings)
        two = await session_for(session, user, settings)
        assert user.id is not None
        await revoke_all_sessions(session, user.id)
    assert await resolve_access_token(db, one.access_token, settings) is None
    assert await resolve_access_token(db, two.access_token, settings) is None

    async with db.transaction() as session:
        disabled = await make_user(session, Role.SUPPORT, disabled=True)
        three = await session_for(session, disabled, settings)
    assert await resolve_access_token(db, three.access_token, settings) is None


async def test_api_keys_are_hashed_never_admin_and_revocable(db: Database) -> None:
    async with db.transaction() as session:
        created = await create_api_key(session, name="Shopfront", role=Role.STOREFRONT)
    assert created.key.startswith(tokens.API_KEY)
    assert created.row.key_hash == tokens.token_hash(created.key)
    assert created.key not in created.row.key_hash
    principal = await resolve_api_key(db, created.key)
    assert principal is not None
    assert principal.kind is PrincipalKind.API_KEY
    assert principal.role is Role.STOREFRONT
    async with db.session() as session:
        used = await session.get(ApiKey, created.row.id)
    assert used is not None
    assert used.last_used_at is not None

    async with db.transaction() as session:
        assert await revoke_api_key(session, created.row.id or 0)
    assert await resolve_api_key(db, created.key) is None

    async with db.transaction() as session:
        try:
            await create_api_key(session, name="Root", role=Role.ADMIN)
        except ApiKeyRoleRefused:
            refused = True
        else:
            refused = False
    assert refused


async def test_bad_credentials_get_401_and_none_is_anonymous(
    db: Database, settings: Settings
) -> None:
    async with db.transaction() as session:
        user = await make_user(session, Role.CLIENT)
        issued = await session_for(session, user, settings)
    query = "{ categories { slug } }"
    async with graphql_client(settings, db) as client:
        anonymous = await client.response(query)
        valid = await client.as_(issued.access_token).response(query)
        for header in (
            "Bearer tqa_not-a-real-token",
            "Bearer " + issued.refresh_token,
            "Basic dXNlcjpwYXNz",
            "Bearer",
        ):
            refused = await client.response(query, headers={"authorization": header})
            assert refused.status_code == 401, header
            assert refused.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
            assert "invalid_token" in refused.headers["www-authenticate"]
    assert anonymous.status_code == 200
    assert valid.status_code == 200
