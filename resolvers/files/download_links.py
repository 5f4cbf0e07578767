"""Making download links: who may read a stored file, decided once, when the link is made.

Staff (and API keys) need the permission the file's purpose names in `PURPOSE_PERMISSIONS`;
a client user may read only the files their own company owns, and for them another
company's file, or a staff-only one, is as unknown as a file that does not exist. A CSV
export holds whatever its query read as the one who asked, so only they may read it: to
anyone else it is unknown too. The link
that comes out (core/download_tokens.py) is then all its bearer needs, until it expires:
the download route checks only its signature, its expiry and that the file is still kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from auth.policy import Permission
from auth.principal import Principal
from core import download_tokens
from core.errors import Forbidden, NotFound, Unauthenticated
from core.stored_files import readable_file
from models.files import FilePurpose, StoredFile
from resolvers.context import Context

# The one table of which staff permission reads a file of each purpose.
PURPOSE_PERMISSIONS: dict[FilePurpose, Permission] = {
    FilePurpose.CATALOG_IMPORT: Permission.CATALOG_WRITE,
    FilePurpose.CATALOG_EXPORT: Permission.CATALOG_WRITE,
}
# Purposes whose files only whoever stored them may read, whatever their permissions.
READ_BY_WHOEVER_STORED = frozenset({FilePurpose.CSV_EXPORT})


@dataclass(frozen=True)
class DownloadLink:
    url: str  # relative to the server that serves /graphql
    expires_at: datetime


def _caller(principal: Principal) -> str:
    if principal.api_key_id is not None:
        return f"api_key:{principal.api_key_id}"
    return f"user:{principal.user_id}"


def _stored_by(principal: Principal, stored: StoredFile) -> bool:
    if principal.api_key_id is not None:
        return stored.stored_by_api_key_id == principal.api_key_id
    return principal.user_id is not None and stored.stored_by_user_id == principal.user_id


def check_may_read(principal: Principal, stored: StoredFile) -> None:
    """Raise unless `principal` may read the file: Unauthenticated, NotFound or Forbidden."""
    if not principal.is_authenticated:
        raise Unauthenticated("sign in first: download links are made for a signed-in caller")
    if stored.purpose in READ_BY_WHOEVER_STORED:
        if not _stored_by(principal, stored):
            raise NotFound("no such file")
        return
    if principal.is_client:
        company = principal.client_company_id
        if company is None or stored.owner_company_id != company:
            raise NotFound("no such file")
        return
    permission = PURPOSE_PERMISSIONS[stored.purpose]
    if not principal.can(permission):
        raise Forbidden(f"requires the {permission.value} permission")


def make_download_link(ctx: Context, stored: StoredFile) -> DownloadLink:
    """A signed link to `stored` for the caller, if they may read it; it ends after
    DOWNLOAD_LINK_SECONDS, or when the file expires if that comes first."""
    check_may_read(ctx.principal, stored)
    assert stored.id is not None
    expires_at = datetime.now(UTC) + timedelta(seconds=ctx.settings.download_link_seconds)
    if stored.expires_at is not None:
        expires_at = min(expires_at, stored.expires_at)
    grant = download_tokens.DownloadGrant(
        file_id=stored.id,
        purpose=stored.purpose,
        caller=_caller(ctx.principal),
        expires_at=expires_at.replace(microsecond=expires_at.microsecond // 1000 * 1000),
    )
    token = download_tokens.sign(grant, ctx.settings.secret_key)
    return DownloadLink(url=download_tokens.DOWNLOAD_PATH + token, expires_at=grant.expires_at)


async def download_link(ctx: Context, file_id: int) -> DownloadLink:
    """A link to the stored file `file_id`; NotFound if it is unknown, expired or hidden."""
    if not ctx.principal.is_authenticated:
        raise Unauthenticated("sign in first: download links are made for a signed-in caller")
    stored = await ctx.session.scalar(readable_file(file_id))
    if stored is None:
        raise NotFound("no such file")
    return make_download_link(ctx, stored)
