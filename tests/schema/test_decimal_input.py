"""One rule for every Decimal argument: a decimal string, finite, within its column.

NaN, infinities and absurd exponents are refused before any arithmetic; a magnitude the
argument's column cannot hold is refused before the resolver; a JSON number or a Float or Int
literal is refused with a message saying to send a string. All are BAD_USER_INPUT naming the
argument, and nothing reaches INTERNAL_ERROR or a wrong answer.
"""

from __future__ import annotations

from typing import Any

import pytest
from strawberry.schema.schema_converter import GraphQLCoreConverter

from core.global_id import encode_global_id
from schema.build import build_schema
from schema.decimal_input import DecimalBounds, decimal_spots
from tests.graphql_client import GraphQLClient

PRICE_FILTER = "query($f: ProductFilter) { products(filter: $f) { totalCount } }"
PAY = """mutation($amount: Decimal!) {
  recordPayment(orderId: "T3JkZXI6MQ==", amount: $amount, reference: "R",
                receivedAt: "2026-01-05T10:00:00+00:00") { userErrors { code } } }"""
CREDIT = """mutation($limit: Decimal!) {
  updateClientCredit(id: "Q2xpZW50Q29tcGFueTox", expectedVersion: 1, creditLimit: $limit,
    creditCurrency: "USD", paymentTerms: {advancePercent: 0, balanceDueOn: INVOICE, netDays: 30})
  { userErrors { code } } }"""
RATES = """mutation($rates: [ExchangeRateInput!]!) {
  setExchangeRates(rates: $rates) { userErrors { code } } }"""
QUOTE = """mutation($input: QuoteInput!) {
  quoteInquiry(inquiryId: "SW5xdWlyeTox", input: $input) { userErrors { code } } }"""
INQUIRY = """mutation($input: SubmitInquiryInput!) {
  submitInquiry(input: $input) { userErrors { code } } }"""


def _price(**bounds: Any) -> dict[str, Any]:
    return {"f": {"price": {"currency": "USD", **bounds}}}


def _quote(unit_price: Any) -> dict[str, Any]:
    line = {"variantId": encode_global_id("Variant", 1), "quantity": 1, "unitPrice": unit_price}
    return {
        "input": {
            "lines": [line],
            "currency": "USD",
            "validUntil": "2099-01-01",
            "leadTimeDays": 10,
        }
    }


def _inquiry(amount: Any) -> dict[str, Any]:
    item = {
        "productId": encode_global_id("Product", 1),
        "quantity": 1,
        "targetPrice": {"amount": amount, "currency": "USD"},
    }
    return {"input": {"items": [item], "incoterm": "FOB", "namedPlace": "Hamburg"}}


def _refusal(body: dict[str, Any]) -> tuple[str, str]:
    [error] = body["errors"]
    return error["extensions"]["code"], error["extensions"].get("argument", "")


@pytest.mark.parametrize(
    ("document", "variables", "argument"),
    [
        # Beyond the column: Numeric(14, 4) holds less than 10^10.
        (PRICE_FILTER, _price(min="10000000000"), "filter.price.min"),
        (PRICE_FILTER, _price(max="-10000000000"), "filter.price.max"),
        (PRICE_FILTER, _price(min="9999999999.99995"), "filter.price.min"),
        (PRICE_FILTER, _price(min="1e131073"), "f"),
        (PRICE_FILTER, _price(min="1e999999"), "f"),
        (PRICE_FILTER, _price(min="NaN"), "f"),
        (PAY, {"amount": "NaN"}, "amount"),
        (PAY, {"amount": "sNaN"}, "amount"),
        (PAY, {"amount": "-Infinity"}, "amount"),
        (PAY, {"amount": "1e1000000"}, "amount"),
        (PAY, {"amount": "1e-1000000"}, "amount"),
        (PAY, {"amount": "100000000000000"}, "amount"),
        (PAY, {"amount": " 1"}, "amount"),
        (CREDIT, {"limit": "100000000000000"}, "creditLimit"),
        (RATES, {"rates": [{"base": "EUR", "quote": "USD", "rate": "1e15"}]}, "rates.0.rate"),
        (QUOTE, _quote("10000000000"), "input.lines.0.unitPrice"),
        (INQUIRY, _inquiry("10000000000"), "input.items.0.targetPrice.amount"),
    ],
)
async def test_a_decimal_that_is_no_number_or_beyond_its_column_is_refused_naming_it(
    admin: GraphQLClient, document: str, variables: dict[str, Any], argument: str
) -> None:
    body = await admin.post(document, variables)
    assert _refusal(body) == ("BAD_USER_INPUT", argument), body


@pytest.mark.parametrize(
    ("document", "variables", "argument"),
    [
        (PAY, {"amount": 1.5}, "amount"),
        (PAY, {"amount": 10}, "amount"),
        (PRICE_FILTER, _price(min=1.5), "f"),
        (QUOTE, _quote(12.5), "input"),
    ],
)
async def test_a_json_number_is_refused_with_a_message_to_send_a_string(
    admin: GraphQLClient, document: str, variables: dict[str, Any], argument: str
) -> None:
    body = await admin.post(document, variables)
    assert _refusal(body) == ("BAD_USER_INPUT", argument), body
    assert "decimal string" in body["errors"][0]["message"]


@pytest.mark.parametrize(
    ("document", "argument"),
    [
        (
            '{ products(filter: {price: {currency: "USD", min: 1.5}}) { totalCount } }',
            "filter.price.min",
        ),
        (
            '{ products(filter: {price: {currency: "USD", min: 15}}) { totalCount } }',
            "filter.price.min",
        ),
        (
            '{ products(filter: {price: {currency: "USD", min: "1e131073"}}) { totalCount } }',
            "filter.price.min",
        ),
        (
            '{ products(filter: {price: {currency: "USD", max: "Infinity"}}) { totalCount } }',
            "filter.price.max",
        ),
    ],
)
async def test_a_literal_that_is_no_decimal_string_is_refused_naming_the_argument(
    client: GraphQLClient, document: str, argument: str
) -> None:
    body = await client.post(document)
    assert _refusal(body) == ("BAD_USER_INPUT", argument), body


async def test_a_decimal_string_within_its_column_is_accepted(client: GraphQLClient) -> None:
    for bounds in ({"min": "9999999999.9999"}, {"min": "0.5", "max": "1E+3"}, {"max": "0"}):
        body = await client.post(PRICE_FILTER, _price(**bounds))
        assert "errors" not in body, body


def test_every_decimal_argument_declares_the_column_it_lands_in() -> None:
    schema = build_schema()
    unbounded, unchecked = [], []
    for type_ in schema._schema.type_map.values():
        for name, field in getattr(type_, "fields", {}).items():
            definition = field.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
            spots = decimal_spots(definition) if definition is not None else []
            where = f"{type_.name}.{name}"
            unbounded += [f"{where}({'.'.join(path)})" for path, bound in spots if bound is None]
            if spots and not any(isinstance(e, DecimalBounds) for e in definition.extensions):
                unchecked.append(where)
    assert (unbounded, unchecked) == ([], [])
    checked = {
        f"{type_.name}.{name}"
        for type_ in schema._schema.type_map.values()
        for name, field in getattr(type_, "fields", {}).items()
        if field.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF) is not None
        and decimal_spots(field.extensions[GraphQLCoreConverter.DEFINITION_BACKREF])
    }
    assert {"Query.products", "Mutation.recordPayment", "Mutation.setExchangeRates"} <= checked
