"""The media type of a GraphQL response, and its HTTP status (GraphQL over HTTP, draft).

`application/graphql-response+json` is the specification's own type: a request error (parse,
validation, variables that do not coerce; anything that stops execution from starting) gets
400 and no `data`. `application/json` is the legacy type and our default: such errors come in a
200 with `"data": null`, as they always have here. Which one a client gets follows its `Accept`
header by quality, then specificity; a tie, no header, or `*/*` picks `application/json`.
"""

from __future__ import annotations

from strawberry.types import ExecutionResult

from schema.errors import is_unexpected

JSON = "application/json"
GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
# In order of preference when the client's `Accept` rates them equally.
SUPPORTED = (JSON, GRAPHQL_RESPONSE_JSON)


def negotiate(accept: str | None) -> str | None:
    """The supported media type `accept` prefers, or None when it accepts neither."""
    if accept is None or not accept.strip():
        return JSON
    ranges = [_media_range(part) for part in accept.split(",") if part.strip()]
    best, best_quality = None, 0.0
    for candidate in SUPPORTED:
        quality = _quality(candidate, ranges)
        if quality > best_quality:
            best, best_quality = candidate, quality
    return best


def execution_started(result: ExecutionResult) -> bool:
    """False when the errors came before execution: only then is there no `data` at all.

    A field error always has a path, even when it nulled the whole `data`.
    """
    return result.data is not None or any(error.path for error in result.errors or ())


def status_for(media_type: str, result: ExecutionResult) -> int:
    if media_type == JSON or execution_started(result):
        return 200
    # Execution never started: the request's fault, unless something of ours broke first.
    return 500 if any(map(is_unexpected, result.errors or ())) else 400


def _media_range(text: str) -> tuple[str, float]:
    name, *parameters = (piece.strip() for piece in text.split(";"))
    quality = 1.0
    for parameter in parameters:
        key, _, value = parameter.partition("=")
        if key.strip().lower() == "q":
            try:
                quality = min(max(float(value), 0.0), 1.0)
            except ValueError:
                quality = 0.0
    return name.lower(), quality


def _quality(candidate: str, ranges: list[tuple[str, float]]) -> float:
    """The quality of the most specific range matching `candidate` (RFC 9110, 12.5.1)."""
    kind = candidate.split("/")[0] + "/*"
    specificity_of = {candidate: 2, kind: 1, "*/*": 0}
    best_specificity, quality = -1, 0.0
    for name, range_quality in ranges:
        specificity = specificity_of.get(name, -1)
        if specificity > best_specificity:
            best_specificity, quality = specificity, range_quality
    return quality
