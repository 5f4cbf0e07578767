"""The staff shipment list's filter, orders and connection."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Self

import strawberry

from admin_queries import shipments as staff_shipments
from models import shipments as rows
from resolvers.pagination import Page
from schema.node import PageInfo, connection_parts
from schema.shipments.types import Shipment

Sort = staff_shipments.ShipmentSort
UNDATED = "Shipments without one sort as if due at the end of time"


@strawberry.enum(description="Orders of the staff shipment list; each pages with cursors.")
class ShipmentSort(Enum):
    ETA = strawberry.enum_value(
        Sort.ETA.value,
        description=f"Soonest arrival (`eta`) first (the default). {UNDATED}: last.",
    )
    ETA_DESC = strawberry.enum_value(
        Sort.ETA_DESC.value, description=f"Latest arrival (`eta`) first. {UNDATED}: first."
    )
    ETD = strawberry.enum_value(
        Sort.ETD.value, description=f"Soonest departure (`etd`) first. {UNDATED}: last."
    )
    ETD_DESC = strawberry.enum_value(
        Sort.ETD_DESC.value, description=f"Latest departure (`etd`) first. {UNDATED}: first."
    )


LEG_WINDOW = (
    "Only shipments with at least one leg whose {date} is at or after this moment (a time "
    "without offset is UTC); a leg without one never matches."
)
LEG_WINDOW_END = (
    "Only shipments with at least one leg whose {date} is at or before this moment; with "
    "`{start}`, the same leg meets both and `{start}` may not be after it."
)
LEG_PREFIX = (
    "Only shipments with at least one leg whose {what} starts with this text, in any case "
    "(an exact value matches too); at most {longest} characters, blank is no condition."
)


@strawberry.input(
    description=(
        "Conditions on shipments, looked for in their legs; all given must hold, each met by "
        "any leg (not necessarily the same one)."
    )
)
class ShipmentFilter:
    etd_from: datetime | None = strawberry.field(
        default=None, description=LEG_WINDOW.format(date="ETD")
    )
    etd_to: datetime | None = strawberry.field(
        default=None, description=LEG_WINDOW_END.format(date="ETD", start="etdFrom")
    )
    eta_from: datetime | None = strawberry.field(
        default=None, description=LEG_WINDOW.format(date="ETA")
    )
    eta_to: datetime | None = strawberry.field(
        default=None, description=LEG_WINDOW_END.format(date="ETA", start="etaFrom")
    )
    carrier: str | None = strawberry.field(
        default=None,
        description=LEG_PREFIX.format(what="carrier", longest=staff_shipments.MAX_CARRIER_LENGTH),
    )
    vessel: str | None = strawberry.field(
        default=None,
        description=LEG_PREFIX.format(
            what="vessel or flight (`vesselOrFlight`)",
            longest=staff_shipments.MAX_VESSEL_LENGTH,
        ),
    )
    container: str | None = strawberry.field(
        default=None,
        description=LEG_PREFIX.format(
            what="container number", longest=staff_shipments.MAX_CONTAINER_LENGTH
        ),
    )

    def to_resolver(self) -> staff_shipments.ShipmentFilter:
        return staff_shipments.ShipmentFilter(
            etd_from=self.etd_from,
            etd_to=self.etd_to,
            eta_from=self.eta_from,
            eta_to=self.eta_to,
            carrier=self.carrier,
            vessel=self.vessel,
            container=self.container,
        )


@strawberry.type(description="A shipment in the staff list, with the cursor to continue after it.")
class ShipmentEdge:
    cursor: str = strawberry.field(description="Pass as `after` to list the shipments after it.")
    node: Shipment = strawberry.field(description="The shipment.")


@strawberry.type(description="A page of shipments (Relay connection).")
class ShipmentConnection:
    page: strawberry.Private[Page[rows.Shipment]]
    edges: list[ShipmentEdge] = strawberry.field(description="Shipments with cursors.")
    nodes: list[Shipment] = strawberry.field(description="Shipments without cursors.")
    page_info: PageInfo = strawberry.field(description="How to fetch the next page.")

    @classmethod
    def from_page(cls, page: Page[rows.Shipment]) -> Self:
        edges, nodes, info = connection_parts(page, Shipment.from_row, ShipmentEdge)
        return cls(page=page, edges=edges, nodes=nodes, page_info=info)

    @strawberry.field(description="How many shipments match, across all pages.")
    async def total_count(self) -> int:
        return await self.page.total_count()
