"""Invitations and password resets end to end: mutation, worker, SMTP, the link, once."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import text, update
from sqlmodel import col

from core.db import Database
from core.global_id import encode_global_id
from core.outbox import utcnow
from core.settings import Settings
from models.accounts import Role, User, UserToken
from models.outbox import OutboxEvent
from tests.accounts.builders import LOGIN, code_at, give_totp
from tests.accounts.mail_support import mailed_link, run_worker_once
from tests.graphql_client import GraphQLClient
from tests.smtp_mailbox import Mailbox
from tests.user_builders import PASSWORD, make_company, make_user, session_for

NEW_PASSWORD = "a brand new passphrase"
LINK = re.compile(
    r"https://shop\.anatolia\.example/(accept-invitation|reset-password)\?token=(\S+)"
)
ACCEPT = """
mutation($token: String!, $password: String!) {
  acceptInvitation(token: $token, password: $password, fullName: "Mei Chen") {
    done email userErrors { field code }
  }
}
"""
RESET = """
mutation($token: String!, $password: String!) {
  resetPassword(token: $token, newPassword: $password) { done email userErrors { field code } }
}
"""
REQUEST_RESET = """
mutation($email: String!) {
  requestPasswordReset(email: $email) { done email userErrors { code } retryAfterSeconds }
}
"""


async def _post(mail_api: GraphQLClient, document: str, **variables: Any) -> dict[str, Any]:
    data = await mail_api.data(document, variables)
    [payload] = data.values()
    assert isinstance(payload, dict)
    return payload


async def test_an_invitation_arrives_by_mail_and_its_link_works_once(
    mail_api: GraphQLClient,
    committed_db: Database,
    mail_settings: Settings,
    mailbox: tuple[Mailbox, int],
) -> None:
    box, _port = mailbox
    # given an admin who invites a member of staff
    async with committed_db.transaction() as session:
        admin = await make_user(session, Role.ADMIN)
        admin.full_name = "Arjun Mehta"
        token = (await session_for(session, admin, mail_settings)).access_token
    invited = await mail_api.as_(token).data(
        'mutation { inviteStaff(email: "mei@anatolia.example", fullName: "Mei",'
        " role: CATALOG_MANAGER) { userErrors { code } } }"
    )
    assert invited["inviteStaff"]["userErrors"] == []

    # when the worker runs
    await run_worker_once(mail_settings, committed_db)

    # then one mail went to the invited address, from the admin, with a link to the app
    [envelope] = box.envelopes
    assert envelope.rcpt_tos == ["mei@anatolia.example"]
    assert box.message()["Subject"] == "Arjun Mehta invited you to the TradeQL admin"
    assert "as catalog manager" in box.text()
    page, link_token = mailed_link(box)
    assert page == "accept-invitation"
    # and the database holds only the token's hash
    async with committed_db.session() as session:
        stored = list(await session.scalars(text("SELECT token_hash FROM user_tokens")))
    assert len(stored) == 1
    assert link_token not in str(stored)

    # when the link is used, then used again
    accepted = await _post(mail_api, ACCEPT, token=link_token, password=NEW_PASSWORD)
    again = await _post(mail_api, ACCEPT, token=link_token, password=NEW_PASSWORD)

    # then the first sets the password, the second is refused
    assert accepted == {"done": True, "email": "mei@anatolia.example", "userErrors": []}
    assert again["userErrors"] == [{"field": ["token"], "code": "INVALID_TOKEN"}]
    # and the new member of staff signs in, to a session that must set MFA up first
    login = await _post(mail_api, LOGIN, email="mei@anatolia.example", password=NEW_PASSWORD)
    assert login["result"]["mfaSetupRequired"] is True


async def test_a_client_invitation_names_the_company(
    mail_api: GraphQLClient,
    committed_db: Database,
    mail_settings: Settings,
    mailbox: tuple[Mailbox, int],
) -> None:
    box, _port = mailbox

    async with committed_db.transaction() as session:
        sales = await make_user(session, Role.SALES)
        token = (await session_for(session, sales, mail_settings)).access_token
        company = await make_company(session, name="Weber Textil GmbH")
    assert company.id is not None
    await mail_api.as_(token).data(
        "mutation($c: ID!) { inviteClientUser(clientCompanyId: $c, email: "
        '"hans@weber.example", fullName: "Hans Weber") { userErrors { code } } }',
        {"c": encode_global_id("ClientCompany", company.id)},
    )
    await run_worker_once(mail_settings, committed_db)
    assert "for Weber Textil GmbH" in box.message()["Subject"]
    assert "Hello Hans Weber," in box.text()


async def test_a_policy_refusal_does_not_use_up_the_link(
    mail_api: GraphQLClient,
    committed_db: Database,
    mail_settings: Settings,
    mailbox: tuple[Mailbox, int],
) -> None:
    box, _port = mailbox
    async with committed_db.transaction() as session:
        admin = await make_user(session, Role.ADMIN)
        token = (await session_for(session, admin, mail_settings)).access_token
    await mail_api.as_(token).data(
        'mutation { inviteStaff(email: "li@anatolia.example", fullName: "Li", role: SALES)'
        " { userErrors { code } } }"
    )
    await run_worker_once(mail_settings, committed_db)
    _page, link_token = mailed_link(box)
    weak = await _post(mail_api, ACCEPT, token=link_token, password="password1234")
    assert weak["userErrors"] == [{"field": ["password"], "code": "PASSWORD_TOO_COMMON"}]
    assert (await _post(mail_api, ACCEPT, token=link_token, password=NEW_PASSWORD))["done"]


async def test_a_reset_link_sets_a_new_password_ends_sessions_and_keeps_mfa(
    mail_api: GraphQLClient,
    committed_db: Database,
    mail_settings: Settings,
    mailbox: tuple[Mailbox, int],
) -> None:
    box, _port = mailbox
    # given a member of staff with MFA and a session somewhere
    async with committed_db.transaction() as session:
        user = await make_user(session, Role.SALES)
        secret = await give_totp(session, user, mail_settings)
        old_session = await session_for(session, user, mail_settings)
    # when they ask for a reset (and someone asks for an unknown address)
    mine = await _post(mail_api, REQUEST_RESET, email=user.email.upper())
    unknown = await _post(mail_api, REQUEST_RESET, email="nobody@anatolia.example")
    await run_worker_once(mail_settings, committed_db)

    # then both answers are the same, and only the real account got a mail
    assert (
        mine
        == unknown
        == {
            "done": True,
            "email": None,
            "userErrors": [],
            "retryAfterSeconds": None,
        }
    )
    [envelope] = box.envelopes
    assert envelope.rcpt_tos == [user.email]
    page, link_token = mailed_link(box)
    assert page == "reset-password"

    # when they choose a new password through the link
    reset = await _post(mail_api, RESET, token=link_token, password=NEW_PASSWORD)

    # then it is set, the old session is over, and signing in still needs the code
    assert reset == {"done": True, "email": user.email, "userErrors": []}
    assert (
        await mail_api.as_(old_session.access_token).response("{ me { email } }")
    ).status_code == 401
    old = await _post(mail_api, LOGIN, email=user.email, password=PASSWORD)
    assert [e["code"] for e in old["userErrors"]] == ["INVALID_CREDENTIALS"]
    login = await _post(mail_api, LOGIN, email=user.email, password=NEW_PASSWORD)
    assert login["result"]["__typename"] == "MfaRequired"
    verified = await mail_api.data(
        "mutation($c: String!, $code: String!) { verifyMfa(challenge: $c, code: $code)"
        " { userErrors { code } } }",
        {"c": login["result"]["challenge"], "code": code_at(secret)},
    )
    assert verified["verifyMfa"]["userErrors"] == []
    # and the link does not work twice
    again = await _post(mail_api, RESET, token=link_token, password="yet another passphrase")
    assert again["userErrors"] == [{"field": ["token"], "code": "INVALID_TOKEN"}]


async def test_an_expired_or_superseded_reset_link_is_refused(
    mail_api: GraphQLClient,
    committed_db: Database,
    mail_settings: Settings,
    mailbox: tuple[Mailbox, int],
) -> None:
    box, _port = mailbox
    async with committed_db.transaction() as session:
        user = await make_user(session, Role.CLIENT)
    await _post(mail_api, REQUEST_RESET, email=user.email)
    await run_worker_once(mail_settings, committed_db)
    _page, first = mailed_link(box, 0)
    await _post(mail_api, REQUEST_RESET, email=user.email)
    await run_worker_once(mail_settings, committed_db)
    _page, second = mailed_link(box, 1)

    # the first link was replaced by the second
    superseded = await _post(mail_api, RESET, token=first, password=NEW_PASSWORD)
    assert superseded["userErrors"] == [{"field": ["token"], "code": "INVALID_TOKEN"}]
    # and the second, once expired, is refused too
    async with committed_db.transaction() as session:
        await session.execute(update(UserToken).values(expires_at=utcnow()))
    expired = await _post(mail_api, RESET, token=second, password=NEW_PASSWORD)
    assert expired["userErrors"] == [{"field": ["token"], "code": "INVALID_TOKEN"}]
    # and a third request is throttled for that address (jobs settings: 3 per window)
    third = await _post(mail_api, REQUEST_RESET, email=user.email)
    fourth = await _post(mail_api, REQUEST_RESET, email=user.email)
    assert third["done"] is True
    assert [e["code"] for e in fourth["userErrors"]] == ["TOO_MANY_REQUESTS"]
    assert fourth["retryAfterSeconds"] > 0


async def test_a_link_event_delivered_again_sends_nothing_twice(
    mail_api: GraphQLClient,
    committed_db: Database,
    mail_settings: Settings,
    mailbox: tuple[Mailbox, int],
) -> None:
    box, _port = mailbox
    async with committed_db.transaction() as session:
        user = await make_user(session, Role.CLIENT)
    await _post(mail_api, REQUEST_RESET, email=user.email)
    await run_worker_once(mail_settings, committed_db)
    async with committed_db.transaction() as session:
        await session.execute(
            update(OutboxEvent)
            .where(col(OutboxEvent.event_type) == "account.link_requested")
            .values(state="pending", available_at=utcnow(), processed_at=None)
        )
    await run_worker_once(mail_settings, committed_db)
    assert len(box.envelopes) == 1
    _page, link_token = mailed_link(box)
    assert (await _post(mail_api, RESET, token=link_token, password=NEW_PASSWORD))["done"]


async def test_no_link_goes_to_a_user_disabled_before_the_worker_ran(
    mail_api: GraphQLClient,
    committed_db: Database,
    mail_settings: Settings,
    mailbox: tuple[Mailbox, int],
) -> None:
    box, _port = mailbox
    async with committed_db.transaction() as session:
        user = await make_user(session, Role.CLIENT)
    await _post(mail_api, REQUEST_RESET, email=user.email)
    async with committed_db.transaction() as session:
        await session.execute(
            update(User).where(col(User.id) == user.id).values(disabled_at=utcnow())
        )
    await run_worker_once(mail_settings, committed_db)
    assert box.envelopes == []
