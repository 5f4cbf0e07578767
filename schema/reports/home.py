"""`home`: the back office's first screen in one query. Each figure is gated by its report's
permission, so a caller sees the figures they may and null (with FORBIDDEN) for the rest."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

import strawberry

from admin_queries.reports import aging, coverage, funnel, home, sales
from admin_queries.reports.report_scope import reporting_currency
from auth.policy import Permission
from resolvers.reports.periods import local_today
from schema.info import Info
from schema.permissions import StaffOrApiKeyGate, permission_field


@strawberry.type(description="Orders placed in a period, in the reporting currency.")
class PeriodSales:
    order_count: int = strawberry.field(description="Orders placed and not cancelled.")
    amount: Decimal = strawberry.field(
        description="Their value, each converted at the rate in force when it was placed."
    )
    unconverted_orders: int = strawberry.field(
        description=(
            "Orders left out of `amount`: their currency had no rate into the reporting "
            "currency when they were placed (salesReport names them)."
        )
    )

    @classmethod
    def of(cls, figures: sales.PeriodSales) -> PeriodSales:
        return cls(
            order_count=figures.order_count,
            amount=figures.amount,
            unconverted_orders=figures.unconverted_orders,
        )


@strawberry.type(description="Inquiries waiting for a first quote, by days since submission.")
class OpenInquiryAges:
    submitted_today: int = strawberry.field(description="Submitted today.")
    one_to_seven_days: int = strawberry.field(description="Submitted 1 to 7 days ago.")
    eight_to_thirty_days: int = strawberry.field(description="Submitted 8 to 30 days ago.")
    over_thirty_days: int = strawberry.field(description="Submitted more than 30 days ago.")
    total: int = strawberry.field(description="All inquiries waiting for a first quote.")


@strawberry.type(description="Quotes sent and still valid that the buyer has not accepted.")
class QuotesAwaitingAnswer:
    count: int = strawberry.field(description="Open quotes still valid.")
    expiring_within_seven_days: int = strawberry.field(
        description="Of those, the ones whose validity ends within seven days."
    )


@strawberry.type(description="What clients owe in one currency, today, by age.")
class OverdueReceivables:
    currency: str = strawberry.field(description="The receivables' currency (ISO 4217).")
    overdue: Decimal = strawberry.field(description="Owed past its due date.")
    over_90_days: Decimal = strawberry.field(description="Owed more than 90 days past due.")
    total_owed: Decimal = strawberry.field(description="Everything owed, due or not yet.")


@strawberry.type(description="The back office's first screen; each figure has its own gate.")
class HomeScreen:
    currency: str = strawberry.field(description="The reporting currency of every amount.")
    today: date = strawberry.field(description="Today in REPORTING_TIMEZONE.")

    @permission_field(Permission.REPORTS_READ, description="Orders placed today.")
    async def orders_today(self, info: Info) -> PeriodSales | None:
        return PeriodSales.of(await sales.sales_of_day(info.context, self.currency, self.today))

    @permission_field(Permission.REPORTS_READ, description="Orders placed this month.")
    async def orders_this_month(self, info: Info) -> PeriodSales | None:
        month = month_of_day(self.today)
        return PeriodSales.of(await sales.sales_of_month(info.context, self.currency, month))

    @permission_field(
        Permission.REPORTS_READ, description="Inquiries waiting for a first quote, by age."
    )
    async def open_inquiries(self, info: Info) -> OpenInquiryAges | None:
        ages = await funnel.open_inquiries_by_age(info.context, today=self.today)
        return OpenInquiryAges(
            submitted_today=ages.submitted_today,
            one_to_seven_days=ages.one_to_seven_days,
            eight_to_thirty_days=ages.eight_to_thirty_days,
            over_thirty_days=ages.over_thirty_days,
            total=ages.total,
        )

    @permission_field(Permission.REPORTS_READ, description="Quotes awaiting the buyer's answer.")
    async def quotes_awaiting_answer(self, info: Info) -> QuotesAwaitingAnswer | None:
        waiting = await funnel.quotes_awaiting_answer(info.context)
        return QuotesAwaitingAnswer(
            count=waiting.count, expiring_within_seven_days=waiting.expiring_within_seven_days
        )

    @permission_field(
        Permission.ORDERS_READ_ALL,
        description=(
            "Shipments whose ETA falls in this week (Monday to Sunday) and whose order is "
            "not yet delivered or cancelled."
        ),
    )
    async def shipments_arriving_this_week(self, info: Info) -> int | None:
        zone = info.context.settings.reporting_zone
        return await home.shipments_arriving(info.context, self.today, zone)

    @permission_field(
        Permission.FINANCE_READ,
        description="What clients owe today, per currency; `receivablesAging` has each client.",
    )
    async def overdue_receivables(self, info: Info) -> list[OverdueReceivables] | None:
        return [
            OverdueReceivables(
                currency=buckets.currency,
                overdue=buckets.overdue,
                over_90_days=buckets.over_90_days,
                total_owed=buckets.total,
            )
            for buckets in await aging.overdue_receivables_totals(info.context)
        ]

    @permission_field(
        Permission.REPORTS_READ,
        description=(
            "Variants whose stock on hand will not cover open orders and open quotes; "
            "`stockCoverage(shortOnly: true)` lists them."
        ),
    )
    async def variants_short(self, info: Info) -> int | None:
        return await coverage.count_short_variants(info.context)


def month_of_day(day: date) -> date:
    return date(day.year, day.month, 1)


@strawberry.type
class HomeQuery:
    @strawberry.field(
        description=(
            "The back office's first screen in one query, for staff and staff API keys: each "
            "figure follows its report's permission (null with FORBIDDEN without it)."
        ),
        extensions=[StaffOrApiKeyGate("the home screen is shown")],
    )
    def home(
        self,
        info: Info,
        currency: Annotated[
            str | None,
            strawberry.argument(
                description="One of REPORTING_CURRENCIES; the first of them when not given."
            ),
        ] = None,
    ) -> HomeScreen | None:
        settings = info.context.settings
        chosen = settings.reporting_currency_list[0] if currency is None else currency
        return HomeScreen(
            currency=reporting_currency(settings, chosen),
            today=local_today(settings.reporting_zone),
        )
