"""The order types' read paths: which relation each related field of an order, a line or a
payment reads, keyed by which column of its row (see `resolvers.look_ahead`)."""

from __future__ import annotations

from loaders.catalog import VARIANT_BY_ID
from loaders.clients import CLIENT_COMPANY_BY_ID
from loaders.orders import CHARGES_BY_ORDER, LINES_BY_ORDER, ORDER_BY_ID, PAYMENTS_BY_ORDER
from resolvers.look_ahead import READ_PATHS, Step

ORDER = {
    "lines": Step(LINES_BY_ORDER, "id", then="OrderLine"),
    "charges": Step(CHARGES_BY_ORDER, "id"),
    "payments": Step(PAYMENTS_BY_ORDER, "id", then="Payment"),
    "client": Step(CLIENT_COMPANY_BY_ID, "client_company_id"),
}
ORDER_LINE = {"variant": Step(VARIANT_BY_ID, "variant_id", then="Variant")}
PAYMENT = {"order": Step(ORDER_BY_ID, "order_id", then="Order")}

READ_PATHS.update(Order=ORDER, OrderLine=ORDER_LINE, Payment=PAYMENT)
