"""Whatever escapes an endpoint is answered: a coded JSON error with the request id, logged once.

A route that fails unexpectedly stands for a bug; nothing must reach the server (uvicorn
would close the connection), and nothing is re-raised to the test client either.
"""

from __future__ import annotations

import logging

import httpx
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app.middleware import RequestIdMiddleware
from app.outages import AnswerEveryRequest


async def _broken(_request: Request) -> Response:
    raise RuntimeError("a bug with a secret in its message: hunter2")


def _app() -> Starlette:
    return Starlette(
        routes=[Route("/broken", _broken)],
        middleware=[Middleware(RequestIdMiddleware), Middleware(AnswerEveryRequest)],
    )


async def test_an_unexpected_error_is_a_coded_json_500_logged_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    transport = httpx.ASGITransport(app=_app())
    caplog.set_level(logging.INFO)
    async with httpx.AsyncClient(transport=transport, base_url="http://tradeql.test") as http:
        response = await http.get("/broken")

    assert response.status_code == 500
    (error,) = response.json()["errors"]
    assert error["extensions"] == {
        "code": "INTERNAL_ERROR",
        "requestId": response.headers["x-request-id"],
    }
    assert "hunter2" not in response.text
    logged = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert len(logged) == 1
    assert logged[0].request_id == response.headers["x-request-id"]  # type: ignore[attr-defined]
    assert logged[0].exc_info is not None
    assert "hunter2" in str(logged[0].exc_info[1])
