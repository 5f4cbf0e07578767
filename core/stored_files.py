"""Storing files in the database, reading them back a part at a time, deleting expired ones.

The one module that touches `stored_files` and `stored_file_parts` (models/files.py): the
API, the command line and the workers (jobs/ reads imports) all go through it, so it lives
in core. Bytes go in and come out in parts of `PART_BYTES`: storing a file holds one part in
memory, and serving one reads a part per short query, holding a pooled connection only
while that part is read, never for the whole download to a slow client.

Names are sanitised on the way in (no path, no control or format characters, bounded
length), so every later reader, a header or a log line, gets a harmless name.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, insert, or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select
from sqlmodel.sql.expression import SelectOfScalar

from core.db import Database
from models.files import (
    MAX_CONTENT_TYPE_LENGTH,
    MAX_FILENAME_LENGTH,
    PART_BYTES,
    FilePurpose,
    StoredFile,
    StoredFilePart,
)

DEFAULT_FILENAME = "file"
OCTET_STREAM = "application/octet-stream"
_MIME_WORD = r"[a-z0-9!#$&^_.+-]+"
# `type/subtype`, optionally with `; name=value` parameters of plain tokens.
_CONTENT_TYPE = re.compile(rf"{_MIME_WORD}/{_MIME_WORD}(\s*;\s*{_MIME_WORD}={_MIME_WORD})*")
# Control (Cc), format (Cf: bidi overrides that disguise an extension), surrogates (Cs),
# unassigned and private-use characters have no place in a name shown to people.
_UNWANTED_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn"}


class FileTooLarge(Exception):
    """The content exceeds the size limit; nothing of it is kept once the transaction ends."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the file is larger than {limit} bytes")
        self.limit = limit


class FileVanished(Exception):
    """A part went missing while the file was read: it was deleted meanwhile."""


@dataclass(frozen=True)
class StoredBy:
    """Who stores a file: a user, an API key, or nobody (the command line)."""

    user_id: int | None = None
    api_key_id: int | None = None


def utcnow() -> datetime:
    return datetime.now(UTC)


def sanitise_filename(name: str) -> str:
    """`name` without its path, unwanted characters or surplus length; never empty."""
    name = unicodedata.normalize("NFC", re.split(r"[/\\]", name)[-1])
    # Line breaks and tabs become spaces (they separated words); other controls just go.
    spaced = "".join(" " if c.isspace() else c for c in name)
    kept = "".join(c for c in spaced if unicodedata.category(c) not in _UNWANTED_CATEGORIES)
    kept = " ".join(kept.split()).lstrip(".").strip()
    if len(kept) > MAX_FILENAME_LENGTH:
        stem, dot, extension = kept.rpartition(".")
        if dot and 0 < len(extension) <= 10:
            kept = stem[: MAX_FILENAME_LENGTH - len(extension) - 1].rstrip() + "." + extension
        else:
            kept = kept[:MAX_FILENAME_LENGTH].rstrip()
    return kept or DEFAULT_FILENAME


def normalise_content_type(value: str | None) -> str:
    """A well-formed media type, lower-cased; anything else is served as octet-stream."""
    media_type = (value or "").strip().lower()
    if len(media_type) > MAX_CONTENT_TYPE_LENGTH or not _CONTENT_TYPE.fullmatch(media_type):
        return OCTET_STREAM
    return media_type


async def _single(content: bytes) -> AsyncIterator[bytes]:
    yield content


async def _parts(chunks: AsyncIterable[bytes]) -> AsyncIterator[bytes]:
    """The chunks re-cut into parts of exactly PART_BYTES, but the last."""
    pending = bytearray()
    async for chunk in chunks:
        pending += chunk
        while len(pending) >= PART_BYTES:
            yield bytes(pending[:PART_BYTES])
            del pending[:PART_BYTES]
    if pending:
        yield bytes(pending)


async def store_file(
    session: AsyncSession,
    *,
    purpose: FilePurpose,
    filename: str,
    content_type: str | None,
    content: bytes | AsyncIterable[bytes],
    max_bytes: int,
    stored_by: StoredBy | None = None,
    owner_company_id: int | None = None,
    expires_at: datetime | None = None,
) -> StoredFile:
    """Store `content` in the caller's transaction; FileTooLarge past `max_bytes`, which the
    caller's rollback undoes. The size and SHA-256 are computed as the parts go by."""
    stored_by = stored_by or StoredBy()
    stored = StoredFile(
        purpose=purpose,
        filename=sanitise_filename(filename),
        content_type=normalise_content_type(content_type),
        size_bytes=0,
        part_count=0,
        sha256=hashlib.sha256().hexdigest(),
        stored_by_user_id=stored_by.user_id,
        stored_by_api_key_id=stored_by.api_key_id,
        owner_company_id=owner_company_id,
        expires_at=expires_at,
    )
    session.add(stored)
    await session.flush()
    assert stored.id is not None
    digest, size, count = hashlib.sha256(), 0, 0
    chunks = _single(content) if isinstance(content, bytes) else content
    async for part in _parts(chunks):
        size += len(part)
        if size > max_bytes:
            raise FileTooLarge(max_bytes)
        digest.update(part)
        # A Core insert: the ORM would keep every part alive in the session until it ends.
        await session.execute(
            insert(StoredFilePart).values(file_id=stored.id, part_number=count, content=part)
        )
        count += 1
    stored.size_bytes, stored.part_count, stored.sha256 = size, count, digest.hexdigest()
    await session.flush()
    return stored


def readable_file(file_id: int, *, now: datetime | None = None) -> SelectOfScalar[StoredFile]:
    """The file, unless it does not exist or has expired (then it is gone for everyone)."""
    return select(StoredFile).where(
        col(StoredFile.id) == file_id,
        or_(col(StoredFile.expires_at).is_(None), col(StoredFile.expires_at) > (now or utcnow())),
    )


async def file_content(database: Database, stored: StoredFile) -> AsyncIterator[bytes]:
    """The file's bytes, a part per short query; FileVanished if it is deleted meanwhile."""
    for part_number in range(stored.part_count):
        async with database.session() as session:
            part = await session.scalar(
                select(col(StoredFilePart.content)).where(
                    col(StoredFilePart.file_id) == stored.id,
                    col(StoredFilePart.part_number) == part_number,
                )
            )
        if part is None:
            raise FileVanished(f"stored file {stored.id} lost part {part_number} while read")
        yield part


async def purge_expired(database: Database, *, now: datetime | None = None) -> int:
    """Delete every file past its expiry, with its parts; how many files went."""
    async with database.transaction() as session:
        deleted = await session.execute(
            delete(StoredFile)
            .where(col(StoredFile.expires_at) <= (now or utcnow()))
            .returning(col(StoredFile.id))
            .execution_options(synchronize_session=False)
        )
        return len(deleted.all())
