"""How errors reach clients: a stable `extensions.code` and the request id, nothing more.

Expected errors (`core.errors.TradeQLError`) keep their message; parse and validation errors
keep theirs, minus "Did you mean" suggestions outside development (they map the schema for an
attacker); anything else is masked as INTERNAL_ERROR and logged in full with the request id.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from graphql import GraphQLError

from core.errors import BadUserInput, ErrorCode, TradeQLError
from schema.argument_paths import argument_path_at

logger = logging.getLogger("tradeql.graphql")

_SUGGESTION = re.compile(r"\s*Did you mean .*\?$", re.DOTALL)
_VARIABLE = re.compile(r"^Variable '\$(\w+)'")
INTERNAL_MESSAGE = "Internal server error. Quote the request id when reporting it."


def present_errors(
    errors: list[GraphQLError], *, request_id: str | None, development: bool
) -> list[dict[str, Any]]:
    """The errors as the client sees them, formatted for the response body.

    Applied to the final result rather than in a schema extension, so errors raised before
    the operation hooks run (parse errors from the parser cache) are presented too.
    """
    return [dict(_present(error, request_id, development).formatted) for error in errors]


def is_unexpected(error: GraphQLError) -> bool:
    """True for an error a client cannot have caused: it is masked as INTERNAL_ERROR."""
    original = error.original_error
    return original is not None and not isinstance(original, TradeQLError | GraphQLError)


def _present(error: GraphQLError, request_id: str | None, development: bool) -> GraphQLError:
    original = error.original_error
    extensions: dict[str, Any] = {"requestId": request_id}
    message = error.message
    refusal = _refused_while_coercing(error)
    if refusal is not None:
        extensions["code"] = refusal.code.value
        argument = _coerced_argument(error)
        if argument:
            extensions["argument"] = argument
            if not _VARIABLE.match(message):
                message = f"Argument '{argument}' {refusal.message}"
    elif isinstance(original, TradeQLError):
        extensions["code"] = original.code.value
        if original.argument:
            extensions["argument"] = original.argument
            message = f"Argument '{original.argument}' {original.message}"
    elif original is None or isinstance(original, GraphQLError):
        code, argument = _classify(error)
        extensions["code"] = code.value
        if argument:
            extensions["argument"] = argument
        if not development:
            message = _SUGGESTION.sub("", message)
    else:
        logger.error(
            "unexpected error while resolving %s",
            ".".join(map(str, error.path or [])) or "the operation",
            exc_info=original,
            extra={"request_id": request_id},
        )
        extensions["code"] = ErrorCode.INTERNAL_ERROR.value
        message = INTERNAL_MESSAGE
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions=extensions,
    )


def _refused_while_coercing(error: GraphQLError) -> BadUserInput | None:
    """The refusal a scalar raised while graphql-core coerced an argument, before any resolver.

    graphql-core wraps it (once for a literal, twice for a variable); its message then says
    where the value was, and the refusal why.
    """
    if error.path is not None:
        return None
    cause: BaseException | None = error.original_error
    while isinstance(cause, GraphQLError):
        cause = cause.original_error
    return cause if isinstance(cause, BadUserInput) else None


def _coerced_argument(error: GraphQLError) -> str | None:
    """The variable holding the refused value, or the argument path of the refused literal."""
    variable = _VARIABLE.match(error.message)
    if variable:
        return variable.group(1)
    if error.source is None or not error.positions:
        return None
    return argument_path_at(error.source, next(iter(error.positions)))


def _classify(error: GraphQLError) -> tuple[ErrorCode, str | None]:
    if error.message.startswith("Syntax Error"):
        return ErrorCode.GRAPHQL_PARSE_FAILED, None
    variable = _VARIABLE.match(error.message)
    if variable:
        return ErrorCode.BAD_USER_INPUT, variable.group(1)
    return ErrorCode.GRAPHQL_VALIDATION_FAILED, None
