"""The two shapes of row scoping every domain uses, as SQL conditions on the caller.

- A row that belongs to a client company: staff holding the domain's read permission see
  every row, a client user its own company's, everyone else none.
- A row under a parent (an order's line, a shipment's leg): visible exactly when its parent is.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, false, true
from sqlalchemy.sql.elements import False_, True_
from sqlmodel import select

from auth.policy import Permission
from auth.principal import Principal
from loaders.relations import Visibility


def own_company_rows(
    principal: Principal, company_column: Any, *, staff_permission: Permission
) -> ColumnElement[bool]:
    """Rows of the caller's own company, or every row for staff holding `staff_permission`."""
    if principal.can(staff_permission):
        return true()
    if principal.is_client and principal.client_company_id is not None:
        return company_column == principal.client_company_id  # type: ignore[no-any-return]
    return false()


def rows_under(parent_visible: Visibility, parent_id: Any, column: Any) -> Visibility:
    """Rows whose `column` points at a parent the caller may see (a line of a visible order)."""

    def visible(principal: Principal) -> ColumnElement[bool]:
        condition = parent_visible(principal)
        if isinstance(condition, True_ | False_):
            return condition
        return column.in_(select(parent_id).where(condition))  # type: ignore[no-any-return]

    return visible
