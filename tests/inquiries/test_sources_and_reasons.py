"""Where an inquiry came from, when it was first quoted, and why it was lost, as written by
the mutations the funnel report counts."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from core.db import Database
from core.global_id import decode_typed_id, encode_global_id
from models.inquiries import Inquiry, Quote
from tests.graphql_client import GraphQLClient
from tests.inquiries.support import QUOTE, SUBMIT, Desk, guest, inquiry_input, item, quote_input

SOURCE = """query($id: ID!) { node(id: $id) { ... on Inquiry {
  source status lostReason lostReasonCode } } }"""
CLOSE_WITH_CODE = """mutation($id: ID!, $outcome: InquiryOutcome!, $reason: String!,
                              $code: LostReasonCode) {
  closeInquiry(id: $id, outcome: $outcome, reason: $reason, reasonCode: $code) {
    inquiry { status lostReason lostReasonCode } userErrors { field code message } } }"""


async def _submit(api: GraphQLClient, token: str | None, **changes: Any) -> str:
    given = inquiry_input([item(*changes.pop("items"))], **changes)
    payload = (await api.as_(token).data(SUBMIT, {"input": given}))["submitInquiry"]
    assert payload["userErrors"] == []
    # A guest gets only the reference back: INQ-000042.
    return encode_global_id("Inquiry", int(payload["reference"].removeprefix("INQ-")))


async def _stored(db: Database, inquiry_id: str) -> Inquiry:
    async with db.session() as session:
        found = await session.get(Inquiry, decode_typed_id(inquiry_id, "Inquiry", argument="id"))
        assert found is not None
        return found


async def test_a_guest_and_a_client_user_submit_from_their_own_sources(
    api: GraphQLClient, desk: Desk
) -> None:
    # when a guest and a client user each submit an inquiry
    of_guest = await _submit(api, None, items=(desk.product, desk.variant, 500), guest=guest())
    of_client = await _submit(api, desk.client_token, items=(desk.product, desk.variant, 500))
    # then staff see where each came from, and neither is lost
    for inquiry_id, source in ((of_guest, "STOREFRONT_GUEST"), (of_client, "CLIENT_USER")):
        body = await api.as_(desk.sales_token).data(SOURCE, {"id": inquiry_id})
        assert body["node"] == {
            "source": source,
            "status": "NEW",
            "lostReason": "",
            "lostReasonCode": None,
        }


async def test_the_first_quote_moment_is_kept_through_later_revisions(
    api: GraphQLClient, db: Database, desk: Desk
) -> None:
    inquiry_id = await _submit(api, desk.client_token, items=(desk.product, desk.variant, 500))
    assert (await _stored(db, inquiry_id)).first_quoted_at is None
    # when sales quote it twice
    for price in ("4.20", "4.10"):
        given = quote_input([(desk.variant, 500, price)])
        payload = await api.as_(desk.sales_token).data(QUOTE, {"id": inquiry_id, "input": given})
        assert payload["quoteInquiry"]["userErrors"] == []
    # then the inquiry keeps the first revision's moment
    stored = await _stored(db, inquiry_id)
    async with db.session() as session:
        first = (
            await session.scalars(
                select(Quote)
                .where(col(Quote.inquiry_id) == stored.id)
                .order_by(col(Quote.revision))
            )
        ).first()
    assert first is not None
    assert stored.first_quoted_at == first.created_at


async def test_a_lost_inquiry_is_filed_under_a_reason_code(api: GraphQLClient, desk: Desk) -> None:
    coded = await _submit(api, desk.client_token, items=(desk.product, desk.variant, 500))
    uncoded = await _submit(api, desk.client_token, items=(desk.product, desk.variant, 500))
    sales = api.as_(desk.sales_token)
    # when one is closed as lost for its price, the other without a code
    variables = {"outcome": "LOST", "reason": "Chinese mill 8% cheaper"}
    with_code = await sales.data(CLOSE_WITH_CODE, {**variables, "id": coded, "code": "PRICE"})
    without = await sales.data(CLOSE_WITH_CODE, {**variables, "id": uncoded})
    # then the code is kept beside the text, OTHER when none was given
    assert with_code["closeInquiry"] == {
        "inquiry": {
            "status": "LOST",
            "lostReason": "Chinese mill 8% cheaper",
            "lostReasonCode": "PRICE",
        },
        "userErrors": [],
    }
    assert without["closeInquiry"]["inquiry"]["lostReasonCode"] == "OTHER"


async def test_a_won_inquiry_takes_no_reason_code(
    api: GraphQLClient, db: Database, desk: Desk
) -> None:
    inquiry_id = await _submit(api, desk.client_token, items=(desk.product, desk.variant, 500))
    body = await api.as_(desk.sales_token).data(
        CLOSE_WITH_CODE, {"id": inquiry_id, "outcome": "WON", "reason": "", "code": "PRICE"}
    )
    assert body["closeInquiry"]["inquiry"] is None
    assert [(e["field"], e["code"]) for e in body["closeInquiry"]["userErrors"]] == [
        (["reasonCode"], "NOT_ALLOWED")
    ]
    # and nothing changed
    stored = await _stored(db, inquiry_id)
    assert (stored.status, stored.lost_reason_code) == ("new", None)


async def test_an_unknown_reason_code_is_refused_at_the_boundary(
    api: GraphQLClient, desk: Desk
) -> None:
    inquiry_id = await _submit(api, desk.client_token, items=(desk.product, desk.variant, 500))
    body = await api.as_(desk.sales_token).post(
        CLOSE_WITH_CODE, {"id": inquiry_id, "outcome": "LOST", "reason": "x", "code": "CHEAPER"}
    )
    assert [error["extensions"]["code"] for error in body["errors"]] == ["BAD_USER_INPUT"]
