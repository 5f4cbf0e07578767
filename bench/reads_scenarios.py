"""The documents `bench.reads` times, each with the baseline path that answers it."""

from __future__ import annotations

from dataclasses import dataclass, field

import orjson

LISTING = """query Q($n: Int!) { products(first: $n) { edges { node { id name slug hsCode \
countryOfOrigin moq category { name } specs { label display } variants { sku available \
price(currency: "USD", quantity: 5000) { unitPrice } } } } } }"""


@dataclass(frozen=True)
class Scenario:
    name: str
    document: str
    variables: dict[str, object]
    baseline_path: str
    # Answered from TradeQL's read cache (a server with it on) rather than computed.
    cached: bool = False
    headers: dict[str, str] = field(default_factory=dict)

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
)
