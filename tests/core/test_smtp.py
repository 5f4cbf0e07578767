"""SMTP_URL: which server, which TLS, which login; refused when malformed, password unseen."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from core.settings import Settings
from core.smtp import SmtpServer, parse_smtp_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://relay.internal", SmtpServer("relay.internal", 25)),
        ("smtp://relay.internal:2525", SmtpServer("relay.internal", 2525)),
        (
            "smtp://apikey:s3cr%40t@smtp.example.com:587",
            SmtpServer("smtp.example.com", 587, "apikey", "s3cr@t", start_tls=True),
        ),
        (
            "smtp://smtp.example.com:2525?starttls=true",
            SmtpServer("smtp.example.com", 2525, start_tls=True),
        ),
        ("smtp://smtp.example.com:587?starttls=false", SmtpServer("smtp.example.com", 587)),
        (
            "smtps://user:pw@smtp.example.com",
            SmtpServer("smtp.example.com", 465, "user", "pw", implicit_tls=True),
        ),
        (
            "smtps://smtp.example.com:587",
            SmtpServer("smtp.example.com", 587, implicit_tls=True),
        ),
    ],
)
def test_smtp_urls_say_where_and_how_to_send(url: str, expected: SmtpServer) -> None:
    assert parse_smtp_url(url) == expected


@pytest.mark.parametrize(
    ("url", "complaint"),
    [
        ("http://user:hunter2@smtp.example.com", "smtp:// or smtps://"),
        ("smtp://user:hunter2@", "no host"),
        ("smtp://user:hunter2@smtp.example.com:99999", "not a valid URL"),
        ("smtp://user:hunter2@smtp.example.com?tls=1", "unknown option 'tls'"),
        ("smtp://user:hunter2@smtp.example.com?starttls=maybe", "true or false"),
        ("smtps://user:hunter2@smtp.example.com?starttls=true", "already TLS"),
    ],
)
def test_a_malformed_smtp_url_is_refused_at_startup_without_showing_the_password(
    url: str, complaint: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        Settings(_env_file=None, smtp_url=url)
    assert complaint in str(refused.value)
    assert "hunter2" not in str(refused.value)


def test_the_server_is_described_without_its_password() -> None:
    server = parse_smtp_url("smtp://apikey:hunter2@smtp.example.com:587")
    assert server.describe() == "apikey@smtp.example.com:587 (STARTTLS)"
    assert "hunter2" not in repr(server)


def test_an_empty_smtp_url_means_none() -> None:
    assert Settings(_env_file=None, smtp_url="").smtp_server is None
