"""Case-insensitive prefix search for staff lists: `lower(column) LIKE lower('text%')`.

LIKE's own characters (`%`, `_`) and the escape character in the searched text are taken
literally, so a search for "50%" finds "50% cotton" and not everything. On PostgreSQL a
`lower(column) text_pattern_ops` index serves the condition as a range.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, func, literal

ESCAPE = "/"


def like_prefix(text: str) -> str:
    """The LIKE pattern of the values starting with `text`, taken literally."""
    escaped = text.replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%").replace("_", ESCAPE + "_")
    return escaped + "%"


def starts_with(column: Any, text: str) -> ColumnElement[bool]:
    """`column` starts with `text`, in any case."""
    return func.lower(column).like(func.lower(literal(like_prefix(text))), escape=ESCAPE)
