"""What the buyer is mailed, and in which language.

- `client_companies.preferred_language`: ISO 639-1 code its contacts are mailed in; every
  existing company takes English ("en"), the language every template exists in.
- `client_contacts.mails_quotes`, `mails_orders`, `mails_shipments`, `mails_invoices`: which
  mails a contact receives; every existing contact receives all of them.

Revision ID: 0030
Revises: 0028
Create Date: 2026-12-06 22:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0030"
down_revision: str | None = "0029"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TOPIC_COLUMNS = ("mails_quotes", "mails_orders", "mails_shipments", "mails_invoices")


def upgrade() -> None:
    # The server defaults fill the existing rows, and stay as the defaults of rows written
    # without the ORM (which writes every column itself).
    with op.batch_alter_table("client_companies") as batch:
        batch.add_column(
            sa.Column(
                "preferred_language",
                sa.String(length=2),
                nullable=False,
                server_default=sa.text("'en'"),
            )
        )
        batch.create_check_constraint(
            op.f("ck_client_companies_preferred_language_length"),
            "length(preferred_language) = 2",
        )
    with op.batch_alter_table("client_contacts") as batch:
        for name in TOPIC_COLUMNS:
            batch.add_column(
                sa.Column(name, sa.Boolean(), nullable=False, server_default=sa.true())
            )


def downgrade() -> None:
    with op.batch_alter_table("client_contacts") as batch:
        for name in reversed(TOPIC_COLUMNS):
            batch.drop_column(name)
    with op.batch_alter_table("client_companies") as batch:
        batch.drop_constraint(op.f("ck_client_companies_preferred_language_length"), type_="check")
        batch.drop_column("preferred_language")
