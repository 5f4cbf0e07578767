"""`login` and `verifyMfa` as a storefront or the admin calls them."""

from __future__ import annotations

import asyncio
from typing import Any

from argon2 import PasswordHasher
from sqlmodel import col, select

from auth.passwords import HASHER
from auth.recovery_codes import replace_recovery_codes
from core.db import Database
from core.settings import Settings
from models.accounts import Role, User
from models.audit import AuditEntry
from tests.accounts.builders import LOGIN, VERIFY_MFA, code_at, error_codes, give_totp
from tests.graphql_client import GraphQLClient, graphql_client
from tests.user_builders import PASSWORD, make_user

ME = "{ me { email role mfaEnabled mfaSetupRequired clientCompanyId } }"


async def _audit(db: Database, action: str | None = None) -> list[AuditEntry]:
    statement = select(AuditEntry).order_by(col(AuditEntry.id))
    if action is not None:
        statement = statement.where(col(AuditEntry.action) == action)
    async with db.session() as session:
        return list(await session.scalars(statement))


async def _login(api: GraphQLClient, email: str, password: str = PASSWORD) -> dict[str, Any]:
    data = await api.data(LOGIN, {"email": email, "password": password})
    payload: dict[str, Any] = data["login"]
    return payload


async def test_a_client_without_mfa_gets_a_session_that_works_at_once(
    api: GraphQLClient, db: Database
) -> None:
    # given a client user
    async with db.transaction() as session:
        user = await make_user(session, Role.CLIENT, email="buyer@example.com")
    # when they log in with their email in another case and with surrounding spaces
    payload = await _login(api, "  BUYER@example.COM ")

    # then they get a full session, and `me` answers with it
    result = payload["result"]
    assert isinstance(result, dict)
    assert result["__typename"] == "SessionTokens"
    assert result["mfaSetupRequired"] is False
    me = (await api.as_(result["accessToken"]).data(ME))["me"]
    assert me["email"] == "buyer@example.com"
    assert me["role"] == "CLIENT"
    assert me["mfaEnabled"] is False
    assert me["clientCompanyId"] is not None
    # and exactly one audit row says so
    [entry] = await _audit(db)
    assert (entry.action, entry.actor_user_id, entry.target_id) == (
        "login.succeeded",
        user.id,
        str(user.id),
    )


async def test_a_wrong_password_and_an_unknown_email_look_the_same(
    api: GraphQLClient, db: Database
) -> None:
    async with db.transaction() as session:
        user = await make_user(session, Role.CLIENT)
    wrong = await _login(api, user.email, "not the password at all")
    unknown = await _login(api, "Nobody@Example.com", PASSWORD)

    assert wrong == unknown
    assert wrong["result"] is None
    assert wrong["userErrors"] == [
        {
            "field": None,
            "code": "INVALID_CREDENTIALS",
            "message": "The email address or the password is wrong.",
        }
    ]
    # each failure is one audit row; the unknown address is recorded normalised, no password
    rows = await _audit(db, "login.failed")
    assert [(r.actor_user_id, r.actor_label, r.target_id) for r in rows] == [
        (None, user.email, str(user.id)),
        (None, "nobody@example.com", ""),
    ]
    assert all(r.changes == {"stage": "password", "reason": "INVALID_CREDENTIALS"} for r in rows)
    assert "not the password" not in repr([r.model_dump() for r in rows])


async def test_a_disabled_user_or_an_invitation_not_accepted_cannot_log_in(
    api: GraphQLClient, db: Database
) -> None:
    async with db.transaction() as session:
        disabled = await make_user(session, Role.SALES, disabled=True)
        invited = await make_user(session, Role.SALES)
        invited.password_hash = None
    for user in (disabled, invited):
        payload = await _login(api, user.email)
        assert payload["result"] is None
        assert [e["code"] for e in payload["userErrors"]] == ["INVALID_CREDENTIALS"]


async def test_staff_with_mfa_need_a_code_and_the_challenge_opens_nothing_else(
    api: GraphQLClient, db: Database, auth_settings: Settings
) -> None:
    # given a member of staff with TOTP
    async with db.transaction() as session:
        user = await make_user(session, Role.FINANCE)
        secret = await give_totp(session, user, auth_settings)
    # when they log in with the right password
    payload = await _login(api, user.email)

    # then they get a challenge, not a session
    result = payload["result"]
    assert isinstance(result, dict)
    assert result["__typename"] == "MfaRequired"
    challenge = result["challenge"]
    # and the challenge is no bearer token
    refused = await api.as_(challenge).response(ME)
    assert refused.status_code == 401

    # when they answer with a wrong code, then with the right one
    wrong = (await api.data(VERIFY_MFA, {"challenge": challenge, "code": "000000"}))["verifyMfa"]
    right = (await api.data(VERIFY_MFA, {"challenge": challenge, "code": code_at(secret)}))[
        "verifyMfa"
    ]

    # then the wrong one is refused and the right one gives an MFA-verified session
    assert [e["code"] for e in wrong["userErrors"]] == ["INVALID_CODE"]
    assert right["userErrors"] == []
    me = (await api.as_(right["session"]["accessToken"]).data(ME))["me"]
    assert me["mfaEnabled"] is True
    assert me["mfaSetupRequired"] is False
    # and the challenge is spent
    again = (await api.data(VERIFY_MFA, {"challenge": challenge, "code": code_at(secret)}))[
        "verifyMfa"
    ]
    assert [e["code"] for e in again["userErrors"]] == ["INVALID_CHALLENGE"]
    actions = [row.action for row in await _audit(db)]
    assert actions == [
        "login.password_accepted",
        "login.failed",
        "login.succeeded",
        "login.failed",
    ]


async def test_a_recovery_code_finishes_a_login_once(
    api: GraphQLClient, db: Database, auth_settings: Settings
) -> None:
    async with db.transaction() as session:
        user = await make_user(session, Role.SALES)
        await give_totp(session, user, auth_settings)
        assert user.id is not None

        codes = await replace_recovery_codes(session, user.id, secret_key=auth_settings.secret_key)
    first = (await _login(api, user.email))["result"]
    assert isinstance(first, dict)
    used = (
        await api.data(
            VERIFY_MFA, {"challenge": first["challenge"], "recoveryCode": codes[0].upper()}
        )
    )["verifyMfa"]
    assert used["userErrors"] == []

    second = (await _login(api, user.email))["result"]
    assert isinstance(second, dict)
    reused = (
        await api.data(VERIFY_MFA, {"challenge": second["challenge"], "recoveryCode": codes[0]})
    )["verifyMfa"]
    assert [e["code"] for e in reused["userErrors"]] == ["INVALID_CODE"]
    both = (
        await api.data(
            VERIFY_MFA,
            {"challenge": second["challenge"], "code": "123456", "recoveryCode": codes[1]},
        )
    )["verifyMfa"]
    assert [e["code"] for e in both["userErrors"]] == ["ONE_FACTOR_REQUIRED"]


async def test_an_outdated_password_hash_is_upgraded_at_login(
    api: GraphQLClient, db: Database
) -> None:

    async with db.transaction() as session:
        user = await make_user(session, Role.CLIENT)
        user.password_hash = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(
            PASSWORD
        )
    payload = await _login(api, user.email)
    assert payload["userErrors"] == []
    async with db.session() as session:
        stored = await session.scalar(select(User.password_hash).where(col(User.id) == user.id))
    assert stored is not None
    assert not HASHER.check_needs_rehash(stored)
    assert (await _login(api, user.email))["userErrors"] == []


async def test_failures_lock_the_account_for_at_most_the_lockout_then_release_it(
    db: Database, auth_settings: Settings
) -> None:
    # given a lockout of 3 seconds, and a user whose password an attacker tries
    short = auth_settings.model_copy(update={"auth_lockout_minutes": 0.05})
    async with graphql_client(short, db) as api:
        await _locked_then_released(api, db, short)


async def _locked_then_released(api: GraphQLClient, db: Database, auth_settings: Settings) -> None:
    async with db.transaction() as session:
        user = await make_user(session, Role.CLIENT)
    for _ in range(auth_settings.login_max_failures):
        failed = await _login(api, user.email, "a wrong guess of a password")
        assert [e["code"] for e in failed["userErrors"]] == ["INVALID_CREDENTIALS"]

    # when even the right password comes next
    locked = await _login(api, user.email)

    # then it is refused without being checked, with a wait of at most the lockout
    assert locked["result"] is None
    assert [e["code"] for e in locked["userErrors"]] == ["TOO_MANY_REQUESTS"]
    wait = locked["retryAfterSeconds"]
    assert isinstance(wait, int)
    assert 0 < wait <= auth_settings.auth_lockout_minutes * 60
    throttled = await _audit(db, "login.failed")
    assert throttled[-1].changes == {"stage": "password", "reason": "TOO_MANY_REQUESTS"}

    # and after that wait the real user gets in again
    await asyncio.sleep(wait)
    released = await _login(api, user.email)
    assert released["userErrors"] == []


async def test_a_spoofed_forwarded_for_header_changes_neither_audit_nor_throttle(
    api: GraphQLClient, db: Database, auth_settings: Settings
) -> None:
    # given requests from one peer that each claim another client address
    async with db.transaction() as session:
        user = await make_user(session, Role.CLIENT)
    limit = auth_settings.login_max_attempts_per_ip
    bodies = [
        await api.post(
            LOGIN,
            {"email": f"guess{n}@example.com", "password": "wrong password guess"},
            headers={"X-Forwarded-For": f"203.0.113.{n}", "X-Real-IP": f"198.51.100.{n}"},
        )
        for n in range(limit + 1)
    ]

    # then every audit row names the peer, and the peer's IP allowance ran out
    rows = await _audit(db, "login.failed")
    assert {row.client_ip for row in rows} == {"127.0.0.1"}
    last = bodies[-1]["data"]["login"]
    assert [e["code"] for e in last["userErrors"]] == ["TOO_MANY_REQUESTS"]
    # so even a real user behind that peer waits (the IP count survives successes)
    blocked = await _login(api, user.email)
    assert [e["code"] for e in blocked["userErrors"]] == ["TOO_MANY_REQUESTS"]


async def test_one_request_cannot_carry_two_credential_attempts(
    api: GraphQLClient, db: Database
) -> None:
    async with db.transaction() as session:
        user = await make_user(session, Role.CLIENT)
    documents = [
        # aliases
        'mutation { a: login(email: "x@example.com", password: "1") { retryAfterSeconds }'
        ' b: login(email: "y@example.com", password: "2") { retryAfterSeconds } }',
        # a fragment spread twice
        "mutation { ...Guess ...Guess } fragment Guess on Mutation"
        ' { login(email: "x@example.com", password: "1") { retryAfterSeconds } }',
        # an inline fragment and another credential mutation
        'mutation { ... on Mutation { login(email: "x@example.com", password: "1")'
        ' { retryAfterSeconds } } requestPasswordReset(email: "x@example.com") { done } }',
    ]
    for document in documents:
        body = await api.post(document)
        assert body["data"] is None
        assert error_codes(body) == ["GRAPHQL_VALIDATION_FAILED"], body
        assert "one sign-in or credential attempt" in body["errors"][0]["message"]
    # and nothing was attempted
    assert await _audit(db) == []
    assert (await _login(api, user.email))["userErrors"] == []


async def test_the_whole_sign_in_flow_works_on_each_backend(
    any_db: Database, auth_settings: Settings
) -> None:
    # given a member of staff without MFA, on PostgreSQL and on the embedded SQLite
    async with any_db.transaction() as session:
        user = await make_user(session, Role.SUPPORT, mfa=False)
    in_process = auth_settings.model_copy(update={"redis_url": None})
    async with graphql_client(in_process, any_db) as api:
        # when they sign in, enrol, confirm, and sign in again with a code, twice
        first = (await _login(api, user.email))["result"]
        enrollment = await api.as_(first["accessToken"]).data(
            "mutation { enrollTotp { enrollment { secret } } }"
        )
        secret = enrollment["enrollTotp"]["enrollment"]["secret"]
        # One code string for both uses: a fresh code_at() after a step boundary would be a
        # new, valid code rather than a replay.
        confirm_code = code_at(secret)
        confirmed = await api.as_(first["accessToken"]).data(
            "mutation($c: String!) { confirmTotp(code: $c) { recoveryCodes } }", {"c": confirm_code}
        )
        codes = confirmed["confirmTotp"]["recoveryCodes"]
        challenge = (await _login(api, user.email))["result"]["challenge"]
        replay = await api.data(VERIFY_MFA, {"challenge": challenge, "code": confirm_code})
        verified = await api.data(VERIFY_MFA, {"challenge": challenge, "recoveryCode": codes[0]})
        refreshed = await api.data(
            "mutation($t: String!) { refreshSession(refreshToken: $t) { userErrors { code } } }",
            {"t": verified["verifyMfa"]["session"]["refreshToken"]},
        )

    # then each step did its part, and the code used to confirm could not be replayed
    assert len(codes) == 10
    assert [e["code"] for e in replay["verifyMfa"]["userErrors"]] == ["INVALID_CODE"]
    assert verified["verifyMfa"]["userErrors"] == []
    assert refreshed["refreshSession"]["userErrors"] == []
