"""Sessions through the API: refresh and its reuse, logout, the session list, `me`."""

from __future__ import annotations

from typing import Any

from auth.api_keys import create_api_key
from core.db import Database
from core.settings import Settings
from models.accounts import Role
from tests.accounts.builders import LOGIN, error_codes
from tests.graphql_client import GraphQLClient
from tests.user_builders import PASSWORD, make_user, session_for

REFRESH = """
mutation($token: String!) {
  refreshSession(refreshToken: $token) {
    session { accessToken refreshToken }
    userErrors { code }
  }
}
"""
SESSIONS = "{ sessions { id clientIp userAgent current createdAt lastUsedAt } }"
ME = "{ me { email } }"


async def _client_session(api: GraphQLClient, db: Database) -> dict[str, Any]:
    async with db.transaction() as session:
        user = await make_user(session, Role.CLIENT)
    data = await api.data(LOGIN, {"email": user.email, "password": PASSWORD})
    tokens: dict[str, Any] = data["login"]["result"]
    return tokens


async def _refresh(api: GraphQLClient, token: str) -> dict[str, Any]:
    payload: dict[str, Any] = (await api.data(REFRESH, {"token": token}))["refreshSession"]
    return payload


async def test_a_refresh_rotates_and_a_reused_refresh_token_ends_the_family(
    api: GraphQLClient, db: Database
) -> None:
    # given a session refreshed once
    first = await _client_session(api, db)
    second = await _refresh(api, first["refreshToken"])
    assert second["userErrors"] == []
    current = second["session"]
    assert (await api.as_(first["accessToken"]).response(ME)).status_code == 401
    assert (await api.as_(current["accessToken"]).post(ME))["data"]["me"] is not None

    # when the first refresh token is presented again (someone kept a copy)
    reused = await _refresh(api, first["refreshToken"])

    # then it is refused, and the revocation it caused held: the newest pair is dead too
    assert reused == {"session": None, "userErrors": [{"code": "REFRESH_TOKEN_REUSED"}]}
    assert (await api.as_(current["accessToken"]).response(ME)).status_code == 401
    after = await _refresh(api, current["refreshToken"])
    assert after["session"] is None
    assert (await _refresh(api, "tqr_made-up"))["userErrors"] == [{"code": "INVALID_REFRESH_TOKEN"}]


async def test_the_session_list_shows_the_users_sessions_without_tokens(
    api: GraphQLClient, db: Database, settings: Settings
) -> None:
    async with db.transaction() as session:
        user = await make_user(session, Role.CLIENT)
        other = await session_for(session, user, settings)
    data = await api.data(LOGIN, {"email": user.email, "password": PASSWORD})
    mine = data["login"]["result"]

    body = await api.as_(mine["accessToken"]).post(SESSIONS)
    listed = body["data"]["sessions"]

    assert len(listed) == 2
    [current] = [s for s in listed if s["current"]]
    assert current["clientIp"] == "127.0.0.1"
    assert mine["accessToken"] not in str(body)
    assert mine["refreshToken"] not in str(body)
    assert other.access_token not in str(body)


async def test_logout_ends_this_session_and_logout_all_every_one(
    api: GraphQLClient, db: Database, settings: Settings
) -> None:
    async with db.transaction() as session:
        user = await make_user(session, Role.CLIENT)
        one = await session_for(session, user, settings)
        two = await session_for(session, user, settings)
        three = await session_for(session, user, settings)
    logout = "mutation { logout { sessionsEnded userErrors { code } } }"
    logout_all = "mutation { logoutAll { sessionsEnded } }"

    assert (await api.as_(one.access_token).data(logout))["logout"]["sessionsEnded"] == 1
    assert (await api.as_(one.access_token).response(ME)).status_code == 401
    assert (await api.as_(two.access_token).post(ME))["data"]["me"] is not None
    assert (await api.as_(two.access_token).data(logout_all))["logoutAll"]["sessionsEnded"] == 2
    assert (await api.as_(three.access_token).response(ME)).status_code == 401


async def test_own_account_fields_need_a_user_session(api: GraphQLClient, db: Database) -> None:

    async with db.transaction() as session:
        key = (await create_api_key(session, name="storefront", role=Role.STOREFRONT)).key
    anonymous = await api.post(SESSIONS)
    with_key = await api.as_(key).post(SESSIONS)
    assert anonymous["data"]["sessions"] is None
    assert error_codes(anonymous) == ["UNAUTHENTICATED"]
    assert error_codes(with_key) == ["FORBIDDEN"]
    assert (await api.data(ME))["me"] is None
    assert (await api.as_(key).data(ME))["me"] is None
