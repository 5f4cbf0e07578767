"""Responses encoded with orjson are the bytes the standard library's encoder gave; only a
float written with an exponent may differ in its spelling (1e-7 for 1e-07), never in value."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from starlette.responses import JSONResponse

from app.json_response import OrjsonResponse

ANSWER: dict[str, Any] = {
    "data": {
        "products": {
            "edges": [
                {
                    "node": {
                        "id": "UHJvZHVjdDox",
                        "name": "Fa\u00e7ade tile \u2014 30\u00d730 \u201cmatt\u201d",
                        "moq": 500,
                        "specs": [{"label": "Weight", "display": "1.5 kg"}],
                        "variants": [{"sku": "T-1", "available": True, "price": None}],
                        "score": 0.1,
                    }
                }
            ]
        }
    },
    "errors": [{"message": 'Line\nbreak "quoted" \\ and \u2028', "path": ["a", 0]}],
    "extensions": {"cost": {"requested": 12, "ratio": 0.25}},
}


def json_values(floats: st.SearchStrategy[float]) -> st.SearchStrategy[object]:
    return st.recursive(
        st.none()
        | st.booleans()
        | st.integers(min_value=-(2**63), max_value=2**63 - 1)
        | floats
        | st.text(),
        lambda children: st.lists(children) | st.dictionaries(st.text(), children),
        max_leaves=30,
    )


# Floats the standard library writes without an exponent (it switches at 1e16 and 1e-4).
PLAIN_FLOATS = st.floats(min_value=1e-4, max_value=1e15) | st.floats(-1e15, -1e-4) | st.just(0.0)
ANY_FLOATS = st.floats(allow_nan=False, allow_infinity=False)


def test_a_graphql_answer_is_encoded_to_the_same_bytes() -> None:
    assert OrjsonResponse(ANSWER).body == JSONResponse(ANSWER).body


@given(json_values(PLAIN_FLOATS))
def test_any_json_value_is_encoded_to_the_same_bytes(value: object) -> None:
    assert OrjsonResponse(value).body == JSONResponse(value).body


@given(json_values(ANY_FLOATS))
def test_any_json_value_is_encoded_to_the_same_value(value: object) -> None:
    assert json.loads(bytes(OrjsonResponse(value).body)) == json.loads(
        bytes(JSONResponse(value).body)
    )


def test_integers_beyond_64_bits_fall_back_to_the_standard_encoder() -> None:
    body = {"data": {"total": 2**70}}
    assert OrjsonResponse(body).body == b'{"data":{"total":1180591620717411303424}}'
