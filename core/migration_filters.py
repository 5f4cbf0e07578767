"""How Alembic sees the models: which schema objects it considers on a given database
dialect, and how our column types are written into new revisions.

Kept out of `migrations/env.py` (which runs migrations when imported) so the drift tests apply
exactly the filter autogenerate uses.
"""

from __future__ import annotations

from typing import Any, Literal

from sqlalchemy import Column
from sqlalchemy.types import TypeDecorator


def include_object(
    obj: Any, _name: str | None, _type: str, _reflected: bool, _compare_to: Any, *, dialect: str
) -> bool:
    """Skip objects declared for another dialect (`info={"only_on": "postgresql"}`), and on
    SQLite indexes on expressions, which it cannot reflect (so never compare) but does build."""
    if dialect == "sqlite" and _type == "index" and _on_expressions(obj):
        return False
    only_on = getattr(obj, "info", {}).get("only_on")
    return only_on is None or only_on == dialect


def _on_expressions(index: Any) -> bool:
    return any(not isinstance(part, Column) for part in getattr(index, "expressions", ()))


def render_item(type_: str, obj: Any, _autogen_context: Any) -> str | Literal[False]:
    """Write a wrapper type (`models.base.Moment`) as the plain type it stores, so a frozen
    revision never imports model code that may change after it; anything else as usual."""
    if type_ == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl!r}"
    return False
