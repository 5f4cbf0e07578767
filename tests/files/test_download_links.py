"""Download links end to end: made by `downloadLink` for callers who may read the file,
served by `GET /downloads/{token}` to whoever holds them, until they expire."""

from __future__ import annotations

import asyncio
import base64
import json
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote

import pytest
from pydantic import SecretStr
from sqlalchemy import delete
from sqlmodel import col
from starlette.types import Message

from app.downloads import content_disposition
from auth.api_keys import create_api_key
from core import download_tokens
from core.db import Database
from core.global_id import encode_global_id
from core.settings import Settings
from models.accounts import Role
from models.files import PART_BYTES, FilePurpose, StoredFile
from tests.callers import error_codes, make_client_company, token_for
from tests.files.builders import stored
from tests.graphql_client import GraphQLClient, graphql_client, served

LINK = "query($id: ID!) { downloadLink(fileId: $id) { url expiresAt } }"


def file_id(file: StoredFile) -> str:
    return encode_global_id("StoredFile", file.id or 0)


async def link_for(client: GraphQLClient, file: StoredFile) -> dict[str, Any]:
    body = await client.post(LINK, {"id": file_id(file)})
    assert "errors" not in body, body["errors"]
    link: dict[str, Any] = body["data"]["downloadLink"]
    return link


async def refusal(client: GraphQLClient, file_or_id: StoredFile | str) -> list[tuple[str, str]]:
    given = file_or_id if isinstance(file_or_id, str) else file_id(file_or_id)
    body = await client.post(LINK, {"id": given})
    assert body["data"]["downloadLink"] is None
    return error_codes(body)


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    chunks: list[bytes]

    @property
    def body(self) -> bytes:
        return b"".join(self.chunks)


async def get(database: Database, settings: Settings, path: str, method: str = "GET") -> Answer:
    """The app's answer as the ASGI messages it sent: one body chunk per message."""
    messages: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        messages.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"tradeql.test")],
        "client": ("127.0.0.1", 4321),
        "server": ("tradeql.test", 80),
    }
    async with served(settings, database) as app:
        await app(scope, receive, send)
    [start] = [m for m in messages if m["type"] == "http.response.start"]
    headers = {name.decode(): value.decode("latin-1") for name, value in start["headers"]}
    chunks = [m["body"] for m in messages if m["type"] == "http.response.body" and m["body"]]
    return Answer(start["status"], headers, chunks)


@pytest.fixture
async def catalog_manager(settings: Settings, db: Database) -> AsyncIterator[GraphQLClient]:
    async with db.transaction() as session:
        token = await token_for(session, settings, Role.CATALOG_MANAGER)
    async with graphql_client(settings, db) as client:
        yield client.as_(token)


async def test_a_link_serves_the_files_exact_bytes_streamed_a_part_at_a_time(
    db: Database, settings: Settings, catalog_manager: GraphQLClient
) -> None:
    content = os.urandom(2 * PART_BYTES + 777)
    file = await stored(db, content, filename="catalog-2026.csv")
    link = await link_for(catalog_manager, file)
    answer = await get(db, settings, link["url"])
    assert answer.status == 200
    assert [len(chunk) for chunk in answer.chunks] == [PART_BYTES, PART_BYTES, 777]
    assert answer.body == content
    assert answer.headers["content-length"] == str(len(content))
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert answer.headers["content-disposition"] == (
        "attachment; filename=\"catalog-2026.csv\"; filename*=UTF-8''catalog-2026.csv"
    )
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["cache-control"] == "private, no-store"
    assert answer.headers["content-security-policy"].startswith("default-src 'none'")
    assert "x-request-id" in answer.headers


async def test_head_answers_the_headers_without_the_bytes(
    db: Database, settings: Settings, catalog_manager: GraphQLClient
) -> None:
    file = await stored(db, b"12345")
    answer = await get(db, settings, (await link_for(catalog_manager, file))["url"], "HEAD")
    assert (answer.status, answer.headers["content-length"], answer.body) == (200, "5", b"")


async def test_a_link_stops_working_when_it_expires(
    db: Database, settings: Settings, catalog_manager: GraphQLClient
) -> None:
    # given a file that expires in 1.5 s (room for a busy machine to make and follow its link
    # first): its link can outlive it by no moment
    expiry = datetime.now(UTC) + timedelta(seconds=1.5)
    file = await stored(db, b"soon gone", expires_at=expiry)
    link = await link_for(catalog_manager, file)
    assert datetime.fromisoformat(link["expiresAt"]) <= expiry
    assert (await get(db, settings, link["url"])).status == 200
    # when the moment passes
    await asyncio.sleep((expiry - datetime.now(UTC)).total_seconds() + 0.1)
    answer = await get(db, settings, link["url"])
    # then the link is gone, with a code, and no bytes
    assert answer.status == 410
    assert _code(answer) == "LINK_EXPIRED"
    assert b"soon gone" not in answer.body


async def test_a_link_made_with_an_expiry_in_the_past_is_refused(
    db: Database, settings: Settings
) -> None:
    file = await stored(db, b"data")
    assert file.id is not None
    past = datetime.now(UTC) - timedelta(seconds=1)
    grant = download_tokens.DownloadGrant(file.id, file.purpose, "user:1", past)
    answer = await get(
        db, settings, "/downloads/" + download_tokens.sign(grant, settings.secret_key)
    )
    assert (answer.status, _code(answer)) == (410, "LINK_EXPIRED")


async def test_a_link_whose_file_was_deleted_is_gone(
    db: Database, settings: Settings, catalog_manager: GraphQLClient
) -> None:
    file = await stored(db, b"data")
    link = await link_for(catalog_manager, file)
    async with db.transaction() as session:
        await session.execute(delete(StoredFile).where(col(StoredFile.id) == file.id))
    assert (await get(db, settings, link["url"])).status == 410


def _tampered_claims(token: str, file_id: int) -> str:
    """The token with another file's id in its claims and the original signature."""
    claims, _, mac = token.removeprefix("tqd_").partition(".")
    raw = base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)).decode()
    version, _old, *rest = raw.split("|")
    forged = "|".join([version, str(file_id), *rest]).encode()
    return "tqd_" + base64.urlsafe_b64encode(forged).rstrip(b"=").decode() + "." + mac


async def test_a_tampered_or_forged_token_is_refused_without_saying_whether_a_file_exists(
    db: Database, settings: Settings, catalog_manager: GraphQLClient
) -> None:
    mine = await stored(db, b"mine")
    other = await stored(db, b"someone else's")
    assert other.id is not None
    token = (await link_for(catalog_manager, mine))["url"].removeprefix("/downloads/")
    now = datetime.now(UTC) + timedelta(minutes=5)
    forged_key = SecretStr("another-secret-key-of-at-least-32-characters")
    candidates = {
        "another file's id": _tampered_claims(token, other.id),
        "no file's id": _tampered_claims(token, 999_999_999),
        "cut short": token[:-3],
        "one character changed": token[:-1] + ("A" if token[-1] != "A" else "B"),
        "signed with another key": download_tokens.sign(
            download_tokens.DownloadGrant(other.id, other.purpose, "user:1", now), forged_key
        ),
        "not a token": "hello",
        "not base64": "tqd_$$$.@@@",
    }
    answers = {name: await get(db, settings, "/downloads/" + t) for name, t in candidates.items()}
    assert {name: answer.status for name, answer in answers.items()} == dict.fromkeys(
        candidates, 404
    )
    assert {_code(answer) for answer in answers.values()} == {"NOT_FOUND"}
    messages = {_message(answer) for answer in answers.values()}
    assert messages == {"no such download link"}


async def test_client_users_get_links_to_their_own_companys_files_only(
    db: Database, settings: Settings
) -> None:
    async with db.transaction() as session:
        company = await make_client_company(session)
        other = await make_client_company(session, name="Other SA")
        buyer = await token_for(session, settings, Role.CLIENT, company=company)
    own = await stored(db, b"our price list", owner_company_id=company.id)
    theirs = await stored(db, b"their price list", owner_company_id=other.id)
    staff_only = await stored(db, b"the whole catalog")
    async with graphql_client(settings, db) as http:
        client = http.as_(buyer)
        answer = await get(db, settings, (await link_for(client, own))["url"])
        assert answer.body == b"our price list"
        unknown = await refusal(client, encode_global_id("StoredFile", 999_999_999))
        assert unknown == [("downloadLink", "NOT_FOUND")]
        # another company's file, or a staff one, is exactly as unknown as no file at all
        assert await refusal(client, theirs) == unknown
        assert await refusal(client, staff_only) == unknown


async def test_staff_need_the_permission_of_the_files_purpose(
    db: Database, settings: Settings
) -> None:
    async with db.transaction() as session:
        company = await make_client_company(session)
        sales = await token_for(session, settings, Role.SALES)
        support = await token_for(session, settings, Role.SUPPORT)
        catalog_key = (await create_api_key(session, name="erp", role=Role.CATALOG_MANAGER)).key
        storefront_key = (await create_api_key(session, name="shop", role=Role.STOREFRONT)).key
    export = await stored(db, b"catalog")
    imported = await stored(db, b"rows", purpose=FilePurpose.CATALOG_IMPORT)
    owned = await stored(db, b"client file", owner_company_id=company.id)
    async with graphql_client(settings, db) as http:
        for token in (sales, support, storefront_key):
            for file in (export, imported, owned):
                assert await refusal(http.as_(token), file) == [("downloadLink", "FORBIDDEN")]
        assert await refusal(http.as_(None), export) == [("downloadLink", "UNAUTHENTICATED")]
        served_to_key = await get(
            db, settings, (await link_for(http.as_(catalog_key), owned))["url"]
        )
        assert served_to_key.body == b"client file"


async def test_a_malformed_file_id_is_refused_naming_the_argument(
    catalog_manager: GraphQLClient,
) -> None:
    body = await catalog_manager.post(LINK, {"id": encode_global_id("Product", 1)})
    assert error_codes(body) == [("downloadLink", "BAD_USER_INPUT")]
    assert body["errors"][0]["extensions"]["argument"] == "fileId"


async def test_a_name_with_quotes_line_breaks_and_non_ascii_is_safe_in_the_header(
    db: Database, settings: Settings, catalog_manager: GraphQLClient
) -> None:
    name = 'Ürün "listesi"\r\nSet-Cookie: a=b; 价格 %41.csv'
    file = await stored(db, b"x", filename=name)
    answer = await get(db, settings, (await link_for(catalog_manager, file))["url"])
    header = answer.headers["content-disposition"]
    assert "set-cookie" not in answer.headers
    assert "\r" not in header
    assert "\n" not in header
    fallback = header.split('filename="', 1)[1].split('"', 1)[0]
    assert fallback == "Urun _listesi_ Set-Cookie: a=b; __ _41.csv"
    encoded = header.split("filename*=UTF-8''", 1)[1]
    assert unquote(encoded, errors="strict") == 'Ürün "listesi" Set-Cookie: a=b; 价格 %41.csv'
    assert all(c.isascii() and c not in ' ";' for c in encoded)


def test_the_header_stays_one_line_whatever_name_it_is_given() -> None:
    header = content_disposition('x"\r\nSet-Cookie: a=b\\.csv')
    assert header == (
        'attachment; filename="x_Set-Cookie: a=b_.csv"; '
        "filename*=UTF-8''x%22Set-Cookie%3A%20a%3Db%5C.csv"
    )


async def test_other_methods_are_refused_with_a_code(db: Database, settings: Settings) -> None:
    answer = await get(db, settings, "/downloads/anything", "POST")
    assert (answer.status, _code(answer), answer.headers["allow"]) == (
        405,
        "METHOD_NOT_ALLOWED",
        "GET, HEAD",
    )


async def test_the_access_log_never_shows_a_links_token(
    db: Database,
    settings: Settings,
    catalog_manager: GraphQLClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    file = await stored(db, b"data")
    url = (await link_for(catalog_manager, file))["url"]
    with caplog.at_level("INFO", logger="tradeql"):
        assert (await get(db, settings, url)).status == 200
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "GET /downloads/[token] 200" in logged
    assert url.removeprefix("/downloads/") not in logged


def _code(answer: Answer) -> str:
    code: str = json.loads(answer.body)["errors"][0]["extensions"]["code"]
    return code


def _message(answer: Answer) -> str:
    message: str = json.loads(answer.body)["errors"][0]["message"]
    return message


def test_no_other_spelling_of_a_token_is_accepted() -> None:
    """Base64's last character carries unused bits: a token differing only there would decode
    to the same bytes. Every other character in its place is refused."""
    grant = download_tokens.DownloadGrant(
        7,
        FilePurpose.CATALOG_EXPORT,
        "user:1",
        datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=5),
    )
    key = SecretStr("a-secret-key-of-at-least-32-characters-long")
    token = download_tokens.sign(grant, key)
    assert download_tokens.verify(token, key) == grant
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    accepted = []
    for char in alphabet.replace(token[-1], ""):
        try:
            download_tokens.verify(token[:-1] + char, key)
        except download_tokens.InvalidLink:
            continue
        accepted.append(char)
    assert accepted == []
