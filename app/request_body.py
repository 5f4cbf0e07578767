"""Reading and checking a GraphQL-over-HTTP request body before any GraphQL work is done.

Everything malformed stops here with a 400 (or 413 when too large), never a 500: a wrong
content type (`app.multipart_request` reads uploads), bytes that are not UTF-8, invalid JSON,
JSON nested deep enough to exhaust the parser's recursion, batched arrays, fields of the wrong
type, or a document or operation name holding a lone surrogate (JSON's `"\ud800"` escape
carries one; it is not Unicode text, and every answer echoing it would fail to encode).
Variables are left to the schema, which refuses unstorable text naming the variable.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request

from core.operation_registry import sha256_hex
from core.uploads import UploadedFile

MAX_JSON_NESTING = 64
SHA256_HEX = re.compile(r"[0-9a-f]{64}")


class RequestRejected(Exception):
    def __init__(self, status_code: int, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message


@dataclass(frozen=True)
class GraphQLRequest:
    query: str
    variables: dict[str, Any] | None
    operation_name: str | None
    # The files of a multipart request, also placed in `variables`; closed after the response.
    uploads: tuple[UploadedFile, ...] = ()
    # `extensions.persistedQuery.sha256Hash` (`app.persisted_operations`); `query` is "" when
    # the client sent the hash alone, and hashes to it otherwise.
    persisted_hash: str | None = None
    # The request's `extensions` object: the persisted query above, and whether the caller
    # asks for its cost figures (`app.caller_budgets`).
    extensions: dict[str, Any] | None = None


async def read_post(request: Request, max_bytes: int) -> GraphQLRequest:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json":
        raise RequestRejected(400, "Content-Type must be application/json")
    body = await _read_limited(request, max_bytes)
    return graphql_request_from(parse_request_object(body, "Request body"))


def parse_request_object(body: bytes, what: str) -> dict[str, Any]:
    """The JSON object of one GraphQL request (`what` names it in refusals)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise RequestRejected(400, f"{what} is not valid UTF-8") from None
    payload = parse_json(text, what)
    if isinstance(payload, list):
        raise RequestRejected(400, "Batched requests are not supported: send one operation")
    if not isinstance(payload, dict):
        raise RequestRejected(400, f"{what} must be a JSON object")
    return payload


def graphql_request_from(payload: dict[str, Any]) -> GraphQLRequest:
    return _graphql_request(payload.get("query"), payload.get("variables"), payload)


def read_get(request: Request) -> GraphQLRequest:
    params = request.query_params
    raw_variables = params.get("variables")
    variables = parse_json(raw_variables, "variables") if raw_variables else None
    raw_extensions = params.get("extensions")
    extensions = parse_json(raw_extensions, "extensions") if raw_extensions else None
    return _graphql_request(params.get("query"), variables, {**params, "extensions": extensions})


async def _read_limited(request: Request, max_bytes: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        raise RequestRejected(413, f"Request body exceeds {max_bytes} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise RequestRejected(413, f"Request body exceeds {max_bytes} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def parse_json(text: str, what: str) -> Any:
    if _nesting_exceeds(text, MAX_JSON_NESTING):
        raise RequestRejected(400, f"{what} is nested more than {MAX_JSON_NESTING} levels deep")
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        raise RequestRejected(400, f"{what} is not valid JSON") from None


def _nesting_exceeds(text: str, limit: int) -> bool:
    """True when brackets outside strings nest deeper than `limit`; cheap when they cannot."""
    if text.count("[") + text.count("{") <= limit:
        return False
    depth = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth -= 1
    return False


def _graphql_request(query: Any, variables: Any, payload: dict[str, Any]) -> GraphQLRequest:
    persisted_hash = _persisted_hash(payload.get("extensions"))
    if persisted_hash is not None and query in (None, ""):
        query = ""  # the hash alone: `app.persisted_operations` finds the document
    elif not isinstance(query, str) or not query.strip():
        raise RequestRejected(400, "'query' must be a non-empty string")
    if variables is not None and not isinstance(variables, dict):
        raise RequestRejected(400, "'variables' must be a JSON object")
    operation_name = payload.get("operationName")
    if operation_name is not None and not isinstance(operation_name, str):
        raise RequestRejected(400, "'operationName' must be a string")
    extensions = payload.get("extensions")
    if extensions is not None and not isinstance(extensions, dict):
        # Unused here, but a client sending a non-object means something else than it thinks.
        raise RequestRejected(400, "'extensions' must be a JSON object")
    _refuse_lone_surrogates(query, "query")
    if operation_name:
        _refuse_lone_surrogates(operation_name, "operationName")
    if query and persisted_hash is not None and sha256_hex(query) != persisted_hash:
        # Apollo Server's words and status: a client bug, never worth retrying.
        raise RequestRejected(400, "provided sha does not match query")
    return GraphQLRequest(
        query=query,
        variables=variables,
        operation_name=operation_name or None,
        persisted_hash=persisted_hash,
        extensions=extensions,
    )


def _persisted_hash(extensions: Any) -> str | None:
    """The hash of Apollo's automatic persisted query protocol, when the request uses it."""
    if not isinstance(extensions, dict) or "persistedQuery" not in extensions:
        return None
    persisted = extensions["persistedQuery"]
    if not isinstance(persisted, dict):
        raise RequestRejected(400, "'extensions.persistedQuery' must be a JSON object")
    if persisted.get("version") != 1:
        raise RequestRejected(400, "Unsupported persisted query version")
    sha256_hash = persisted.get("sha256Hash")
    if not isinstance(sha256_hash, str) or not SHA256_HEX.fullmatch(sha256_hash):
        raise RequestRejected(
            400, "'extensions.persistedQuery.sha256Hash' must be 64 lower-case hex digits"
        )
    return sha256_hash


def _refuse_lone_surrogates(text: str, field: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise RequestRejected(
            400, f"'{field}' is not Unicode text: it holds a lone surrogate"
        ) from None
