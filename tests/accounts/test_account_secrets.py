"""Secrets stay where they belong: every auth flow run once, every log line and response read.

Each secret may appear in exactly one place: the response (or mail, or command output) that
hands it to its owner. It must never appear in a log line at any level, in another
response, or in plain text in the database.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from app.cli import account_commands
from core.db import Database
from core.settings import Settings
from models.accounts import Role
from tests.accounts.builders import LOGIN, VERIFY_MFA, code_at
from tests.accounts.mail_support import mailed_link, run_worker_once
from tests.graphql_client import GraphQLClient
from tests.smtp_mailbox import Mailbox
from tests.user_builders import make_user, session_for

ADMIN_PASSWORD = "SENTINEL-admin-password-4f1c"
PASSWORD = "SENTINEL-first-password-9d2e"
NEW_PASSWORD = "SENTINEL-second-password-7b3a"
TABLES = (
    "users",
    "user_sessions",
    "user_tokens",
    "mfa_challenges",
    "recovery_codes",
    "api_keys",
    "audit_entries",
    "outbox_events",
)


class RecordingClient(GraphQLClient):
    """Keeps the text of every response."""

    def __init__(self, mail_api: GraphQLClient) -> None:
        super().__init__(mail_api.http)
        self.responses: list[str] = []

    async def response(self, *args: Any, **kwargs: Any) -> httpx.Response:
        response = await super().response(*args, **kwargs)
        self.responses.append(response.text)
        return response


async def _call(
    mail_api: RecordingClient, document: str, token: str | None = None, **variables: Any
) -> Any:
    data = await mail_api.as_(token).data(document, variables)
    [payload] = data.values()
    return payload


async def test_no_secret_leaks_into_logs_other_responses_or_the_database(
    mail_api: GraphQLClient,
    committed_db: Database,
    mail_settings: Settings,
    mailbox: tuple[Mailbox, int],
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    box, _port = mailbox
    caplog.set_level(logging.DEBUG)
    client = RecordingClient(mail_api)
    # Where each secret is legitimately shown: response index, or "mail N", or "stdout".
    shown: dict[str, str] = {}
    secrets: dict[str, str] = {
        "admin password": ADMIN_PASSWORD,
        "password": PASSWORD,
        "new password": NEW_PASSWORD,
    }

    def handed_out(name: str, value: str, where: str | None = None) -> None:
        secrets[name] = value
        shown[name] = where if where is not None else f"response {len(client.responses) - 1}"

    # the first admin, from the command line; and an API key, printed once
    await account_commands.create_user_command(
        mail_settings,
        email="root@anatolia.example",
        role=Role.ADMIN,
        full_name="Root",
        client_company_id=None,
        password=ADMIN_PASSWORD,
    )
    await account_commands.create_api_key(mail_settings, name="storefront", role=Role.STOREFRONT)
    key = capsys.readouterr().out.split("key: ")[1].split()[0]
    handed_out("api key", key, "stdout")
    assert "errors" not in await client.as_(key).post("{ products(first: 1) { totalCount } }")
    wrong_admin = await _call(client, LOGIN, email="root@anatolia.example", password="nope" * 4)
    assert wrong_admin["userErrors"]

    # an invitation, accepted with the password
    async with committed_db.transaction() as session:
        inviter = await make_user(session, Role.ADMIN)
        inviter_token = (await session_for(session, inviter, mail_settings)).access_token
    await _call(
        client,
        'mutation { inviteStaff(email: "mei@anatolia.example", fullName: "Mei", role: SALES)'
        " { userErrors { code } } }",
        token=inviter_token,
    )
    await run_worker_once(mail_settings, committed_db)
    handed_out("invitation link", mailed_link(box, 0)[1], "mail 0")
    await _call(
        client,
        "mutation($t: String!, $p: String!) { acceptInvitation(token: $t, password: $p,"
        ' fullName: "Mei Chen") { done } }',
        t=secrets["invitation link"],
        p=PASSWORD,
    )

    # a login without MFA, enrolment, confirmation with a code
    limited = (await _call(client, LOGIN, email="mei@anatolia.example", password=PASSWORD))[
        "result"
    ]
    handed_out("limited access token", limited["accessToken"])
    handed_out("limited refresh token", limited["refreshToken"])
    enrollment = await _call(
        client,
        "mutation { enrollTotp { enrollment { secret qrCodeSvg } } }",
        token=limited["accessToken"],
    )
    handed_out("totp secret", enrollment["enrollment"]["secret"])
    first_code = code_at(secrets["totp secret"])
    confirmed = await _call(
        client,
        "mutation($c: String!) { confirmTotp(code: $c) { recoveryCodes } }",
        token=limited["accessToken"],
        c=first_code,
    )
    for n, code in enumerate(confirmed["recoveryCodes"]):
        handed_out(f"recovery code {n}", code)

    # a login with MFA, a refresh, a reuse of the old refresh token
    challenge = (await _call(client, LOGIN, email="mei@anatolia.example", password=PASSWORD))[
        "result"
    ]["challenge"]
    handed_out("challenge", challenge)
    wrong = await _call(client, VERIFY_MFA, challenge=challenge, code="000000")
    assert wrong["userErrors"]
    session = (
        await _call(
            client, VERIFY_MFA, challenge=challenge, recoveryCode=confirmed["recoveryCodes"][0]
        )
    )["session"]
    handed_out("access token", session["accessToken"])
    handed_out("refresh token", session["refreshToken"])
    refresh = (
        "mutation($t: String!) { refreshSession(refreshToken: $t)"
        " { session { accessToken refreshToken } userErrors { code } } }"
    )
    rotated = (await _call(client, refresh, t=session["refreshToken"]))["session"]
    handed_out("rotated access token", rotated["accessToken"])
    handed_out("rotated refresh token", rotated["refreshToken"])
    assert (await _call(client, refresh, t=session["refreshToken"]))["userErrors"]

    # a password reset by mail, then a login with the new password and a code
    await _call(
        client,
        'mutation { requestPasswordReset(email: "mei@anatolia.example") { done } }',
    )
    await run_worker_once(mail_settings, committed_db)
    handed_out("reset link", mailed_link(box, 1)[1], "mail 1")
    await _call(
        client,
        "mutation($t: String!, $p: String!) { resetPassword(token: $t, newPassword: $p) { done } }",
        t=secrets["reset link"],
        p=NEW_PASSWORD,
    )
    challenge = (await _call(client, LOGIN, email="mei@anatolia.example", password=NEW_PASSWORD))[
        "result"
    ]["challenge"]
    handed_out("second challenge", challenge)
    final = (
        await _call(
            client, VERIFY_MFA, challenge=challenge, recoveryCode=confirmed["recoveryCodes"][1]
        )
    )["session"]
    handed_out("final access token", final["accessToken"])
    handed_out("final refresh token", final["refreshToken"])
    changed = await _call(
        client,
        "mutation($o: String!, $n: String!) { changePassword(currentPassword: $o, newPassword: $n)"
        " { done } }",
        token=final["accessToken"],
        o=NEW_PASSWORD,
        n=PASSWORD,
    )
    assert changed["done"]

    # then: no secret in any log line, at any level, from any logger but the test's own SMTP
    # server (aiosmtpd logs every line it receives, as a mail server's debug log would)
    logged = "\n".join(
        f"{record.name} {record.getMessage()} {record.__dict__}"
        for record in caplog.records
        if record.name != "mail.log"
    )
    assert [name for name, value in secrets.items() if value in logged] == []
    # and each is in one response at most: the one that handed it out
    where: dict[str, list[str]] = defaultdict(list)
    for index, body in enumerate(client.responses):
        for name, value in secrets.items():
            if value in body:
                where[name].append(f"response {index}")
    for n in range(len(box.envelopes)):
        content = "\n".join(
            str(part.get_content()) for part in box.message(n).walk() if not part.is_multipart()
        )
        for name, value in secrets.items():
            if value in content:
                where[name].append(f"mail {n}")
    expected = {name: [place] for name, place in shown.items() if place != "stdout"}
    assert dict(where) == expected
    # and none is stored in plain text
    rows: list[str] = []
    async with committed_db.session() as db:
        for table in TABLES:
            result = await db.execute(text(f"SELECT t::text FROM {table} t"))  # noqa: S608
            rows += [str(row[0]) for row in result.all()]
    dump = "\n".join(rows)
    assert len(rows) > 20
    assert [name for name, value in secrets.items() if value in dump] == []
