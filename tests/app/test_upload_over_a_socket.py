"""An upload over the limit, sent to a real uvicorn server over a raw socket, is answered 413
while the client is still sending: the server neither waits for nor reads the whole body."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from core.db import Database
from core.settings import Settings
from tests.app.uploads_support import BOUNDARY, fields, part, upload_app
from tests.uvicorn_server import serving

LIMIT = 100_000
CHUNK = 16_384
# Far more than the limit and than the socket buffers between client and server can hold.
ENDLESS = 200 * 1024 * 1024
HEAD = (
    "POST /graphql HTTP/1.1\r\nHost: tradeql.test\r\nApollo-Require-Preflight: true\r\n"
    f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
)
START = (
    fields(
        {
            "query": "mutation ($f: Upload!) { receive(file: $f) { size } }",
            "variables": {"f": None},
        },
        {"0": ["variables.f"]},
    )
    + part("0", b"", "big.csv")[:-2]
)


@pytest.fixture
async def port(settings: Settings, db: Database) -> AsyncIterator[int]:
    limited = settings.model_copy(update={"max_upload_bytes": LIMIT})
    async with upload_app(limited, db) as app, serving(app) as served:
        yield served


async def _status(reader: asyncio.StreamReader) -> bytes:
    return (await reader.readuntil(b"\r\n\r\n")).split(b"\r\n")[0]


async def test_a_declared_length_over_the_limit_is_answered_before_any_body(port: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"{HEAD}Content-Length: {ENDLESS}\r\n\r\n".encode())
    await writer.drain()
    assert await asyncio.wait_for(_status(reader), 10) == b"HTTP/1.1 413 Request Entity Too Large"
    writer.close()


async def test_a_chunked_body_over_the_limit_is_answered_while_it_is_still_sent(
    port: int,
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"{HEAD}Transfer-Encoding: chunked\r\n\r\n".encode())
    answer = asyncio.create_task(_status(reader))
    sent = 0
    try:
        for data in (START, *([b"x" * CHUNK] * (ENDLESS // CHUNK))):
            if answer.done():
                break
            writer.write(b"%x\r\n%b\r\n" % (len(data), data))
            await writer.drain()
            sent += len(data)
    except ConnectionError:
        pass  # the server closed the connection after answering: as good as an answer
    assert await asyncio.wait_for(answer, 10) == b"HTTP/1.1 413 Request Entity Too Large"
    assert sent < ENDLESS // 4
    writer.close()
