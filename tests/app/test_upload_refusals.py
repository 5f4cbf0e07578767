"""Multipart requests that break a rule or a limit are refused with a code, and the server stops
reading the body as soon as it knows: these tests count the bytes the app asked for."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from starlette.applications import Starlette

from core.db import Database
from core.settings import Settings
from tests.app.uploads_support import (
    RECEIVED,
    call_counting,
    closing,
    fields,
    headers,
    multipart,
    part,
    upload_app,
)

LIMIT = 200_000
CHUNK = 16_384
RECEIVE = "mutation ($file: Upload!) { receive(file: $file) { size } }"
ONE_FILE = {"query": RECEIVE, "variables": {"file": None}}
ONE_MAP = {"0": ["variables.file"]}


@pytest.fixture
async def app(settings: Settings, db: Database) -> AsyncIterator[Starlette]:
    limited = settings.model_copy(
        update={
            "max_upload_bytes": LIMIT,
            "max_upload_files": 3,
            "max_body_bytes": 4_096,
            "debug_extensions": False,
        }
    )
    async with upload_app(limited, db) as served:
        yield served


def _endless_upload() -> Iterator[bytes]:
    """A valid start, then file bytes for fifty times the limit (never sent whole, we hope)."""
    yield fields(ONE_FILE, ONE_MAP) + part("0", b"", "big.csv")[:-2]
    for _ in range(50 * LIMIT // CHUNK):
        yield b"x" * CHUNK


def _chunked(body: bytes) -> Iterator[bytes]:
    return (body[start : start + CHUNK] for start in range(0, len(body), CHUNK))


async def test_an_upload_without_the_preflight_header_is_refused_unread(app: Starlette) -> None:
    body = multipart(ONE_FILE, ONE_MAP, {"0": b"a,b\n"})
    sent = headers()
    del sent["apollo-require-preflight"]
    for preflight in ({}, {"apollo-require-preflight": " "}):
        answer = await call_counting(app, _chunked(body), {**sent, **preflight})
        assert answer.status == 400
        assert answer.code == "BAD_REQUEST"
        assert "Apollo-Require-Preflight" in answer.message
        assert answer.pulled == 0
    ours = await call_counting(app, _chunked(body), {**sent, "x-tradeql-preflight": "1"})
    assert ours.status == 200
    assert ours.body == {"data": {"receive": {"size": 4}}}


async def test_a_declared_length_over_the_limit_is_refused_before_any_byte(
    app: Starlette,
) -> None:
    answer = await call_counting(
        app, _endless_upload(), headers(**{"content-length": str(LIMIT + 1)})
    )
    assert answer.status == 413
    assert answer.code == "PAYLOAD_TOO_LARGE"
    assert "MAX_UPLOAD_BYTES" in answer.message
    assert answer.pulled == 0


async def test_a_streamed_body_over_the_limit_is_refused_as_soon_as_it_passes_it(
    app: Starlette,
) -> None:
    RECEIVED.clear()
    answer = await call_counting(app, _endless_upload(), headers())
    assert answer.status == 413
    assert answer.code == "PAYLOAD_TOO_LARGE"
    assert LIMIT < answer.pulled <= LIMIT + CHUNK
    assert RECEIVED == []


async def test_a_bad_token_is_refused_before_the_body_is_read(app: Starlette) -> None:
    answer = await call_counting(
        app, _endless_upload(), headers(authorization="Bearer tq_at_forged")
    )
    assert answer.status == 401
    assert answer.pulled == 0


async def test_more_files_than_allowed_are_refused_before_any_file_is_read(
    app: Starlette,
) -> None:
    query = "mutation ($f: [Upload!]!) { receiveMany(files: $f) { size } }"
    names = [str(index) for index in range(4)]
    operations = {"query": query, "variables": {"f": [None] * 4}}
    file_map = {name: [f"variables.f.{name}"] for name in names}
    start = fields(operations, file_map)
    files = [part(name, b"y" * CHUNK, f"{name}.csv") for name in names]
    answer = await call_counting(app, [start, *files, closing()], headers())
    assert answer.status == 400
    assert "MAX_UPLOAD_FILES" in answer.message
    # The map ends where the next part's boundary starts: in the first file's chunk.
    assert answer.pulled == len(start) + len(files[0])


async def test_operations_over_max_body_bytes_are_413(app: Starlette) -> None:
    padded = {**ONE_FILE, "query": RECEIVE + " " * 5_000}
    answer = await call_counting(app, _chunked(multipart(padded, ONE_MAP, {"0": b""})), headers())
    assert answer.status == 413
    assert "MAX_BODY_BYTES" in answer.message


async def test_get_never_reads_a_multipart_body(app: Starlette) -> None:
    body = multipart(ONE_FILE, ONE_MAP, {"0": b"a"})
    answer = await call_counting(app, _chunked(body), headers(), method="GET")
    assert answer.status == 400
    assert answer.message == "'query' must be a non-empty string"
    assert answer.pulled == 0


def _file(name: str = "0", content: bytes = b"a,b\n") -> bytes:
    return part(name, content, f"{name}.csv")


BROKEN_BODIES = [
    pytest.param(
        part("operations", b"{not json") + part("map", b"{}") + closing(),
        "'operations' is not valid JSON",
        id="operations-not-json",
    ),
    pytest.param(
        fields([ONE_FILE], {"0": ["0.variables.file"]}) + _file() + closing(),
        "Batched requests are not supported",
        id="batched-operations",
    ),
    pytest.param(
        fields({"query": "\\ud800"}, {}).replace(b'"\\\\ud800"', b'"\\ud800"') + closing(),
        "lone surrogate",
        id="surrogate-in-query",
    ),
    pytest.param(
        fields(ONE_FILE, ["variables.file"]) + _file() + closing(),
        "'map' must be a JSON object",
        id="map-not-an-object",
    ),
    pytest.param(
        fields(ONE_FILE, {"0": []}) + _file() + closing(),
        "'map' must be a JSON object",
        id="map-with-no-path",
    ),
    pytest.param(
        fields(ONE_FILE, b"{") + _file() + closing(), "'map' is not valid JSON", id="map-not-json"
    ),
    pytest.param(
        fields(ONE_FILE, {"0": ["variables.missing"]}) + _file() + closing(),
        "'variables.missing' is not a null inside 'variables'",
        id="path-to-nothing",
    ),
    pytest.param(
        fields(ONE_FILE, {"0": ["query"]}) + _file() + closing(),
        "'query' is not a null inside 'variables'",
        id="path-outside-variables",
    ),
    pytest.param(
        fields({**ONE_FILE, "variables": {"file": "taken"}}, ONE_MAP) + _file() + closing(),
        "'variables.file' is not a null",
        id="path-to-a-value",
    ),
    pytest.param(
        fields(ONE_FILE, {"0": ["variables.file"], "1": ["variables.file"]})
        + _file("0")
        + _file("1")
        + closing(),
        "names the path 'variables.file' twice",
        id="duplicate-path",
    ),
    pytest.param(
        fields(ONE_FILE, ONE_MAP) + _file() + _file("extra") + closing(),
        "The map names no file 'extra'",
        id="file-not-in-map",
    ),
    pytest.param(
        fields(ONE_FILE, ONE_MAP) + _file() + _file() + closing(),
        "File '0' is sent twice",
        id="file-sent-twice",
    ),
    pytest.param(
        fields(ONE_FILE, ONE_MAP) + closing(),
        "The map names file '0', which was not sent",
        id="file-never-sent",
    ),
    pytest.param(
        part("map", b"{}") + part("operations", b"{}") + closing(),
        "'map' came where 'operations' belongs",
        id="map-before-operations",
    ),
    pytest.param(
        fields(ONE_FILE, ONE_MAP) + _file()[:-10],
        "ends before its closing boundary",
        id="truncated",
    ),
    pytest.param(b"", "ends before its closing boundary", id="empty"),
    pytest.param(
        fields(ONE_FILE, ONE_MAP) + part("0", b"a", "evil\x00.csv") + closing(),
        "NUL",
        id="nul-in-filename",
    ),
    pytest.param(b"garbage without any boundary", "malformed", id="not-multipart"),
]


@pytest.mark.parametrize(("body", "message"), BROKEN_BODIES)
async def test_a_body_breaking_the_specification_gets_400(
    app: Starlette, body: bytes, message: str
) -> None:
    RECEIVED.clear()
    answer = await call_counting(app, _chunked(body), headers())
    assert answer.status == 400, answer.body
    assert answer.code == "BAD_REQUEST"
    assert message in answer.message
    assert RECEIVED == []


@pytest.mark.parametrize(
    ("content_type", "message"),
    [
        ("multipart/form-data", "has no boundary"),
        ("multipart/form-data; boundary=" + "b" * 300, "malformed"),
    ],
)
async def test_a_multipart_type_without_a_usable_boundary_gets_400(
    app: Starlette, content_type: str, message: str
) -> None:
    sent = {**headers(), "content-type": content_type}
    answer = await call_counting(app, [multipart(ONE_FILE, ONE_MAP, {"0": b"a"})], sent)
    assert answer.status == 400
    assert message in answer.message
    assert answer.pulled == 0
