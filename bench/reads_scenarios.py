"""The documents `bench.reads` times, each with the baseline path that answers it."""

from __future__ import annotations

from dataclasses import dataclass, field

import orjson

NODE = """id name slug hsCode countryOfOrigin moq category { name } specs { label display } \
variants { sku available price(currency: "USD", quantity: 5000) { unitPrice } }"""

# The listing (`quantity: 5000`: every variant of the demo has a USD price there).
LISTING = f"query Q($n: Int!) {{ products(first: $n) {{ edges {{ node {{ {NODE} }} }} }} }}"

# Bearings of a bore, as a buyer narrows the listing by a spec.
SPEC_FILTER = f"""query S($n: Int!, $type: String!, $attribute: String!, $number: Float!) {{ \
products(first: $n, filter: {{productTypeSlug: $type, specs: [{{attribute: $attribute, \
equals: {{number: $number}}}}]}}) {{ edges {{ node {{ {NODE} }} }} }} }}"""

# A product page: every tier of every variant in one currency. `$slug` is chosen at run time.
DETAIL = """query D($slug: String!) { product(slug: $slug) { id name slug description hsCode \
countryOfOrigin moq leadTimeDays incoterms category { name } specs { label display } \
variants { sku name available priceTiers(currency: "USD") { minQuantity unitPrice } } } }"""

# A sales desk's order book: the newest orders with their lines and client, as an API key of
# a staff role (its bearer is filled in at run time).
STAFF_ORDERS = """query O($n: Int!) { orders(first: $n) { edges { node { id number status \
currency total { amount currency } client { name country } lines { sku productName quantity \
unitPrice { amount currency } lineTotal { amount currency } } } } } }"""

# The sidebar of one product type: every filterable attribute's values, and the countries.
FACETS = """query F($type: String!) { facets(filter: {productTypeSlug: $type}) { attributes { key \
values { value count } } countriesOfOrigin { value count } } }"""


@dataclass(frozen=True)
class Scenario:
    name: str
    document: str
    variables: dict[str, object]
    baseline_path: str
    # Answered from TradeQL's read cache (a server with it on) rather than computed.
    cached: bool = False
    headers: dict[str, str] = field(default_factory=dict)
    # Bytes every answer worth timing holds: an empty list would be timed for nothing.
    expect: bytes = b'"sku":'

    def body(self) -> bytes:
        return orjson.dumps({"query": self.document, "variables": self.variables})

    @property
    def all_headers(self) -> dict[str, str]:
        return {"Content-Type": "application/json", **self.headers}


SCENARIOS = (
    Scenario("listing20", LISTING, {"n": 20}, "/listing"),
    Scenario("listing100", LISTING, {"n": 100}, "/listing"),
    Scenario("listing20_cached", LISTING, {"n": 20}, "/listing", cached=True),
    Scenario("listing100_cached", LISTING, {"n": 100}, "/listing", cached=True),
    Scenario("detail", DETAIL, {"slug": None}, "/detail"),
    Scenario(
        "spec_filter",
        SPEC_FILTER,
        {"n": 20, "type": "bearing", "attribute": "bore_mm", "number": 20},
        "/spec_filter",
    ),
    Scenario("facets", FACETS, {"type": "fabric"}, "/facets", expect=b'"count":'),
    Scenario(
        "staff_orders50",
        STAFF_ORDERS,
        {"n": 50},
        "/staff_orders",
        headers={"Authorization": "Bearer "},
        expect=b'"lineTotal":',
    ),
)
