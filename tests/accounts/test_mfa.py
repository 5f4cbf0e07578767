"""Managing one's own TOTP through the API, and what staff without MFA may do meanwhile."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from core.db import Database
from core.settings import Settings
from models.accounts import Role, User
from models.audit import AuditEntry
from tests.accounts.builders import LOGIN, VERIFY_MFA, code_at, error_codes, give_totp
from tests.graphql_client import GraphQLClient, graphql_client
from tests.user_builders import PASSWORD, make_user, session_for

ENROLL = """
mutation { enrollTotp { enrollment { secret uri qrCodeSvg } userErrors { code } } }
"""
CONFIRM = """
mutation($code: String!) {
  confirmTotp(code: $code) { recoveryCodes done userErrors { code } retryAfterSeconds }
}
"""
REGENERATE = """
mutation($code: String, $recoveryCode: String) {
  regenerateRecoveryCodes(code: $code, recoveryCode: $recoveryCode) {
    recoveryCodes userErrors { code }
  }
}
"""
DISABLE = """
mutation($code: String, $recoveryCode: String) {
  disableTotp(code: $code, recoveryCode: $recoveryCode) { done userErrors { code } }
}
"""
ME = "{ me { mfaEnabled mfaSetupRequired } }"


async def _login_token(api: GraphQLClient, email: str) -> dict[str, Any]:
    data = await api.data(LOGIN, {"email": email, "password": PASSWORD})
    result: dict[str, Any] = data["login"]["result"]
    return result


async def _actions(db: Database, user_id: int | None) -> list[str]:
    async with db.session() as session:
        rows = await session.scalars(
            select(AuditEntry.action)
            .where(col(AuditEntry.target_id) == str(user_id))
            .order_by(col(AuditEntry.id))
        )
        return list(rows)


async def test_staff_without_mfa_enrol_and_confirm_then_work_with_that_session(
    api: GraphQLClient, db: Database, settings: Settings
) -> None:
    # given a new member of staff who has just logged in (no MFA yet), with another session
    async with db.transaction() as session:
        user = await make_user(session, Role.CATALOG_MANAGER, mfa=False)
        elsewhere = await session_for(session, user, settings)
    tokens = await _login_token(api, user.email)
    assert tokens["mfaSetupRequired"] is True
    token = tokens["accessToken"]
    assert (await api.as_(token).data(ME))["me"] == {
        "mfaEnabled": False,
        "mfaSetupRequired": True,
    }

    # when they enrol and confirm with a code from the new secret
    enrollment = (await api.as_(token).data(ENROLL))["enrollTotp"]["enrollment"]
    assert enrollment["uri"].startswith("otpauth://totp/TradeQL:")
    assert enrollment["qrCodeSvg"].startswith("<svg")
    confirmed = (await api.as_(token).data(CONFIRM, {"code": code_at(enrollment["secret"])}))[
        "confirmTotp"
    ]

    # then MFA is on, ten recovery codes are shown once, and this session may now work
    assert confirmed["userErrors"] == []
    assert len(confirmed["recoveryCodes"]) == 10
    assert (await api.as_(token).data(ME))["me"] == {
        "mfaEnabled": True,
        "mfaSetupRequired": False,
    }
    products = await api.as_(token).post("{ products(first: 1) { totalCount } }")
    assert "errors" not in products
    # while their other session ended
    assert (await api.as_(elsewhere.access_token).response(ME)).status_code == 401
    # and the next login asks for a code
    assert (await _login_token(api, user.email))["__typename"] == "MfaRequired"
    assert await _actions(db, user.id) == [
        "login.succeeded",
        "user.mfa_enabled",
        "login.password_accepted",
    ]


async def test_staff_without_mfa_can_do_nothing_but_set_it_up(
    api: GraphQLClient, db: Database, settings: Settings
) -> None:
    async with db.transaction() as session:
        user = await make_user(session, Role.ADMIN, mfa=False)
        token = (await session_for(session, user, settings, mfa_verified=False)).access_token
    allowed = [ME, ENROLL, "mutation { logout { sessionsEnded } }"]
    refused = [
        "{ products(first: 1) { totalCount } }",
        "{ sessions { id } }",
        "{ me { email } sessions { id } }",
        "query { ...Both } fragment Both on Query { me { email } categories { slug } }",
        "mutation { logoutAll { sessionsEnded } }",
        'mutation { inviteStaff(email: "a@example.com", fullName: "A", role: SALES)'
        " { user { id } } }",
    ]
    for document in refused:
        body = await api.as_(token).post(document)
        assert body["data"] is None, document
        assert error_codes(body) == ["FORBIDDEN"], document
        assert "Set up MFA first" in body["errors"][0]["message"]
    for document in allowed:
        assert "errors" not in await api.as_(token).post(document), document


async def test_the_development_switch_lets_staff_work_without_mfa(
    db: Database, settings: Settings
) -> None:

    relaxed = settings.model_copy(update={"env": "development", "require_staff_mfa": False})
    async with db.transaction() as session:
        user = await make_user(session, Role.ADMIN, mfa=False)
        token = (await session_for(session, user, relaxed, mfa_verified=False)).access_token
    async with graphql_client(relaxed, db) as api:
        body = await api.as_(token).post("{ products(first: 1) { totalCount } }")
    assert "errors" not in body


async def test_confirming_needs_a_right_code_and_enrolling_twice_is_refused(
    api: GraphQLClient, db: Database, settings: Settings
) -> None:
    async with db.transaction() as session:
        user = await make_user(session, Role.CLIENT)
        token = (await session_for(session, user, settings)).access_token
    nothing = (await api.as_(token).data(CONFIRM, {"code": "123456"}))["confirmTotp"]
    assert [e["code"] for e in nothing["userErrors"]] == ["NO_PENDING_ENROLMENT"]
    secret = (await api.as_(token).data(ENROLL))["enrollTotp"]["enrollment"]["secret"]
    wrong = (await api.as_(token).data(CONFIRM, {"code": "00000"}))["confirmTotp"]
    assert wrong["recoveryCodes"] is None
    assert [e["code"] for e in wrong["userErrors"]] == ["INVALID_CODE"]
    assert (await api.as_(token).data(CONFIRM, {"code": code_at(secret)}))["confirmTotp"]["done"]
    again = (await api.as_(token).data(ENROLL))["enrollTotp"]
    assert again == {"enrollment": None, "userErrors": [{"code": "MFA_ALREADY_ENABLED"}]}
    async with db.session() as session:
        stored = await session.get(User, user.id)
    assert stored is not None
    assert stored.totp_secret_ciphertext is not None
    assert secret.encode() not in stored.totp_secret_ciphertext


async def test_new_recovery_codes_and_turning_mfa_off_need_a_fresh_factor(
    api: GraphQLClient, db: Database, settings: Settings
) -> None:
    # given a client who turned MFA on (and so holds recovery codes)
    async with db.transaction() as session:
        user = await make_user(session, Role.CLIENT)
        token = (await session_for(session, user, settings)).access_token
    secret = (await api.as_(token).data(ENROLL))["enrollTotp"]["enrollment"]["secret"]
    codes = (await api.as_(token).data(CONFIRM, {"code": code_at(secret)}))["confirmTotp"][
        "recoveryCodes"
    ]

    # when they ask for new codes with a recovery code, and with nothing
    renewed = (await api.as_(token).data(REGENERATE, {"recoveryCode": codes[0]}))[
        "regenerateRecoveryCodes"
    ]
    bare = (await api.as_(token).data(REGENERATE, {}))["regenerateRecoveryCodes"]

    # then the first works (the old codes stop), the second says a factor is needed
    assert len(renewed["recoveryCodes"]) == 10
    assert [e["code"] for e in bare["userErrors"]] == ["ONE_FACTOR_REQUIRED"]
    old = (await api.as_(token).data(DISABLE, {"recoveryCode": codes[1]}))["disableTotp"]
    assert [e["code"] for e in old["userErrors"]] == ["INVALID_CODE"]
    # and a new recovery code turns MFA off
    off = (await api.as_(token).data(DISABLE, {"recoveryCode": renewed["recoveryCodes"][0]}))[
        "disableTotp"
    ]
    assert off == {"done": True, "userErrors": []}
    assert (await api.as_(token).data(ME))["me"]["mfaEnabled"] is False
    assert (await _login_token(api, user.email))["__typename"] == "SessionTokens"
    assert await _actions(db, user.id) == [
        "user.mfa_enabled",
        "user.recovery_codes_regenerated",
        "user.mfa_disabled",
        "login.succeeded",
    ]


async def test_wrong_codes_are_throttled_per_user(
    api: GraphQLClient, db: Database, auth_settings: Settings
) -> None:
    async with db.transaction() as session:
        user = await make_user(session, Role.CLIENT)
        token = (await session_for(session, user, auth_settings)).access_token
    await api.as_(token).data(ENROLL)
    answers = [
        (await api.as_(token).data(CONFIRM, {"code": "000000"}))["confirmTotp"]
        for _ in range(auth_settings.mfa_max_failures + 1)
    ]
    assert [a["userErrors"][0]["code"] for a in answers] == ["INVALID_CODE"] * 3 + [
        "TOO_MANY_REQUESTS"
    ]
    assert answers[-1]["retryAfterSeconds"] > 0


async def test_verify_mfa_is_throttled_for_the_user_behind_the_challenge(
    api: GraphQLClient, db: Database, auth_settings: Settings
) -> None:

    async with db.transaction() as session:
        user = await make_user(session, Role.SALES)
        secret = await give_totp(session, user, auth_settings)
    answers = []
    for _ in range(auth_settings.mfa_max_failures + 1):
        challenge = (await _login_token(api, user.email))["challenge"]
        data = await api.data(VERIFY_MFA, {"challenge": challenge, "code": "999999"})
        answers.append(data["verifyMfa"]["userErrors"][0]["code"])
    assert answers == ["INVALID_CODE"] * 3 + ["TOO_MANY_REQUESTS"]
    challenge = (await _login_token(api, user.email))["challenge"]
    locked = await api.data(VERIFY_MFA, {"challenge": challenge, "code": code_at(secret)})
    assert locked["verifyMfa"]["session"] is None
