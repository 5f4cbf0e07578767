"""One shipment by id, for whoever may see its order."""

from __future__ import annotations

from typing import Annotated

import strawberry

from core.global_id import decode_typed_id
from resolvers.shipments import writes as shipments
from schema.info import Info
from schema.shipments.types import Shipment


@strawberry.type
class ShipmentQuery:
    @strawberry.field(
        description=(
            "A shipment by its global id: for the client whose order it is, and staff with "
            "`orders:read_all`; null for anyone else, as for an id that does not exist."
        )
    )
    async def shipment(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The shipment's global id.")],
    ) -> Shipment | None:
        pk = decode_typed_id(id, "Shipment", argument="id")
        row = await shipments.shipment(info.context, pk)
        return None if row is None else Shipment.from_row(row)
