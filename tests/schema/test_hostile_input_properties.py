"""Whatever strings, ids and decimals a caller sends, the answer is coded: never a 5xx or
INTERNAL_ERROR. A property test over the text, id and Decimal arguments of a sample of queries
and mutations, anonymous and as an admin, derandomized so every run tries the same inputs."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.global_id import encode_global_id
from tests.graphql_client import GraphQLClient

HOSTILE_TEXT = [
    "",
    "\x00",
    "a\x00b",
    "\ud800",
    "\udfff",
    "x\ud83d",
    "\ufffd",
    " " * 300,
    "é" * 2000,
]
text = st.one_of(
    st.sampled_from(HOSTILE_TEXT),
    st.text(max_size=40),
    st.text(
        st.characters(min_codepoint=0, max_codepoint=0xE000, exclude_categories=[]), max_size=8
    ),
)
ids = st.one_of(
    text,
    st.builds(
        encode_global_id,
        st.sampled_from(["Product", "Variant", "Order", "ClientCompany", "Category", "Bogus"]),
        st.one_of(st.integers(1, 2**80), st.sampled_from([2**31 - 1, 2**31, 2**63 - 1, 2**63])),
    ),
)
decimals = st.one_of(
    st.sampled_from(["NaN", "sNaN", "-Infinity", "1e999999", "1e-999999", "1e131073", "0", "-0"]),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.floats(allow_nan=False, allow_infinity=False),
    st.integers(-(2**70), 2**70),
    text,
)

PRODUCTS = """query($slug: String!, $f: ProductFilter) {
  product(slug: $slug) { id } products(filter: $f, first: 2) { totalCount } }"""
NODE = "query($id: ID!) { node(id: $id) { id } }"
PAY = """mutation($id: ID!, $amount: Decimal!, $ref: String!) {
  recordPayment(orderId: $id, amount: $amount, reference: $ref,
                receivedAt: "2026-01-05T10:00:00+00:00") { userErrors { code } } }"""
PLACE = """mutation($input: PlaceOrderInput!, $key: String!) {
  placeOrder(input: $input, idempotencyKey: $key) { userErrors { code } } }"""
CREDIT = """mutation($id: ID!, $limit: Decimal!, $currency: String!) {
  updateClientCredit(id: $id, expectedVersion: 1, creditLimit: $limit, creditCurrency: $currency,
    paymentTerms: {advancePercent: 0, balanceDueOn: INVOICE, netDays: 30})
  { userErrors { code } } }"""
RATES = """mutation($rates: [ExchangeRateInput!]!) {
  setExchangeRates(rates: $rates) { userErrors { code } } }"""
LOGIN = """mutation($email: String!, $password: String!) {
  login(email: $email, password: $password) { __typename } }"""
CHARGES = """mutation($id: ID!, $v: Int!, $amount: Decimal!, $d: String!) {
  setOrderCharges(orderId: $id, expectedVersion: $v,
    charges: [{kind: OTHER, amount: $amount, description: $d}]) { userErrors { code } } }"""
LEAD = """mutation($id: ID!, $name: String, $country: String, $lang: String, $key: String) {
  convertLeadToClient(inquiryId: $id, idempotencyKey: $key,
    input: {name: $name, country: $country, preferredLanguage: $lang}) { userErrors { code } } }"""
DEPART = "mutation($id: ID!) { departShipment(id: $id) { userErrors { code } } }"
LEG = """mutation($id: ID!, $sequence: Int!, $vessel: String, $container: String) {
  updateShipmentLeg(shipmentId: $id, sequence: $sequence,
    input: {vesselOrFlight: $vessel, voyage: $vessel, containerNumber: $container})
  { userErrors { code } } }"""
int32 = st.one_of(st.integers(-(2**31), 2**31 - 1), st.sampled_from([0, -1, 2**31 - 1]))

requests = st.one_of(
    st.builds(
        lambda slug, category, minimum, maximum, currency: (
            PRODUCTS,
            {
                "slug": slug,
                "f": {
                    "categorySlug": category,
                    "price": {"currency": currency, "min": minimum, "max": maximum},
                },
            },
        ),
        text,
        text,
        decimals,
        decimals,
        st.sampled_from(["USD", "EUR"]) | text,
    ),
    st.builds(lambda id_: (NODE, {"id": id_}), ids),
    st.builds(lambda i, a, r: (PAY, {"id": i, "amount": a, "ref": r}), ids, decimals, text),
    st.builds(
        lambda variant, note, key, place: (
            PLACE,
            {
                "input": {
                    "currency": "USD",
                    "incoterm": "FOB",
                    "namedPlace": place,
                    "shippingAddress": {"name": note, "line1": "x", "city": "y", "country": "DE"},
                    "lines": [{"variantId": variant, "quantity": 1}],
                    "note": note,
                },
                "key": key,
            },
        ),
        ids,
        text,
        text,
        text,
    ),
    st.builds(
        lambda i, limit, currency: (CREDIT, {"id": i, "limit": limit, "currency": currency}),
        ids,
        decimals,
        text,
    ),
    st.builds(
        lambda base, rate: (RATES, {"rates": [{"base": base, "quote": "USD", "rate": rate}]}),
        text,
        decimals,
    ),
    st.builds(lambda e, p: (LOGIN, {"email": e, "password": p}), text, text),
    st.builds(
        lambda i, v, a, d: (CHARGES, {"id": i, "v": v, "amount": a, "d": d}),
        ids,
        int32,
        decimals,
        text,
    ),
    st.builds(
        lambda i, name, country, lang, key: (
            LEAD,
            {"id": i, "name": name, "country": country, "lang": lang, "key": key},
        ),
        ids,
        text,
        text,
        text,
        text,
    ),
    st.builds(lambda i: (DEPART, {"id": i}), ids),
    st.builds(
        lambda i, n, v, c: (LEG, {"id": i, "sequence": n, "vessel": v, "container": c}),
        ids,
        int32,
        text,
        text,
    ),
)


@settings(
    max_examples=250,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(request=requests, as_admin=st.booleans())
async def test_no_input_gets_a_server_error(
    client: GraphQLClient, admin: GraphQLClient, request: tuple[str, dict[str, Any]], as_admin: bool
) -> None:
    document, variables = request
    caller = admin if as_admin else client
    response = await caller.response(document, variables)

    assert response.status_code < 500, response.text
    codes = [error["extensions"]["code"] for error in response.json().get("errors", [])]
    assert "INTERNAL_ERROR" not in codes, (request, response.json())
