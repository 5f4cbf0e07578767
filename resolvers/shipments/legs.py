"""Updating a leg of a shipment as the journey unfolds: a new ETA, another vessel, the B/L.

Only the fields given change (a field left out keeps its value; a text field given empty is
cleared, except the carrier; `clear_etd` and `clear_eta` clear dates no longer known). Each
update that changes something keeps one history row on the leg (who, when, each field before
and after) and one audit row, rewrites the shipment's own ETD and ETA from its legs in the
same transaction (the staff list sorts by them), and, when the ETA moved or was cleared,
emits `shipment.eta_changed` for partners and the buyer's mail. The shipment row is locked
first, so two updates of its legs apply one after the other and the journey dates are never
computed from a stale leg.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core import event_types
from core.global_id import encode_global_id
from core.outbox import emit
from core.outcomes import Issue, UserErrorCode, WriteResult, refuse, refused
from core.row_locks import lock_for_no_key_update
from loaders.shipments import LEG_CHANGES_BY_LEG, SHIPMENT_BY_ID
from models.accounts import ApiKey, User
from models.base import as_utc
from models.orders import order_number
from models.shipments import Shipment, ShipmentLeg, ShipmentLegChange
from resolvers.checks import Checker
from resolvers.context import Context
from resolvers.outcomes import audit, pk_of, refusable
from resolvers.shipments.writes import MAX_LEGS, journey_dates

# Column, API name, longest value, required when given: the text fields a leg update sets.
UPDATABLE_TEXT = (
    ("carrier", "carrier", 120, True),
    ("transport_document_number", "transportDocumentNumber", 64, False),
    ("container_number", "containerNumber", 32, False),
    ("vessel_or_flight", "vesselOrFlight", 120, False),
    ("voyage", "voyage", 40, False),
)


@dataclass(frozen=True)
class LegUpdate:
    """What changes on a leg; None keeps the field as it is."""

    etd: datetime | None = None
    eta: datetime | None = None
    carrier: str | None = None
    transport_document_number: str | None = None
    container_number: str | None = None
    vessel_or_flight: str | None = None
    voyage: str | None = None
    clear_etd: bool = False
    clear_eta: bool = False


# The leg's dates, the flag that clears each, and their API names.
CLEARABLE_MOMENTS = (("etd", "clear_etd", "clearEtd"), ("eta", "clear_eta", "clearEta"))


def check_leg_update(update: LegUpdate) -> tuple[dict[str, Any], Checker]:
    """The fields given, tidied and checked (the ETA against the ETD is checked on the leg)."""
    checker = Checker()
    given: dict[str, Any] = {}
    for column, api_name, longest, required in UPDATABLE_TEXT:
        value = getattr(update, column)
        if value is not None:
            given[column] = checker.text((api_name,), value, longest, required=required)
    for moment, clear, api_name in CLEARABLE_MOMENTS:
        value = getattr(update, moment)
        if getattr(update, clear):
            if value is not None:
                message = f"give a new {moment.upper()} or clear it, not both"
                checker.fail((api_name,), UserErrorCode.INVALID, message)
            given[moment] = None
        elif value is not None:
            given[moment] = as_utc(value)
    return given, checker


def _plain(value: Any) -> Any:
    """A value as the history and the audit log keep it (moments as ISO text)."""
    return value.isoformat() if isinstance(value, datetime) else value


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


async def update_shipment_leg(
    ctx: Context, *, shipment_id: str, sequence: int, update: LegUpdate
) -> WriteResult[ShipmentLeg]:
    pk = pk_of(shipment_id, "Shipment")
    if pk is None:
        return refused(("shipmentId",), UserErrorCode.NOT_FOUND, "no shipment has this id")
    given, checker = check_leg_update(update)
    if not 1 <= sequence <= MAX_LEGS:
        message = f"a shipment's legs are numbered 1 to {MAX_LEGS}"
        checker.issues.insert(0, Issue(("sequence",), UserErrorCode.NOT_FOUND, message))
    if checker.issues:
        return WriteResult(issues=checker.issues)

    async def work(db: AsyncSession) -> ShipmentLeg:
        shipment = await _locked_shipment(ctx, db, pk)
        leg = await db.scalar(
            select(ShipmentLeg).where(
                col(ShipmentLeg.shipment_id) == pk, col(ShipmentLeg.sequence) == sequence
            )
        )
        if leg is None:
            raise refuse(
                UserErrorCode.NOT_FOUND, "the shipment has no leg with this sequence", "sequence"
            )
        return await _apply(ctx, db, shipment, leg, given)

    return await refusable(ctx, work)


async def _locked_shipment(ctx: Context, db: AsyncSession, pk: int) -> Shipment:
    statement = select(Shipment).where(col(Shipment.id) == pk, ctx.loaders.visible(SHIPMENT_BY_ID))
    shipment: Shipment | None = (await db.scalars(lock_for_no_key_update(statement))).first()
    if shipment is None:
        raise refuse(UserErrorCode.NOT_FOUND, "no shipment has this id", "shipmentId")
    return shipment


async def _apply(
    ctx: Context, db: AsyncSession, shipment: Shipment, leg: ShipmentLeg, given: dict[str, Any]
) -> ShipmentLeg:
    assert shipment.id is not None
    assert leg.id is not None
    changes = {
        column: [_plain(getattr(leg, column)), _plain(value)]
        for column, value in given.items()
        if getattr(leg, column) != value
    }
    etd, eta = given.get("etd", leg.etd), given.get("eta", leg.eta)
    if etd is not None and eta is not None and eta < etd:
        message = "the arrival (ETA) cannot be before the departure (ETD)"
        # At the moment given: a new ETD after the ETA the leg keeps is the ETD's fault.
        at_fault = "eta" if "eta" in given else "etd"
        raise refuse(UserErrorCode.ETA_BEFORE_ETD, message, "input", at_fault)
    if not changes:
        return leg  # nothing differs: no history, no event, no audit
    previous_eta = leg.eta
    for column in changes:
        setattr(leg, column, given[column])
    db.add(leg)
    await db.flush()
    await _keep_journey_dates(db, shipment)
    db.add(
        ShipmentLegChange(
            shipment_id=shipment.id,
            leg_id=leg.id,
            changed_by_user_id=ctx.principal.user_id,
            changed_by=await actor_name(ctx, db),
            changes=changes,
        )
    )
    if "eta" in changes:
        await emit(
            db,
            event_types.SHIPMENT_ETA_CHANGED,
            {
                "shipment_id": encode_global_id("Shipment", shipment.id),
                "order_id": encode_global_id("Order", shipment.order_id),
                "number": order_number(shipment.order_id),
                "client_company_id": encode_global_id("ClientCompany", shipment.client_company_id),
                "leg_sequence": leg.sequence,
                "previous_eta": _iso(previous_eta),
                "eta": _iso(leg.eta),
            },
        )
    await audit(
        ctx,
        db,
        action="shipment.update_leg",
        target_type="Shipment",
        target_id=shipment.id,
        changes={"leg": [None, leg.sequence], **changes},
    )
    await db.flush()
    await db.refresh(leg)
    return leg


async def actor_name(ctx: Context, db: AsyncSession) -> str:
    """Who is writing, as people know them: a user's email, an API key's name (prefixed so
    it is never mistaken for a person), or the label the command line gave."""
    principal = ctx.principal
    if principal.user_id is not None:
        email = await db.scalar(select(col(User.email)).where(col(User.id) == principal.user_id))
        return str(email or "")
    if principal.api_key_id is not None:
        name = await db.scalar(
            select(col(ApiKey.name)).where(col(ApiKey.id) == principal.api_key_id)
        )
        return f"API key {name}" if name else ""
    return ctx.actor_label


async def _keep_journey_dates(db: AsyncSession, shipment: Shipment) -> None:
    """The shipment's earliest ETD and latest ETA, from its legs as they are now."""
    rows = await db.execute(
        select(col(ShipmentLeg.etd), col(ShipmentLeg.eta)).where(
            col(ShipmentLeg.shipment_id) == shipment.id
        )
    )
    shipment.etd, shipment.eta = journey_dates([{"etd": etd, "eta": eta} for etd, eta in rows])
    db.add(shipment)
    await db.flush()


async def leg_changes(ctx: Context, leg_id: int) -> list[ShipmentLegChange]:
    """A leg's history, oldest first."""
    return await ctx.loaders.many(LEG_CHANGES_BY_LEG, leg_id)
