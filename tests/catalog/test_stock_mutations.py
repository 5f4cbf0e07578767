"""receiveStock and adjustStock: each change is one ledger row, an event and an audit row;
every refusal is a typed userError and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from core.db import Database
from core.event_types import STOCK_CHANGED
from core.global_id import encode_global_id
from core.settings import Settings
from models.accounts import Role
from models.audit import AuditEntry
from models.catalog import Variant
from models.outbox import OutboxEvent
from tests.builders import make_category, make_fabric_type, make_product, make_variant
from tests.callers import error_codes, token_for
from tests.catalog.stock_support import ADJUST, RECEIVE, assert_ledger_explains, ledger_of
from tests.graphql_client import GraphQLClient


async def _given(
    db: Database, settings: Settings, *, on_hand: int = 100, reserved: int = 30
) -> tuple[Variant, str]:
    """A variant with `on_hand` and `reserved` units, and a catalog manager's token."""
    async with db.transaction() as session:
        product = await make_product(
            session,
            product_type=await make_fabric_type(session),
            category=await make_category(session),
        )
        variant = await make_variant(session, product=product, on_hand=on_hand, reserved=reserved)
        token = await token_for(session, settings, Role.CATALOG_MANAGER)
    return variant, token


def _id(variant: Variant) -> str:
    return encode_global_id("Variant", variant.id or 0)


async def _stock(db: Database, variant: Variant) -> tuple[int, int]:
    async with db.session() as session:
        row = (
            await session.execute(
                select(col(Variant.stock_on_hand), col(Variant.stock_reserved)).where(
                    col(Variant.id) == variant.id
                )
            )
        ).one()
    return int(row[0]), int(row[1])


async def test_receiving_adds_to_on_hand_with_a_ledger_row_an_event_and_an_audit_row(
    db: Database, settings: Settings, client: GraphQLClient
) -> None:
    variant, token = await _given(db, settings)
    body = await client.as_(token).post(
        RECEIVE, {"variant": _id(variant), "quantity": 250, "note": " PO 4711 "}
    )
    payload = body["data"]["receiveStock"]
    assert payload["userErrors"] == []
    movement = payload["movement"]
    assert (movement["kind"], movement["onHandChange"], movement["reservedChange"]) == (
        "RECEIVED",
        250,
        0,
    )
    assert (movement["onHandAfter"], movement["reservedAfter"], movement["availableAfter"]) == (
        350,
        30,
        320,
    )
    assert movement["reason"] == "PO 4711"
    assert movement["actor"]["userId"] is not None
    assert payload["variant"]["available"] == 320
    async with db.session() as session:
        await assert_ledger_explains(session, variant, on_hand_before=100, reserved_before=30)
        event = (
            await session.scalars(
                select(OutboxEvent).where(col(OutboxEvent.event_type) == STOCK_CHANGED)
            )
        ).one()
        audits = list(
            await session.scalars(
                select(AuditEntry).where(col(AuditEntry.action) == "stock.receive")
            )
        )
    assert event.payload == {
        "variant_id": _id(variant),
        "product_id": encode_global_id("Product", variant.product_id),
        "sku": variant.sku,
        "stock_on_hand": 350,
        "stock_reserved": 30,
        "available": 320,
    }
    assert [entry.changes["stock_on_hand"] for entry in audits] == [[100, 350]]


async def test_a_count_sets_on_hand_and_the_ledger_records_the_difference(
    db: Database, settings: Settings, client: GraphQLClient
) -> None:
    variant, token = await _given(db, settings)
    staff = client.as_(token)
    counted = await staff.post(
        ADJUST,
        {"variant": _id(variant), "adjustment": {"countedOnHand": 90}, "reason": "cycle count"},
    )
    assert counted["data"]["adjustStock"]["movement"]["onHandChange"] == -10
    damaged = await staff.post(
        ADJUST, {"variant": _id(variant), "adjustment": {"change": -3}, "reason": "damaged"}
    )
    assert damaged["data"]["adjustStock"]["movement"]["onHandAfter"] == 87
    same = await staff.post(
        ADJUST,
        {"variant": _id(variant), "adjustment": {"countedOnHand": 87}, "reason": "recount"},
    )
    assert same["data"]["adjustStock"] == {
        "movement": None,
        "variant": {"id": _id(variant), "sku": variant.sku, "available": 57},
        "userErrors": [],
    }
    async with db.session() as session:
        rows = await assert_ledger_explains(
            session, variant, on_hand_before=100, reserved_before=30
        )
    assert [(row.kind, row.on_hand_change, row.reason) for row in rows] == [
        ("adjusted", -10, "cycle count"),
        ("adjusted", -3, "damaged"),
    ]


async def test_on_hand_never_goes_below_reserved(
    db: Database, settings: Settings, client: GraphQLClient
) -> None:
    variant, token = await _given(db, settings, on_hand=100, reserved=30)
    staff = client.as_(token)
    for adjustment in ({"countedOnHand": 29}, {"change": -71}):
        body = await staff.post(
            ADJUST, {"variant": _id(variant), "adjustment": adjustment, "reason": "count"}
        )
        (error,) = body["data"]["adjustStock"]["userErrors"]
        assert (error["field"], error["code"]) == (["adjustment"], "BELOW_RESERVED")
        assert "30 units are reserved" in error["message"]
    exactly = await staff.post(
        ADJUST, {"variant": _id(variant), "adjustment": {"countedOnHand": 30}, "reason": "count"}
    )
    assert exactly["data"]["adjustStock"]["movement"]["availableAfter"] == 0
    assert await _stock(db, variant) == (30, 30)


RECEIPT_REFUSALS: list[tuple[dict[str, Any], list[str], str]] = [
    ({"quantity": 0}, ["quantity"], "OUT_OF_RANGE"),
    ({"quantity": -5}, ["quantity"], "OUT_OF_RANGE"),
    ({"quantity": 1_000_000_001}, ["quantity"], "OUT_OF_RANGE"),
    ({"note": "n" * 501}, ["note"], "TOO_LONG"),
    ({"key": "   "}, ["idempotencyKey"], "REQUIRED"),
    ({"key": "k" * 101}, ["idempotencyKey"], "TOO_LONG"),
    ({"variant": encode_global_id("Variant", 2_000_000_000)}, ["variantId"], "NOT_FOUND"),
    ({"variant": encode_global_id("Variant", 2**40)}, ["variantId"], "NOT_FOUND"),
    ({"variant": encode_global_id("Product", 1)}, ["variantId"], "NOT_FOUND"),
]


@pytest.mark.parametrize(("given", "field", "code"), RECEIPT_REFUSALS)
async def test_a_refused_receipt_is_a_coded_user_error_and_changes_nothing(
    db: Database,
    settings: Settings,
    client: GraphQLClient,
    given: dict[str, Any],
    field: list[str],
    code: str,
) -> None:
    variant, token = await _given(db, settings)
    body = await client.as_(token).post(RECEIVE, {"variant": _id(variant), "quantity": 5, **given})
    payload = body["data"]["receiveStock"]
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [(field, code)]
    assert payload["movement"] is None
    assert await _stock(db, variant) == (100, 30)
    async with db.session() as session:
        assert await ledger_of(session, variant.id) == []


ADJUST_REFUSALS: list[tuple[dict[str, Any], list[str], str]] = [
    ({"reason": ""}, ["reason"], "REQUIRED"),
    ({"reason": "   "}, ["reason"], "REQUIRED"),
    ({"reason": "r" * 501}, ["reason"], "TOO_LONG"),
    ({"adjustment": {"change": 0}}, ["adjustment", "change"], "OUT_OF_RANGE"),
    ({"adjustment": {}}, ["adjustment"], "REQUIRED"),
    ({"adjustment": {"change": None}}, ["adjustment"], "REQUIRED"),
    ({"adjustment": {"change": 1, "countedOnHand": 5}}, ["adjustment"], "INVALID"),
    ({"adjustment": {"countedOnHand": -1}}, ["adjustment", "countedOnHand"], "OUT_OF_RANGE"),
    ({"adjustment": {"change": -1_000_000_001}}, ["adjustment", "change"], "OUT_OF_RANGE"),
    ({"variant": encode_global_id("Variant", 2_000_000_000)}, ["variantId"], "NOT_FOUND"),
]


@pytest.mark.parametrize(("given", "field", "code"), ADJUST_REFUSALS)
async def test_a_refused_adjustment_is_a_coded_user_error_and_changes_nothing(
    db: Database,
    settings: Settings,
    client: GraphQLClient,
    given: dict[str, Any],
    field: list[str],
    code: str,
) -> None:
    variant, token = await _given(db, settings)
    variables = {"variant": _id(variant), "adjustment": {"change": 5}, "reason": "count"}
    body = await client.as_(token).post(ADJUST, {**variables, **given})
    payload = body["data"]["adjustStock"]
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [(field, code)]
    assert await _stock(db, variant) == (100, 30)


HOSTILE: list[tuple[str, dict[str, Any]]] = [
    (RECEIVE, {"note": "PO\x004711"}),
    (RECEIVE, {"note": "PO \ud800"}),
    (RECEIVE, {"key": "k\x00"}),
    (RECEIVE, {"variant": "VmFyaWFudDox\x00"}),
    (RECEIVE, {"quantity": 2**31}),
    (ADJUST, {"reason": "count\x00"}),
]


@pytest.mark.parametrize(("mutation", "given"), HOSTILE)
async def test_hostile_arguments_are_refused_at_the_boundary_with_a_code(
    db: Database,
    settings: Settings,
    client: GraphQLClient,
    mutation: str,
    given: dict[str, Any],
) -> None:
    variant, token = await _given(db, settings)
    variables = {
        "variant": _id(variant),
        "quantity": 5,
        "adjustment": {"change": 5},
        "reason": "count",
    }
    if mutation == ADJUST:
        del variables["quantity"]
    else:
        del variables["adjustment"], variables["reason"]
    body = await client.as_(token).post(mutation, {**variables, **given})
    assert [code for _, code in error_codes(body)] == ["BAD_USER_INPUT"]
    assert await _stock(db, variant) == (100, 30)


async def test_a_retried_receipt_counts_once_and_another_input_is_refused(
    db: Database, settings: Settings, client: GraphQLClient
) -> None:
    variant, token = await _given(db, settings)
    staff = client.as_(token)
    given = {"variant": _id(variant), "quantity": 40, "key": "asn-1"}
    first = (await staff.post(RECEIVE, given))["data"]["receiveStock"]
    again = (await staff.post(RECEIVE, given))["data"]["receiveStock"]
    assert again["movement"] == first["movement"]
    other = (await staff.post(RECEIVE, {**given, "quantity": 41}))["data"]["receiveStock"]
    assert [e["code"] for e in other["userErrors"]] == ["IDEMPOTENCY_KEY_REUSED"]
    assert await _stock(db, variant) == (140, 30)
    async with db.session() as session:
        assert len(await ledger_of(session, variant.id)) == 1
        audits = await session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(col(AuditEntry.action) == "stock.receive")
        )
    assert audits == 1


async def test_stock_figures_beyond_a_graphql_int_are_refused(
    db: Database, settings: Settings, client: GraphQLClient
) -> None:
    variant, token = await _given(db, settings, on_hand=2**31 - 10, reserved=0)
    body = await client.as_(token).post(RECEIVE, {"variant": _id(variant), "quantity": 10})
    assert [e["code"] for e in body["data"]["receiveStock"]["userErrors"]] == ["OUT_OF_RANGE"]
    assert await _stock(db, variant) == (2**31 - 10, 0)
