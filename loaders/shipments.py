"""Shipments, their lines, legs, leg changes and tracking events, scoped to the caller on
every path.

Shipments are read as their orders are: staff holding `orders:read_all` see every one; a
client user sees its own company's and no other; everyone else sees none. A line, leg, leg
change or tracking event is visible exactly when its shipment is, and a shipment a caller
may not see is a miss, exactly like one that does not exist.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement
from sqlmodel import col

from auth.policy import Permission
from auth.principal import Principal
from loaders.relations import Relation
from loaders.scoping import own_company_rows, rows_under
from models.shipments import (
    Shipment,
    ShipmentLeg,
    ShipmentLegChange,
    ShipmentLine,
    TrackingEvent,
)


def shipment_is_visible(principal: Principal) -> ColumnElement[bool]:
    return own_company_rows(
        principal, col(Shipment.client_company_id), staff_permission=Permission.ORDERS_READ_ALL
    )


SHIPMENT_BY_ID = Relation("shipment_by_id", Shipment, col(Shipment.id), visible=shipment_is_visible)
SHIPMENTS_BY_ORDER = Relation(
    "shipments_by_order",
    Shipment,
    col(Shipment.order_id),
    many=True,
    order_by=(col(Shipment.id),),
    visible=shipment_is_visible,
)
LEGS_BY_SHIPMENT = Relation(
    "legs_by_shipment",
    ShipmentLeg,
    col(ShipmentLeg.shipment_id),
    many=True,
    order_by=(col(ShipmentLeg.sequence),),
    visible=rows_under(shipment_is_visible, col(Shipment.id), col(ShipmentLeg.shipment_id)),
)
TRACKING_BY_SHIPMENT = Relation(
    "tracking_by_shipment",
    TrackingEvent,
    col(TrackingEvent.shipment_id),
    many=True,
    order_by=(col(TrackingEvent.occurred_at), col(TrackingEvent.id)),
    visible=rows_under(shipment_is_visible, col(Shipment.id), col(TrackingEvent.shipment_id)),
)
LEG_CHANGES_BY_LEG = Relation(
    "leg_changes_by_leg",
    ShipmentLegChange,
    col(ShipmentLegChange.leg_id),
    many=True,
    order_by=(col(ShipmentLegChange.id),),
    visible=rows_under(shipment_is_visible, col(Shipment.id), col(ShipmentLegChange.shipment_id)),
)
LINES_BY_SHIPMENT = Relation(
    "lines_by_shipment",
    ShipmentLine,
    col(ShipmentLine.shipment_id),
    many=True,
    order_by=(col(ShipmentLine.id),),
    visible=rows_under(shipment_is_visible, col(Shipment.id), col(ShipmentLine.shipment_id)),
)
