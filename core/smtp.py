"""The outgoing mail server named by `SMTP_URL`, parsed once when the settings load.

    smtp://user:pass@host:25              plain SMTP (a relay on a trusted network)
    smtp://user:pass@host:587             STARTTLS: port 587 is the submission port
    smtp://host:2525?starttls=true        STARTTLS on any port (`starttls=false` turns it off)
    smtps://user:pass@host:465            TLS from the first byte (implicit TLS)

User name and password are percent-decoded, so `p%40ss` is `p@ss`. Errors never repeat
the password.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote, urlsplit

SUBMISSION_PORT = 587
DEFAULT_PORTS = {"smtp": 25, "smtps": 465}
TRUE_WORDS = {"true", "1", "yes", "on"}
FALSE_WORDS = {"false", "0", "no", "off"}


@dataclass(frozen=True)
class SmtpServer:
    hostname: str
    port: int
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    implicit_tls: bool = False
    start_tls: bool = False

    def describe(self) -> str:
        """Where mail goes, fit for a log line: no password."""
        security = "TLS" if self.implicit_tls else "STARTTLS" if self.start_tls else "plain"
        user = f"{self.username}@" if self.username else ""
        return f"{user}{self.hostname}:{self.port} ({security})"


def parse_smtp_url(url: str) -> SmtpServer:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise ValueError("SMTP_URL is not a valid URL") from None
    if parts.scheme not in DEFAULT_PORTS:
        raise ValueError("SMTP_URL must start with smtp:// or smtps://")
    if not parts.hostname:
        raise ValueError("SMTP_URL has no host")
    options = dict(parse_qsl(parts.query, keep_blank_values=True))
    unknown = sorted(set(options) - {"starttls"})
    if unknown:
        raise ValueError(f"SMTP_URL has unknown option {unknown[0]!r} (known: starttls)")
    port = port or DEFAULT_PORTS[parts.scheme]
    implicit_tls = parts.scheme == "smtps"
    if "starttls" in options:
        start_tls = _flag(options["starttls"])
    else:
        start_tls = port == SUBMISSION_PORT and not implicit_tls
    if implicit_tls and start_tls:
        raise ValueError("SMTP_URL: smtps:// is already TLS; drop starttls=true")
    return SmtpServer(
        hostname=parts.hostname,
        port=port,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password is not None else None,
        implicit_tls=implicit_tls,
        start_tls=start_tls,
    )


def _flag(value: str) -> bool:
    if value.lower() in TRUE_WORDS:
        return True
    if value.lower() in FALSE_WORDS:
        return False
    raise ValueError(f"SMTP_URL: starttls must be true or false, not {value!r}")
