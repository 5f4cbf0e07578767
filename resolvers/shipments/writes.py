"""Shipments of an order: booking one with its lines and legs, adding tracking events,
reading them.

A shipment is booked before the goods leave (it departs later, resolvers/shipments/
departure.py), so an order that is confirmed, paid or partly shipped may get one, carrying
the quantities of its lines given, or everything no other shipment carries yet
(resolvers/shipments/booking.py). The order row is locked while the
shipment is written, so a cancellation cannot slip in between the check and the insert.
With an idempotency key, a retry answers the shipment the first call booked.
The shipment's own ETD and ETA (its legs' earliest and latest) are written with its legs, in
the same transaction, for the staff list's orders (`admin_queries.shipments`).
Reads go through the scoped relations of `loaders.shipments`: a client sees the shipments of
its own orders, staff with `orders:read_all` every one, and a shipment nobody may see is
"not found" exactly like one that does not exist.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core import event_types
from core.global_id import encode_global_id
from core.outbox import emit, utcnow
from core.outcomes import Issue, UserErrorCode, WriteResult, refuse, refused
from core.row_locks import lock_for_no_key_update
from loaders.orders import ORDER_BY_ID
from loaders.shipments import (
    LEGS_BY_SHIPMENT,
    LINES_BY_SHIPMENT,
    SHIPMENT_BY_ID,
    SHIPMENTS_BY_ORDER,
    TRACKING_BY_SHIPMENT,
)
from models.base import as_utc
from models.orders import Order, OrderLine, OrderStatus
from models.shipments import Shipment, ShipmentLeg, ShipmentLine, TrackingEvent, TransportMode
from resolvers.checks import Checker
from resolvers.context import Context
from resolvers.idempotency import created_once, key_issues
from resolvers.outcomes import audit, pk_of, refusable
from resolvers.shipments.booking import (
    ShipmentLineRequest,
    check_shipment_lines,
    lines_to_book,
    write_shipment_lines,
)

SHIPPABLE = (OrderStatus.CONFIRMED, OrderStatus.PAID, OrderStatus.PARTLY_SHIPPED)
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
    ("voyage", "voyage", 40, False),
    ("origin", "origin", 200, False),
    ("destination", "destination", 200, False),
)
TRACKING_TEXT = (
    ("location", "location", 200, True),
    ("status", "status", 64, True),
    ("description", "description", MAX_NOTE_LENGTH, False),
)


@dataclass(frozen=True)
class LegRequest:
    """One leg of the journey as the mutation gives it."""

    carrier: str
    mode: str
    transport_document_number: str = ""
    container_number: str = ""
    vessel_or_flight: str = ""
    voyage: str = ""
    origin: str = ""
    destination: str = ""
    etd: datetime | None = None
    eta: datetime | None = None


@dataclass(frozen=True)
class ShipmentRequest:
    legs: Sequence[LegRequest]
    reference: str = ""
    note: str = ""
    # None: everything of the order no shipment carries yet.
    lines: Sequence[ShipmentLineRequest] | None = None


@dataclass(frozen=True)
class TrackingEventRequest:
    occurred_at: datetime
    location: str
    status: str
    description: str = ""


def _texts(
    checker: Checker, given: object, fields: tuple[tuple[str, str, int, bool], ...]
) -> dict[str, str]:
    """The text fields tidied (spaces trimmed), each checked for presence and length."""
    return {
        column: checker.text((api_name,), getattr(given, column), longest, required=required)
        for column, api_name, longest, required in fields
    }


def check_legs(legs: Sequence[LegRequest]) -> tuple[list[dict[str, Any]], list[Issue]]:
    """The legs in journey order, numbered from 1; ETA may not precede ETD."""
    at = ("input", "legs")
    if not legs:
        return [], [Issue(at, UserErrorCode.NO_ITEMS, "a shipment has at least one leg")]
    if len(legs) > MAX_LEGS:
        return [], [Issue(at, UserErrorCode.TOO_MANY_ITEMS, f"at most {MAX_LEGS} legs")]
    issues: list[Issue] = []
    checked: list[dict[str, Any]] = []
    for index, leg in enumerate(legs):
        checker = Checker((*at, str(index)))
        values = _texts(checker, leg, LEG_TEXT)
        etd = None if leg.etd is None else as_utc(leg.etd)
        eta = None if leg.eta is None else as_utc(leg.eta)
        if etd is not None and eta is not None and eta < etd:
            message = "the arrival (ETA) cannot be before the departure (ETD)"
            checker.fail(("eta",), UserErrorCode.ETA_BEFORE_ETD, message)
        issues += checker.issues
        mode = TransportMode(leg.mode)
        checked.append({**values, "mode": mode, "etd": etd, "eta": eta, "sequence": index + 1})
    return checked, issues


def journey_dates(legs: Sequence[dict[str, Any]]) -> tuple[datetime | None, datetime | None]:
    """The shipment's own ETD and ETA, kept on its row for the staff list's orders: the
    earliest ETD and the latest ETA of its legs, None when no leg has one."""
    departures = [leg["etd"] for leg in legs if leg["etd"] is not None]
    arrivals = [leg["eta"] for leg in legs if leg["eta"] is not None]
    return (min(departures) if departures else None, max(arrivals) if arrivals else None)


def check_shipment(request: ShipmentRequest) -> tuple[dict[str, Any], list[Issue]]:
    checker = Checker()
    reference = checker.text(("reference",), request.reference, 120, required=False)
    note = checker.text(("note",), request.note, MAX_NOTE_LENGTH, required=False)
    legs, leg_issues = check_legs(request.legs)
    lines = None
    if request.lines is not None:
        lines = [(line.order_line_id, line.quantity) for line in request.lines]
    values = {"reference": reference, "note": note, "legs": legs, "lines": lines}
    return values, checker.issues + leg_issues + check_shipment_lines(request.lines)


def check_tracking_event(
    request: TrackingEventRequest, *, now: datetime
) -> tuple[dict[str, Any], list[Issue]]:
    checker = Checker()
    values: dict[str, Any] = _texts(checker, request, TRACKING_TEXT)
    occurred_at = as_utc(request.occurred_at)
    if occurred_at > now + CLOCK_SKEW:
        message = "a tracking event reports what has happened, not what is planned"
        checker.fail(("occurredAt",), UserErrorCode.IN_THE_FUTURE, message)
    return {**values, "occurred_at": occurred_at}, checker.issues


def _not_found(path: tuple[str, ...], what: str) -> WriteResult[Any]:
    return refused(path, UserErrorCode.NOT_FOUND, f"no {what} has this id")


async def create_shipment(
    ctx: Context, *, order_id: str, request: ShipmentRequest, idempotency_key: str | None = None
) -> WriteResult[Shipment]:
    """A shipment with its legs; with a key, a retry answers the shipment first booked."""
    pk = pk_of(order_id, "Order")
    if pk is None:
        return _not_found(("orderId",), "order")
    values, issues = check_shipment(request)
    issues = issues + key_issues(idempotency_key)
    if issues:
        return WriteResult(issues=issues)

    async def book(db: AsyncSession, order: Order) -> Shipment:
        if order.status not in SHIPPABLE:
            shippable = ", ".join(status.value for status in SHIPPABLE)
            message = f"the order is {order.status}; shipments are booked for {shippable} orders"
            raise refuse(UserErrorCode.ORDER_NOT_SHIPPABLE, message, "orderId")
        assert order.id is not None
        chosen = await lines_to_book(db, order.id, request.lines)
        return await _write_shipment(ctx, db, order, values, chosen)

    async def work(db: AsyncSession) -> Shipment:
        # Checked (and locked) before the key: a replay answers only for an order still visible.
        order = await _visible_order(ctx, db, pk)
        if order is None:
            raise refuse(UserErrorCode.NOT_FOUND, "no order has this id", "orderId")
        return await created_once(
            ctx,
            db,
            operation="createShipment",
            key=idempotency_key,
            normalised_input={"order_id": pk, **values},
            model=Shipment,
            create=lambda: book(db, order),
        )

    return await refusable(ctx, work)


async def _write_shipment(
    ctx: Context,
    db: AsyncSession,
    order: Order,
    values: dict[str, Any],
    chosen: Sequence[tuple[OrderLine, int]],
) -> Shipment:
    """The shipment, what it carries, its legs, `shipment.created` and the audit row."""
    assert order.id is not None
    etd, eta = journey_dates(values["legs"])
    shipment = Shipment(
        order_id=order.id,
        client_company_id=order.client_company_id,
        reference=values["reference"],
        note=values["note"],
        etd=etd,
        eta=eta,
    )
    db.add(shipment)
    await db.flush()
    assert shipment.id is not None
    lines = await write_shipment_lines(db, shipment.id, chosen)
    legs = [ShipmentLeg(shipment_id=shipment.id, **leg) for leg in values["legs"]]
    db.add_all(legs)
    await db.flush()
    await db.refresh(shipment)
    payload = {
        "shipment_id": encode_global_id("Shipment", shipment.id),
        "order_id": encode_global_id("Order", order.id),
        "reference": shipment.reference,
        "leg_count": len(legs),
    }
    await emit(db, event_types.SHIPMENT_CREATED, payload)
    changes = {
        "order_id": [None, order.id],
        "reference": [None, shipment.reference],
        "legs": [None, len(legs)],
        "lines": [None, [[line.order_line_id, line.quantity] for line in lines]],
    }
    await audit(
        ctx,
        db,
        action="shipment.create",
        target_type="Shipment",
        target_id=shipment.id,
        changes=changes,
    )
    return shipment


async def _visible_order(ctx: Context, db: AsyncSession, pk: int) -> Order | None:
    """The order, locked against changes of state until the shipment is written."""
    statement = select(Order).where(col(Order.id) == pk, ctx.loaders.visible(ORDER_BY_ID))
    found: Order | None = (await db.scalars(lock_for_no_key_update(statement))).first()
    return found


async def add_tracking_event(
    ctx: Context, *, shipment_id: str, request: TrackingEventRequest
) -> WriteResult[TrackingEvent]:
    pk = pk_of(shipment_id, "Shipment")
    if pk is None:
        return _not_found(("shipmentId",), "shipment")
    values, issues = check_tracking_event(request, now=utcnow())
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


async def shipment_lines(ctx: Context, shipment_id: int) -> list[ShipmentLine]:
    return await ctx.loaders.many(LINES_BY_SHIPMENT, shipment_id)


async def shipment_order(ctx: Context, row: Shipment) -> Order | None:
    found: Order | None = await ctx.loaders.one(ORDER_BY_ID, row.order_id)
    return found
