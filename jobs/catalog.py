"""Background catalog imports: a stored catalog file applied batch by batch, with progress.

The file waits in PostgreSQL (core/stored_files.py), so a worker on any host can read it. Each
batch is one transaction of the same rules the mutations apply (resolvers/catalog/
catalog_import.py); the import's row is updated after each batch. A worker that dies mid-way
leaves `records_done` at the last batch recorded; the retried event resumes there, and a batch
applied twice changes nothing the second time (rows are upserts by slug and SKU).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from auth.principal import ANONYMOUS, Principal, PrincipalKind
from core import event_types
from core.outbox import utcnow
from core.outcomes import UserErrorCode
from core.stored_files import file_content
from jobs.context import JobContext
from jobs.registry import HandlerRegistry
from models.catalog.imports import MAX_REPORTED_ERRORS, CatalogImport, ImportStatus
from models.files import StoredFile
from models.outbox import OutboxEvent
from resolvers.catalog.catalog_file import FileError
from resolvers.catalog.catalog_import import BATCH_RECORDS, Actor, BatchOutcome, apply_batch
from resolvers.catalog.catalog_rows import read_catalog_file

RUN_CATALOG_IMPORT = "catalog.import.run"


def register(registry: HandlerRegistry) -> None:
    registry.register(RUN_CATALOG_IMPORT, (event_types.CATALOG_IMPORT,))(run_catalog_import)


async def run_catalog_import(event: OutboxEvent, context: JobContext) -> None:
    job = await _load(context, int(event.payload["import_id"]))
    if job is None or job.status in (ImportStatus.DONE, ImportStatus.FAILED):
        return  # gone, or finished by an earlier delivery of this event
    stored = await _file(context, job)
    if stored is None:
        await _finish(context, job, ImportStatus.FAILED, [_gone()])
        return
    content = b"".join([part async for part in file_content(context.database, stored)])
    catalog = read_catalog_file(content, job.filename)
    if catalog.errors and not catalog.records:
        await _finish(context, job, ImportStatus.FAILED, catalog.errors)
        return
    await _start(context, job, total=len(catalog.records), file_errors=catalog.errors)
    actor = Actor(principal=_requester(job), label="catalog import", request_id=f"import-{job.id}")
    try:
        while job.records_done < job.records_total:
            batch = catalog.records[job.records_done : job.records_done + BATCH_RECORDS]
            outcome = await apply_batch(context.database, context.settings, actor, batch)
            job = await _record(context, job, len(batch), outcome)
    except Exception:
        # The worker retries the job from its last batch; after the last attempt the event
        # is dead-lettered, and the import must not stay RUNNING for ever.
        if event.attempts >= context.settings.outbox_max_attempts:
            await _finish(context, job, ImportStatus.FAILED, [_stopped(event.attempts)])
        raise
    await _finish(context, job, ImportStatus.DONE, [])


def _requester(job: CatalogImport) -> Principal:
    """The staff member or API key who asked: audit rows name them. Their permissions were
    checked when they started the import; the rows apply under the mutations' rules."""
    if job.requested_by_user_id is not None:
        return Principal(kind=PrincipalKind.USER, user_id=job.requested_by_user_id)
    if job.requested_by_api_key_id is not None:
        return Principal(kind=PrincipalKind.API_KEY, api_key_id=job.requested_by_api_key_id)
    return ANONYMOUS


async def _load(context: JobContext, import_id: int) -> CatalogImport | None:
    async with context.database.session() as session:
        return await session.get(CatalogImport, import_id)


async def _file(context: JobContext, job: CatalogImport) -> StoredFile | None:
    if job.file_id is None:
        return None
    async with context.database.session() as session:
        return await session.get(StoredFile, job.file_id)


async def _start(
    context: JobContext, job: CatalogImport, *, total: int, file_errors: list[FileError]
) -> None:
    async with context.database.transaction() as session:
        row = await session.get(CatalogImport, job.id, with_for_update=True)
        assert row is not None
        if row.status == ImportStatus.QUEUED:
            row.status, row.started_at, row.records_total = ImportStatus.RUNNING, utcnow(), total
            row.errors = _reported([], file_errors)
            row.failed = len({(error.file, error.row) for error in file_errors})
        job.status, job.records_total = row.status, row.records_total
        job.records_done, job.errors, job.failed = row.records_done, row.errors, row.failed


async def _record(
    context: JobContext, job: CatalogImport, through: int, outcome: BatchOutcome
) -> CatalogImport:
    async with context.database.transaction() as session:
        row = await session.get(CatalogImport, job.id, with_for_update=True)
        assert row is not None
        row.records_done = min(row.records_done + through, row.records_total)
        row.created += outcome.created
        row.updated += outcome.updated
        row.unchanged += outcome.unchanged
        row.failed += outcome.failed
        row.errors = _reported(row.errors, outcome.errors)
        return row


async def _finish(
    context: JobContext, job: CatalogImport, status: ImportStatus, errors: list[FileError]
) -> None:
    async with context.database.transaction() as session:
        row = await session.get(CatalogImport, job.id, with_for_update=True)
        assert row is not None
        row.status, row.finished_at = status, utcnow()
        if errors:
            row.errors = _reported(row.errors, errors)


def _reported(kept: list[dict[str, Any]], errors: list[FileError]) -> list[dict[str, Any]]:
    room = max(MAX_REPORTED_ERRORS - len(kept), 0)
    return [*kept, *({**asdict(error), "code": error.code.value} for error in errors[:room])]


def _stopped(attempts: int) -> FileError:
    message = f"the import failed on {attempts} attempts and was stopped; see the server's log"
    return FileError(
        file="", row=None, column=None, code=UserErrorCode.IMPORT_STOPPED, message=message
    )


def _gone() -> FileError:
    return FileError(
        file="", row=None, column=None, code=UserErrorCode.NOT_FOUND, message="the file is gone"
    )
