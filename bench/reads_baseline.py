"""The hand-written endpoint `bench.reads` measures TradeQL against: Starlette, asyncpg and
orjson, with SQL written by hand over TradeQL's own tables.

Each scenario has a path of its own (`/listing`, ...) and takes the same POSTed GraphQL body
as TradeQL (it reads the variables from it), and answers the bytes TradeQL answers for that
document: `bench.reads` checks them before timing. It counts the statements it sends;
`GET /statements` reads the count. Served by uvicorn, one process:

    BENCH_BASELINE_DSN=postgresql://... uvicorn bench.reads_baseline:create_app --factory
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, cast

import asyncpg
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bench import reads_baseline_catalog as catalog
from bench import reads_baseline_facets as facets
from bench import reads_baseline_orders as orders

POOL_SIZE = 10

# What a scenario's handler does: with a connection and the request's variables, the answer's
# `data` and the statements it sent.
Answer = Callable[[asyncpg.Connection, Request], Awaitable[tuple[dict[str, Any], int]]]


class Counter:
    """Statements sent since the process started."""

    statements = 0


def _endpoint(answer: Answer) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        pool: asyncpg.Pool = request.app.state.pool
        async with pool.acquire() as connection:
            # The pool lends a proxy of the connection; the handlers take it as one.
            try:
                data, sent = await answer(cast(asyncpg.Connection, connection), request)
            except orders.NotAllowed:
                return Response(b'{"errors":[{"message":"not allowed"}]}', status_code=403)
        Counter.statements += sent
        return Response(orjson.dumps({"data": data}), media_type="application/json")

    return endpoint


async def _variables(request: Request) -> dict[str, Any]:
    variables: dict[str, Any] = orjson.loads(await request.body())["variables"]
    return variables


async def _listing(connection: asyncpg.Connection, request: Request) -> Any:
    variables = await _variables(request)
    return await catalog.listing(connection, int(variables["n"]))


async def _spec_filter(connection: asyncpg.Connection, request: Request) -> Any:
    variables = await _variables(request)
    return await catalog.spec_filtered(
        connection,
        int(variables["n"]),
        variables["type"],
        variables["attribute"],
        float(variables["number"]),
    )


async def _detail(connection: asyncpg.Connection, request: Request) -> Any:
    variables = await _variables(request)
    return await catalog.detail(connection, variables["slug"])


async def _facets(connection: asyncpg.Connection, request: Request) -> Any:
    variables = await _variables(request)
    return await facets.facets(connection, variables["type"])


async def _staff_orders(connection: asyncpg.Connection, request: Request) -> Any:
    # The key first, as TradeQL authenticates before it reads the body.
    looked_up = await orders.authorize(connection, request.headers.get("authorization", ""))
    variables = await _variables(request)
    data, sent = await orders.staff_orders(connection, int(variables["n"]))
    return data, sent + looked_up


async def statements(_request: Request) -> Response:
    return Response(orjson.dumps({"statements": Counter.statements}))


async def _init_connection(connection: asyncpg.Connection) -> None:
    for type_name in ("json", "jsonb"):
        await connection.set_type_codec(
            type_name,
            encoder=lambda value: orjson.dumps(value).decode(),
            decoder=orjson.loads,
            schema="pg_catalog",
        )


def create_app() -> Starlette:
    dsn = os.environ["BENCH_BASELINE_DSN"]

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.pool = await asyncpg.create_pool(
            dsn, min_size=POOL_SIZE, max_size=POOL_SIZE, init=_init_connection
        )
        try:
            yield
        finally:
            await app.state.pool.close()

    routes = [
        Route("/listing", _endpoint(_listing), methods=["POST"]),
        Route("/spec_filter", _endpoint(_spec_filter), methods=["POST"]),
        Route("/detail", _endpoint(_detail), methods=["POST"]),
        Route("/facets", _endpoint(_facets), methods=["POST"]),
        Route("/staff_orders", _endpoint(_staff_orders), methods=["POST"]),
        Route("/statements", statements, methods=["GET"]),
    ]
    return Starlette(routes=routes, lifespan=lifespan)
