"""Stored files for tests, written through the one storing path."""

from __future__ import annotations

from datetime import datetime

from core.db import Database
from core.stored_files import store_file
from models.files import FilePurpose, StoredFile

LIMIT = 10_000_000


async def stored(
    database: Database,
    content: bytes = b"sku;name\nA-1;Poplin\n",
    *,
    purpose: FilePurpose = FilePurpose.CATALOG_EXPORT,
    filename: str = "catalog.csv",
    owner_company_id: int | None = None,
    expires_at: datetime | None = None,
) -> StoredFile:
    async with database.transaction() as session:
        return await store_file(
            session,
            purpose=purpose,
            filename=filename,
            content_type="text/csv; charset=utf-8",
            content=content,
            max_bytes=LIMIT,
            owner_company_id=owner_company_id,
            expires_at=expires_at,
        )
