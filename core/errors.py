"""Expected errors with stable codes. Anything else is unexpected: masked, logged, never shown.

Every `errors[].extensions.code` is an `ErrorCode`, each with its meaning below; refusals of
mutations are `userErrors` instead (`core.outcomes`). docs/errors.md lists both.

Resolvers raise these; the GraphQL layer turns them into `extensions.code` (and, for bad
arguments, `extensions.argument`) so clients can branch on codes rather than messages.
"""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    """`errors[].extensions.code`: why a field, an operation or a whole request failed."""

    BAD_USER_INPUT = "BAD_USER_INPUT"
    NOT_FOUND = "NOT_FOUND"
    FORBIDDEN = "FORBIDDEN"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    GRAPHQL_PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
    GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
    QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"
    INTERNAL_ERROR = "INTERNAL_ERROR"
    # Answered over HTTP before any GraphQL work, with the status in parentheses.
    BAD_REQUEST = "BAD_REQUEST"
    METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
    NOT_ACCEPTABLE = "NOT_ACCEPTABLE"
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
    SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
    OVERLOADED = "OVERLOADED"
    THROTTLED = "THROTTLED"
    LINK_EXPIRED = "LINK_EXPIRED"
    PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
    OPERATION_NOT_REGISTERED = "OPERATION_NOT_REGISTERED"


MEANINGS: dict[ErrorCode, str] = {
    ErrorCode.BAD_USER_INPUT: (
        "A malformed or out-of-range argument or variable; `extensions.argument` names it "
        "(`first`, `filter.specs.0.attribute`, a variable's name). Nothing ran for it."
    ),
    ErrorCode.NOT_FOUND: (
        "The id names nothing the caller may see. Over HTTP (404): a download link that is "
        "malformed, altered or not ours."
    ),
    ErrorCode.FORBIDDEN: (
        "The caller lacks the permission the field or operation declares; the field is null."
    ),
    ErrorCode.UNAUTHENTICATED: (
        "Sign in (or refresh the session) first. Over HTTP (401): the bearer token or API key "
        "sent is unknown, expired or revoked."
    ),
    ErrorCode.GRAPHQL_PARSE_FAILED: "The document is not valid GraphQL syntax.",
    ErrorCode.GRAPHQL_VALIDATION_FAILED: (
        "The document does not fit the schema, or breaks a limit (depth, aliases, directives, "
        "one operation per request)."
    ),
    ErrorCode.QUERY_TOO_COMPLEX: (
        "The operation would read more than `MAX_QUERY_COST` objects; nothing ran."
    ),
    ErrorCode.INTERNAL_ERROR: (
        "Unexpected: the details are in the server log under `extensions.requestId`, never in "
        "the response."
    ),
    ErrorCode.BAD_REQUEST: (
        "(400) The body is not one GraphQL request: not `application/json`, not UTF-8 or "
        "JSON, a batch, no `query`, `variables` that are not an object, an `operationName` "
        "the document does not have, or a document with no operation. A persisted query "
        "whose `version` is not 1, whose `sha256Hash` is not 64 lower-case hex digits, or "
        "whose `query` does not hash to it (`provided sha does not match query`). For an "
        "upload: no "
        "preflight header, a body breaking the multipart request specification, or more "
        "files than `MAX_UPLOAD_FILES`; the message says which."
    ),
    ErrorCode.METHOD_NOT_ALLOWED: (
        "(405) A mutation over GET, or a method other than GET, POST or OPTIONS; `Allow` lists "
        "the methods that are."
    ),
    ErrorCode.NOT_ACCEPTABLE: (
        "(406) The `Accept` header accepts neither `application/graphql-response+json` nor "
        "`application/json`."
    ),
    ErrorCode.PAYLOAD_TOO_LARGE: (
        "(413) The body, or an upload's `operations` or `map` part, is larger than "
        "`MAX_BODY_BYTES`; or an upload's whole body is larger than `MAX_UPLOAD_BYTES`. "
        "Refused as soon as it is known, without reading the rest."
    ),
    ErrorCode.SERVICE_UNAVAILABLE: (
        "(503) The database is down or unreachable; the answer has no `data`. Send the request "
        "again after the seconds in the `Retry-After` header. A mutation that lost its "
        "connection while committing may have been applied: retry it with the same "
        "idempotency key (where it takes one), which never applies it twice."
    ),
    ErrorCode.OVERLOADED: (
        "(503) No database connection came free within `DATABASE_POOL_TIMEOUT_SECONDS`; the "
        "answer has no `data`. The field that waited ran no SQL and changed nothing. Send "
        "the request again after the seconds in `Retry-After`, with the same idempotency "
        "keys for mutations that take one."
    ),
    ErrorCode.THROTTLED: (
        "(429) The caller's budget of query-cost points holds less than the operation would "
        "cost; nothing ran. Send it again after the seconds in `Retry-After`, when enough "
        "points are restored (docs/api/limits.md)."
    ),
    ErrorCode.LINK_EXPIRED: (
        "(410) A genuine download link whose time is up, or whose file is no longer kept; "
        "ask `downloadLink` for a new one."
    ),
    ErrorCode.PERSISTED_QUERY_NOT_FOUND: (
        "(200, message `PersistedQueryNotFound`, as Apollo clients expect) The hash of an "
        "automatic persisted query is not known (yet, any more, or while the cache is down): "
        "send it again with the document in `query`. Apollo clients do this by themselves."
    ),
    ErrorCode.OPERATION_NOT_REGISTERED: (
        "(403) With `ANONYMOUS_OPERATIONS=registered`, anonymous callers and storefront keys "
        "may run only operations registered with `tradeql operations register`; this one "
        "is not. Nothing ran."
    ),
}

# The HTTP status of each request-level failure.
HTTP_STATUS_CODES: dict[int, ErrorCode] = {
    400: ErrorCode.BAD_REQUEST,
    401: ErrorCode.UNAUTHENTICATED,
    405: ErrorCode.METHOD_NOT_ALLOWED,
    406: ErrorCode.NOT_ACCEPTABLE,
    413: ErrorCode.PAYLOAD_TOO_LARGE,
    429: ErrorCode.THROTTLED,
}


class TradeQLError(Exception):
    """An expected failure whose message is safe to show to the caller."""

    code: ErrorCode = ErrorCode.INTERNAL_ERROR

    def __init__(self, message: str, *, argument: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.argument = argument


class BadUserInput(TradeQLError):
    """A malformed or out-of-range argument; `argument` names it (`first`, `filter.category`)."""

    code = ErrorCode.BAD_USER_INPUT


class NotFound(TradeQLError):
    code = ErrorCode.NOT_FOUND


class Forbidden(TradeQLError):
    code = ErrorCode.FORBIDDEN


class Unauthenticated(TradeQLError):
    """The field needs a signed-in user: log in (or refresh the session) first."""

    code = ErrorCode.UNAUTHENTICATED


class QueryTooComplex(TradeQLError):
    """The operation would read more than one request may (`MAX_QUERY_COST`); nothing ran."""

    code = ErrorCode.QUERY_TOO_COMPLEX


class Throttled(TradeQLError):
    """The caller's budget cannot pay for the operation yet; nothing ran."""

    code = ErrorCode.THROTTLED

    def __init__(self, message: str, *, retry_after_seconds: int) -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds
