"""Sales' work on an inquiry over HTTP: assigning, quoting revisions, closing won or lost."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlmodel import col, select

from core.db import Database
from core.settings import Settings
from models.accounts import Role
from models.audit import AuditEntry
from models.outbox import OutboxEvent
from tests.callers import token_for
from tests.graphql_client import GraphQLClient
from tests.inquiries.support import (
    ASSIGN,
    CLOSE,
    QUOTE,
    SUBMIT,
    TODAY,
    Desk,
    gid,
    inquiry_input,
    item,
    quote_input,
)
from tests.user_builders import make_user


async def _client_inquiry(api: GraphQLClient, desk: Desk) -> str:
    given = inquiry_input([item(desk.product, desk.variant, 500)])
    payload = (await api.as_(desk.client_token).data(SUBMIT, {"input": given}))["submitInquiry"]
    inquiry_id: str = payload["inquiry"]["id"]
    return inquiry_id


async def _call(api: GraphQLClient, token: str, document: str, **variables: Any) -> dict[str, Any]:
    [payload] = (await api.as_(token).data(document, variables)).values()
    assert isinstance(payload, dict)
    return payload


def _errors(payload: dict[str, Any]) -> list[tuple[Any, str]]:
    return [(error["field"], error["code"]) for error in payload["userErrors"]]


async def _audit(db: Database, action: str) -> list[AuditEntry]:
    async with db.session() as session:
        statement = select(AuditEntry).where(col(AuditEntry.action) == action)
        return list(await session.scalars(statement.order_by(col(AuditEntry.id))))


async def test_an_inquiry_is_assigned_to_an_active_salesperson(
    api: GraphQLClient, db: Database, desk: Desk, settings: Settings
) -> None:
    inquiry_id = await _client_inquiry(api, desk)
    async with db.transaction() as session:
        client_user = await make_user(session, Role.CLIENT, company=desk.company)
        disabled = await make_user(session, Role.SALES, disabled=True)
        support = await make_user(session, Role.SUPPORT)
        admin = await make_user(session, Role.ADMIN)

    # staff who may not work inquiries, a client, a disabled user, a non-user: refused
    for user_id in (
        gid("User", client_user.id),
        gid("User", disabled.id),
        gid("User", support.id),
        gid("User", 999_999),
        gid("Product", desk.product.id),
    ):
        refused = await _call(api, desk.sales_token, ASSIGN, id=inquiry_id, user=user_id)
        assert _errors(refused) == [(["userId"], "INVALID_ASSIGNEE")], user_id

    # a salesperson: the new inquiry becomes ASSIGNED, version 2, one audit row
    done = await _call(
        api, desk.sales_token, ASSIGN, id=inquiry_id, user=gid("User", desk.sales.id)
    )
    assert done == {
        "inquiry": {"status": "ASSIGNED", "version": 2, "assignedTo": {"email": desk.sales.email}},
        "userErrors": [],
    }
    # a stale expected version changes nothing; an admin may take it over
    stale = await _call(
        api, desk.sales_token, ASSIGN, id=inquiry_id, user=gid("User", admin.id), v=1
    )
    assert _errors(stale) == [(["expectedVersion"], "CONFLICT")]
    moved = await _call(
        api, desk.sales_token, ASSIGN, id=inquiry_id, user=gid("User", admin.id), v=2
    )
    assert moved["inquiry"]["assignedTo"] == {"email": admin.email}
    assert moved["inquiry"]["status"] == "ASSIGNED"
    [first, second] = await _audit(db, "inquiry.assign")
    assert first.changes == {
        "assigned_to_user_id": [None, desk.sales.id],
        "status": ["new", "assigned"],
        "version": [1, 2],
    }
    assert second.changes["assigned_to_user_id"] == [desk.sales.id, admin.id]
    # an unknown inquiry is not found, and a client's own inquiry is no business of support
    missing = await _call(
        api, desk.sales_token, ASSIGN, id=gid("Inquiry", 999_999), user=gid("User", admin.id)
    )
    assert _errors(missing) == [(["id"], "NOT_FOUND")]
    support_token = await _support_token(db, settings)
    body = await api.as_(support_token).post(
        ASSIGN, {"id": inquiry_id, "user": gid("User", admin.id)}
    )
    assert body["data"]["assignInquiry"] is None
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def _support_token(db: Database, settings: Settings) -> str:
    async with db.transaction() as session:
        return await token_for(session, settings, Role.SUPPORT)


async def test_quote_revisions_supersede_each_other_and_record_what_changed(
    api: GraphQLClient, db: Database, desk: Desk
) -> None:
    inquiry_id = await _client_inquiry(api, desk)
    # when sales quote, then revise: a new price, one line dropped, one added, longer validity
    first = await _call(
        api,
        desk.sales_token,
        QUOTE,
        id=inquiry_id,
        input=quote_input([(desk.variant, 500, "2.45"), (desk.other_variant, 100, "3.10")]),
    )
    later = (TODAY + timedelta(days=45)).isoformat()
    second = await _call(
        api,
        desk.sales_token,
        QUOTE,
        id=inquiry_id,
        input=quote_input(
            [(desk.variant, 600, "2.40")],
            validUntil=later,
            notes="Price held for 600 m.",
        ),
        v=2,
    )

    # then the first is revision 1, OPEN when sent, with no changes, totals rounded once
    quote = first["quote"]
    assert first["userErrors"] == []
    assert (quote["revision"], quote["status"], quote["inquiry"]) == (
        1,
        "OPEN",
        {"status": "QUOTED"},
    )
    assert quote["total"] == {"amount": "1535.00", "currency": "EUR"}
    assert [line["lineTotal"]["amount"] for line in quote["lines"]] == ["1225.00", "310.00"]
    assert (quote["changes"], quote["lineChanges"]) == ([], [])
    # and the second says exactly what moved
    revision = second["quote"]
    assert second["userErrors"] == []
    assert (revision["revision"], revision["status"]) == (2, "OPEN")
    assert {c["field"]: (c["before"], c["after"]) for c in revision["changes"]} == {
        "validUntil": ((TODAY + timedelta(days=30)).isoformat(), later),
        "notes": ("", "Price held for 600 m."),
        "total": ("1535.00", "1440.00"),
    }
    assert revision["lineChanges"] == [
        {
            "sku": desk.variant.sku,
            "change": "CHANGED",
            "quantityBefore": 500,
            "quantityAfter": 600,
            "unitPriceBefore": "2.4500",
            "unitPriceAfter": "2.4000",
        },
        {
            "sku": desk.other_variant.sku,
            "change": "REMOVED",
            "quantityBefore": 100,
            "quantityAfter": None,
            "unitPriceBefore": "3.1000",
            "unitPriceAfter": None,
        },
    ]
    # and the inquiry lists both, oldest first, the first now SUPERSEDED
    read = await api.as_(desk.client_token).data(
        "query($id: ID!) { inquiry(id: $id) { status version quotes { revision status } "
        "currentQuote { revision } } }",
        {"id": inquiry_id},
    )
    assert read["inquiry"] == {
        "status": "QUOTED",
        "version": 3,
        "quotes": [{"revision": 1, "status": "SUPERSEDED"}, {"revision": 2, "status": "OPEN"}],
        "currentQuote": {"revision": 2},
    }
    # and each revision emitted quote.sent with the published payload, and was audited
    async with db.session() as session:
        events = list(
            await session.scalars(
                select(OutboxEvent)
                .where(col(OutboxEvent.event_type) == "quote.sent")
                .order_by(col(OutboxEvent.id))
            )
        )
    assert [event.payload for event in events] == [
        {
            "quote_id": quote["id"],
            "inquiry_id": inquiry_id,
            "client_company_id": gid("ClientCompany", desk.company.id),
            "revision": 1,
            "currency": "EUR",
            "total": "1535.00",
            "valid_until": (TODAY + timedelta(days=30)).isoformat(),
        },
        {
            "quote_id": revision["id"],
            "inquiry_id": inquiry_id,
            "client_company_id": gid("ClientCompany", desk.company.id),
            "revision": 2,
            "currency": "EUR",
            "total": "1440.00",
            "valid_until": later,
        },
    ]
    assert len(await _audit(db, "quote.send")) == 2


async def test_a_revision_lists_added_lines_and_a_new_currency(
    api: GraphQLClient, desk: Desk
) -> None:
    inquiry_id = await _client_inquiry(api, desk)
    await _call(
        api,
        desk.sales_token,
        QUOTE,
        id=inquiry_id,
        input=quote_input([(desk.variant, 500, "2.45")]),
    )
    second = await _call(
        api,
        desk.sales_token,
        QUOTE,
        id=inquiry_id,
        input=quote_input(
            [(desk.variant, 500, "2.45"), (desk.other_variant, 200, "3")],
            currency="USD",
            leadTimeDays=30,
        ),
    )
    changes = {c["field"]: (c["before"], c["after"]) for c in second["quote"]["changes"]}
    assert changes == {
        "currency": ("EUR", "USD"),
        "leadTimeDays": ("45", "30"),
        "total": ("1225.00", "1825.00"),
    }
    assert [(c["sku"], c["change"]) for c in second["quote"]["lineChanges"]] == [
        (desk.other_variant.sku, "ADDED")
    ]


async def test_quote_rules_name_the_line_at_fault(api: GraphQLClient, desk: Desk) -> None:
    inquiry_id = await _client_inquiry(api, desk)
    refused = await _call(
        api,
        desk.sales_token,
        QUOTE,
        id=inquiry_id,
        input=quote_input(
            [(desk.variant, 50, "2.45"), (desk.other_variant, 100, "0")],
            validUntil=(TODAY - timedelta(days=1)).isoformat(),
            currency="EURO",
            leadTimeDays=-1,
        ),
    )
    assert _errors(refused) == [
        (["input", "currency"], "INVALID_CURRENCY"),
        (["input", "validUntil"], "DATE_IN_PAST"),
        (["input", "leadTimeDays"], "OUT_OF_RANGE"),
        (["input", "lines", "1", "unitPrice"], "OUT_OF_RANGE"),
    ]
    below_moq = await _call(
        api,
        desk.sales_token,
        QUOTE,
        id=inquiry_id,
        input=quote_input([(desk.variant, 50, "2.45")]),
    )
    assert _errors(below_moq) == [(["input", "lines", "0", "quantity"], "BELOW_MOQ")]
    read = await api.as_(desk.client_token).data(
        "query($id: ID!) { inquiry(id: $id) { status version quotes { revision } } }",
        {"id": inquiry_id},
    )
    assert read["inquiry"] == {"status": "NEW", "version": 1, "quotes": []}


async def test_closing_as_lost_withdraws_the_open_quote_and_ends_the_work(
    api: GraphQLClient, db: Database, desk: Desk
) -> None:
    inquiry_id = await _client_inquiry(api, desk)
    await _call(
        api,
        desk.sales_token,
        QUOTE,
        id=inquiry_id,
        input=quote_input([(desk.variant, 500, "2.45")]),
    )
    await _call(
        api,
        desk.sales_token,
        QUOTE,
        id=inquiry_id,
        input=quote_input([(desk.variant, 500, "2.40")]),
    )
    no_reason = await _call(
        api, desk.sales_token, CLOSE, id=inquiry_id, outcome="LOST", reason="  "
    )
    assert _errors(no_reason) == [(["reason"], "REQUIRED")]

    lost = await _call(
        api, desk.sales_token, CLOSE, id=inquiry_id, outcome="LOST", reason="Went with a competitor"
    )
    assert lost == {
        "inquiry": {
            "status": "LOST",
            "lostReason": "Went with a competitor",
            "version": 4,
            "quotes": [{"status": "SUPERSEDED"}, {"status": "WITHDRAWN"}],
        },
        "userErrors": [],
    }
    [entry] = await _audit(db, "inquiry.close")
    assert entry.changes["status"] == ["quoted", "lost"]
    assert len(entry.changes["withdrawn_quote_ids"]) == 1
    # and a closed inquiry takes no more quotes, assignments or closing
    quoted = await _call(
        api, desk.sales_token, QUOTE, id=inquiry_id, input=quote_input([(desk.variant, 500, "2")])
    )
    assert _errors(quoted) == [(["inquiryId"], "INQUIRY_CLOSED")]
    assigned = await _call(
        api, desk.sales_token, ASSIGN, id=inquiry_id, user=gid("User", desk.sales.id)
    )
    assert _errors(assigned) == [(["id"], "INQUIRY_CLOSED")]
    again = await _call(api, desk.sales_token, CLOSE, id=inquiry_id, outcome="WON", reason="")
    assert _errors(again) == [(["id"], "INQUIRY_CLOSED")]


async def test_closing_as_won_keeps_the_quote_open_for_the_buyer(
    api: GraphQLClient, desk: Desk
) -> None:
    inquiry_id = await _client_inquiry(api, desk)
    await _call(
        api,
        desk.sales_token,
        QUOTE,
        id=inquiry_id,
        input=quote_input([(desk.variant, 500, "2.45")]),
    )
    stale = await _call(api, desk.sales_token, CLOSE, id=inquiry_id, outcome="WON", reason="", v=1)
    assert _errors(stale) == [(["expectedVersion"], "CONFLICT")]
    won = await _call(
        api, desk.sales_token, CLOSE, id=inquiry_id, outcome="WON", reason="Agreed by phone", v=2
    )
    assert won["inquiry"]["status"] == "WON"
    assert won["inquiry"]["lostReason"] == ""
    assert won["inquiry"]["quotes"] == [{"status": "OPEN"}]
