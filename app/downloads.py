"""`GET /downloads/{token}`: serves a stored file to whoever holds a genuine, unexpired link.

Permissions were checked when the link was made (resolvers/files/download_links.py); here
only the signature, the expiry and the file's presence are. The answers:

- 404 NOT_FOUND: malformed, altered or forged; told apart from nothing, and the file is
  not even looked up, so a bad token learns nothing about which files exist;
- 410 LINK_EXPIRED: a genuine link past its time, or whose file expired or was deleted;
- 200: the bytes, streamed a part at a time, as an attachment never rendered inline, not
  cached by browsers or proxies. HEAD answers the same headers without the bytes.
"""

from __future__ import annotations

import logging
import unicodedata
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.types import Receive, Scope, Send

from app.outages import coded_error
from core import download_tokens
from core.db import Database
from core.errors import ErrorCode
from core.logging import request_id_var
from core.settings import Settings
from core.stored_files import DEFAULT_FILENAME, file_content, readable_file

logger = logging.getLogger("tradeql.downloads")

ALLOWED_METHODS = "GET, HEAD"


def content_disposition(filename: str) -> str:
    """`attachment` with the name twice (RFC 6266): an ASCII fallback for old clients in
    `filename`, and the exact name, percent-encoded UTF-8 (RFC 5987), in `filename*`.

    Names were sanitised when stored; dropping anything unprintable again costs nothing and
    makes a header injection impossible whatever the row holds.
    """
    name = "".join(c for c in filename if c.isprintable()).strip() or DEFAULT_FILENAME
    # é becomes e, 中 becomes _; quotes, backslashes and % (which some clients decode) go too.
    decomposed = unicodedata.normalize("NFKD", name)
    fallback = "".join(
        c if " " <= c <= "~" and c not in '"\\%' else "_"
        for c in decomposed
        if not unicodedata.combining(c)
    )
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def _refused(status: int, code: ErrorCode, message: str) -> Response:
    response = coded_error(status, code, message, request_id_var.get())
    response.headers["cache-control"] = "no-store"
    return response


class DownloadEndpoint:
    """An ASGI app, so that every method reaches it (a function route would answer others
    with Starlette's plain-text 405) and gets a coded answer."""

    def __init__(self, settings: Settings, database: Database) -> None:
        self.settings = settings
        self.database = database

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = await self.answer(Request(scope, receive))
        await response(scope, receive, send)

    async def answer(self, request: Request) -> Response:
        if request.method not in {"GET", "HEAD"}:
            refused = _refused(405, ErrorCode.METHOD_NOT_ALLOWED, "downloads answer GET")
            refused.headers["allow"] = ALLOWED_METHODS
            return refused
        try:
            grant = download_tokens.verify(request.path_params["token"], self.settings.secret_key)
        except download_tokens.InvalidLink:
            return _refused(404, ErrorCode.NOT_FOUND, "no such download link")
        except download_tokens.ExpiredLink:
            return _refused(410, ErrorCode.LINK_EXPIRED, "this download link has expired")
        async with self.database.session() as session:
            stored = await session.scalar(readable_file(grant.file_id))
        if stored is None or stored.purpose != grant.purpose:
            return _refused(410, ErrorCode.LINK_EXPIRED, "the file of this link is gone")
        logger.info(
            "download of stored file %s for %s",
            stored.id,
            grant.caller,
            extra={"file_id": stored.id, "caller": grant.caller, "method": request.method},
        )
        headers = {
            "content-type": stored.content_type,
            "content-length": str(stored.size_bytes),
            "content-disposition": content_disposition(stored.filename),
            "cache-control": "private, no-store",
            "x-content-type-options": "nosniff",
        }
        if request.method == "HEAD":
            return Response(headers=headers)
        return StreamingResponse(file_content(self.database, stored), headers=headers)
