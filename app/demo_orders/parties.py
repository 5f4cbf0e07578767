"""Who trades in the order book: client companies with their users and terms, guest leads,
and the staff who sell and record payments."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from app.demo_orders.markets import (
    COMPANY_KINDS,
    COMPANY_WORDS,
    CREDIT_LIMITS,
    FIRST_NAMES,
    INCOTERMS,
    LAST_NAMES,
    MARKETS,
    PAYERS,
    TERMS,
    Market,
    Payer,
)

# Seeded addresses end in this domain: a second seed is recognised by it.
EMAIL_DOMAIN = "demo-orders.example"
# A company orders about this often: a client per this many orders, within bounds.
ORDERS_PER_COMPANY = 400
MIN_COMPANIES, MAX_COMPANIES = 12, 5_000
# Share of clients buying in a currency other than US dollars whose credit is in dollars.
DOLLAR_CREDIT_SHARE = 0.25


@dataclass(frozen=True, slots=True)
class Company:
    id: int
    name: str
    market: Market
    city: str
    currency: str
    credit_currency: str
    credit_limit: Decimal
    advance_percent: int
    balance_due_on: str
    net_days: int
    incoterm: str
    payer: Payer
    joined_at: datetime
    user_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Person:
    id: int
    email: str
    full_name: str
    role: str
    company_id: int | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Lead:
    id: int
    email: str
    company_name: str
    contact_name: str
    country: str
    created_at: datetime


@dataclass(frozen=True)
class Parties:
    companies: list[Company]
    # Relative sizes: a few big importers place most orders.
    company_weights: list[float]
    people: list[Person]
    sales_ids: list[int]
    finance_ids: list[int]
    leads: list[Lead]


def company_count(orders: int) -> int:
    return max(MIN_COMPANIES, min(MAX_COMPANIES, orders // ORDERS_PER_COMPANY))


def _name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def draft_parties(
    rng: random.Random,
    orders: int,
    start: datetime,
    now: datetime,
    first_company_id: int,
    first_user_id: int,
    first_lead_id: int,
) -> Parties:
    """Companies (about 40% from before `start`, the rest joining over the years), one to
    three client users each, sales and finance staff, and guest leads."""
    people: list[Person] = []
    next_user = first_user_id

    def person(role: str, company_id: int | None, label: str, joined: datetime) -> int:
        nonlocal next_user
        people.append(
            Person(next_user, f"{label}@{EMAIL_DOMAIN}", _name(rng), role, company_id, joined)
        )
        next_user += 1
        return next_user - 1

    sales_ids = [
        person("sales", None, f"sales{n}", start) for n in range(1, 6 + orders // 50_000 + 1)
    ]
    finance_ids = [person("finance", None, f"finance{n}", start) for n in range(1, 4)]
    span = (now - start).total_seconds()
    market_weights = [market.weight for market in MARKETS]
    companies, weights = [], []
    for n in range(company_count(orders)):
        company_id = first_company_id + n
        market = rng.choices(MARKETS, weights=market_weights)[0]
        before = n == 0 or rng.random() < 0.4
        joined = (
            start - timedelta(days=rng.uniform(30, 700))
            if before
            else (start + timedelta(seconds=rng.uniform(0, span * 0.9)))
        )
        credit_currency = market.currency
        if market.currency != "USD" and market.currency != "AED":
            credit_currency = "USD" if rng.random() < DOLLAR_CREDIT_SHARE else market.currency
        advance, due_on, net = rng.choice(TERMS)
        users = tuple(
            person("client", company_id, f"buyer{company_id}-{u}", joined)
            for u in range(1, rng.choice((1, 1, 2, 3)) + 1)
        )
        companies.append(
            Company(
                id=company_id,
                name=f"{rng.choice(COMPANY_WORDS)} {rng.choice(COMPANY_KINDS)} {company_id}",
                market=market,
                city=rng.choice(market.cities),
                currency=market.currency,
                credit_currency=credit_currency,
                credit_limit=rng.choice(CREDIT_LIMITS),
                advance_percent=advance,
                balance_due_on=due_on,
                net_days=net,
                incoterm=rng.choice(INCOTERMS),
                payer=rng.choice(PAYERS),
                joined_at=joined,
                user_ids=users,
            )
        )
        weights.append(rng.paretovariate(1.3))
    leads = [
        Lead(
            first_lead_id + n,
            f"guest{first_lead_id + n}@{EMAIL_DOMAIN}",
            f"{rng.choice(COMPANY_WORDS)} {rng.choice(COMPANY_KINDS)}",
            _name(rng),
            rng.choices(MARKETS, weights=market_weights)[0].country,
            start,
        )
        for n in range(max(5, orders // 40))
    ]
    return Parties(companies, weights, people, sales_ids, finance_ids, leads)
