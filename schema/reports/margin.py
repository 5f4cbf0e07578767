"""`marginReport`: revenue, cost and margin by product or category (`catalog:read_cost`)."""

from __future__ import annotations

from decimal import Decimal
from enum import Enum
from typing import Annotated, Self, cast

import strawberry

from admin_queries.reports import margin as margin_reads
from admin_queries.reports.report_scope import report_scope
from auth.policy import Permission
from resolvers.pagination import check_page_size
from resolvers.reports.periods import month_text
from schema.info import Info
from schema.permissions import permission_field
from schema.reports.arguments import FromMonth, ReportingCurrency, ToMonth

By = margin_reads.MarginBy


@strawberry.enum(description="What the rows of a margin report are.")
class MarginDimension(Enum):
    PRODUCT = strawberry.enum_value(By.PRODUCT.value, description="Products.")
    CATEGORY = strawberry.enum_value(
        By.CATEGORY.value, description="Categories, summing their products as classified now."
    )


@strawberry.type(
    description=(
        "Margin of one product or category, or of everything. Only lines that carry the "
        "cost snapshotted when they were ordered have a margin; the others are counted as "
        "revenue without cost, never priced at today's cost."
    )
)
class MarginReportRow:
    key: str = strawberry.field(
        description="The product's or category's global id; empty for the total."
    )
    label: str = strawberry.field(description="Its name; 'Total' for the total.")
    costed_revenue: Decimal = strawberry.field(description="Revenue of the lines with a cost.")
    cost: Decimal = strawberry.field(description="The cost of those lines.")
    margin: Decimal = strawberry.field(description="costedRevenue - cost; may be negative.")
    margin_percent: Decimal | None = strawberry.field(
        description="margin as a percentage of costedRevenue, to 2 places; null when it is 0."
    )
    uncosted_revenue: Decimal = strawberry.field(description="Revenue of the lines without cost.")
    uncosted_lines: int = strawberry.field(description="How many order lines had no cost.")

    @classmethod
    def from_row(cls, row: margin_reads.MarginRow) -> Self:
        return cls(
            key=row.key,
            label=row.label,
            costed_revenue=row.costed_revenue,
            cost=row.cost,
            margin=row.margin,
            margin_percent=row.margin_percent,
            uncosted_revenue=row.uncosted_revenue,
            uncosted_lines=row.uncosted_lines,
        )


@strawberry.type(description="Margins of a range of months in one reporting currency.")
class MarginReport:
    currency: str = strawberry.field(description="The reporting currency of every amount.")
    from_month: str = strawberry.field(description="The first month (YYYY-MM).")
    to_month: str = strawberry.field(description="The last month (YYYY-MM).")
    rows: list[MarginReportRow] = strawberry.field(
        description="Largest margin first, then most revenue without cost."
    )
    total: MarginReportRow = strawberry.field(description="All orders of the range.")

    @classmethod
    def from_report(cls, report: margin_reads.MarginReport) -> Self:
        return cls(
            currency=report.scope.currency,
            from_month=month_text(report.scope.first_month),
            to_month=month_text(report.scope.last_month),
            rows=[MarginReportRow.from_row(row) for row in report.rows],
            total=MarginReportRow.from_row(report.total),
        )


@strawberry.type
class MarginReportQuery:
    @permission_field(
        Permission.CATALOG_READ_COST,
        description=(
            "Revenue, cost and margin of the orders placed (and not cancelled) in a range "
            "of months, in a reporting currency, by product or category. Orders whose "
            "currency had no rate are left out (salesReport names them). "
            "See docs/api/reports.md."
        ),
    )
    async def margin_report(
        self,
        info: Info,
        currency: ReportingCurrency,
        from_month: FromMonth,
        to_month: ToMonth,
        by: Annotated[MarginDimension, strawberry.argument(description="What the rows are.")],
        first: Annotated[int, strawberry.argument(description="Rows at most, 1 to 100.")] = 50,
    ) -> MarginReport | None:
        ctx = info.context
        scope = report_scope(ctx.settings, currency, from_month, to_month)
        report = await margin_reads.margin_report(
            ctx.session, scope, By(cast(str, by.value)), check_page_size(first)
        )
        return MarginReport.from_report(report)
