"""Client credit standing on the company row, so staff lists filter and sort on it by index.

- `client_companies.credit_used`: what the company's orders that are not cancelled still owe.
- `client_companies.overdue_amount`: unpaid receivable balances due before the day of the
  last write; `client_dues`: the unpaid balances due from that day on, by due date, from which
  the overdue amount of any later day follows; `next_due_on`: the earliest of them.
- Indexes for the listing's orders (credit used, overdue amount, country and name) and for
  finding the companies whose stored overdue figure has been overtaken by time.

All in the company's credit currency. The backfill computes them from the orders and
receivables as `resolvers/orders/standing.py` does (rules copied here: a revision never
imports application code). Receivables get an index for the finance listing by due date.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06 17:00:00.000000
"""

from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# models/money.py as of this revision: ISO 4217 minor units that are not 2.
MINOR_UNITS = {
    **dict.fromkeys(
        "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF".split(), 0
    ),
    **dict.fromkeys("BHD IQD JOD KWD LYD OMR TND".split(), 3),
    **dict.fromkeys("CLF UYW".split(), 4),
}
NO_DUE_DATE = "9999-01-01"


def upgrade() -> None:
    with op.batch_alter_table("client_companies") as batch:
        batch.add_column(
            sa.Column("credit_used", sa.Numeric(18, 4), nullable=False, server_default="0")
        )
        batch.add_column(
            sa.Column("overdue_amount", sa.Numeric(18, 4), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("next_due_on", sa.Date(), nullable=True))
    op.create_table(
        "client_dues",
        sa.Column(
            "company_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("amount", sa.Numeric(18, 4), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["client_companies.id"],
            name=op.f("fk_client_dues_company_id_client_companies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("company_id", "due_date", name=op.f("pk_client_dues")),
    )
    _backfill(op.get_bind())
    op.create_index(
        op.f("ix_client_companies_credit_used_id"), "client_companies", ["credit_used", "id"]
    )
    op.create_index(
        op.f("ix_client_companies_overdue_amount_id"), "client_companies", ["overdue_amount", "id"]
    )
    op.create_index(op.f("ix_client_companies_next_due_on"), "client_companies", ["next_due_on"])
    op.create_index(
        op.f("ix_client_companies_country_name_id"), "client_companies", ["country", "name", "id"]
    )
    op.create_index(
        "ix_receivables_due_key_id",
        "receivables",
        [sa.func.coalesce(sa.column("due_date"), sa.literal_column(f"'{NO_DUE_DATE}'")), "id"],
    )


def downgrade() -> None:
    op.drop_index("ix_receivables_due_key_id", table_name="receivables")
    op.drop_index(op.f("ix_client_companies_country_name_id"), table_name="client_companies")
    op.drop_index(op.f("ix_client_companies_next_due_on"), table_name="client_companies")
    op.drop_index(op.f("ix_client_companies_overdue_amount_id"), table_name="client_companies")
    op.drop_index(op.f("ix_client_companies_credit_used_id"), table_name="client_companies")
    op.drop_table("client_dues")
    with op.batch_alter_table("client_companies") as batch:
        batch.drop_column("next_due_on")
        batch.drop_column("overdue_amount")
        batch.drop_column("credit_used")


def _round(amount: Decimal, currency: str) -> Decimal:
    places = MINOR_UNITS.get(currency.upper(), 2)
    return amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _latest(bind: Any, base: str, quote: str, now: datetime) -> tuple[Decimal, Any] | None:
    found = bind.execute(
        sa.text(
            "SELECT rate, effective_at FROM fx_rates WHERE base_currency = :base "
            "AND quote_currency = :quote AND effective_at <= :now "
            "ORDER BY effective_at DESC, id DESC LIMIT 1"
        ).bindparams(sa.bindparam("now", type_=sa.DateTime(timezone=True))),
        {"base": base, "quote": quote, "now": now},
    ).first()
    return None if found is None else (Decimal(str(found[0])), found[1])


def _rate(bind: Any, source: str, target: str, now: datetime) -> Decimal | None:
    """core/fx.py's rate_at as of this revision: the more recent of direct and inverse."""
    if source == target:
        return Decimal(1)
    direct, inverse = _latest(bind, source, target, now), _latest(bind, target, source, now)
    if direct is not None and (inverse is None or str(direct[1]) >= str(inverse[1])):
        return direct[0]
    if inverse is not None:
        return Decimal(1) / inverse[0]
    return None


def _backfill(bind: Any) -> None:
    now = datetime.now(UTC)
    today = now.date()
    companies = {
        pk: str(currency)
        for pk, currency in bind.execute(
            sa.text("SELECT id, credit_currency FROM client_companies")
        )
    }
    used: dict[int, Decimal] = {}
    orders = bind.execute(
        sa.text(
            "SELECT client_company_id, credit_currency, total, amount_paid, fx_rate FROM orders "
            "WHERE status <> 'cancelled'"
        )
    )
    for company, currency, total, paid, fx_rate in orders:
        target = companies[company]
        owed = _round((Decimal(str(total)) - Decimal(str(paid))) * Decimal(str(fx_rate)), target)
        rate = _rate(bind, str(currency), target, now)
        used[company] = used.get(company, Decimal(0)) + (
            Decimal(0) if rate is None else owed * rate
        )
    overdue: dict[int, Decimal] = {}
    dues: dict[tuple[int, date], Decimal] = {}
    receivables = bind.execute(
        sa.text(
            "SELECT r.client_company_id, o.credit_currency, r.due_date, r.balance, o.fx_rate "
            "FROM receivables r JOIN orders o ON o.id = r.order_id WHERE r.due_date IS NOT NULL "
            "AND r.balance > 0 AND r.status <> 'reversed'"
        )
    )
    for company, currency, due_date, balance, fx_rate in receivables:
        target = companies[company]
        owed = _round(Decimal(str(balance)) * Decimal(str(fx_rate)), target)
        rate = _rate(bind, str(currency), target, now)
        amount = Decimal(0) if rate is None else owed * rate
        day = date.fromisoformat(str(due_date)[:10])
        if day < today:
            overdue[company] = overdue.get(company, Decimal(0)) + amount
        else:
            dues[(company, day)] = dues.get((company, day), Decimal(0)) + amount
    for company, currency in companies.items():
        next_due = min((day for pk, day in dues if pk == company), default=None)
        bind.execute(
            sa.text(
                "UPDATE client_companies SET credit_used = :used, overdue_amount = :overdue, "
                "next_due_on = :next_due WHERE id = :id"
            ).bindparams(
                sa.bindparam("used", type_=sa.Numeric(18, 4)),
                sa.bindparam("overdue", type_=sa.Numeric(18, 4)),
                sa.bindparam("next_due", type_=sa.Date()),
            ),
            {
                "used": _round(used.get(company, Decimal(0)), currency),
                "overdue": _round(overdue.get(company, Decimal(0)), currency),
                "next_due": next_due,
                "id": company,
            },
        )
    if dues:
        bind.execute(
            sa.text(
                "INSERT INTO client_dues (company_id, due_date, amount) "
                "VALUES (:company, :day, :amount)"
            ).bindparams(
                sa.bindparam("day", type_=sa.Date()),
                sa.bindparam("amount", type_=sa.Numeric(18, 4)),
            ),
            [
                {"company": pk, "day": day, "amount": _round(amount, companies[pk])}
                for (pk, day), amount in sorted(dues.items())
            ],
        )
