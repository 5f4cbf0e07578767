"""For the upload tests: a test-only schema served by the real endpoint, multipart bodies built
by hand (so they can break the specification), and an ASGI caller that counts what the app
pulled of a body.

The production schema has no field taking an `Upload` yet; `UPLOAD_SCHEMA` has mutations that
read what they are sent (size, checksum, where it was kept) so the transport is proven end to
end without a placeholder in the real schema.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator, Iterable, Iterator, MutableMapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import strawberry
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Route

from app.graphql_http import GraphQLEndpoint
from app.middleware import RequestIdMiddleware
from app.outages import AnswerEveryRequest
from app.security_headers import SecuredStarlette
from auth.policy import Permission
from core.db import Database
from core.kv import close as close_stores
from core.kv import create_key_value_stores
from core.settings import Settings
from core.uploads import UploadedFile
from schema.build import TradeQLSchema
from schema.permissions import permission_field
from schema.uploads import UPLOAD, Upload

BOUNDARY = "tradeql-test-boundary"
PREFLIGHT = {"apollo-require-preflight": "true"}
# Every file a resolver was given, to check the endpoint closed them after answering.
RECEIVED: list[UploadedFile] = []


@strawberry.type
class Received:
    filename: str
    content_type: str
    size: int
    sha256: str
    sha256_as_read: str
    on_disk: bool


async def _received(file: UploadedFile) -> Received:
    RECEIVED.append(file)
    digest, size = hashlib.sha256(), 0
    async for chunk in file.chunks():
        digest.update(chunk)
        size += len(chunk)
    assert size == file.size
    return Received(
        filename=file.filename,
        content_type=file.content_type,
        size=file.size,
        sha256=file.sha256,
        sha256_as_read=digest.hexdigest(),
        on_disk=file.on_disk,
    )


@strawberry.type
class UploadQuery:
    @strawberry.field
    def ping(self) -> bool:
        return True


@strawberry.type
class UploadMutation:
    @strawberry.mutation
    async def receive(self, file: Upload) -> Received:
        return await _received(file)

    @strawberry.mutation
    async def receive_many(self, files: list[Upload]) -> list[Received]:
        return [await _received(file) for file in files]

    @permission_field(  # type: ignore[untyped-decorator]
        Permission.CATALOG_WRITE, description="Staff only, as importCatalog will be."
    )
    async def receive_as_staff(self, file: Upload) -> Received | None:
        return await _received(file)


UPLOAD_SCHEMA = TradeQLSchema(
    query=UploadQuery, mutation=UploadMutation, scalar_overrides={Upload: UPLOAD}
)


@asynccontextmanager
async def upload_app(settings: Settings, database: Database) -> AsyncIterator[Starlette]:
    """The test schema behind the real endpoint, middleware and security headers."""
    stores = create_key_value_stores(settings)
    endpoint = GraphQLEndpoint(UPLOAD_SCHEMA, settings, database, stores)
    try:
        yield SecuredStarlette(
            hsts=False,
            routes=[Route("/graphql", endpoint)],
            middleware=[Middleware(RequestIdMiddleware), Middleware(AnswerEveryRequest)],
        )
    finally:
        await close_stores(stores)


@asynccontextmanager
async def http_to(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 4321))
    async with httpx.AsyncClient(transport=transport, base_url="http://tradeql.test") as http:
        yield http


def part(name: str, content: bytes, filename: str | None = None, content_type: str = "") -> bytes:
    disposition = f'form-data; name="{name}"'
    if filename is not None:
        disposition += f'; filename="{filename}"'
    head = f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n"
    if content_type:
        head += f"Content-Type: {content_type}\r\n"
    return head.encode() + b"\r\n" + content + b"\r\n"


def fields(operations: Any, file_map: Any) -> bytes:
    """The `operations` and `map` parts, as the specification orders them."""
    return part("operations", _json(operations)) + part("map", _json(file_map))


def closing() -> bytes:
    return f"--{BOUNDARY}--\r\n".encode()


def multipart(operations: Any, file_map: Any, files: dict[str, bytes]) -> bytes:
    """A whole request body: the fields, then each file as `<name>.csv` of type text/csv."""
    body = fields(operations, file_map)
    for name, content in files.items():
        body += part(name, content, f"{name}.csv", "text/csv")
    return body + closing()


def headers(**extra: str) -> dict[str, str]:
    return {
        "content-type": f"multipart/form-data; boundary={BOUNDARY}",
        **PREFLIGHT,
        **extra,
    }


def _json(value: Any) -> bytes:
    return value if isinstance(value, bytes) else json.dumps(value).encode()


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: dict[str, Any]
    pulled: int  # bytes of the request body the app asked for

    @property
    def code(self) -> str:
        code: str = self.body["errors"][0]["extensions"]["code"]
        return code

    @property
    def message(self) -> str:
        message: str = self.body["errors"][0]["message"]
        return message


async def call_counting(
    app: Starlette,
    body: Iterable[bytes],
    request_headers: dict[str, str],
    *,
    method: str = "POST",
) -> Answer:
    """Calls `app` as a server would, handing it the body a chunk at a time when it asks."""
    chunks: Iterator[bytes] = iter(body)
    pulled = 0
    sent: list[MutableMapping[str, Any]] = []
    pending: bytes | None = next(chunks, b"")  # an empty body is one empty message

    async def receive() -> dict[str, Any]:
        nonlocal pulled, pending
        chunk, pending = pending, next(chunks, None)
        if chunk is None:
            return {"type": "http.disconnect"}
        pulled += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": pending is not None}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "root_path": "",
        "query_string": b"",
        "headers": [(k.lower().encode(), v.encode()) for k, v in request_headers.items()],
        "client": ("127.0.0.1", 4321),
        "server": ("tradeql.test", 80),
    }
    await app(scope, receive, send)
    start = next(message for message in sent if message["type"] == "http.response.start")
    content = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return Answer(
        status=start["status"],
        headers={k.decode(): v.decode() for k, v in start["headers"]},
        body=json.loads(content),
        pulled=pulled,
    )
