"""`downloadLink`: a signed, expiring link to a stored file the caller may read.

Any feature that stores a file for someone (catalog exports, later trade documents) hands
out its global id; this field turns it into a link. Who may read which file is decided in
`resolvers.files.download_links`, by the file's purpose and owner.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from core.global_id import decode_typed_id
from resolvers.files import download_links
from schema.info import Info


@strawberry.type(description="A link that downloads one stored file, until it expires.")
class DownloadLink:
    url: str = strawberry.field(
        description=(
            "Where to GET the file: a path on this server (`/downloads/...`), to resolve "
            "against the URL of the GraphQL endpoint. Whoever holds it may download the file "
            "until `expiresAt`: treat it as a secret."
        )
    )
    expires_at: datetime = strawberry.field(
        description="When the link stops working (DOWNLOAD_LINK_SECONDS after it was made, "
        "or earlier when the file itself expires)."
    )


@strawberry.type
class FileQuery:
    @strawberry.field(
        description=(
            "A signed, expiring link to a stored file. Staff need the permission the file's "
            "purpose requires (`catalog:write` for catalog imports and exports); client "
            "users may get links to their own company's files only. Null with FORBIDDEN "
            "for staff without the permission, NOT_FOUND for a file that does not exist, has "
            "expired or belongs to someone else, UNAUTHENTICATED when not signed in."
        )
    )
    async def download_link(
        self,
        info: Info,
        file_id: Annotated[
            strawberry.ID, strawberry.argument(description="Global id of the stored file.")
        ],
    ) -> DownloadLink | None:
        pk = decode_typed_id(file_id, "StoredFile", argument="fileId")
        link = await download_links.download_link(info.context, pk)
        return DownloadLink(url=link.url, expires_at=link.expires_at)
