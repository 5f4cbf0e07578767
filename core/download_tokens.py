"""Download link tokens: a stored file, for whom, until when, signed under `SECRET_KEY`.

A token is `tqd_` + base64url(claims) + `.` + base64url(HMAC-SHA256 of the claims), the
HMAC keyed by a key derived from `SECRET_KEY` for this use alone. Stateless: nothing is
written when a link is made, so making one costs no transaction, and any process verifies
it. Permission to read the file is checked when the link is made (resolvers/files); holding
a valid token is what lets its bearer download, until it expires.

Verification checks the signature first, in constant time, and only then reads the claims:
a token that was altered, forged or cut is refused the same way whatever it says, before
anything looks the file up. Changing `SECRET_KEY` ends every link at once.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime

from pydantic import SecretStr

from core.crypto import derive_key

PREFIX = "tqd_"
# Where links are served: `/downloads/<token>`. The access log shows this path without the token.
DOWNLOAD_PATH = "/downloads/"
VERSION = "1"
KEY_INFO = b"tradeql download links v1"
MAX_TOKEN_LENGTH = 300
SEPARATOR = "|"  # in no claim: ids are digits, purposes and callers [a-z_:0-9]


class InvalidLink(Exception):
    """Malformed, altered, or signed under another key: it names nothing."""


class ExpiredLink(Exception):
    """Genuine, but its time is up."""


@dataclass(frozen=True)
class DownloadGrant:
    """What a link lets its bearer do: download file `file_id` until `expires_at`."""

    file_id: int
    purpose: str
    caller: str  # who made the link: "user:12", "api_key:3"; for the log
    expires_at: datetime  # kept to the millisecond

    def claims(self) -> str:
        expires = round(self.expires_at.timestamp() * 1000)
        return SEPARATOR.join((VERSION, str(self.file_id), self.purpose, self.caller, str(expires)))


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    """The bytes of canonical unpadded base64url only: the last character of base64 carries
    unused bits, so two spellings can decode alike; only the one `_b64` writes is a token."""
    raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if _b64(raw) != text:
        raise ValueError("not the canonical spelling")
    return raw


def _mac(secret_key: SecretStr, claims: bytes) -> bytes:
    return hmac.new(derive_key(secret_key, KEY_INFO), claims, hashlib.sha256).digest()


def sign(grant: DownloadGrant, secret_key: SecretStr) -> str:
    claims = grant.claims().encode("ascii")
    return f"{PREFIX}{_b64(claims)}.{_b64(_mac(secret_key, claims))}"


def verify(token: str, secret_key: SecretStr, *, now: datetime | None = None) -> DownloadGrant:
    """The grant a genuine, unexpired token carries; InvalidLink or ExpiredLink otherwise."""
    if len(token) > MAX_TOKEN_LENGTH or not token.startswith(PREFIX):
        raise InvalidLink
    encoded_claims, _, encoded_mac = token.removeprefix(PREFIX).partition(".")
    try:
        claims, mac = _unb64(encoded_claims), _unb64(encoded_mac)
    except (binascii.Error, ValueError):
        raise InvalidLink from None
    if not hmac.compare_digest(mac, _mac(secret_key, claims)):
        raise InvalidLink
    grant = _parse(claims.decode("ascii"))
    if grant.expires_at <= (now or datetime.now(UTC)):
        raise ExpiredLink
    return grant


def _parse(claims: str) -> DownloadGrant:
    """Claims we signed ourselves; a version we no longer read is refused as invalid."""
    version, file_id, purpose, caller, expires = claims.split(SEPARATOR)
    if version != VERSION:
        raise InvalidLink
    return DownloadGrant(
        file_id=int(file_id),
        purpose=purpose,
        caller=caller,
        expires_at=datetime.fromtimestamp(int(expires) / 1000, UTC),
    )
