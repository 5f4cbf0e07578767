"""Expected errors with stable codes. Anything else is unexpected: masked, logged, never shown.

Resolvers raise these; the GraphQL layer turns them into `extensions.code` (and, for bad
arguments, `extensions.argument`) so clients can branch on codes rather than messages.
"""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    BAD_USER_INPUT = "BAD_USER_INPUT"
    NOT_FOUND = "NOT_FOUND"
    FORBIDDEN = "FORBIDDEN"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    GRAPHQL_PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
    GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
    QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"
    INTERNAL_ERROR = "INTERNAL_ERROR"


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
