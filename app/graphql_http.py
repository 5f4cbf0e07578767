"""POST/GET /graphql: GraphQL over HTTP, and GraphiQL for people with a browser.

Mutations run only over POST, with JSON or as a multipart upload (`app.multipart_request`);
a GET never changes anything and never carries files. Every response carries the request id;
request-level failures are JSON errors with a stable code. Responses are `application/json`
or `application/graphql-response+json`, as the client accepts (`app.media_types`). Public
catalog reads are answered from the cache when they can be (`app.read_cache`). A request may
name its document by hash instead (`app.persisted_operations`).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Receive, Scope, Send
from strawberry import Schema
from strawberry.exceptions import MissingQueryError
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types.graphql import OperationType

from app.authentication import CredentialsRejected, authenticate, client_ip
from app.caller_budgets import (
    budget_for,
    cached_answer,
    cost_buckets_for,
    throttled_response,
    with_cost,
)
from app.graphiql_page import graphiql_page
from app.json_response import OrjsonResponse
from app.media_types import JSON, execution_started, negotiate, status_for
from app.multipart_request import UploadLimits, is_multipart, read_multipart, require_preflight
from app.outages import raise_database_failure
from app.persisted_operations import PersistedOperationRefused, PersistedOperations
from app.read_cache import CacheEntry, CatalogReadCache
from app.request_body import GraphQLRequest, RequestRejected, read_get, read_post
from auth.caller_budget import CallerBudget
from auth.principal import Principal
from core.db import Database, count_statements
from core.errors import HTTP_STATUS_CODES
from core.kv import KeyValueStores
from core.logging import request_id_var
from core.settings import Settings
from resolvers.context import Context
from schema.errors import present_errors

QUERY_ONLY = (OperationType.QUERY,)
ALL_OPERATIONS = (OperationType.QUERY, OperationType.MUTATION)
# OPTIONS is answered (204 with this list, no CORS); any other method gets 405 with it.
ALLOWED_METHODS = "GET, POST, OPTIONS"


class GraphQLEndpoint:
    def __init__(
        self, schema: Schema, settings: Settings, database: Database, stores: KeyValueStores
    ) -> None:
        self.schema = schema
        self.settings = settings
        self.database = database
        self.stores = stores
        # Off with DEBUG_EXTENSIONS: their per-request figures must not be replayed, and
        # statement counts would read 0 on a hit.
        self.read_cache = CatalogReadCache(
            stores.cache,
            ttl_seconds=0 if settings.debug_extensions else settings.catalog_cache_seconds,
            max_tokens=settings.max_tokens,
        )
        self.persisted_operations = PersistedOperations(settings, database, stores.cache)
        self.cost_buckets = cost_buckets_for(settings, stores)
        self.upload_limits = UploadLimits(
            max_upload_bytes=settings.max_upload_bytes,
            max_upload_files=settings.max_upload_files,
            max_part_bytes=settings.max_body_bytes,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """As an ASGI app, so the route passes every method here (a function gets GET only)."""
        response = await self.handle(Request(scope, receive))
        await response(scope, receive, send)

    async def handle(self, request: Request) -> Response:
        if request.method == "OPTIONS":
            return Response(status_code=204, headers={"Allow": ALLOWED_METHODS})
        if request.method not in ("GET", "POST"):
            return _error(405, "Use POST (or GET for queries)", headers={"Allow": ALLOWED_METHODS})
        if self._wants_ide(request):
            page = graphiql_page()
            return HTMLResponse(
                page.html, headers={"Content-Security-Policy": page.content_security_policy}
            )
        media_type = negotiate(request.headers.get("accept"))
        if media_type is None:
            return _error(406, "Accept application/graphql-response+json or application/json")
        try:
            if request.method == "POST" and is_multipart(request.headers):
                return await self.execute_upload(request, media_type)
            if request.method == "POST":
                graphql_request = await read_post(request, self.settings.max_body_bytes)
                return await self.execute(request, graphql_request, ALL_OPERATIONS, media_type)
            return await self.execute(request, read_get(request), QUERY_ONLY, media_type)
        except RequestRejected as rejected:
            return _error(rejected.status_code, rejected.message, media_type=media_type)
        except CredentialsRejected:
            return _error(
                401,
                "The access token or API key is invalid, expired or revoked",
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
                media_type=media_type,
            )

    def _wants_ide(self, request: Request) -> bool:
        return (
            self.settings.graphiql
            and request.method == "GET"
            and "query" not in request.query_params
            and "text/html" in request.headers.get("accept", "")
        )

    async def execute_upload(self, request: Request, media_type: str) -> Response:
        """A multipart request: refused for a missing preflight header or bad credentials
        before a byte of its body is read; its files are deleted once it is answered."""
        require_preflight(request.headers)
        principal = await authenticate(request, self.database, self.settings)
        graphql_request = await read_multipart(request, self.upload_limits)
        try:
            return await self.execute(
                request, graphql_request, ALL_OPERATIONS, media_type, principal=principal
            )
        finally:
            for upload in graphql_request.uploads:
                upload.close()

    async def execute(
        self,
        request: Request,
        graphql_request: GraphQLRequest,
        allowed: tuple[OperationType, ...],
        media_type: str = JSON,
        *,
        principal: Principal | None = None,
    ) -> Response:
        if principal is None:
            principal = await authenticate(request, self.database, self.settings)
        try:
            graphql_request = await self.persisted_operations.resolve(graphql_request, principal)
        except PersistedOperationRefused as refused:
            return refused.response(media_type)
        budget = budget_for(
            self.cost_buckets, request, graphql_request, principal, client_ip(request)
        )
        read = (
            None
            if graphql_request.uploads
            else self.read_cache.request_for(
                graphql_request.query,
                graphql_request.operation_name,
                graphql_request.variables,
                principal,
            )
        )
        # Concurrent misses of one entry compute it once: the others get the leader's answer.
        async with self.read_cache.entry(read) as cached:
            if cached.body is not None:
                # Only answers without errors are stored, so the body holds no request id;
                # the middleware still sets this request's id in X-Request-Id.
                return await cached_answer(cached.body, budget, media_type)
            return await self._run_operation(
                request, graphql_request, allowed, media_type, principal, budget, cached
            )

    async def _run_operation(
        self,
        request: Request,
        graphql_request: GraphQLRequest,
        allowed: tuple[OperationType, ...],
        media_type: str,
        principal: Principal,
        budget: CallerBudget | None,
        cached: CacheEntry,
    ) -> Response:
        context = Context.for_request(
            request_id=request_id_var.get() or "",
            settings=self.settings,
            database=self.database,
            stores=self.stores,
            principal=principal,
            client_ip=client_ip(request),
            user_agent=request.headers.get("user-agent", "")[:300],
            budget=budget,
        )
        try:
            with count_statements(context.statement_counter):
                result = await self.schema.execute(
                    graphql_request.query,
                    variable_values=graphql_request.variables,
                    context_value=context,
                    operation_name=graphql_request.operation_name,
                    allowed_operation_types=allowed,
                )
        except InvalidOperationTypeError:
            return _error(
                405,
                "Mutations must be sent with POST",
                headers={"Allow": "POST"},
                media_type=media_type,
            )
        except CannotGetOperationTypeError as error:
            return _error(400, _no_operation_message(error.operation_name), media_type=media_type)
        except MissingQueryError:
            return _error(400, "'query' must be a non-empty string", media_type=media_type)
        finally:
            await context.close()
        if budget is not None and (throttled := throttled_response(budget, media_type)):
            return throttled
        raise_database_failure(result.errors)  # answered as a whole by app.outages
        body: dict[str, Any] = {}
        if media_type == JSON or execution_started(result):
            body["data"] = result.data
        if result.errors:
            body["errors"] = present_errors(
                result.errors,
                request_id=context.request_id,
                development=self.settings.is_development,
            )
        if result.extensions:
            body["extensions"] = result.extensions
        response = OrjsonResponse(
            body, status_code=status_for(media_type, result), media_type=media_type
        )
        if not result.errors:
            await cached.store(bytes(response.body))
        return with_cost(response, budget)


def _no_operation_message(operation_name: str | None) -> str:
    if operation_name is not None:
        return f"Unknown operation named '{operation_name}': the document has no such operation."
    return "The document has no operation to run: send a query or a mutation."


def _error(
    status_code: int,
    message: str,
    headers: dict[str, str] | None = None,
    *,
    media_type: str = JSON,
) -> Response:
    extensions = {"code": HTTP_STATUS_CODES[status_code].value, "requestId": request_id_var.get()}
    body = {"errors": [{"message": message, "extensions": extensions}]}
    return OrjsonResponse(body, status_code=status_code, headers=headers, media_type=media_type)
