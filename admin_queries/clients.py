"""The staff listing of client companies: searched, filtered, in one of several orders.

Only `clientCompanies` reaches it, behind `clients:read`, which no client user holds. Its
rows and its count still go through the caller's visibility clause (`loaders.clients`), so
even called past that gate it never shows, or counts, a company the caller may not see.
Filtering or sorting on the credit standing reveals it, so that needs `finance:read` as the
figures themselves do.

Credit used and the overdue amount are read from the company row, where every transaction
that changes them stores them (`resolvers/orders/standing.py`), so they filter and sort by
index. The overdue filter is exact on the day it is asked: a company whose stored figure time
has overtaken (`next_due_on` before today) adds its dues that have fallen past due since.
Sorting uses the stored figure; such a company sorts by it until its next write or the
daily `tradeql clients roll-overdue`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_
from sqlmodel import col, select

from auth.policy import Permission
from core.errors import BadUserInput, Forbidden
from loaders.clients import CLIENT_COMPANY_BY_ID
from models.clients import ClientCompany, ClientDue
from resolvers.context import Context
from resolvers.keyset import KeyKind, KeysetOrder, SortKey, keyset_page
from resolvers.pagination import Page

MAX_SEARCH_LENGTH = 100
# A share of the credit limit: 0.8 is 80 %; above 1000 times the limit nothing is told apart.
MAX_SHARE = Decimal(1000)
COMPANY_ID = SortKey(col(ClientCompany.id), KeyKind.INT)


class CompanySort(StrEnum):
    NAME = "name"
    CREDIT_USED = "credit_used"
    OVERDUE = "overdue"


ORDERS = {
    # The tag "company_name" is the one this listing's cursors carried before it had orders.
    CompanySort.NAME: KeysetOrder(
        "company_name", (SortKey(col(ClientCompany.name), KeyKind.TEXT), COMPANY_ID)
    ),
    CompanySort.CREDIT_USED: KeysetOrder(
        "company_credit_used",
        (
            SortKey(col(ClientCompany.credit_used), KeyKind.DECIMAL, descending=True),
            SortKey(col(ClientCompany.id), KeyKind.INT, descending=True),
        ),
    ),
    CompanySort.OVERDUE: KeysetOrder(
        "company_overdue",
        (
            SortKey(col(ClientCompany.overdue_amount), KeyKind.DECIMAL, descending=True),
            SortKey(col(ClientCompany.id), KeyKind.INT, descending=True),
        ),
    ),
}
KEY_OF = {
    CompanySort.NAME: lambda row: (row.name, row.id),
    CompanySort.CREDIT_USED: lambda row: (row.credit_used, row.id),
    CompanySort.OVERDUE: lambda row: (row.overdue_amount, row.id),
}


@dataclass(frozen=True)
class CompanyFilter:
    """Conditions on companies; all given must hold."""

    country: str | None = None
    credit_used_above: Decimal | None = None  # a share of the credit limit
    overdue_at_least: Decimal | None = None  # in the company's credit currency

    @property
    def on_standing(self) -> bool:
        return self.credit_used_above is not None or self.overdue_at_least is not None


def overdue_on(today: date) -> ColumnElement[Any]:
    """The company's overdue amount on `today`: stored, plus dues past due since the write."""
    since = (
        select(func.coalesce(func.sum(col(ClientDue.amount)), 0))
        .where(col(ClientDue.company_id) == col(ClientCompany.id), col(ClientDue.due_date) < today)
        .scalar_subquery()
    )
    return col(ClientCompany.overdue_amount) + since


def overdue_at_least(amount: Decimal, today: date) -> ColumnElement[bool]:
    """Exact on `today`; the stored figure's index serves every company time has not overtaken."""
    next_due = col(ClientCompany.next_due_on)
    return or_(
        and_(
            or_(next_due.is_(None), next_due >= today),
            col(ClientCompany.overdue_amount) >= amount,
        ),
        and_(next_due < today, overdue_on(today) >= amount),
    )


def _conditions(given: CompanyFilter, today: date) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if given.country is not None:
        country = given.country.strip().upper()
        if len(country) != 2 or not country.isascii() or not country.isalpha():
            raise BadUserInput(
                "must be an ISO 3166-1 alpha-2 code such as DE", argument="filter.country"
            )
        conditions.append(col(ClientCompany.country) == country)
    share = given.credit_used_above
    if share is not None:
        if not Decimal(0) <= share <= MAX_SHARE:
            raise BadUserInput(
                f"must be a share from 0 to {MAX_SHARE} (0.8 is 80 %)",
                argument="filter.creditUsedAbove",
            )
        conditions.append(col(ClientCompany.credit_used) > col(ClientCompany.credit_limit) * share)
    if given.overdue_at_least is not None:
        if given.overdue_at_least < 0:
            raise BadUserInput("must not be negative", argument="filter.overdueAtLeast")
        conditions.append(overdue_at_least(given.overdue_at_least, today))
    return conditions


async def list_client_companies(
    ctx: Context,
    *,
    first: int,
    after: str | None,
    search: str | None,
    company_filter: CompanyFilter | None = None,
    sort: CompanySort = CompanySort.NAME,
) -> Page[ClientCompany]:
    """Companies the caller may see whose name contains `search` (any case), meeting the
    filter, in the order asked for; one statement a page, one more for the count."""
    given = company_filter or CompanyFilter()
    if (given.on_standing or sort is not CompanySort.NAME) and not ctx.principal.can(
        Permission.FINANCE_READ
    ):
        raise Forbidden(
            "filtering or sorting on credit used or overdue amounts needs finance:read",
            argument="filter" if given.on_standing else "sortBy",
        )
    conditions = [ctx.loaders.visible(CLIENT_COMPANY_BY_ID)]
    if search is not None and search.strip():
        if len(search) > MAX_SEARCH_LENGTH:
            raise BadUserInput(f"must be at most {MAX_SEARCH_LENGTH} characters", argument="search")
        conditions.append(col(ClientCompany.name).icontains(search.strip(), autoescape=True))
    conditions += _conditions(given, datetime.now(UTC).date())
    page = await keyset_page(
        ctx.session,
        ORDERS[sort],
        select(ClientCompany).where(*conditions),
        first=first,
        after=after,
        key_of=KEY_OF[sort],
    )
    for row in page.rows:
        ctx.loaders.prime(CLIENT_COMPANY_BY_ID, row.id, row)
    return page
