"""What `bench.reports` asks of a seeded order book: every report as a GraphQL document, with
the arguments a back office would give it, dated from the book's own history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from schema.reports.funnel import FunnelGrouping
from schema.reports.margin import MarginDimension
from schema.reports.sales import SalesDimension

SALES = """query($currency: String!, $from: String!, $to: String!, $by: SalesDimension!) {
  salesReport(currency: $currency, fromMonth: $from, toMonth: $to, by: $by) {
    currency fromMonth toMonth
    rows { key label orderCount quantity amount share }
    total { orderCount quantity amount }
    unconverted { currency orderCount amount } } }"""
MARGIN = """query($currency: String!, $from: String!, $to: String!, $by: MarginDimension!) {
  marginReport(currency: $currency, fromMonth: $from, toMonth: $to, by: $by) {
    rows { key label costedRevenue cost margin marginPercent uncostedRevenue uncostedLines }
    total { costedRevenue cost margin marginPercent uncostedRevenue uncostedLines } } }"""
FIGURES = "received quoted won lost open medianHoursToFirstQuote"
FUNNEL = f"""query($from: Date!, $to: Date!, $by: FunnelGrouping!) {{
  inquiryFunnel(from: $from, to: $to, by: $by) {{
    rows {{ source assignee {{ id fullName }} figures {{ {FIGURES} }} }}
    total {{ {FIGURES} }} }} }}"""
BUCKETS = """currency current { amount } days1To30 { amount } days31To60 { amount }
    days61To90 { amount } over90Days { amount } overdue { amount } total { amount }"""
AGING = f"""query($asOf: Date) {{
  receivablesAging(asOf: $asOf) {{
    asOf
    rows {{ client {{ id name }} buckets {{ {BUCKETS} }} }}
    totals {{ {BUCKETS} }} }} }}"""
COVERAGE = """query($shortOnly: Boolean!) {
  stockCoverage(shortOnly: $shortOnly) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { variant { id sku } onHand reserved quoted demand coverage } } }"""
HOME = """{ home {
  currency today
  ordersToday { orderCount amount unconvertedOrders }
  ordersThisMonth { orderCount amount unconvertedOrders }
  openInquiries { submittedToday oneToSevenDays eightToThirtyDays overThirtyDays total }
  quotesAwaitingAnswer { count expiringWithinSevenDays }
  shipmentsArrivingThisWeek
  overdueReceivables { currency overdue over90Days totalOwed }
  variantsShort } }"""


@dataclass(frozen=True)
class ReportCase:
    """One row of the bench's table: a report asked one way."""

    name: str
    document: str
    variables: dict[str, Any]


def _month(day: date) -> str:
    return day.strftime("%Y-%m")


def months_before(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def report_cases(today: date, history_start: date, currency: str) -> list[ReportCase]:
    """Every report, over the last year and over the whole history (from `history_start`,
    before the book's first order and inquiry), in `currency`; the aging also of a month-end
    a year ago and of the history's middle day."""
    this_month = _month(today)
    ranges = {
        "12 months": (_month(months_before(today, 11)), this_month),
        "all months": (_month(history_start), this_month),
    }
    cases = [
        ReportCase(
            f"salesReport {by.name} {span}",
            SALES,
            {"currency": currency, "from": first, "to": last, "by": by.name},
        )
        for span, (first, last) in ranges.items()
        for by in SalesDimension
    ]
    first, last = ranges["all months"]
    cases += [
        ReportCase(
            f"marginReport {by.name} all months",
            MARGIN,
            {"currency": currency, "from": first, "to": last, "by": by.name},
        )
        for by in MarginDimension
    ]
    days = {"last year": today - timedelta(days=365), "all history": history_start}
    cases += [
        ReportCase(
            f"inquiryFunnel {by.name} {span}",
            FUNNEL,
            {"from": since.isoformat(), "to": today.isoformat(), "by": by.name},
        )
        for span, since in days.items()
        for by in FunnelGrouping
    ]
    last_month_end = today.replace(day=1) - timedelta(days=1)
    year_ago = last_month_end.replace(year=last_month_end.year - 1, day=1)
    year_ago_month_end = months_before(year_ago, -1) - timedelta(days=1)
    middle = history_start + (today - history_start) / 2
    cases += [
        ReportCase("receivablesAging today", AGING, {"asOf": None}),
        ReportCase(
            "receivablesAging a month-end a year ago",
            AGING,
            {"asOf": year_ago_month_end.isoformat()},
        ),
        ReportCase("receivablesAging mid-history", AGING, {"asOf": middle.isoformat()}),
        ReportCase("stockCoverage first page", COVERAGE, {"shortOnly": False}),
        ReportCase("stockCoverage shortOnly", COVERAGE, {"shortOnly": True}),
        ReportCase("home", HOME, {}),
    ]
    return cases
