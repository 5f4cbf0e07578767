"""Every request gets an answer: a failure that escapes the endpoint becomes a coded JSON error.

A database failure (`core.database_failures`) is a 503 with Retry-After and the code
SERVICE_UNAVAILABLE or OVERLOADED; anything else a 500 INTERNAL_ERROR. The client sees a fixed
message and the request id; the log gets the whole error, once, under that id.

Why a middleware of our own rather than Starlette's last resort: that one answers a plain-text
500 from outside our middleware (so without X-Request-Id), then re-raises; uvicorn, seeing an
exception after a response started, closes the connection, and a client that had already sent
its next request on that kept-alive connection never got an answer (about 1% of requests while
PostgreSQL was down). This one answers and raises nothing.
"""

from __future__ import annotations

import logging

from graphql import GraphQLError
from starlette.requests import ClientDisconnect
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.json_response import OrjsonResponse
from core.database_failures import DatabaseOverloaded, database_failure
from core.errors import ErrorCode
from core.logging import request_id_var
from schema.errors import INTERNAL_MESSAGE

logger = logging.getLogger("tradeql.outages")


class AnswerEveryRequest:
    """Inside the request-id middleware, so every answer it makes carries the id."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        response_started = False

        async def send_noting_start(message: Message) -> None:
            nonlocal response_started
            response_started = response_started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, send_noting_start)
        except ClientDisconnect:
            return  # nobody is left to answer
        except Exception as error:
            if response_started:
                raise  # only closing the connection can tell the client the answer is cut short
            await answer_for(error)(scope, receive, send)


def raise_database_failure(errors: list[GraphQLError] | None) -> None:
    """Raise the database failure behind any of a GraphQL result's errors, if one is: the
    request as a whole could not be served, and is answered as such."""
    for error in errors or ():
        failure = database_failure(error.original_error)
        if failure is not None:
            raise failure


def answer_for(error: Exception) -> Response:
    """The coded answer to an error that reached the HTTP layer, logged once."""
    request_id = request_id_var.get()
    failure = database_failure(error)
    if failure is None:
        logger.error("unexpected error", exc_info=error, extra={"request_id": request_id})
        return coded_error(500, ErrorCode.INTERNAL_ERROR, INTERNAL_MESSAGE, request_id)
    if isinstance(failure, DatabaseOverloaded):
        # Expected under load, and the cause is always the same: no traceback.
        logger.warning("%s", failure, extra={"request_id": request_id})
    else:
        logger.error("%s", failure, exc_info=failure, extra={"request_id": request_id})
    return coded_error(
        503,
        failure.code,
        failure.public_message,
        request_id,
        headers={"Retry-After": str(failure.retry_after_seconds)},
    )


def coded_error(
    status: int,
    code: ErrorCode,
    message: str,
    request_id: str | None,
    headers: dict[str, str] | None = None,
) -> Response:
    body = {"errors": [{"message": message, "extensions": {"code": code, "requestId": request_id}}]}
    return OrjsonResponse(body, status_code=status, headers=headers)
