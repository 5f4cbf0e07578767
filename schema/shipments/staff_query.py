"""The staff shipment list: every shipment, filtered on its legs, by ETA or ETD.

Needs `orders:read_all`; client users and storefront keys get FORBIDDEN (a client reads its
own shipments through its orders). One shipment by id is `shipment(id:)` in `query.py`.
"""

from __future__ import annotations

from typing import Annotated, cast

import strawberry

from admin_queries import shipments as staff_shipments
from auth.policy import Permission
from schema.info import Info
from schema.node import PageAfter, PageSize
from schema.permissions import permission_field
from schema.shipments.staff_list import ShipmentConnection, ShipmentFilter, ShipmentSort


@strawberry.type
class StaffShipmentQuery:
    @permission_field(
        Permission.ORDERS_READ_ALL,
        description=(
            "Every shipment, a page at a time, filtered on its legs' dates, carriers, vessels "
            "and containers. A shipment's `etd` is its legs' earliest ETD, its `eta` their "
            "latest ETA. Pass `pageInfo.endCursor` as `after` for the next page, with the "
            "same arguments."
        ),
    )
    async def shipments(
        self,
        info: Info,
        first: PageSize = 20,
        after: PageAfter = None,
        filter: Annotated[
            ShipmentFilter | None,
            strawberry.argument(description="Only shipments meeting these conditions."),
        ] = None,
        sort_by: Annotated[
            ShipmentSort, strawberry.argument(description="The order of the shipments.")
        ] = ShipmentSort.ETA,
    ) -> ShipmentConnection | None:
        page = await staff_shipments.list_shipments(
            info.context,
            first=first,
            after=after,
            shipment_filter=(filter or ShipmentFilter()).to_resolver(),
            sort=staff_shipments.ShipmentSort(cast(str, sort_by.value)),
        )
        return ShipmentConnection.from_page(page)
