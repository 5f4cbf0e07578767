"""`salesReport`: sales by month, country, category, product or client (`reports:read`)."""

from __future__ import annotations

from decimal import Decimal
from enum import Enum
from typing import Annotated, Self, cast

import strawberry

from admin_queries.reports import sales
from admin_queries.reports.report_scope import report_scope
from auth.policy import Permission
from resolvers.pagination import check_page_size
from resolvers.reports.periods import month_text
from schema.counts import BigInt
from schema.info import Info
from schema.permissions import permission_field
from schema.reports.arguments import FromMonth, ReportingCurrency, ToMonth

By = sales.SalesBy


@strawberry.enum(description="What the rows of a sales report are.")
class SalesDimension(Enum):
    MONTH = strawberry.enum_value(
        By.MONTH.value, description="Each month of the range, in order, months without sales too."
    )
    COUNTRY = strawberry.enum_value(
        By.COUNTRY.value,
        description=(
            "Destination countries (the shipping address's, else the client's), by ISO code."
        ),
    )
    CATEGORY = strawberry.enum_value(
        By.CATEGORY.value, description="Categories, summing their products as classified now."
    )
    PRODUCT = strawberry.enum_value(By.PRODUCT.value, description="Products.")
    CLIENT = strawberry.enum_value(
        By.CLIENT.value, description="Client companies: with `first`, the top clients."
    )


@strawberry.type(description="Sales of one key of a report, or its total.")
class SalesReportRow:
    key: str = strawberry.field(
        description=(
            "The month (YYYY-MM), the ISO country code, or the global id of the product, "
            "category or client company; empty for the total."
        )
    )
    label: str = strawberry.field(
        description="The month, the country code, or the name of the product, category or client."
    )
    order_count: int | None = strawberry.field(
        description=(
            "Orders counted. Null for a category: an order holding several of its products "
            "would count once per product."
        )
    )
    quantity: BigInt = strawberry.field(
        description="Units ordered (a string of digits: sums over years pass 32 bits)."
    )
    amount: Decimal = strawberry.field(
        description="Sales in the reporting currency, rounded to its minor unit."
    )
    share: Decimal | None = strawberry.field(
        description="Percentage of the total amount, to 2 places; null for the total row."
    )

    @classmethod
    def from_row(cls, row: sales.SalesRow) -> Self:
        return cls(
            key=row.key,
            label=row.label,
            order_count=row.order_count,
            quantity=BigInt(row.quantity),
            amount=row.amount,
            share=row.share,
        )


@strawberry.type(
    description=(
        "Orders whose currency had no rate into the reporting currency when they were "
        "placed: left out of the figures, and named here, in their own currency."
    )
)
class UnconvertedSales:
    currency: str = strawberry.field(description="The orders' currency (ISO 4217).")
    order_count: int = strawberry.field(description="Orders not converted.")
    amount: Decimal = strawberry.field(description="Their total, in their own currency.")


@strawberry.type(description="Sales of a range of months in one reporting currency.")
class SalesReport:
    currency: str = strawberry.field(description="The reporting currency of every amount.")
    from_month: str = strawberry.field(description="The first month (YYYY-MM).")
    to_month: str = strawberry.field(description="The last month (YYYY-MM).")
    rows: list[SalesReportRow] = strawberry.field(
        description="Most sales first (by MONTH: each month in order)."
    )
    total: SalesReportRow = strawberry.field(description="All orders of the range.")
    unconverted: list[UnconvertedSales] = strawberry.field(
        description="Orders not in the figures because they could not be converted."
    )

    @classmethod
    def from_report(cls, report: sales.SalesReport) -> Self:
        return cls(
            currency=report.scope.currency,
            from_month=month_text(report.scope.first_month),
            to_month=month_text(report.scope.last_month),
            rows=[SalesReportRow.from_row(row) for row in report.rows],
            total=SalesReportRow.from_row(report.total),
            unconverted=[
                UnconvertedSales(
                    currency=apart.currency, order_count=apart.order_count, amount=apart.amount
                )
                for apart in report.unconverted
            ],
        )


@strawberry.type
class SalesReportQuery:
    @permission_field(
        Permission.REPORTS_READ,
        description=(
            "Sales (orders placed and not cancelled) of a range of months, in a reporting "
            "currency: each order converted at the rate in force when it was placed. "
            "See docs/api/reports.md."
        ),
    )
    async def sales_report(
        self,
        info: Info,
        currency: ReportingCurrency,
        from_month: FromMonth,
        to_month: ToMonth,
        by: Annotated[SalesDimension, strawberry.argument(description="What the rows are.")],
        first: Annotated[
            int, strawberry.argument(description="Rows at most, 1 to 100 (not for MONTH).")
        ] = 50,
    ) -> SalesReport | None:
        ctx = info.context
        scope = report_scope(ctx.settings, currency, from_month, to_month)
        report = await sales.sales_report(
            ctx.session, scope, By(cast(str, by.value)), check_page_size(first)
        )
        return SalesReport.from_report(report)
