"""Who reads which inquiries: a client its own, staff all, guests none, on every path."""

from __future__ import annotations

from tests.graphql_client import GraphQLClient
from tests.inquiries.support import QUOTE, SUBMIT, Desk, guest, inquiry_input, item, quote_input

BY_ID = """query($inquiry: ID!, $quote: ID!) {
  inquiry(id: $inquiry) { reference }
  quote(id: $quote) { revision }
  a: node(id: $inquiry) { id }
  b: node(id: $quote) { id }
}"""
LISTING = """query($after: String, $status: InquiryStatus) {
  inquiries(first: 2, after: $after, status: $status) {
    totalCount nodes { reference } pageInfo { hasNextPage endCursor } } }"""


async def _ask(api: GraphQLClient, desk: Desk, token: str | None) -> str:
    given = inquiry_input([item(desk.product)])
    if token is None:
        given["guest"] = guest()
    payload = (await api.as_(token).data(SUBMIT, {"input": given}))["submitInquiry"]
    assert payload["userErrors"] == []
    reference: str = payload["reference"]
    return reference


async def test_a_client_reads_its_own_inquiries_and_quotes_only(
    api: GraphQLClient, desk: Desk
) -> None:
    mine = (
        await api.as_(desk.client_token).data(
            SUBMIT, {"input": inquiry_input([item(desk.product)])}
        )
    )["submitInquiry"]["inquiry"]["id"]
    quoted = (
        await api.as_(desk.sales_token).data(
            QUOTE, {"id": mine, "input": quote_input([(desk.variant, 100, "2.50")])}
        )
    )["quoteInquiry"]["quote"]["id"]
    ids = {"inquiry": mine, "quote": quoted}

    own = await api.as_(desk.client_token).data(BY_ID, ids)
    other = await api.as_(desk.other_client_token).data(BY_ID, ids)
    anonymous = await api.data(BY_ID, ids)
    support = await api.as_(desk.support_token).data(BY_ID, ids)

    assert own["inquiry"]["reference"].startswith("INQ-")
    assert (own["quote"], own["a"], own["b"]) == ({"revision": 1}, {"id": mine}, {"id": quoted})
    hidden = {"inquiry": None, "quote": None, "a": None, "b": None}
    assert other == hidden
    assert anonymous == hidden
    assert support == own


async def test_listings_are_scoped_newest_first_and_paged(api: GraphQLClient, desk: Desk) -> None:
    first = await _ask(api, desk, desk.client_token)
    second = await _ask(api, desk, desk.client_token)
    third = await _ask(api, desk, desk.client_token)
    theirs = await _ask(api, desk, desk.other_client_token)
    guests = await _ask(api, desk, None)

    page = (await api.as_(desk.client_token).data(LISTING))["inquiries"]
    assert page["totalCount"] == 3
    assert [node["reference"] for node in page["nodes"]] == [third, second]
    rest = (
        await api.as_(desk.client_token).data(LISTING, {"after": page["pageInfo"]["endCursor"]})
    )["inquiries"]
    assert [node["reference"] for node in rest["nodes"]] == [first]
    assert rest["pageInfo"]["hasNextPage"] is False

    staff = (await api.as_(desk.support_token).data(LISTING))["inquiries"]
    assert staff["totalCount"] == 5
    assert [node["reference"] for node in staff["nodes"]] == [guests, theirs]
    new_ones = await api.as_(desk.support_token).data(LISTING, {"status": "QUOTED"})
    assert new_ones["inquiries"]["totalCount"] == 0

    nobody = (await api.data(LISTING))["inquiries"]
    assert (nobody["totalCount"], nobody["nodes"]) == (0, [])


async def test_a_guest_lead_is_for_staff_who_may_read_personal_data(
    api: GraphQLClient, desk: Desk
) -> None:
    await _ask(api, desk, None)
    query = "{ inquiries { nodes { fromGuest client { name } lead { email country } } } }"
    sales = await api.as_(desk.sales_token).data(query)
    assert sales["inquiries"]["nodes"] == [
        {
            "fromGuest": True,
            "client": None,
            "lead": {"email": "ayse@demir.example", "country": "TR"},
        }
    ]
    support = await api.as_(desk.support_token).post(query)
    assert support["data"]["inquiries"]["nodes"] == [
        {"fromGuest": True, "client": None, "lead": None}
    ]
    assert [e["extensions"]["code"] for e in support["errors"]] == ["FORBIDDEN"]
