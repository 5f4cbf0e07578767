"""A file uploaded with a GraphQL multipart request, as a resolver reads it.

The transport (`app.multipart_request`) writes each file here as its bytes stream in: the
first SPOOL_MEMORY_BYTES stay in memory, the rest goes to an anonymous temporary file, so a
large upload is never held in memory whole. Its size and SHA-256 are known once it has
arrived, without reading it again. A resolver reads it with `chunks()` (or `read()` for a
small one); the endpoint closes it, deleting the temporary file, once the response is made.
"""

from __future__ import annotations

import hashlib
import io
import tempfile
from collections.abc import AsyncIterator
from typing import BinaryIO

from anyio import to_thread

SPOOL_MEMORY_BYTES = 1024 * 1024
READ_CHUNK_BYTES = 64 * 1024


class UploadedFile:
    """One file of a request: its client-given name and type, size, checksum and bytes."""

    def __init__(self, filename: str, content_type: str) -> None:
        self.filename = filename
        self.content_type = content_type
        self.size = 0
        self._digest = hashlib.sha256()
        self._file: BinaryIO = io.BytesIO()
        self._on_disk = False

    def __repr__(self) -> str:
        return f"<UploadedFile {self.filename!r}, {self.size} bytes>"

    @property
    def sha256(self) -> str:
        """The hex SHA-256 of the bytes received (all of them, once the file has arrived)."""
        return self._digest.hexdigest()

    @property
    def on_disk(self) -> bool:
        return self._on_disk

    @property
    def closed(self) -> bool:
        return self._file.closed

    async def append(self, data: bytes) -> None:
        """Add bytes as they arrive (the transport's job, not a resolver's)."""
        self._digest.update(data)
        self.size += len(data)
        if not self._on_disk and self.size > SPOOL_MEMORY_BYTES:
            await to_thread.run_sync(self._move_to_disk)
        if self._on_disk:
            await to_thread.run_sync(self._file.write, data)
        else:
            self._file.write(data)

    async def read(self, size: int = -1) -> bytes:
        """Up to `size` bytes from the current position (all that remain when -1)."""
        if self._on_disk:
            return await to_thread.run_sync(self._file.read, size)
        return self._file.read(size)

    async def chunks(self, chunk_bytes: int = READ_CHUNK_BYTES) -> AsyncIterator[bytes]:
        """The whole file from its start, a chunk at a time."""
        await self.seek(0)
        while chunk := await self.read(chunk_bytes):
            yield chunk

    async def seek(self, offset: int) -> None:
        if self._on_disk:
            await to_thread.run_sync(self._file.seek, offset)
        else:
            self._file.seek(offset)

    def close(self) -> None:
        self._file.close()

    def _move_to_disk(self) -> None:
        assert isinstance(self._file, io.BytesIO)
        disk = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close(), after the response
        disk.write(self._file.getbuffer())
        self._file.close()
        self._file = disk
        self._on_disk = True
