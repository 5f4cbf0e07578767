"""Administrators see and end any user's sessions and enable disabled users; every user ends
one of their own sessions by id. A disabled user's sessions stop at once; enabled again,
they sign in again. Every change is one audit row; a refusal writes none."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import update
from sqlmodel import col, select

from core.db import Database
from core.global_id import decode_typed_id, encode_global_id
from core.settings import Settings
from models.accounts import Role, User
from models.audit import AuditEntry
from tests.accounts.builders import LOGIN
from tests.callers import error_codes
from tests.graphql_client import GraphQLClient
from tests.user_builders import PASSWORD, make_user, session_for

ME = "{ me { email } }"
USER_SESSIONS = """
query($id: ID!) {
  userSessions(userId: $id) { id createdAt lastUsedAt clientIp userAgent current }
}
"""
END_USER_SESSION = """
mutation($id: ID!) {
  endUserSession(sessionId: $id) { endedSessionId userErrors { field code } }
}
"""
END_MY_SESSION = """
mutation($id: ID!) {
  endMySession(sessionId: $id) { endedSessionId userErrors { field code } }
}
"""
MY_SESSIONS = "{ sessions { id current } }"
DISABLE = (
    "mutation($id: ID!) { disableUser(userId: $id) { user { disabled } userErrors { code } } }"
)
ENABLE = """
mutation($id: ID!) {
  enableUser(userId: $id) { user { disabled lastSignedInAt } userErrors { field code } }
}
"""
REFRESH = """
mutation($token: String!) {
  refreshSession(refreshToken: $token) { session { accessToken } userErrors { code } }
}
"""


def _gid(type_name: str, pk: int | None) -> str:
    assert pk is not None
    return encode_global_id(type_name, pk)


async def _admin_token(db: Database, settings: Settings) -> tuple[User, str]:
    async with db.transaction() as session:
        admin = await make_user(session, Role.ADMIN)
        return admin, (await session_for(session, admin, settings)).access_token


async def _log_in(api: GraphQLClient, email: str) -> dict[str, Any]:
    body = await api.post(LOGIN, {"email": email, "password": PASSWORD})
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["login"]["result"] or {}
    return result


async def _audit(db: Database, action: str) -> list[AuditEntry]:
    async with db.session() as session:
        statement = select(AuditEntry).where(col(AuditEntry.action) == action)
        return list(await session.scalars(statement.order_by(col(AuditEntry.id))))


async def _signed_in(api: GraphQLClient, token: str) -> bool:
    response = await api.as_(token).response(ME)
    assert response.status_code in (200, 401), response.text
    return response.status_code == 200


async def test_an_admin_sees_a_users_sessions_and_ends_one_of_them(
    api: GraphQLClient, db: Database, settings: Settings
) -> None:
    # given a client user signed in twice (a password login, which notes the sign-in)
    admin, admin_token = await _admin_token(db, settings)
    async with db.transaction() as session:
        user = await make_user(session, Role.CLIENT)
    phone = await _log_in(api, user.email)
    laptop = await _log_in(api, user.email)

    # when the admin lists the user's sessions
    body = await api.as_(admin_token).data(USER_SESSIONS, {"id": _gid("User", user.id)})
    sessions = body["userSessions"]

    # then both live sessions are there, newest first, none the admin's own
    assert len(sessions) == 2
    assert [s["current"] for s in sessions] == [False, False]
    assert sessions[0]["createdAt"] >= sessions[1]["createdAt"]
    assert {s["clientIp"] for s in sessions} == {"127.0.0.1"}
    newest = sessions[0]["id"]

    # when the admin ends the newest
    ended = await api.as_(admin_token).data(END_USER_SESSION, {"id": newest})
    assert ended["endUserSession"] == {"endedSessionId": newest, "userErrors": []}

    # then that session stops at once, and its refresh token with it; the other goes on
    assert not await _signed_in(api, laptop["accessToken"])
    refreshed = await api.data(REFRESH, {"token": laptop["refreshToken"]})
    assert refreshed["refreshSession"]["session"] is None
    assert await _signed_in(api, phone["accessToken"])
    after = await api.as_(admin_token).data(USER_SESSIONS, {"id": _gid("User", user.id)})
    assert [s["id"] for s in after["userSessions"]] == [sessions[1]["id"]]
    # and one audit row names the admin, the session and its user
    [row] = await _audit(db, "session.ended")
    assert row.actor_user_id == admin.id
    assert (row.target_type, row.target_id) == (
        "Session",
        str(decode_typed_id(newest, "Session", argument="id")),
    )
    assert row.changes == {"user_id": user.id, "ended": [False, True]}

    # and ending it again is NOT_FOUND, with no second audit row
    again = await api.as_(admin_token).data(END_USER_SESSION, {"id": newest})
    assert again["endUserSession"] == {
        "endedSessionId": None,
        "userErrors": [{"field": ["sessionId"], "code": "NOT_FOUND"}],
    }
    assert len(await _audit(db, "session.ended")) == 1


async def test_an_admins_own_session_is_marked_current_and_unknown_users_are_null(
    api: GraphQLClient, db: Database, settings: Settings
) -> None:
    admin, token = await _admin_token(db, settings)
    own = await api.as_(token).data(USER_SESSIONS, {"id": _gid("User", admin.id)})
    assert [s["current"] for s in own["userSessions"]] == [True]
    nobody = await api.as_(token).data(USER_SESSIONS, {"id": _gid("User", 999_999_999)})
    assert nobody["userSessions"] is None


async def test_a_user_ends_one_of_their_own_sessions_by_id(
    api: GraphQLClient, db: Database
) -> None:
    async with db.transaction() as session:
        user = await make_user(session, Role.CLIENT)
    here = await _log_in(api, user.email)
    there = await _log_in(api, user.email)
    listed = (await api.as_(here["accessToken"]).data(MY_SESSIONS))["sessions"]
    other = next(s["id"] for s in listed if not s["current"])

    ended = await api.as_(here["accessToken"]).data(END_MY_SESSION, {"id": other})

    assert ended["endMySession"] == {"endedSessionId": other, "userErrors": []}
    assert not await _signed_in(api, there["accessToken"])
    assert await _signed_in(api, here["accessToken"])
    [row] = await _audit(db, "session.ended")
    assert row.actor_user_id == user.id
    assert row.changes["user_id"] == user.id
    # ending the current session signs this one out too
    current = next(s["id"] for s in listed if s["current"])
    await api.as_(here["accessToken"]).data(END_MY_SESSION, {"id": current})
    assert not await _signed_in(api, here["accessToken"])


async def test_another_users_session_is_not_found_and_keeps_working(
    api: GraphQLClient, db: Database, settings: Settings
) -> None:
    # given two users, each signed in
    async with db.transaction() as session:
        mallory = await make_user(session, Role.CLIENT)
        victim = await make_user(session, Role.SALES)
        mine = await session_for(session, mallory, settings)
        theirs = await session_for(session, victim, settings)

    # when one names the other's session
    body = await api.as_(mine.access_token).data(
        END_MY_SESSION, {"id": _gid("Session", theirs.session_id)}
    )

    # then it is NOT_FOUND, exactly like a session that does not exist, and nothing ended
    not_found = {
        "endedSessionId": None,
        "userErrors": [{"field": ["sessionId"], "code": "NOT_FOUND"}],
    }
    assert body["endMySession"] == not_found
    missing = await api.as_(mine.access_token).data(
        END_MY_SESSION, {"id": _gid("Session", 999_999_999)}
    )
    assert missing["endMySession"] == not_found
    beyond = await api.as_(mine.access_token).data(
        END_MY_SESSION, {"id": encode_global_id("Session", 2**70)}
    )
    assert beyond["endMySession"] == not_found
    assert await _signed_in(api, theirs.access_token)
    assert await _audit(db, "session.ended") == []


HOSTILE_IDS = [
    "nonsense",
    "\u0000",
    "x" * 100_000,
    encode_global_id("User", 1),  # an id of another type
    encode_global_id("Session", 0),
]


@pytest.mark.parametrize("session_id", HOSTILE_IDS)
async def test_hostile_session_ids_get_bad_user_input(
    api: GraphQLClient, db: Database, settings: Settings, session_id: str
) -> None:
    _admin, token = await _admin_token(db, settings)
    for mutation, field in ((END_MY_SESSION, "endMySession"), (END_USER_SESSION, "endUserSession")):
        body = await api.as_(token).post(mutation, {"id": session_id})
        assert [code for _path, code in error_codes(body)] == ["BAD_USER_INPUT"], body
        assert (body.get("data") or {}).get(field) is None


@pytest.mark.parametrize("user_id", ["nonsense", "\u0000", encode_global_id("Session", 1)])
async def test_hostile_user_ids_get_bad_user_input(
    api: GraphQLClient, db: Database, settings: Settings, user_id: str
) -> None:
    _admin, token = await _admin_token(db, settings)
    for query in (USER_SESSIONS, ENABLE):
        body = await api.as_(token).post(query, {"id": user_id})
        assert [code for _path, code in error_codes(body)] == ["BAD_USER_INPUT"], body


async def test_a_disabled_users_sessions_stop_at_once_and_enabled_they_sign_in_again(
    api: GraphQLClient, db: Database, settings: Settings
) -> None:
    admin, admin_token = await _admin_token(db, settings)
    async with db.transaction() as session:
        user = await make_user(session, Role.CLIENT)
    tokens = await _log_in(api, user.email)
    assert await _signed_in(api, tokens["accessToken"])

    # when an admin disables the user
    disabled = await api.as_(admin_token).data(DISABLE, {"id": _gid("User", user.id)})
    assert disabled["disableUser"]["user"] == {"disabled": True}

    # then the session is refused on its very next request, refresh and login alike
    assert not await _signed_in(api, tokens["accessToken"])
    refreshed = await api.data(REFRESH, {"token": tokens["refreshToken"]})
    assert refreshed["refreshSession"]["session"] is None
    login = await api.post(LOGIN, {"email": user.email, "password": PASSWORD})
    assert login["data"]["login"]["result"] is None
    listed = await api.as_(admin_token).data(USER_SESSIONS, {"id": _gid("User", user.id)})
    assert listed["userSessions"] == []

    # when the admin enables the user again
    enabled = await api.as_(admin_token).data(ENABLE, {"id": _gid("User", user.id)})

    # then they are active, the old session stays ended, and they sign in again
    assert enabled["enableUser"]["userErrors"] == []
    assert enabled["enableUser"]["user"]["disabled"] is False
    assert not await _signed_in(api, tokens["accessToken"])
    again = await _log_in(api, user.email)
    assert await _signed_in(api, again["accessToken"])
    [row] = await _audit(db, "user.enabled")
    assert (row.actor_user_id, row.target_id) == (admin.id, str(user.id))
    assert row.changes == {"disabled": [True, False]}


async def test_a_user_disabled_without_revoking_is_refused_by_authentication(
    api: GraphQLClient, db: Database, settings: Settings
) -> None:
    # given a live session whose user is disabled behind the API's back (no revocation)
    async with db.transaction() as session:
        user = await make_user(session, Role.SALES)
        issued = await session_for(session, user, settings)
    assert await _signed_in(api, issued.access_token)
    async with db.transaction() as session:
        await session.execute(
            update(User).where(col(User.id) == user.id).values(disabled_at=datetime.now(UTC))
        )
    # then authentication itself refuses the session
    assert not await _signed_in(api, issued.access_token)
    refreshed = await api.data(REFRESH, {"token": issued.refresh_token})
    assert refreshed["refreshSession"]["userErrors"] == [{"code": "SESSION_EXPIRED"}]


async def test_enabling_refuses_ones_own_account_unknown_users_and_changes_active_ones_not(
    api: GraphQLClient, db: Database, settings: Settings
) -> None:
    admin, token = await _admin_token(db, settings)
    async with db.transaction() as session:
        active = await make_user(session, Role.CLIENT)
    own = await api.as_(token).data(ENABLE, {"id": _gid("User", admin.id)})
    assert own["enableUser"]["userErrors"] == [{"field": ["userId"], "code": "OWN_ACCOUNT"}]
    unknown = await api.as_(token).data(ENABLE, {"id": _gid("User", 999_999_999)})
    assert unknown["enableUser"]["userErrors"] == [{"field": ["userId"], "code": "NOT_FOUND"}]
    unchanged = await api.as_(token).data(ENABLE, {"id": _gid("User", active.id)})
    assert unchanged["enableUser"] == {
        "user": {"disabled": False, "lastSignedInAt": None},
        "userErrors": [],
    }
    assert await _audit(db, "user.enabled") == []


async def test_signing_in_notes_the_moment_and_a_refresh_does_not(
    api: GraphQLClient, db: Database, settings: Settings
) -> None:
    async with db.transaction() as session:
        user = await make_user(session, Role.CLIENT)
    before = datetime.now(UTC)
    tokens = await _log_in(api, user.email)
    async with db.session() as session:
        signed_in = await session.scalar(
            select(User.last_signed_in_at).where(col(User.id) == user.id)
        )
    assert signed_in is not None
    assert signed_in >= before
    await api.data(REFRESH, {"token": tokens["refreshToken"]})
    async with db.session() as session:
        after = await session.scalar(select(User.last_signed_in_at).where(col(User.id) == user.id))
    assert after == signed_in


async def test_sales_may_neither_see_nor_end_sessions_nor_enable_users(
    api: GraphQLClient, db: Database, settings: Settings
) -> None:
    async with db.transaction() as session:
        sales = await make_user(session, Role.SALES)
        client = await make_user(session, Role.CLIENT, disabled=True)
        token = (await session_for(session, sales, settings)).access_token
        client_session = await session_for(session, client, settings)
    for query, variables, field in (
        (USER_SESSIONS, {"id": _gid("User", client.id)}, "userSessions"),
        (ENABLE, {"id": _gid("User", client.id)}, "enableUser"),
        (END_USER_SESSION, {"id": _gid("Session", client_session.session_id)}, "endUserSession"),
    ):
        body = await api.as_(token).post(query, variables)
        assert error_codes(body) == [(field, "FORBIDDEN")]
    async with db.session() as session:
        still = await session.scalar(select(User.disabled_at).where(col(User.id) == client.id))
    assert still is not None
