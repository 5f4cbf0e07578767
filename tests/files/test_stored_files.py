"""Files kept in the database: stored a part at a time, read back exactly, purged on expiry."""

from __future__ import annotations

import hashlib
import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlmodel import col

from core.db import Database
from core.stored_files import (
    FileTooLarge,
    file_content,
    normalise_content_type,
    purge_expired,
    readable_file,
    sanitise_filename,
    store_file,
)
from models.files import PART_BYTES, FilePurpose, StoredFile, StoredFilePart
from tests.files.builders import stored


async def _read(database: Database, file: StoredFile) -> bytes:
    return b"".join([part async for part in file_content(database, file)])


async def test_a_file_larger_than_a_part_reads_back_exactly_with_its_size_and_checksum(
    any_db: Database,
) -> None:
    content = os.urandom(2 * PART_BYTES + 12_345)
    file = await stored(any_db, content)
    parts = [len(part) async for part in file_content(any_db, file)]
    assert parts == [PART_BYTES, PART_BYTES, 12_345]
    assert await _read(any_db, file) == content
    assert file.size_bytes == len(content)
    assert file.sha256 == hashlib.sha256(content).hexdigest()


async def test_content_given_in_uneven_chunks_is_stored_in_whole_parts(db: Database) -> None:
    content = os.urandom(PART_BYTES + 10)

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(content), 300_001):
            yield content[start : start + 300_001]

    async with db.transaction() as session:
        file = await store_file(
            session,
            purpose=FilePurpose.CATALOG_IMPORT,
            filename="in.csv",
            content_type="text/csv",
            content=chunks(),
            max_bytes=10 * PART_BYTES,
        )
    assert file.part_count == 2
    assert await _read(db, file) == content


async def test_an_empty_file_is_stored_with_no_parts(db: Database) -> None:
    file = await stored(db, b"")
    assert (file.size_bytes, file.part_count, await _read(db, file)) == (0, 0, b"")


async def test_a_file_over_the_limit_is_refused_and_nothing_of_it_is_kept(db: Database) -> None:
    with pytest.raises(FileTooLarge):
        async with db.transaction() as session:
            await store_file(
                session,
                purpose=FilePurpose.CATALOG_IMPORT,
                filename="big.csv",
                content_type="text/csv",
                content=os.urandom(PART_BYTES + 1),
                max_bytes=PART_BYTES,
            )
    async with db.session() as session:
        assert await session.scalar(select(func.count()).select_from(StoredFile)) == 0
        assert await session.scalar(select(func.count()).select_from(StoredFilePart)) == 0


async def test_purge_deletes_expired_files_with_their_parts_and_keeps_the_others(
    any_db: Database,
) -> None:
    now = datetime.now(UTC)
    expired = await stored(any_db, b"old", expires_at=now - timedelta(seconds=1))
    current = await stored(any_db, b"new", expires_at=now + timedelta(hours=1))
    kept = await stored(any_db, b"kept")
    assert await purge_expired(any_db) == 1
    async with any_db.session() as session:
        ids = set(await session.scalars(select(col(StoredFile.id))))
        part_owners = set(await session.scalars(select(col(StoredFilePart.file_id))))
    assert ids == part_owners == {current.id, kept.id}
    assert expired.id not in ids


async def test_an_expired_file_is_unreadable_before_it_is_purged(db: Database) -> None:
    file = await stored(db, expires_at=datetime.now(UTC) - timedelta(seconds=1))
    assert file.id is not None
    async with db.session() as session:
        assert await session.scalar(readable_file(file.id)) is None


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("catalog.csv", "catalog.csv"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\ayse\\Ürün listesi.csv", "Ürün listesi.csv"),
        ('a "quoted"\r\nSet-Cookie: x.csv', 'a "quoted" Set-Cookie: x.csv'),
        ("evil\u202egpj.exe", "evilgpj.exe"),
        ("nul\x00byte.csv", "nulbyte.csv"),
        ("...hidden", "hidden"),
        ("", "file"),
        ("\x00\x01", "file"),
        ("x" * 300 + ".csv", "x" * 196 + ".csv"),
    ],
)
def test_names_lose_their_path_and_unwanted_characters(given: str, kept: str) -> None:
    assert sanitise_filename(given) == kept


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("text/csv", "text/csv"),
        ("Text/CSV; charset=UTF-8", "text/csv; charset=utf-8"),
        ("application/zip", "application/zip"),
        ("text/html\r\nX: y", "application/octet-stream"),
        ("nonsense", "application/octet-stream"),
        (None, "application/octet-stream"),
    ],
)
def test_content_types_are_well_formed_or_octet_stream(given: str | None, kept: str) -> None:
    assert normalise_content_type(given) == kept
