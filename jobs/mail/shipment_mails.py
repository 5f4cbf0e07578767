"""The buyer's mails about shipments: one departed (what it carries and how to track it), and
a leg's ETA changed. Payloads as core/event_types.py gives them (`shipment.departed`,
`shipment.eta_changed`); the rows they name supply the rest.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from core.global_id import decode_typed_id
from core.settings import Settings
from jobs.mail.mail_values import BuyerMail, MailLine, lines_block, moment, order_link, text_or_dash
from jobs.mail.order_mails import order_mail_lines
from models.orders import Order, order_number
from models.shipments import Shipment


async def shipment_departed(
    session: AsyncSession, payload: Mapping[str, Any], settings: Settings
) -> BuyerMail | None:
    shipment_and_order = await _shipment_and_order(session, payload)
    if shipment_and_order is None:
        return None
    shipment, order = shipment_and_order
    # The payload says what this shipment carries; the order's lines name the goods.
    names = {line.sku: line.name for line in await order_mail_lines(session, order)}
    carried = [
        MailLine(str(line["sku"]), names.get(str(line["sku"]), ""), int(line["quantity"]))
        for line in payload["lines"]
    ]
    values = {
        **_shipment_values(shipment, order, settings),
        "carrier": text_or_dash(payload.get("carrier")),
        "transport_document_number": text_or_dash(payload.get("transport_document_number")),
        "container_number": text_or_dash(payload.get("container_number")),
        "vessel_or_flight": text_or_dash(payload.get("vessel_or_flight")),
        "etd": moment(payload.get("etd")),
        "eta": moment(payload.get("eta")),
        "departed_at": moment(payload.get("departed_at")),
        "lines": lines_block(carried, order.currency),
    }
    return BuyerMail("shipment_departed", values, company_id=order.client_company_id)


async def eta_changed(
    session: AsyncSession, payload: Mapping[str, Any], settings: Settings
) -> BuyerMail | None:
    shipment_and_order = await _shipment_and_order(session, payload)
    if shipment_and_order is None:
        return None
    shipment, order = shipment_and_order
    values = {
        **_shipment_values(shipment, order, settings),
        "leg_sequence": int(payload["leg_sequence"]),
        "previous_eta": moment(payload.get("previous_eta")),
        "eta": moment(payload.get("eta")),
    }
    return BuyerMail("shipment_eta_changed", values, company_id=order.client_company_id)


async def _shipment_and_order(
    session: AsyncSession, payload: Mapping[str, Any]
) -> tuple[Shipment, Order] | None:
    shipment_pk = decode_typed_id(str(payload["shipment_id"]), "Shipment", argument="shipment_id")
    shipment = await session.get(Shipment, shipment_pk)
    if shipment is None:
        return None
    order = await session.get(Order, shipment.order_id)
    return None if order is None else (shipment, order)


def _shipment_values(shipment: Shipment, order: Order, settings: Settings) -> dict[str, object]:
    assert order.id is not None
    return {
        "order_number": order_number(order.id),
        "shipment_reference": text_or_dash(shipment.reference),
        "order_url": order_link(settings.public_app_url, order.id),
    }
