"""The ASGI application factory: settings in, a ready Starlette app out."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app.coalesced_bump import CoalescedBump
from app.downloads import DownloadEndpoint
from app.gc_tuning import tune_for_serving
from app.graphiql_assets import graphiql_asset
from app.graphql_http import GraphQLEndpoint
from app.json_response import OrjsonResponse
from app.middleware import RequestIdMiddleware
from app.outages import AnswerEveryRequest
from app.read_cache import invalidate_cached_reads_on_commit
from app.security_headers import SecuredStarlette
from app.worker_main import embedded_worker
from core.db import Database, create_engine
from core.kv import check_redis, create_key_value_stores
from core.kv import close as close_stores
from core.logging import configure_logging
from core.settings import Settings, get_settings
from schema.build import build_schema


def create_app(
    settings: Settings | None = None,
    database: Database | None = None,
    *,
    tune_gc_for_serving: bool = False,
) -> Starlette:
    """Build the app. Tests pass a `database` bound to their own connection; only the served
    process tunes the garbage collector (a test process builds many apps, and frozen objects
    are never collected)."""
    settings = settings or get_settings()
    owns_engine = database is None
    engine = create_engine(settings) if database is None else None
    database = database or Database(engine)  # type: ignore[arg-type]
    stores = create_key_value_stores(settings)
    # Every committed catalog write invalidates the cached catalog reads of every process;
    # stock changes from orders do too, at most once per STOCK_CACHE_SECONDS.
    bump = invalidate_cached_reads_on_commit(database, stores)
    stock_bump = CoalescedBump(bump, settings.stock_cache_seconds)
    database.on_stock_committed = stock_bump
    endpoint = GraphQLEndpoint(build_schema(settings), settings, database, stores)

    async def live(_request: Request) -> Response:
        return OrjsonResponse({"status": "ok"})

    async def ready(_request: Request) -> Response:
        try:
            await database.check_connection()
        except Exception:  # any failure means not ready; the reason is in the log
            return OrjsonResponse({"status": "database unavailable"}, status_code=503)
        return OrjsonResponse({"status": "ok"})

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        await check_redis(stores)
        async with AsyncExitStack() as background:
            if database.is_sqlite:
                # SQLite cannot share work between processes: the one server runs the worker.
                await background.enter_async_context(embedded_worker(settings, database, stores))
            if tune_gc_for_serving:
                tune_for_serving(settings.gc_threshold_counts)
            yield
        await stock_bump.flush()
        await close_stores(stores)
        if owns_engine and engine is not None:
            await engine.dispose()

    app = SecuredStarlette(
        hsts=settings.env == "production",
        routes=[
            # Every method reaches the endpoint, which answers each with a code and `Allow`.
            Route("/graphql", endpoint),
            # Every method reaches it too: it answers GET and HEAD, and others a coded 405.
            Route("/downloads/{token}", DownloadEndpoint(settings, database)),
            Route("/healthz", live),
            Route("/readyz", ready),
            # GraphiQL's own scripts and stylesheets, wherever GRAPHIQL serves its page.
            *([Route("/graphiql/{name}", graphiql_asset)] if settings.graphiql else []),
        ],
        # Outermost first: every answer, AnswerEveryRequest's too, carries the request id.
        middleware=[Middleware(RequestIdMiddleware), Middleware(AnswerEveryRequest)],
        lifespan=lifespan,
    )
    app.state.stores = stores  # for the benchmark and tests: they bump versions, close stores
    app.state.stock_bump = stock_bump  # tests flush it, as the lifespan does on shutdown
    return app


def create_app_from_environment() -> Starlette:
    """Entry point for uvicorn (`--factory`), used by `tradeql serve`."""
    settings = get_settings()
    configure_logging(settings.log_level)
    return create_app(settings, tune_gc_for_serving=True)
