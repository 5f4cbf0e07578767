"""Shipments of an order: the legs of its journey and what tracking reported along the way."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    Column,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from models.base import BigId, Moment, created_at_column, foreign_key, one_of


class TransportMode(StrEnum):
    SEA = "sea"
    AIR = "air"
    ROAD = "road"
    RAIL = "rail"
    COURIER = "courier"


class Shipment(SQLModel, table=True):
    __tablename__ = "shipments"
    __table_args__ = (Index(None, "order_id", "id"),)

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    order_id: int = Field(sa_column=Column(BigId, foreign_key("orders.id"), nullable=False))
    # Copied from the order so a client's shipments are scoped without a join.
    client_company_id: int = Field(
        sa_column=Column(BigId, foreign_key("client_companies.id"), nullable=False, index=True)
    )
    reference: str = Field(default="", sa_column=Column(String(120), nullable=False, default=""))
    note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    created_at: datetime | None = Field(default=None, sa_column=created_at_column())


class ShipmentLeg(SQLModel, table=True):
    __tablename__ = "shipment_legs"
    __table_args__ = (
        UniqueConstraint("shipment_id", "sequence"),
        CheckConstraint("sequence >= 1", name="sequence_positive"),
        CheckConstraint(one_of("mode", TransportMode), name="mode_known"),
        CheckConstraint("eta IS NULL OR etd IS NULL OR eta >= etd", name="eta_after_etd"),
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
    origin: str = Field(default="", sa_column=Column(String(200), nullable=False, default=""))
    destination: str = Field(default="", sa_column=Column(String(200), nullable=False, default=""))
    etd: datetime | None = Field(default=None, sa_column=Column(Moment()))
    eta: datetime | None = Field(default=None, sa_column=Column(Moment()))


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
