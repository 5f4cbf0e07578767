"""`receivablesAging`: what each client owed on a day, by how long overdue. Needs
`finance:read`."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Self

import strawberry

from admin_queries.reports import aging
from auth.policy import Permission
from models.money import round_money
from schema.clients.types import ClientCompany
from schema.info import Info
from schema.money import Money
from schema.permissions import permission_field


def _money(amount: Decimal, currency: str) -> Money:
    return Money(amount=round_money(amount, currency), currency=currency)


@strawberry.type(description="What was owed in one currency, by days past the due date.")
class AgingBuckets:
    currency: str = strawberry.field(description="ISO 4217 code of every amount here.")
    current: Money = strawberry.field(
        description="Not yet due on the day (due that day or later, or no due date yet)."
    )
    days_1_to_30: Money = strawberry.field(name="days1To30", description="Overdue by 1 to 30 days.")
    days_31_to_60: Money = strawberry.field(
        name="days31To60", description="Overdue by 31 to 60 days."
    )
    days_61_to_90: Money = strawberry.field(
        name="days61To90", description="Overdue by 61 to 90 days."
    )
    over_90_days: Money = strawberry.field(description="Overdue by more than 90 days.")
    overdue: Money = strawberry.field(description="Overdue by any number of days.")
    total: Money = strawberry.field(description="Everything owed: current and overdue.")

    @classmethod
    def from_buckets(cls, buckets: aging.AgingBuckets) -> Self:
        currency = buckets.currency
        return cls(
            currency=currency,
            current=_money(buckets.current, currency),
            days_1_to_30=_money(buckets.days_1_to_30, currency),
            days_31_to_60=_money(buckets.days_31_to_60, currency),
            days_61_to_90=_money(buckets.days_61_to_90, currency),
            over_90_days=_money(buckets.over_90_days, currency),
            overdue=_money(buckets.overdue, currency),
            total=_money(buckets.total, currency),
        )


@strawberry.type(description="What one client owed in one currency, by age.")
class AgingRow:
    client: ClientCompany = strawberry.field(description="The client company.")
    buckets: AgingBuckets = strawberry.field(description="Its amounts by age.")


@strawberry.type(description="Receivables aging on a day, per client and currency.")
class ReceivablesAging:
    as_of: date = strawberry.field(description="The day (local) at whose end it is counted.")
    rows: list[AgingRow] = strawberry.field(
        description="Per client and currency, most over 90 days overdue first, then most overdue."
    )
    totals: list[AgingBuckets] = strawberry.field(
        description="Per currency, over every client (not only the rows listed), by code."
    )

    @classmethod
    def from_report(cls, report: aging.ReceivablesAging) -> Self:
        return cls(
            as_of=report.as_of,
            rows=[
                AgingRow(
                    client=ClientCompany.from_row(row.client),
                    buckets=AgingBuckets.from_buckets(row.buckets),
                )
                for row in report.rows
            ],
            totals=[AgingBuckets.from_buckets(buckets) for buckets in report.totals],
        )


@strawberry.type
class AgingQuery:
    @permission_field(
        Permission.FINANCE_READ,
        description=(
            "What clients owed when `asOf` ended (a local day of REPORTING_TIMEZONE; today "
            "when not given), per client and currency, in buckets of days past the due date: "
            "current, 1-30, 31-60, 61-90, over 90. Only balances still owed on that day."
        ),
    )
    async def receivables_aging(
        self,
        info: Info,
        as_of: Annotated[
            date | None,
            strawberry.argument(description="The day; today when not given, never later."),
        ] = None,
        first: Annotated[
            int, strawberry.argument(description="How many rows, from 1 to 100.")
        ] = 50,
        client_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Only this client company's (its global id)."),
        ] = None,
    ) -> ReceivablesAging | None:
        report = await aging.receivables_aging(
            info.context, as_of=as_of, first=first, client=client_id
        )
        return ReceivablesAging.from_report(report)
