"""Stock coverage equals a recomputation here, in Python, over the same variants and quotes:
on hand less what open orders reserve and what open, valid quotes ask for."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from admin_queries.reports.coverage import count_short_variants
from core.db import Database
from core.settings import Settings
from models.accounts import Role
from models.catalog import Variant
from models.inquiries import Inquiry, InquirySource, InquiryStatus, Quote, QuoteLine, QuoteStatus
from resolvers.keyset import KeysetOrder
from resolvers.pagination import encode_cursor
from tests.builders import make_category, make_fabric_type, make_product, make_variant
from tests.callers import context_for, error_codes, make_client_company, principal_of, token_for
from tests.graphql_client import GraphQLClient, graphql_client
from tests.paging import page_through

TODAY = datetime.now(UTC).date()
COVERAGE = """query($first: Int!, $after: String, $short: Boolean!) {
  stockCoverage(first: $first, after: $after, shortOnly: $short) {
    totalCount
    nodes { variant { sku } onHand reserved quoted demand coverage }
    pageInfo { hasNextPage endCursor } } }"""


@dataclass
class Stock:
    variants: list[Variant]
    quoted: dict[int, int]  # variant id -> units on open, valid quotes


@pytest.fixture
async def api(settings: Settings, db: Database) -> AsyncIterator[GraphQLClient]:
    async with graphql_client(settings, db) as client:
        yield client


async def _stock(session: AsyncSession, variants: int = 24) -> Stock:
    """Variants with stock partly reserved, and quotes in every status, some expired."""
    picks = random.Random(26)
    product = await make_product(
        session,
        product_type=await make_fabric_type(session),
        category=await make_category(session),
    )
    made = []
    for _ in range(variants):
        on_hand = picks.randrange(0, 500)
        made.append(
            await make_variant(
                session, product=product, on_hand=on_hand, reserved=picks.randrange(0, on_hand + 1)
            )
        )
    company = await make_client_company(session)
    quoted: dict[int, int] = defaultdict(int)
    for revision in range(1, 16):
        inquiry = Inquiry(
            client_company_id=company.id,
            incoterm="FOB",
            named_place="Mumbai",
            source=InquirySource.CLIENT_USER,
            status=InquiryStatus.QUOTED,
        )
        session.add(inquiry)
        await session.flush()
        assert inquiry.id is not None
        status = picks.choice([QuoteStatus.OPEN, QuoteStatus.OPEN, *QuoteStatus])
        valid_until = TODAY + timedelta(days=picks.choice([-1, 0, 0, 10]))
        quote = Quote(
            inquiry_id=inquiry.id,
            revision=revision,
            status=status,
            currency="USD",
            valid_until=valid_until,
            lead_time_days=30,
            incoterm=inquiry.incoterm,
            named_place=inquiry.named_place,
            total=Decimal("1"),
        )
        session.add(quote)
        await session.flush()
        assert quote.id is not None
        for variant in picks.sample(made, min(len(made), picks.randrange(1, 5))):
            assert variant.id is not None
            quantity = picks.randrange(1, 400)
            session.add(
                QuoteLine(
                    quote_id=quote.id,
                    variant_id=variant.id,
                    quantity=quantity,
                    unit_price=Decimal("1"),
                    line_total=Decimal(quantity),
                )
            )
            if status is QuoteStatus.OPEN and valid_until >= TODAY:
                quoted[variant.id] += quantity
    await session.flush()
    return Stock(made, dict(quoted))


def _expected(stock: Stock, *, short_only: bool) -> list[dict[str, Any]]:
    rows = []
    for variant in stock.variants:
        assert variant.id is not None
        quoted = stock.quoted.get(variant.id, 0)
        demand = variant.stock_reserved + quoted
        coverage = variant.stock_on_hand - demand
        if short_only and coverage >= 0:
            continue
        rows.append(
            (
                coverage,
                variant.id,
                {
                    "variant": {"sku": variant.sku},
                    "onHand": variant.stock_on_hand,
                    "reserved": variant.stock_reserved,
                    "quoted": quoted,
                    "demand": demand,
                    "coverage": coverage,
                },
            )
        )
    return [row for _, _, row in sorted(rows, key=lambda row: (row[0], row[1]))]


async def _listed(api: GraphQLClient, token: str, *, short_only: bool) -> list[dict[str, Any]]:
    return await page_through(api.as_(token), COVERAGE, "stockCoverage", 5, {"short": short_only})


@pytest.mark.parametrize("short_only", [False, True])
async def test_coverage_pages_equal_a_recomputation(
    api: GraphQLClient, db: Database, settings: Settings, short_only: bool
) -> None:
    # given variants, orders' reservations and quotes open, expired, superseded, converted
    async with db.transaction() as session:
        stock = await _stock(session)
        token = await token_for(session, settings, Role.CATALOG_MANAGER)
    # when the coverage is listed page by page
    listed = await _listed(api, token, short_only=short_only)
    # then every variant (or every short one) is there once, least covered first
    expected = _expected(stock, short_only=short_only)
    assert listed == expected
    assert any(row["quoted"] > 0 for row in expected)
    if short_only:
        assert expected
        assert all(row["coverage"] < 0 for row in expected)
    first = await api.as_(token).data(COVERAGE, {"first": 1, "short": short_only})
    assert first["stockCoverage"]["totalCount"] == len(expected)


async def test_reserved_alone_never_makes_a_variant_short(
    api: GraphQLClient, db: Database, settings: Settings
) -> None:
    # given a variant fully reserved by open orders and no quote for it
    async with db.transaction() as session:
        product = await make_product(
            session,
            product_type=await make_fabric_type(session),
            category=await make_category(session),
        )
        await make_variant(session, product=product, on_hand=300, reserved=300)
        token = await token_for(session, settings, Role.ADMIN)
    # then it is fully covered, not short
    listed = await _listed(api, token, short_only=False)
    assert [(row["demand"], row["coverage"]) for row in listed] == [(300, 0)]
    assert await _listed(api, token, short_only=True) == []


async def test_the_home_screen_counts_the_short_variants(db: Database, settings: Settings) -> None:
    async with db.transaction() as session:
        stock = await _stock(session)
        token = await token_for(session, settings, Role.ADMIN)
    ctx = context_for(db, settings, await principal_of(db, settings, token))
    assert await count_short_variants(ctx) == len(_expected(stock, short_only=True))


async def test_sqlite_lists_the_same_coverage(settings: Settings, any_db: Database) -> None:
    async with any_db.transaction() as session:
        stock = await _stock(session, variants=8)
        token = await token_for(session, settings, Role.ADMIN)
    async with graphql_client(settings, any_db) as api:
        assert await _listed(api, token, short_only=False) == _expected(stock, short_only=False)


@pytest.mark.parametrize(
    ("variables", "argument"),
    [
        ({"first": 0}, "first"),
        ({"first": 101}, "first"),
        ({"first": 5, "after": "not-a-cursor"}, "after"),
        ({"first": 5, "after": "y" * 100_000}, "after"),
        ({"first": 5, "after": KeysetOrder("stock_coverage", ()).cursor(())}, "after"),
        ({"first": 5, "after": encode_cursor("stock_coverage", ["0", 1])}, "after"),
    ],
)
async def test_hostile_arguments_are_refused_naming_them(
    api: GraphQLClient, db: Database, settings: Settings, variables: dict[str, Any], argument: str
) -> None:
    async with db.transaction() as session:
        token = await token_for(session, settings, Role.ADMIN)
    body = await api.as_(token).post(COVERAGE, {"short": False, **variables})
    assert error_codes(body) == [("stockCoverage", "BAD_USER_INPUT")]
    assert body["errors"][0]["extensions"]["argument"] == argument


@pytest.mark.parametrize(
    ("role", "served"),
    [
        (Role.ADMIN, True),
        (Role.SALES, True),
        (Role.CATALOG_MANAGER, True),
        (Role.FINANCE, True),
        (Role.SUPPORT, False),
        (Role.CLIENT, False),
    ],
)
async def test_coverage_follows_the_policy_table(
    api: GraphQLClient, db: Database, settings: Settings, role: Role, served: bool
) -> None:
    async with db.transaction() as session:
        await _stock(session, variants=3)
        company = await make_client_company(session, name="Own") if role is Role.CLIENT else None
        token = await token_for(session, settings, role, company=company)
    body = await api.as_(token).post(COVERAGE, {"first": 5, "short": False})
    if served:
        assert error_codes(body) == []
        assert body["data"]["stockCoverage"]["totalCount"] == 3
    else:
        assert error_codes(body) == [("stockCoverage", "FORBIDDEN")]
        assert body["data"] == {"stockCoverage": None}
