"""Staff shipment list: each shipment's ETD and ETA kept on its row, and the list's indexes.

- `shipments.etd` / `shipments.eta`: the earliest ETD and the latest ETA of the shipment's
  legs, written with the legs (backfilled here), so the list sorts by them through an index.
- `ix_shipments_eta_key`, `ix_shipments_etd_key` (PostgreSQL only): the list's orders by ETA
  and ETD, on `coalesce(x, '9999-12-31')` (a shipment without a date sorts at the end of
  time) and the id, a keyset range in either direction instead of a sort of every shipment.
- `ix_shipment_legs_eta_shipment_id`, `ix_shipment_legs_etd_shipment_id`: shipments with a
  leg due in an ETA or ETD window.
- `ix_shipment_legs_{carrier,vessel,container}_lower_prefix` (PostgreSQL only): a
  case-insensitive prefix of a leg's carrier, vessel or flight, or container number;
  `text_pattern_ops` serves `lower(x) LIKE 'prefix%'` whatever the collation. SQLite has no
  operator classes and scans, which its small databases afford.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06 17:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNDATED_IN_INDEX = "'9999-12-31 00:00:00+00'"  # copied from models.shipments, frozen here
KEY_INDEXES = (("ix_shipments_eta_key", "eta"), ("ix_shipments_etd_key", "etd"))
PREFIX_INDEXES = (
    ("ix_shipment_legs_carrier_lower_prefix", "carrier"),
    ("ix_shipment_legs_vessel_lower_prefix", "vessel_or_flight"),
    ("ix_shipment_legs_container_lower_prefix", "container_number"),
)


def upgrade() -> None:
    with op.batch_alter_table("shipments") as batch:
        batch.add_column(sa.Column("etd", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("eta", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE shipments SET"
        " etd = (SELECT min(etd) FROM shipment_legs WHERE shipment_id = shipments.id),"
        " eta = (SELECT max(eta) FROM shipment_legs WHERE shipment_id = shipments.id)"
    )
    op.create_index(
        op.f("ix_shipment_legs_eta_shipment_id"), "shipment_legs", ["eta", "shipment_id"]
    )
    op.create_index(
        op.f("ix_shipment_legs_etd_shipment_id"), "shipment_legs", ["etd", "shipment_id"]
    )
    if op.get_bind().dialect.name == "postgresql":
        for name, column in KEY_INDEXES:
            key = f"coalesce({column}, {UNDATED_IN_INDEX})"
            op.create_index(name, "shipments", [sa.literal_column(key), "id"])
        for name, column in PREFIX_INDEXES:
            op.create_index(
                name, "shipment_legs", [sa.literal_column(f"lower({column}) text_pattern_ops")]
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name, _column in PREFIX_INDEXES:
            op.drop_index(name, table_name="shipment_legs")
        for name, _column in KEY_INDEXES:
            op.drop_index(name, table_name="shipments")
    op.drop_index(op.f("ix_shipment_legs_etd_shipment_id"), table_name="shipment_legs")
    op.drop_index(op.f("ix_shipment_legs_eta_shipment_id"), table_name="shipment_legs")
    with op.batch_alter_table("shipments") as batch:
        batch.drop_column("eta")
        batch.drop_column("etd")
