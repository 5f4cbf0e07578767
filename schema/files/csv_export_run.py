"""Running a CSV export: the query again as whoever asked, page by page, into a stored CSV.

Each page is executed by the schema the API serves, with a request context of its own for
the caller's principal (as they stand now: a disabled user or revoked key ends the export),
so the gates, limits and row scoping are those of the query over HTTP by construction. Any
error the query answers refuses the export with that error's code and path: a field the
caller may not read is a refusal, never an empty column. An error of the server's (the
database went away) is raised instead, and the worker retries the export from its start.

Each page draws on the caller's budget (auth/caller_budget.py) as the same query over HTTP
would, so an export cannot read more than its caller may: a page the bucket cannot pay for
waits until enough points are back (the bucket's `Retry-After`) and runs then, an export
whose page costs more than the caller's whole bucket is refused with QUERY_TOO_COMPLEX, and
one that waited an hour in all is refused with THROTTLED.

Lines go to a temporary file first (UTF-8 with a BOM, CRLF), and the file is stored in one
short transaction at the end: a long export never holds a write transaction open, which on
SQLite would hold up every other writer.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import tempfile
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import IO, Any

import strawberry
from graphql import (
    GraphQLError,
    GraphQLSchema,
    GraphQLSyntaxError,
    OperationDefinitionNode,
    parse,
    print_ast,
    validate,
)
from graphql.utilities import get_operation_ast
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from auth.api_keys import principal_of_api_key
from auth.caller_budget import CallerBudget
from auth.principal import Principal
from auth.sessions import principal_of_user
from core.budget_buckets import CostBuckets
from core.cache import InMemoryCache
from core.db import Database
from core.errors import BadUserInput, ErrorCode, Throttled
from core.kv import KeyValueStores
from core.outcomes import UserErrorCode
from core.rate_limit import InMemoryRateLimiter
from core.settings import Settings
from core.stored_files import FileTooLarge
from models.files import PART_BYTES, CsvExport
from resolvers.context import Context
from resolvers.files import csv_exports
from resolvers.files.csv_exports import ExportError
from schema.errors import is_unexpected, present_errors
from schema.files.csv_document import ExportPlan, NotExportable, plan_export
from schema.files.csv_rows import cells, csv_writer, header, next_cursor, page_rows

logger = logging.getLogger("tradeql.csv_exports")

MAX_VARIABLES_BYTES = 64 * 1024
PROGRESS_EVERY_SECONDS = 1.0
# How long in all an export may wait for its caller's budget: a caller whose own requests keep
# its bucket empty must not hold a worker for ever.
MAX_BUDGET_WAIT_SECONDS = 3600


class ExportRefused(Exception):
    def __init__(self, error: ExportError) -> None:
        super().__init__(error.message)
        self.error = error


def prepare(
    schema: GraphQLSchema,
    query: str,
    variables: dict[str, Any],
    operation_name: str | None,
    *,
    max_tokens: int,
) -> ExportPlan:
    """The plan for exporting the document; BadUserInput naming the argument at fault for a
    document that is not valid GraphQL for this schema, NotExportable for one without one
    list of rows."""
    if len(json.dumps(variables, ensure_ascii=False).encode()) > MAX_VARIABLES_BYTES:
        raise BadUserInput(f"must be at most {MAX_VARIABLES_BYTES} bytes", argument="variables")
    try:
        document = parse(query, max_tokens=max_tokens, no_location=False)
    except GraphQLSyntaxError as error:
        raise BadUserInput(
            f"is not a GraphQL document: {error.message}", argument="query"
        ) from None
    errors = validate(schema, document, max_errors=5)
    if errors:
        raise BadUserInput(f"does not fit the schema: {errors[0].message}", argument="query")
    operation = get_operation_ast(document, operation_name)
    if not isinstance(operation, OperationDefinitionNode):
        operations = sum(isinstance(d, OperationDefinitionNode) for d in document.definitions)
        reason = (
            "names no operation of the document"
            if operation_name
            else f"is needed: the document has {operations} operations"
        )
        raise BadUserInput(reason, argument="operationName")
    return plan_export(schema, document, operation, variables)


async def requester(database: Database, settings: Settings, export: CsvExport) -> Principal | None:
    if export.requested_by_user_id is not None:
        return await principal_of_user(database, export.requested_by_user_id, settings)
    if export.requested_by_api_key_id is not None:
        return await principal_of_api_key(database, export.requested_by_api_key_id)
    return None


async def run_csv_export(
    schema: strawberry.Schema,
    settings: Settings,
    database: Database,
    export_id: int,
    *,
    last_attempt: bool,
    buckets: CostBuckets | None,
) -> None:
    """Write export `export_id`'s CSV, or record why not; an unfinished export starts over.
    Its pages draw on the caller's bucket in `buckets` (None: budgets are off)."""
    export = await csv_exports.load_export(database, export_id)
    if export is None or export.status in csv_exports.FINISHED:
        return  # gone, or finished by an earlier delivery of this event
    assert export.id is not None
    try:
        principal = await requester(database, settings, export)
        if principal is None:
            gone = "the user or API key that asked is disabled, revoked or gone"
            raise ExportRefused(ExportError(ErrorCode.UNAUTHENTICATED.value, gone))
        await csv_exports.mark_running(database, export.id)
        pages = _Pages(schema, settings, database, principal, export.id, buckets)
        await _write(pages, export)
    except ExportRefused as refused:
        await csv_exports.finish_with_error(database, export.id, refused.error)
    except Exception:
        # The worker retries from the start; after its last attempt the export must not
        # stay RUNNING for ever.
        if last_attempt:
            stopped = ExportError(
                UserErrorCode.EXPORT_STOPPED.value,
                "the export failed on every attempt and was stopped; see the server's log",
            )
            await csv_exports.finish_with_error(database, export.id, stopped)
        raise


async def _write(pages: _Pages, export: CsvExport) -> None:
    settings = pages.settings
    try:
        plan = prepare(
            pages.schema._schema,
            export.query,
            export.variables,
            export.operation_name,
            max_tokens=settings.max_tokens,
        )
    except BadUserInput as error:
        message = f"Argument '{error.argument}' {error.message}"
        raise ExportRefused(ExportError(ErrorCode.BAD_USER_INPUT.value, message)) from None
    except NotExportable as error:
        raise ExportRefused(ExportError(UserErrorCode.NOT_EXPORTABLE.value, str(error))) from None
    with tempfile.TemporaryFile() as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        row_count = await pages.write(plan, dict(export.variables), text)
        text.flush()
        text.detach()
        raw.seek(0)
        stamp = datetime.now(UTC)
        try:
            await csv_exports.finish_with_file(
                pages.database,
                export,
                filename=f"{plan.root_key}-{stamp:%Y%m%d-%H%M%S}.csv",
                content=_chunks(raw),
                row_count=row_count,
                max_bytes=settings.max_stored_file_bytes,
            )
        except FileTooLarge as error:
            message = f"the CSV is larger than {error.limit} bytes (MAX_STORED_FILE_BYTES)"
            refusal = ExportError(UserErrorCode.EXPORT_TOO_LARGE.value, message)
            raise ExportRefused(refusal) from None


async def _chunks(raw: IO[bytes]) -> AsyncIterator[bytes]:
    while chunk := raw.read(PART_BYTES):
        yield chunk


class _Pages:
    """Runs the plan's document page after page as `principal`, writing each page's rows."""

    def __init__(
        self,
        schema: strawberry.Schema,
        settings: Settings,
        database: Database,
        principal: Principal,
        export_id: int,
        buckets: CostBuckets | None,
    ) -> None:
        self.schema = schema
        self.settings = settings
        self.database = database
        self.principal = principal
        self.export_id = export_id
        self.buckets = buckets
        self.waited_seconds = 0
        self.request_id = f"csv-export-{export_id}"
        # Queries read neither the cache nor the rate limiter; in-process ones are enough.
        self.stores = KeyValueStores(InMemoryCache(), InMemoryRateLimiter(), None)

    async def write(self, plan: ExportPlan, variables: dict[str, Any], out: IO[str]) -> int:
        writer = csv_writer(out)
        writer.writerow(header(plan))
        source = print_ast(plan.document)
        after, count, reported = plan.first_after, 0, time.monotonic()
        while True:
            if plan.after_variable is not None:
                variables[plan.after_variable] = after
            data = await self._page(source, variables, plan.operation_name)
            rows = page_rows(plan, data)
            count += len(rows)
            if count > self.settings.export_max_rows:
                limit = self.settings.export_max_rows
                message = f"the query lists more than {limit} rows (EXPORT_MAX_ROWS): narrow it"
                raise ExportRefused(ExportError(UserErrorCode.EXPORT_TOO_LARGE.value, message))
            writer.writerows(cells(plan.columns, row) for row in rows)
            cursor = next_cursor(plan, data)
            if cursor is None or cursor == after:
                return count
            after = cursor
            if time.monotonic() - reported >= PROGRESS_EVERY_SECONDS:
                await csv_exports.record_rows(self.database, self.export_id, count)
                reported = time.monotonic()

    async def _page(
        self, source: str, variables: dict[str, Any], operation_name: str | None
    ) -> dict[str, Any] | None:
        """The page's data, once the caller's bucket can pay for it."""
        while True:
            result = await self._run(source, variables, operation_name)
            wait = _throttled_for(result.errors)
            if wait is None:
                break
            if self.waited_seconds + wait > MAX_BUDGET_WAIT_SECONDS:
                message = (
                    f"the caller's budget kept the export waiting over {MAX_BUDGET_WAIT_SECONDS}"
                    " seconds: the caller's other requests use it up; try again when they slow"
                )
                raise ExportRefused(ExportError(ErrorCode.THROTTLED.value, message))
            self.waited_seconds += wait
            logger.info(
                "csv export %s waits %s s for its caller's budget",
                self.export_id,
                wait,
                extra={"request_id": self.request_id},
            )
            await asyncio.sleep(wait)
        if result.errors:
            _refuse(result.errors, self.request_id)
        return result.data

    async def _run(
        self, source: str, variables: dict[str, Any], operation_name: str | None
    ) -> ExecutionResult:
        context = Context.for_request(
            request_id=self.request_id,
            settings=self.settings,
            database=self.database,
            stores=self.stores,
            principal=self.principal,
            budget=self._budget(),
        )
        try:
            return await self.schema.execute(
                source,
                variable_values=variables,
                context_value=context,
                operation_name=operation_name,
                allowed_operation_types=(OperationType.QUERY,),
            )
        finally:
            await context.close()

    def _budget(self) -> CallerBudget | None:
        """The page's draw on the caller's bucket, as its request over HTTP would make."""
        key = self.principal.bucket_key
        if self.buckets is None or key is None:
            return None
        return CallerBudget(self.buckets, key, self.principal.budget, report=False)


def _throttled_for(errors: list[GraphQLError] | None) -> int | None:
    """Seconds until the caller's bucket can pay for the page, when it could not."""
    for error in errors or ():
        if isinstance(error.original_error, Throttled):
            return error.original_error.retry_after_seconds
    return None


def _refuse(errors: list[GraphQLError], request_id: str) -> None:
    """Raise the refusal the query's first error makes, or the server's own failure."""
    presented = present_errors(errors, request_id=request_id, development=False)
    for error in errors:
        if is_unexpected(error):
            assert error.original_error is not None
            raise error.original_error
    first = presented[0]
    path = first.get("path")
    raise ExportRefused(
        ExportError(
            code=str(first.get("extensions", {}).get("code", ErrorCode.BAD_USER_INPUT.value)),
            message=str(first.get("message", "")),
            path=".".join(str(step) for step in path) if path else None,
        )
    )
