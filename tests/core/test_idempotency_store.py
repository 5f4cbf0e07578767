"""The one idempotency store: a key claimed once per caller and operation, replayed after."""

from __future__ import annotations

import asyncio

import pytest

from auth.principal import Principal, PrincipalKind
from core.db import Database
from core.outcomes import Refused, UserErrorCode
from models.accounts import Role
from models.idempotency import IdempotencyRecord
from resolvers.idempotency import (
    Claimed,
    IdempotentCall,
    Replayed,
    claim,
    fingerprint,
    guest_scope,
    key_issues,
    scope_of,
    settle,
)
from tests.concurrently import settled

STAFF = Principal(kind=PrincipalKind.USER, role=Role.CATALOG_MANAGER, user_id=11)
OTHER_STAFF = Principal(kind=PrincipalKind.USER, role=Role.CATALOG_MANAGER, user_id=12)
CLIENT = Principal(kind=PrincipalKind.USER, role=Role.CLIENT, user_id=13, client_company_id=7)
API_KEY = Principal(kind=PrincipalKind.API_KEY, role=Role.CATALOG_MANAGER, api_key_id=3)


def call(key: str = "k-1", operation: str = "createProduct", **input: object) -> IdempotentCall:
    return IdempotentCall(operation, key, fingerprint(input or {"name": "Towel"}))


async def claimed_and_settled(
    database: Database, principal: Principal, made: int, request: IdempotentCall
) -> Claimed | Replayed:
    async with database.transaction() as db:
        outcome = await claim(db, principal, request)
        if isinstance(outcome, Claimed):
            await settle(db, outcome, "Product", made)
        return outcome


def test_keys_are_scoped_to_the_company_the_user_or_the_api_key() -> None:
    assert scope_of(CLIENT) == "company:7"
    assert scope_of(STAFF) == "user:11"
    assert scope_of(API_KEY) == "api_key:3"
    with pytest.raises(ValueError, match="signed-in"):
        scope_of(Principal(kind=PrincipalKind.ANONYMOUS))


def test_a_guest_s_scope_is_its_email_hashed_to_fit_the_column() -> None:
    scope = guest_scope("ayse@demir.example")
    column = IdempotencyRecord.__table__.c.scope  # type: ignore[attr-defined]
    assert scope.startswith("guest:")
    assert "ayse" not in scope
    assert len(scope) <= column.type.length
    assert scope == guest_scope("ayse@demir.example")
    assert scope != guest_scope("mehmet@kaya.example")


async def test_two_guests_with_one_key_never_meet(any_db: Database) -> None:
    anonymous = Principal(kind=PrincipalKind.ANONYMOUS)
    for email, made in (("ayse@demir.example", 41), ("mehmet@kaya.example", 42)):
        async with any_db.transaction() as db:
            outcome = await claim(db, anonymous, call(), scope=guest_scope(email))
            assert isinstance(outcome, Claimed)
            await settle(db, outcome, "Inquiry", made)
    async with any_db.transaction() as db:
        replay = await claim(db, anonymous, call(), scope=guest_scope("ayse@demir.example"))
    assert replay == Replayed("Inquiry", 41)


def test_a_blank_or_overlong_key_is_an_issue_and_no_key_is_none() -> None:
    assert [issue.code for issue in key_issues("  ")] == [UserErrorCode.REQUIRED]
    assert [issue.code for issue in key_issues("k" * 101)] == [UserErrorCode.TOO_LONG]
    assert key_issues(None) == key_issues("k" * 100) == []


async def test_a_retry_replays_and_another_input_is_refused(any_db: Database) -> None:
    first = await claimed_and_settled(any_db, STAFF, 41, call())
    assert isinstance(first, Claimed)
    # the same key and input: what the first call made
    assert await claimed_and_settled(any_db, STAFF, 99, call()) == Replayed("Product", 41)
    # the same key, another input: refused, nothing claimed
    with pytest.raises(Refused) as refusal:
        await claimed_and_settled(any_db, STAFF, 99, call(name="Sheet"))
    assert [issue.code for issue in refusal.value.issues] == [UserErrorCode.IDEMPOTENCY_KEY_REUSED]
    # another caller, or another operation, has a key space of its own
    assert isinstance(await claimed_and_settled(any_db, OTHER_STAFF, 42, call()), Claimed)
    assert isinstance(
        await claimed_and_settled(any_db, STAFF, 43, call(operation="createCategory")), Claimed
    )


async def test_a_refused_create_frees_its_key(any_db: Database) -> None:
    async def claim_then_refuse() -> None:
        async with any_db.transaction() as db:
            assert isinstance(await claim(db, STAFF, call()), Claimed)
            raise Refused()  # the create found its input wrong after claiming

    with pytest.raises(Refused):
        await claim_then_refuse()
    assert isinstance(await claimed_and_settled(any_db, STAFF, 41, call()), Claimed)


@pytest.mark.slow
async def test_concurrent_calls_with_one_key_make_one_record(committed_db: Database) -> None:
    async def attempt(made: int) -> Claimed | Replayed:
        async with committed_db.transaction() as db:
            outcome = await claim(db, CLIENT, call("racing"))
            if isinstance(outcome, Claimed):
                await asyncio.sleep(0.05)  # the others arrive while the winner works
                await settle(db, outcome, "Product", made)
            return outcome

    outcomes = await settled(*(attempt(made) for made in range(1, 9)))
    winners = [made for made, outcome in enumerate(outcomes, 1) if isinstance(outcome, Claimed)]
    assert len(winners) == 1
    assert set(outcomes) - {outcomes[winners[0] - 1]} == {Replayed("Product", winners[0])}
