"""Shipments of an order: what each carries, the legs of its journey, how the legs changed,
and what tracking reported along the way.

An order may ship in parts: each shipment carries quantities of the order's lines
(`shipment_lines`), is booked first and departs later; its departure takes its goods off
stock and adds them to `order_lines.shipped_quantity` (resolvers/shipments/departure.py).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    ColumnElement,
    Date,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    column,
    func,
    literal_column,
)
from sqlmodel import Field, SQLModel

from models.base import BigId, Moment, created_at_column, foreign_key, json_column, one_of


class TransportMode(StrEnum):
    SEA = "sea"
    AIR = "air"
    ROAD = "road"
    RAIL = "rail"
    COURIER = "courier"


class ShipmentStatus(StrEnum):
    BOOKED = "booked"  # planned: its goods are still in stock (reserved for the order)
    DEPARTED = "departed"  # left: its goods were taken off stock


# Where a shipment without a known ETD or ETA sorts: at the end of time. A literal, not a
# parameter, so that the staff list's ORDER BY is the very expression its index holds;
# spelt in the index as PostgreSQL prints it back (so migrations and models compare equal),
# and in queries as both databases read it (SQLite takes "Z", not "+00").
PG_ONLY = {"only_on": "postgresql"}
UNDATED = datetime(9999, 12, 31, tzinfo=UTC)
UNDATED_IN_INDEX = "'9999-12-31 00:00:00+00'"
UNDATED_IN_QUERY = "'9999-12-31 00:00:00Z'"


def _undated_last_index(moment: str) -> ColumnElement[datetime]:
    return func.coalesce(column(moment, Moment()), literal_column(UNDATED_IN_INDEX, Moment()))


def _lower_prefix_index(name: str, attribute: str) -> Index:
    """`lower(attribute) LIKE 'prefix%'` through an index, whatever the collation (PG only)."""
    label = f"{attribute}_lower"
    return Index(
        name,
        func.lower(column(attribute)).label(label),
        postgresql_ops={label: "text_pattern_ops"},
        info=PG_ONLY,
    )


class Shipment(SQLModel, table=True):
    __tablename__ = "shipments"
    __table_args__ = (
        Index(None, "order_id", "id"),
        # The staff list's orders by ETA and by ETD (either direction: a btree reads backward).
        Index("ix_shipments_eta_key", _undated_last_index("eta"), "id", info=PG_ONLY),
        Index("ix_shipments_etd_key", _undated_last_index("etd"), "id", info=PG_ONLY),
        CheckConstraint(one_of("status", ShipmentStatus), name="status_known"),
        CheckConstraint(
            "(status = 'departed') = (departed_at IS NOT NULL)", name="departed_has_moment"
        ),
    )

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    order_id: int = Field(sa_column=Column(BigId, foreign_key("orders.id"), nullable=False))
    # Copied from the order so a client's shipments are scoped without a join.
    client_company_id: int = Field(
        sa_column=Column(BigId, foreign_key("client_companies.id"), nullable=False, index=True)
    )
    reference: str = Field(default="", sa_column=Column(String(120), nullable=False, default=""))
    note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    # Kept from the legs, written in the transaction that writes them (legs change nowhere
    # else), so the staff list sorts by index: the earliest ETD of any leg (when the goods
    # leave) and the latest ETA of any leg (when they arrive); NULL when no leg has one.
    etd: datetime | None = Field(default=None, sa_column=Column(Moment()))
    eta: datetime | None = Field(default=None, sa_column=Column(Moment()))
    status: ShipmentStatus = Field(
        default=ShipmentStatus.BOOKED,
        sa_column=Column(
            String(16), nullable=False, default=ShipmentStatus.BOOKED, server_default="booked"
        ),
    )
    departed_at: datetime | None = Field(default=None, sa_column=Column(Moment(), nullable=True))
    # The date on the bill of lading (or the transport document of the main leg), from
    # which terms counted "from the bill of lading" run for this shipment's goods.
    bill_of_lading_date: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    created_at: datetime | None = Field(default=None, sa_column=created_at_column())


class ShipmentLine(SQLModel, table=True):
    """How many units of one order line a shipment carries."""

    __tablename__ = "shipment_lines"
    __table_args__ = (
        UniqueConstraint("shipment_id", "order_line_id"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        # What is booked of an order line, over all its shipments.
        Index(None, "order_line_id"),
    )

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    shipment_id: int = Field(
        sa_column=Column(BigId, foreign_key("shipments.id", ondelete="CASCADE"), nullable=False)
    )
    order_line_id: int = Field(
        sa_column=Column(BigId, foreign_key("order_lines.id"), nullable=False)
    )
    quantity: int = Field(sa_column=Column(Integer, nullable=False))


class ShipmentLeg(SQLModel, table=True):
    __tablename__ = "shipment_legs"
    __table_args__ = (
        UniqueConstraint("shipment_id", "sequence"),
        CheckConstraint("sequence >= 1", name="sequence_positive"),
        CheckConstraint(one_of("mode", TransportMode), name="mode_known"),
        CheckConstraint("eta IS NULL OR etd IS NULL OR eta >= etd", name="eta_after_etd"),
        # The staff list's leg filters: shipments with a leg due in a window, or of a carrier,
        # vessel or container (a case-insensitive prefix).
        Index(None, "eta", "shipment_id"),
        Index(None, "etd", "shipment_id"),
        _lower_prefix_index("ix_shipment_legs_carrier_lower_prefix", "carrier"),
        _lower_prefix_index("ix_shipment_legs_vessel_lower_prefix", "vessel_or_flight"),
        _lower_prefix_index("ix_shipment_legs_container_lower_prefix", "container_number"),
    )

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    shipment_id: int = Field(
        sa_column=Column(BigId, foreign_key("shipments.id", ondelete="CASCADE"), nullable=False)
    )
    sequence: int = Field(sa_column=Column(Integer, nullable=False))
    carrier: str = Field(sa_column=Column(String(120), nullable=False))
    mode: TransportMode = Field(sa_column=Column(String(16), nullable=False))
    # Bill of lading (sea), air waybill (air), CMR or consignment note (road, rail).
    transport_document_number: str = Field(
        default="", sa_column=Column(String(64), nullable=False, default="")
    )
    container_number: str = Field(
        default="", sa_column=Column(String(32), nullable=False, default="")
    )
    vessel_or_flight: str = Field(
        default="", sa_column=Column(String(120), nullable=False, default="")
    )
    voyage: str = Field(
        default="", sa_column=Column(String(40), nullable=False, default="", server_default="")
    )
    origin: str = Field(default="", sa_column=Column(String(200), nullable=False, default=""))
    destination: str = Field(default="", sa_column=Column(String(200), nullable=False, default=""))
    etd: datetime | None = Field(default=None, sa_column=Column(Moment()))
    eta: datetime | None = Field(default=None, sa_column=Column(Moment()))


class ShipmentLegChange(SQLModel, table=True):
    """One update of a leg: who made it, when, and each changed field before and after."""

    __tablename__ = "shipment_leg_changes"
    __table_args__ = (Index(None, "leg_id", "id"),)

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    # Kept beside the leg so the change is scoped like its shipment without a second join.
    shipment_id: int = Field(
        sa_column=Column(BigId, foreign_key("shipments.id", ondelete="CASCADE"), nullable=False)
    )
    leg_id: int = Field(
        sa_column=Column(BigId, foreign_key("shipment_legs.id", ondelete="CASCADE"), nullable=False)
    )
    changed_by_user_id: int | None = Field(
        default=None,
        sa_column=Column(BigId, foreign_key("users.id", ondelete="SET NULL"), nullable=True),
    )
    # Who, as the audit log names them (a user's email or an API key's label).
    changed_by: str = Field(default="", sa_column=Column(String(320), nullable=False, default=""))
    # {field: [before, after]}, moments as ISO text.
    changes: dict[str, Any] = Field(default_factory=dict, sa_column=json_column(default=dict))
    changed_at: datetime | None = Field(default=None, sa_column=created_at_column())


class TrackingEvent(SQLModel, table=True):
    __tablename__ = "tracking_events"
    __table_args__ = (Index(None, "shipment_id", "occurred_at", "id"),)

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    shipment_id: int = Field(
        sa_column=Column(BigId, foreign_key("shipments.id", ondelete="CASCADE"), nullable=False)
    )
    occurred_at: datetime = Field(sa_column=Column(Moment(), nullable=False))
    location: str = Field(sa_column=Column(String(200), nullable=False))
    status: str = Field(sa_column=Column(String(64), nullable=False))
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    created_at: datetime | None = Field(default=None, sa_column=created_at_column())
