"""`exportCatalog`: the whole catalog as a catalog file, downloaded through a signed link."""

from __future__ import annotations

import strawberry

from auth.policy import Permission
from core.global_id import encode_global_id
from resolvers.catalog.catalog_export import EXPORT_KEPT_FOR, export_catalog_for_download
from schema.files.query import DownloadLink
from schema.info import Info
from schema.permissions import permission_field


@strawberry.type(description="A catalog export, stored and ready to download.")
class CatalogExportPayload:
    file_id: strawberry.ID = strawberry.field(
        description="Global id of the stored file: `downloadLink(fileId:)` makes a new link "
        "to it while it is kept."
    )
    filename: str = strawberry.field(description="The file's name, e.g. catalog-20261206-1430.zip.")
    size_bytes: int = strawberry.field(description="The file's size in bytes.")
    sha256: str = strawberry.field(description="The file's SHA-256, hex, to check a download.")
    download: DownloadLink = strawberry.field(description="A link that downloads it, for a while.")


@strawberry.type
class CatalogExportMutation:
    @permission_field(
        Permission.CATALOG_WRITE,
        description=(
            "Write the whole catalog (categories, product types and attributes, products in "
            "every status, variants with cost prices, price ladders, stock on hand) as a "
            "catalog file (docs/api/catalog-files.md), the format `tradeql catalog import` "
            f"reads, and answer a download link. The file is kept {EXPORT_KEPT_FOR.days} day; "
            "each export writes an audit row."
        ),
    )
    async def export_catalog(self, info: Info) -> CatalogExportPayload | None:
        export = await export_catalog_for_download(info.context)
        assert export.file.id is not None
        return CatalogExportPayload(
            file_id=strawberry.ID(encode_global_id("StoredFile", export.file.id)),
            filename=export.file.filename,
            size_bytes=export.file.size_bytes,
            sha256=export.file.sha256,
            download=DownloadLink(url=export.link.url, expires_at=export.link.expires_at),
        )
