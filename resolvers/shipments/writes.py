"""Shipments of an order: booking one with its legs, adding tracking events, reading them.

A shipment is booked before the goods leave, so an order that is confirmed, paid or already
shipped may get one (several, for split shipments). The order row is locked while the
shipment is written, so a cancellation cannot slip in between the check and the insert.
Reads go through the scoped relations of `loaders.orders`: a client sees the shipments of
its own orders, staff with `orders:read_all` every one, and a shipment nobody may see is
"not found" exactly like one that does not exist.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core import event_types
from core.global_id import encode_global_id
from core.outbox import emit, utcnow
from core.row_locks import lock_for_no_key_update
from loaders.orders import (
    LEGS_BY_SHIPMENT,
    ORDER_BY_ID,
    SHIPMENT_BY_ID,
    SHIPMENTS_BY_ORDER,
    TRACKING_BY_SHIPMENT,
)
from models.base import as_utc
from models.orders import Order, OrderStatus
from models.shipments import Shipment, ShipmentLeg, TrackingEvent, TransportMode
from resolvers.context import Context
from resolvers.outcomes import Issue, WriteResult, audit, pk_of, refused

SHIPPABLE = (OrderStatus.CONFIRMED, OrderStatus.PAID, OrderStatus.SHIPPED)
MAX_LEGS = 20
MAX_NOTE_LENGTH = 4_000
# Tracking feeds and people's clocks differ; an event an hour "ahead" is not an error.
CLOCK_SKEW = timedelta(hours=1)
# Column, API name, longest value, required: the text fields of a leg.
LEG_TEXT = (
    ("carrier", "carrier", 120, True),
    ("transport_document_number", "transportDocumentNumber", 64, False),
    ("container_number", "containerNumber", 32, False),
    ("vessel_or_flight", "vesselOrFlight", 120, False),
    ("origin", "origin", 200, False),
    ("destination", "destination", 200, False),
)
TRACKING_TEXT = (
    ("location", "location", 200, True),
    ("status", "status", 64, True),
    ("description", "description", MAX_NOTE_LENGTH, False),
)


class ShipmentErrorCode(StrEnum):
    NOT_FOUND = "NOT_FOUND"
    ORDER_NOT_SHIPPABLE = "ORDER_NOT_SHIPPABLE"
    REQUIRED = "REQUIRED"
    TOO_LONG = "TOO_LONG"
    TOO_MANY = "TOO_MANY"
    ETA_BEFORE_ETD = "ETA_BEFORE_ETD"
    IN_THE_FUTURE = "IN_THE_FUTURE"


def _moment(given: Mapping[str, Any], name: str) -> datetime | None:
    """A moment as given, in UTC; a naive one is taken to be UTC."""
    moment = given.get(name)
    return None if moment is None else as_utc(moment)


def _texts(
    given: Mapping[str, Any],
    fields: tuple[tuple[str, str, int, bool], ...],
    at: tuple[str, ...],
    issues: list[Issue],
) -> dict[str, str]:
    """The text fields tidied (spaces trimmed), each checked for presence and length."""
    values: dict[str, str] = {}
    for column, api_name, longest, required in fields:
        value = str(given.get(column) or "").strip()
        if required and not value:
            issues.append(Issue((*at, api_name), ShipmentErrorCode.REQUIRED, "is required"))
        elif len(value) > longest:
            message = f"at most {longest} characters"
            issues.append(Issue((*at, api_name), ShipmentErrorCode.TOO_LONG, message))
        values[column] = value
    return values


def check_legs(legs: list[Mapping[str, Any]]) -> tuple[list[dict[str, Any]], list[Issue]]:
    """The legs in journey order, numbered from 1; ETA may not precede ETD."""
    at = ("input", "legs")
    if not legs:
        return [], [Issue(at, ShipmentErrorCode.REQUIRED, "a shipment has at least one leg")]
    if len(legs) > MAX_LEGS:
        return [], [Issue(at, ShipmentErrorCode.TOO_MANY, f"at most {MAX_LEGS} legs")]
    issues: list[Issue] = []
    checked: list[dict[str, Any]] = []
    for index, leg in enumerate(legs):
        path = (*at, str(index))
        values: dict[str, Any] = _texts(leg, LEG_TEXT, path, issues)
        etd, eta = _moment(leg, "etd"), _moment(leg, "eta")
        if etd is not None and eta is not None and eta < etd:
            message = "the arrival (ETA) cannot be before the departure (ETD)"
            issues.append(Issue((*path, "eta"), ShipmentErrorCode.ETA_BEFORE_ETD, message))
        mode = TransportMode(leg["mode"])
        checked.append({**values, "mode": mode, "etd": etd, "eta": eta, "sequence": index + 1})
    return checked, issues


def check_shipment(given: Mapping[str, Any]) -> tuple[dict[str, Any], list[Issue]]:
    issues: list[Issue] = []
    reference = str(given.get("reference") or "").strip()
    if len(reference) > 120:
        issues.append(
            Issue(("input", "reference"), ShipmentErrorCode.TOO_LONG, "at most 120 characters")
        )
    note = str(given.get("note") or "").strip()
    if len(note) > MAX_NOTE_LENGTH:
        message = f"at most {MAX_NOTE_LENGTH} characters"
        issues.append(Issue(("input", "note"), ShipmentErrorCode.TOO_LONG, message))
    legs, leg_issues = check_legs(list(given.get("legs") or []))
    return {"reference": reference, "note": note, "legs": legs}, issues + leg_issues


def check_tracking_event(
    given: Mapping[str, Any], *, now: datetime
) -> tuple[dict[str, Any], list[Issue]]:
    issues: list[Issue] = []
    values: dict[str, Any] = _texts(given, TRACKING_TEXT, ("input",), issues)
    occurred_at = as_utc(given["occurred_at"])
    if occurred_at > now + CLOCK_SKEW:
        message = "a tracking event reports what has happened, not what is planned"
        issues.append(Issue(("input", "occurredAt"), ShipmentErrorCode.IN_THE_FUTURE, message))
    return {**values, "occurred_at": occurred_at}, issues


def _not_found(path: tuple[str, ...], what: str) -> WriteResult[Any]:
    return refused(path, ShipmentErrorCode.NOT_FOUND, f"no {what} has this id")


async def create_shipment(
    ctx: Context, *, order_id: str, given: Mapping[str, Any]
) -> WriteResult[Shipment]:
    pk = pk_of(order_id, "Order")
    if pk is None:
        return _not_found(("orderId",), "order")
    values, issues = check_shipment(given)
    if issues:
        return WriteResult(issues=issues)
    async with ctx.database.transaction() as db:
        order = await _visible_order(ctx, db, pk)
        if order is None:
            return _not_found(("orderId",), "order")
        if order.status not in SHIPPABLE:
            shippable = ", ".join(status.value for status in SHIPPABLE)
            message = f"the order is {order.status}; shipments are booked for {shippable} orders"
            return refused(("orderId",), ShipmentErrorCode.ORDER_NOT_SHIPPABLE, message)
        shipment = Shipment(
            order_id=pk,
            client_company_id=order.client_company_id,
            reference=values["reference"],
            note=values["note"],
        )
        db.add(shipment)
        await db.flush()
        assert shipment.id is not None
        legs = [ShipmentLeg(shipment_id=shipment.id, **leg) for leg in values["legs"]]
        db.add_all(legs)
        await db.flush()
        await db.refresh(shipment)
        payload = {
            "shipment_id": encode_global_id("Shipment", shipment.id),
            "order_id": encode_global_id("Order", pk),
            "reference": shipment.reference,
            "leg_count": len(legs),
        }
        await emit(db, event_types.SHIPMENT_CREATED, payload)
        changes = {
            "order_id": [None, pk],
            "reference": [None, shipment.reference],
            "legs": [None, len(legs)],
        }
        await audit(
            ctx,
            db,
            action="shipment.create",
            target_type="Shipment",
            target_id=shipment.id,
            changes=changes,
        )
    return WriteResult(row=shipment)


async def _visible_order(ctx: Context, db: AsyncSession, pk: int) -> Order | None:
    """The order, locked against changes of state until the shipment is written."""
    statement = select(Order).where(col(Order.id) == pk, ctx.loaders.visible(ORDER_BY_ID))
    found: Order | None = (await db.scalars(lock_for_no_key_update(statement))).first()
    return found


async def add_tracking_event(
    ctx: Context, *, shipment_id: str, given: Mapping[str, Any]
) -> WriteResult[TrackingEvent]:
    pk = pk_of(shipment_id, "Shipment")
    if pk is None:
        return _not_found(("shipmentId",), "shipment")
    values, issues = check_tracking_event(given, now=utcnow())
    if issues:
        return WriteResult(issues=issues)
    async with ctx.database.transaction() as db:
        statement = select(Shipment).where(
            col(Shipment.id) == pk, ctx.loaders.visible(SHIPMENT_BY_ID)
        )
        shipment = (await db.scalars(statement)).first()
        if shipment is None:
            return _not_found(("shipmentId",), "shipment")
        event = TrackingEvent(shipment_id=pk, **values)
        db.add(event)
        await db.flush()
        await db.refresh(event)
        payload = {
            "shipment_id": encode_global_id("Shipment", pk),
            "order_id": encode_global_id("Order", shipment.order_id),
            "status": event.status,
            "location": event.location,
            "occurred_at": values["occurred_at"].isoformat(),
        }
        await emit(db, event_types.SHIPMENT_TRACKING_UPDATED, payload)
        changes = {name: [None, payload[name]] for name in ("status", "location", "occurred_at")}
        await audit(
            ctx,
            db,
            action="shipment.add_tracking_event",
            target_type="Shipment",
            target_id=pk,
            changes=changes,
        )
    return WriteResult(row=event)


async def shipment(ctx: Context, pk: int) -> Shipment | None:
    found: Shipment | None = await ctx.loaders.one(SHIPMENT_BY_ID, pk)
    return found


async def order_shipments(ctx: Context, order_id: int) -> list[Shipment]:
    return await ctx.loaders.many(SHIPMENTS_BY_ORDER, order_id)


async def shipment_legs(ctx: Context, shipment_id: int) -> list[ShipmentLeg]:
    return await ctx.loaders.many(LEGS_BY_SHIPMENT, shipment_id)


async def tracking_events(ctx: Context, shipment_id: int) -> list[TrackingEvent]:
    return await ctx.loaders.many(TRACKING_BY_SHIPMENT, shipment_id)


async def shipment_order(ctx: Context, row: Shipment) -> Order | None:
    found: Order | None = await ctx.loaders.one(ORDER_BY_ID, row.order_id)
    return found
