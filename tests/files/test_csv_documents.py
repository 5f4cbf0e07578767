"""Reading an export's document against the schema, and writing its rows' cells, without a
database: where the rows are, which columns, how it pages, how each value is written."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from graphql import GraphQLSchema, OperationDefinitionNode, parse, print_ast

from schema.build import build_schema
from schema.files.csv_document import ExportPlan, NotExportable, plan_export
from schema.files.csv_rows import cells, format_value, next_cursor, page_rows


@pytest.fixture(scope="module")
def graphql_schema() -> GraphQLSchema:
    return build_schema()._schema


def _plan(schema: GraphQLSchema, query: str, variables: dict[str, Any] | None = None) -> ExportPlan:
    document = parse(query)
    [operation] = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    return plan_export(schema, document, operation, variables or {})


def test_a_connection_pages_and_its_columns_follow_the_selection_fragments_included(
    graphql_schema: GraphQLSchema,
) -> None:
    plan = _plan(
        graphql_schema,
        """query { staffOrders { totalCount edges { node { number ...Buyer
                      lines { sku qty: quantity } } } } }
           fragment Buyer on Order { client { name } }""",
    )
    assert [c.header for c in plan.columns] == ["number", "client.name", "lines.sku", "lines.qty"]
    assert (plan.root_key, plan.list_path, plan.node_key, plan.paged) == (
        "staffOrders",
        ("edges",),
        "node",
        True,
    )
    printed = print_ast(plan.document)
    assert "after: $exportAfter" in printed
    assert "first: 100" in printed
    assert "exportPageInfo: pageInfo" in printed


def test_a_connection_is_known_under_aliases(graphql_schema: GraphQLSchema) -> None:
    plan = _plan(graphql_schema, "{ list: staffOrders { e: edges { n: node { no: number } } } }")
    assert (plan.root_key, plan.list_path, plan.node_key, plan.paged) == ("list", ("e",), "n", True)
    assert [c.header for c in plan.columns] == ["no"]


def test_the_callers_page_size_and_starting_cursor_are_kept(graphql_schema: GraphQLSchema) -> None:
    plan = _plan(
        graphql_schema,
        "query($after: String) { users(first: 5, after: $after) { nodes { email } } }",
        {"after": "abc"},
    )
    assert plan.first_after == "abc"
    assert plan.node_key is None
    assert "first: 5" in print_ast(plan.document)
    assert "$exportAfter: String" in print_ast(plan.document)


def test_a_list_inside_an_object_and_a_root_list_are_written_as_returned(
    graphql_schema: GraphQLSchema,
) -> None:
    facets = _plan(graphql_schema, "{ facets { countriesOfOrigin { value count } } }")
    assert (facets.list_path, facets.paged) == (("countriesOfOrigin",), False)
    rates = _plan(graphql_schema, "{ exchangeRates { base rate } }")
    assert (rates.list_path, rates.paged, [c.scalar for c in rates.columns]) == (
        (),
        False,
        ["String", "Decimal"],
    )


@pytest.mark.parametrize(
    "query",
    [
        "{ me { email } }",
        "{ staffOrders { totalCount } }",
        "{ staffOrders { edges { cursor } } }",
        "{ a: categories { id } b: categories { id } }",
    ],
)
def test_documents_without_one_list_of_rows_are_not_exportable(
    graphql_schema: GraphQLSchema, query: str
) -> None:
    with pytest.raises(NotExportable):
        _plan(graphql_schema, query)


def test_rows_and_the_next_cursor_come_from_the_pages_data(graphql_schema: GraphQLSchema) -> None:
    plan = _plan(graphql_schema, "{ staffOrders { edges { node { number lines { sku } } } } }")
    data = {
        "staffOrders": {
            "edges": [
                {"node": {"number": "SO-1", "lines": [{"sku": "A"}, {"sku": "B"}]}},
                {"node": {"number": "SO-2", "lines": []}},
            ],
            "exportPageInfo": {"hasNextPage": True, "endCursor": "c2"},
        }
    }
    rows = page_rows(plan, data)
    assert [cells(plan.columns, row) for row in rows] == [["SO-1", "A; B"], ["SO-2", ""]]
    assert next_cursor(plan, data) == "c2"
    data["staffOrders"]["exportPageInfo"] = {"hasNextPage": False, "endCursor": "c3"}
    assert next_cursor(plan, data) is None


@pytest.mark.parametrize(
    ("value", "scalar", "written"),
    [
        ("1E+2", "Decimal", "100"),
        ("-5.50", "Decimal", "-5.50"),
        (1e-07, "Float", "0.0000001"),
        (-5, "Int", "-5"),
        (True, "Boolean", "true"),
        (False, "Boolean", "false"),
        (None, "String", ""),
        ({"gsm": 220, "weave": "twill"}, "JSON", '{"gsm":220,"weave":"twill"}'),
        ("2026-12-06T14:30:00+00:00", "DateTime", "2026-12-06T14:30:00+00:00"),
        ("=1+1", "String", "'=1+1"),
        ("-5", "String", "'-5"),
        ("@SUM(A1)", "String", "'@SUM(A1)"),
        ('Çukurova; "Pamuk"', "String", 'Çukurova; "Pamuk"'),
    ],
)
def test_each_value_is_written_as_a_spreadsheet_reads_it(
    value: Any, scalar: str, written: str
) -> None:
    assert format_value(value, scalar) == written
    if scalar == "Decimal":
        assert Decimal(written) == Decimal(value)
