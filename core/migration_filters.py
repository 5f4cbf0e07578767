"""Which schema objects Alembic considers on a given database dialect.

Kept out of `migrations/env.py` (which runs migrations when imported) so the drift tests apply
exactly the filter autogenerate uses.
"""

from __future__ import annotations

from typing import Any


def include_object(
    obj: Any, _name: str | None, _type: str, _reflected: bool, _compare_to: Any, *, dialect: str
) -> bool:
    """Skip objects declared for another dialect (`info={"only_on": "postgresql"}`)."""
    only_on = getattr(obj, "info", {}).get("only_on")
    return only_on is None or only_on == dialect
