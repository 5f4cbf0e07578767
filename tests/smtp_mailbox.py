"""A real SMTP server for mail tests (aiosmtpd on a free local port) that keeps what it gets."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from pydantic import SecretStr

from core.settings import Settings

SMTP_USER = "mailer"
SMTP_PASSWORD = "p@ss word"  # needs percent-encoding in the URL


class Mailbox:
    """An aiosmtpd handler that keeps what it accepts and checks the login."""

    def __init__(self) -> None:
        self.envelopes: list[Any] = []
        self.logins: list[str] = []

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def authenticate(
        self, _server: Any, _session: Any, _envelope: Any, _mechanism: str, data: Any
    ) -> AuthResult:
        assert isinstance(data, LoginPassword)
        self.logins.append(data.login.decode())
        valid = (data.login.decode(), data.password.decode()) == (SMTP_USER, SMTP_PASSWORD)
        return AuthResult(success=valid)

    def message(self, index: int = 0) -> EmailMessage:
        parsed = message_from_bytes(self.envelopes[index].content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed

    def text(self, index: int = 0) -> str:
        body = self.message(index).get_body(("plain",))
        assert body is not None
        content: str = body.get_content()
        return content


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running_mailbox() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    port = _free_port()
    controller = Controller(
        box,
        hostname="127.0.0.1",
        port=port,
        authenticator=box.authenticate,
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


def smtp_settings(settings: Settings, port: int) -> Settings:
    url = f"smtp://{SMTP_USER}:p%40ss%20word@127.0.0.1:{port}"
    return settings.model_copy(
        update={"smtp_url": SecretStr(url), "mail_from": "Anatolia Textiles <sales@anatolia.test>"}
    )
