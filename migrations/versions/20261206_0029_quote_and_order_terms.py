"""Quotes as sent in trade, charges on orders.

- `quotes.incoterm`, `quotes.named_place`: the terms a revision was priced under; existing
  revisions take their inquiry's.
- `quotes.advance_percent`, `balance_due_on`, `net_days`: the payment terms offered;
  existing revisions take their company's terms as they are now, a guest's (lead) inquiry
  the default terms (0 %, invoice, 30 days).
- `orders.advance_percent`, `balance_due_on`, `net_days`: the terms the order was sold
  under, which the ledger reads from now on; existing orders take their company's terms as
  they are now (what the ledger read for them until today).
- `quotes.charges_total`, `orders.charges_total`: the sum of the charges, 0 for existing
  rows, whose `total` therefore stays the sum of their lines.
- `quote_charges`, `order_charges`: the charges (freight, insurance, other), at most one
  freight and one insurance per quote or order (a partial unique index).

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-06 22:00:00.000000
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from alembic.operations import BatchOperations

revision: str = "0029"
down_revision: str | None = "0028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
AMOUNT = sa.Numeric(precision=18, scale=4)
BALANCE_DUE_ON = ("invoice", "bill_of_lading", "delivery")
CHARGE_KINDS = ("freight", "insurance", "other")
TERMS = ("advance_percent", "balance_due_on", "net_days")


def _one_of(column: str, values: Sequence[str]) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


def _terms_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("advance_percent", sa.Integer(), nullable=True),
        sa.Column("balance_due_on", sa.String(length=32), nullable=True),
        sa.Column("net_days", sa.Integer(), nullable=True),
        sa.Column("charges_total", AMOUNT, nullable=True),
    ]


def _terms_of_company(table: str, company_id: str) -> str:
    """Copy each row's company's terms (a correlated subquery both dialects run)."""
    # Names from this module only, never input.
    of_company = "(SELECT c.{name} FROM client_companies c WHERE c.id = {company_id})"
    assignments = ", ".join(
        f"{name} = " + of_company.format(name=name, company_id=company_id) for name in TERMS
    )
    return f"UPDATE {table} SET {assignments}"  # noqa: S608


def _not_null_with_checks(batch: BatchOperations, table: str) -> None:
    alter = batch.alter_column
    alter("advance_percent", existing_type=sa.Integer(), nullable=False)
    alter("balance_due_on", existing_type=sa.String(length=32), nullable=False)
    alter("net_days", existing_type=sa.Integer(), nullable=False)
    alter("charges_total", existing_type=AMOUNT, nullable=False)
    check = batch.create_check_constraint
    check(op.f(f"ck_{table}_charges_total_not_negative"), "charges_total >= 0")
    check(op.f(f"ck_{table}_charges_within_total"), "charges_total <= total")
    check(
        op.f(f"ck_{table}_advance_percent_range"),
        "advance_percent >= 0 AND advance_percent <= 100",
    )
    check(op.f(f"ck_{table}_net_days_range"), "net_days >= 0 AND net_days <= 365")
    check(op.f(f"ck_{table}_balance_due_on_known"), _one_of("balance_due_on", BALANCE_DUE_ON))


def _charges_table(table: str, parent_column: str, parent_table: str) -> None:
    op.create_table(
        table,
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column(parent_column, BIG_ID, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("amount", AMOUNT, nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.CheckConstraint(_one_of("kind", CHARGE_KINDS), name=op.f(f"ck_{table}_kind_known")),
        sa.CheckConstraint("amount > 0", name=op.f(f"ck_{table}_amount_positive")),
        sa.CheckConstraint(
            "kind <> 'other' OR description <> ''", name=op.f(f"ck_{table}_other_described")
        ),
        sa.ForeignKeyConstraint(
            [parent_column],
            [f"{parent_table}.id"],
            name=op.f(f"fk_{table}_{parent_column}_{parent_table}"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    )
    op.create_index(op.f(f"ix_{table}_{parent_column}"), table, [parent_column])
    op.create_index(
        f"uq_{table}_{parent_column}_kind",
        table,
        [parent_column, "kind"],
        unique=True,
        postgresql_where=sa.text("kind <> 'other'"),
        sqlite_where=sa.text("kind <> 'other'"),
    )


def upgrade() -> None:
    with op.batch_alter_table("quotes") as batch:
        batch.add_column(sa.Column("incoterm", sa.String(length=3), nullable=True))
        batch.add_column(sa.Column("named_place", sa.String(length=200), nullable=True))
        for column in _terms_columns():
            batch.add_column(column)
    with op.batch_alter_table("orders") as batch:
        for column in _terms_columns():
            batch.add_column(column)
    op.execute(
        "UPDATE quotes SET "
        "incoterm = (SELECT i.incoterm FROM inquiries i WHERE i.id = quotes.inquiry_id), "
        "named_place = (SELECT i.named_place FROM inquiries i WHERE i.id = quotes.inquiry_id), "
        "charges_total = 0"
    )
    op.execute(
        _terms_of_company(
            "quotes",
            "(SELECT i.client_company_id FROM inquiries i WHERE i.id = quotes.inquiry_id)",
        )
    )
    # A guest's inquiry has no company: the default terms a new company is granted.
    op.execute(
        "UPDATE quotes SET advance_percent = 0, balance_due_on = 'invoice', net_days = 30 "
        "WHERE advance_percent IS NULL"
    )
    op.execute(_terms_of_company("orders", "orders.client_company_id"))
    op.execute("UPDATE orders SET charges_total = 0")
    with op.batch_alter_table("quotes") as batch:
        batch.alter_column("incoterm", existing_type=sa.String(length=3), nullable=False)
        batch.alter_column("named_place", existing_type=sa.String(length=200), nullable=False)
        _not_null_with_checks(batch, "quotes")
    with op.batch_alter_table("orders") as batch:
        _not_null_with_checks(batch, "orders")
    _charges_table("quote_charges", "quote_id", "quotes")
    _charges_table("order_charges", "order_id", "orders")


def downgrade() -> None:
    for table, parent_column in (("order_charges", "order_id"), ("quote_charges", "quote_id")):
        op.drop_index(f"uq_{table}_{parent_column}_kind", table_name=table)
        op.drop_index(op.f(f"ix_{table}_{parent_column}"), table_name=table)
        op.drop_table(table)
    with op.batch_alter_table("orders") as batch:
        _drop_terms(batch, "orders")
    with op.batch_alter_table("quotes") as batch:
        _drop_terms(batch, "quotes")
        batch.drop_column("named_place")
        batch.drop_column("incoterm")


def _drop_terms(batch: BatchOperations, table: str) -> None:
    for name in (
        "balance_due_on_known",
        "net_days_range",
        "advance_percent_range",
        "charges_within_total",
        "charges_total_not_negative",
    ):
        batch.drop_constraint(op.f(f"ck_{table}_{name}"), type_="check")
    for column in ("charges_total", *reversed(TERMS)):
        batch.drop_column(column)
