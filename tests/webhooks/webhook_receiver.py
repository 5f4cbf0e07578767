"""A partner's webhook receiver for tests: a real HTTP/1.1 server on a loopback port.

It verifies each request the way partners are told to, with the `standardwebhooks`
package rather than our own code, answers 400 when that fails, and otherwise answers
with the next scripted status. Every request is kept for the test to inspect.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

REASONS = {200: "OK", 204: "No Content", 302: "Found", 400: "Bad Request", 500: "Server Error"}


@dataclass(frozen=True)
class ReceivedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    verified: bool | None


@dataclass
class Receiver:
    url: str
    secret: str | None
    statuses: list[int]
    then: int
    location: str | None
    requests: list[ReceivedRequest] = field(default_factory=list)

    async def has_received(self, count: int) -> bool:
        return len(self.requests) >= count

    def next_status(self) -> int:
        return self.statuses.pop(0) if self.statuses else self.then

    def verify(self, body: bytes, headers: dict[str, str]) -> bool | None:
        if self.secret is None:
            return None
        try:
            Webhook(self.secret).verify(body, headers)
        except WebhookVerificationError:
            return False
        return True


@contextlib.asynccontextmanager
async def webhook_receiver(
    *,
    secret: str | None = None,
    statuses: list[int] | None = None,
    then: int = 200,
    location: str | None = None,
    tls: ssl.SSLContext | None = None,
    host: str = "127.0.0.1",
) -> AsyncIterator[Receiver]:
    """Serve until the block ends; `statuses` are answered in order, then `then` forever."""
    receiver = Receiver(
        url="", secret=secret, statuses=list(statuses or []), then=then, location=location
    )

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            request_line, *header_lines = head.decode("latin-1").split("\r\n")
            method, path, _version = request_line.split(" ", 2)
            headers = {}
            for line in header_lines:
                if line:
                    name, _, value = line.partition(":")
                    headers[name.strip().lower()] = value.strip()
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            verified = receiver.verify(body, headers)
            receiver.requests.append(ReceivedRequest(method, path, headers, body, verified))
            status = 400 if verified is False else receiver.next_status()
            extra = f"Location: {receiver.location}\r\n" if receiver.location else ""
            writer.write(
                f"HTTP/1.1 {status} {REASONS.get(status, 'Status')}\r\n"
                f"Content-Length: 0\r\nConnection: close\r\n{extra}\r\n".encode()
            )
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError, ssl.SSLError):
                await writer.wait_closed()

    server = await asyncio.start_server(handle, host=host, port=0, ssl=tls)
    port = server.sockets[0].getsockname()[1]
    scheme = "https" if tls else "http"
    receiver.url = f"{scheme}://{'localhost' if tls else host}:{port}/hooks/tradeql"
    try:
        yield receiver
    finally:
        server.close()
        await server.wait_closed()


def localhost_tls(directory: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A self-signed certificate for `localhost`: (server context, client context trusting it)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file = directory / "localhost.pem"
    key_file = directory / "localhost.key"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert_file, key_file)
    client = ssl.create_default_context(cafile=str(cert_file))
    return server, client
