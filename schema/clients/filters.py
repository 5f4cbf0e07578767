"""The staff company listing's filter and orders."""

from __future__ import annotations

from decimal import Decimal
from enum import Enum

import strawberry

from admin_queries import clients as company_listing
from models.clients import ClientCompany
from schema.decimal_input import BOUND_KEY, DecimalBound, lands_in

Sort = company_listing.CompanySort
# A share is no column: its bound is the listing's own.
SHARE_BOUND = {BOUND_KEY: DecimalBound(company_listing.MAX_SHARE, "a share of the credit limit")}


@strawberry.enum(description="Orders of the staff company listing; each pages with cursors.")
class ClientCompanySort(Enum):
    NAME = strawberry.enum_value(Sort.NAME.value, description="By name, A to Z (the default).")
    CREDIT_USED = strawberry.enum_value(
        Sort.CREDIT_USED.value,
        description=(
            "Most credit used first (`creditUsed`, in each company's credit currency); needs "
            "`finance:read`."
        ),
    )
    OVERDUE_AMOUNT = strawberry.enum_value(
        Sort.OVERDUE.value,
        description=(
            "Most overdue first, by the figure stored at the company's last change of what it "
            "owes or by the daily roll-forward (a company whose due date passed since sorts by "
            "that figure until then); needs `finance:read`."
        ),
    )


@strawberry.input(description="Conditions on client companies; all given must hold.")
class ClientCompanyFilter:
    country: str | None = strawberry.field(
        default=None, description="Only companies of this country (ISO 3166-1 alpha-2, e.g. DE)."
    )
    credit_used_above: Decimal | None = strawberry.field(
        default=None,
        description=(
            'Only companies using more than this share of their credit limit: "0.8" is 80 %, '
            '"1" over the limit; from 0 to 1000. A company with no limit that owes anything '
            "is above any share. Needs `finance:read`."
        ),
        metadata=SHARE_BOUND,
    )
    overdue_at_least: Decimal | None = strawberry.field(
        default=None,
        description=(
            "Only companies owing at least this much past due today (`overdueAmount`, in each "
            "company's credit currency); not negative. Exact on the day asked. Needs "
            "`finance:read`."
        ),
        metadata=lands_in(ClientCompany.overdue_amount),
    )

    def to_resolver(self) -> company_listing.CompanyFilter:
        return company_listing.CompanyFilter(
            country=self.country,
            credit_used_above=self.credit_used_above,
            overdue_at_least=self.overdue_at_least,
        )
