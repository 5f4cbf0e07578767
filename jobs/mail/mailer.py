"""Sending mail through the SMTP server in `SMTP_URL`, or logging it when there is none.

Without `SMTP_URL`, development and test write each mail (recipient, subject, text) to
the log instead. Production still starts without it, so an API-only deployment needs no
mail server, but every mail then fails loudly: the `mail.send` event is retried and
dead-lettered with "SMTP_URL is not set", and `tradeql events replay` sends it once the
setting is fixed. The worker also warns about it when it starts.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, parseaddr

import aiosmtplib

from core.settings import Settings
from core.smtp import SmtpServer

logger = logging.getLogger("tradeql.mail")

SMTP_TIMEOUT_SECONDS = 30.0


class MailNotConfigured(RuntimeError):
    """Mail was to be sent in production without an SMTP server configured."""


@dataclass(frozen=True)
class OutgoingMail:
    to: str
    subject: str
    text: str
    html: str
    # Derived from what caused the mail, so a resend after a crash is recognisably the same.
    message_id: str


class Mailer:
    def __init__(self, *, server: SmtpServer | None, sender: str, log_instead: bool) -> None:
        self.server = server
        self.sender = sender
        self.log_instead = log_instead

    @classmethod
    def from_settings(cls, settings: Settings) -> Mailer:
        server = settings.smtp_server
        mailer = cls(
            server=server,
            sender=settings.mail_from,
            log_instead=server is None and settings.env != "production",
        )
        if server is None and not mailer.log_instead:
            logger.warning("SMTP_URL is not set: mail will fail until it is")
        return mailer

    @property
    def sender_domain(self) -> str:
        _name, address = parseaddr(self.sender)
        return address.rpartition("@")[2] or "tradeql.invalid"

    def build_message(self, mail: OutgoingMail) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = _single_address(mail.to)
        message["Subject"] = mail.subject
        message["Date"] = formatdate(usegmt=True)
        message["Message-ID"] = mail.message_id
        message.set_content(mail.text)
        message.add_alternative(mail.html, subtype="html")
        return message

    async def send(self, mail: OutgoingMail) -> None:
        message = self.build_message(mail)
        if self.server is None:
            if not self.log_instead:
                raise MailNotConfigured("SMTP_URL is not set; mail cannot be sent")
            logger.info(
                "mail not sent (SMTP_URL unset): to %s, subject %r\n%s",
                mail.to,
                mail.subject,
                mail.text,
                extra={"mail_to": mail.to, "mail_subject": mail.subject},
            )
            return
        server = self.server
        await aiosmtplib.send(
            message,
            hostname=server.hostname,
            port=server.port,
            username=server.username,
            password=server.password,
            use_tls=server.implicit_tls,
            start_tls=server.start_tls,
            timeout=SMTP_TIMEOUT_SECONDS,
        )
        logger.info("mail sent to %s via %s", mail.to, server.describe())


def _single_address(to: str) -> str:
    """One plain address; anything else (lists, display tricks, line breaks) is refused."""
    _name, address = parseaddr(to)
    if not address or address != to.strip() or "," in to:
        raise ValueError("mail recipient must be one plain address")
    Address(addr_spec=address)  # raises on a malformed address
    return address
