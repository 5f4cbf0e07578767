"""The reports' query fields, one class per report, merged into `Query` together."""

from __future__ import annotations

import strawberry

from schema.reports.margin import MarginReportQuery
from schema.reports.sales import SalesReportQuery


@strawberry.type
class ReportQuery(SalesReportQuery, MarginReportQuery):
    pass
