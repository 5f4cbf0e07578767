"""The staff list of shipments: filtered on their legs, sorted by ETA or ETD, keyset paged.

Only `shipments(...)` reaches it, behind `orders:read_all`; rows and count still go through
the caller's visibility clause (`loaders.shipments`), so it never shows a shipment the caller
may not see.

A shipment's ETD is the earliest ETD of its legs (when the goods leave) and its ETA the
latest ETA of its legs (when they arrive). Both are kept on the shipment row, written in the
one transaction that writes its legs (`resolvers.shipments.writes.create_shipment`; legs
change nowhere else), rather than derived per query: a sort on a subquery over the legs
would rank every shipment before returning a page, while a column sorts through an index
(`coalesce(eta, UNDATED), id`, migration 0022) and pages as a range. A shipment with no date
sorts at the end of time: last soonest-first, first latest-first.

Filters look at the legs, through indexes on `shipment_legs`: a shipment matches a window
when at least one of its legs has its date inside it, both ends included (a leg without the
date never matches), and a carrier, vessel or container when one of its legs starts with
the text given, in any case (an exact value matches too). Different conditions may be met by
different legs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, func, literal_column
from sqlmodel import col, select

from core.dialect import timestamp_key, timestamp_value
from core.errors import BadUserInput
from loaders.shipments import SHIPMENT_BY_ID
from models.base import Moment
from models.shipments import UNDATED, UNDATED_IN_QUERY, Shipment, ShipmentLeg
from resolvers.context import Context
from resolvers.keyset import KeyKind, KeysetOrder, SortKey, keyset_page
from resolvers.pagination import Page
from resolvers.prefix_search import starts_with

# The longest value each leg column holds: a longer prefix can match nothing.
MAX_CARRIER_LENGTH = 120
MAX_VESSEL_LENGTH = 120
MAX_CONTAINER_LENGTH = 32


class ShipmentSort(StrEnum):
    ETA = "eta"  # soonest arrival first
    ETA_DESC = "eta_desc"  # latest arrival first
    ETD = "etd"  # soonest departure first
    ETD_DESC = "etd_desc"  # latest departure first


@dataclass(frozen=True)
class ShipmentFilter:
    """Shipments meeting every condition given."""

    etd_from: datetime | None = None
    etd_to: datetime | None = None
    eta_from: datetime | None = None
    eta_to: datetime | None = None
    carrier: str | None = None
    vessel: str | None = None
    container: str | None = None


def _undated_last(moment: Any) -> ColumnElement[datetime]:
    return func.coalesce(moment, literal_column(UNDATED_IN_QUERY, Moment()))


ETA_KEY = _undated_last(col(Shipment.eta))
ETD_KEY = _undated_last(col(Shipment.etd))


def _order(tag: str, key: ColumnElement[datetime], *, descending: bool) -> KeysetOrder:
    return KeysetOrder(
        f"shipments:{tag}",
        (
            SortKey(key, KeyKind.MOMENT, descending=descending),
            SortKey(col(Shipment.id), KeyKind.INT, descending=descending),
        ),
    )


ORDERS = {
    ShipmentSort.ETA: _order("eta", ETA_KEY, descending=False),
    ShipmentSort.ETA_DESC: _order("eta_desc", ETA_KEY, descending=True),
    ShipmentSort.ETD: _order("etd", ETD_KEY, descending=False),
    ShipmentSort.ETD_DESC: _order("etd_desc", ETD_KEY, descending=True),
}


def _key_of(sort: ShipmentSort) -> Any:
    def key_of(row: Shipment) -> tuple[datetime, int | None]:
        moment = row.eta if sort in (ShipmentSort.ETA, ShipmentSort.ETA_DESC) else row.etd
        return (UNDATED if moment is None else moment, row.id)

    return key_of


def _window(
    leg_column: Any, since: datetime | None, until: datetime | None, argument: str
) -> ColumnElement[bool] | None:
    """Shipments with a leg whose date is within [since, until] (either end may be open)."""
    if since is None and until is None:
        return None
    if since is not None and until is not None and since > until:
        raise BadUserInput("`from` must not be after `to`", argument=argument)
    moment = timestamp_key(leg_column)
    bounds: list[ColumnElement[bool]] = []
    if since is not None:
        bounds.append(moment >= timestamp_value(since))
    if until is not None:
        bounds.append(moment <= timestamp_value(until))
    return col(Shipment.id).in_(select(col(ShipmentLeg.shipment_id)).where(*bounds))


def _prefix(
    leg_column: Any, given: str | None, longest: int, argument: str
) -> ColumnElement[bool] | None:
    """Shipments with a leg whose `leg_column` starts with `given`, in any case; a blank
    text is no condition (an empty search box)."""
    if given is None:
        return None
    if len(given) > longest:
        raise BadUserInput(f"must be at most {longest} characters", argument=argument)
    text = given.strip()
    if not text:
        return None
    legs = select(col(ShipmentLeg.shipment_id)).where(starts_with(leg_column, text))
    return col(Shipment.id).in_(legs)


def filter_conditions(given: ShipmentFilter) -> list[ColumnElement[bool]]:
    """The SQL conditions of a filter; BAD_USER_INPUT naming the argument it cannot take."""
    conditions = [
        _window(col(ShipmentLeg.etd), given.etd_from, given.etd_to, "filter.etdFrom"),
        _window(col(ShipmentLeg.eta), given.eta_from, given.eta_to, "filter.etaFrom"),
        _prefix(col(ShipmentLeg.carrier), given.carrier, MAX_CARRIER_LENGTH, "filter.carrier"),
        _prefix(
            col(ShipmentLeg.vessel_or_flight), given.vessel, MAX_VESSEL_LENGTH, "filter.vessel"
        ),
        _prefix(
            col(ShipmentLeg.container_number),
            given.container,
            MAX_CONTAINER_LENGTH,
            "filter.container",
        ),
    ]
    return [condition for condition in conditions if condition is not None]


async def list_shipments(
    ctx: Context,
    *,
    first: int,
    after: str | None,
    shipment_filter: ShipmentFilter,
    sort: ShipmentSort,
) -> Page[Shipment]:
    """Shipments the caller may see matching the filter, a keyset page in `sort`."""
    conditions = [ctx.loaders.visible(SHIPMENT_BY_ID), *filter_conditions(shipment_filter)]
    page = await keyset_page(
        ctx.session,
        ORDERS[sort],
        select(Shipment).where(*conditions),
        first=first,
        after=after,
        key_of=_key_of(sort),
    )
    for row in page.rows:
        ctx.loaders.prime(SHIPMENT_BY_ID, row.id, row)
    return page
