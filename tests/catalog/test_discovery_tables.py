"""What a product's discovery rows are: its words and its typed spec values."""

from __future__ import annotations

from models.catalog.discovery import search_document, search_words, spec_value_rows


def test_search_words_fold_case_symbols_and_separators() -> None:
    assert search_words("BRG-6204-2RS Ball Bearing") == ["brg", "6204", "2rs", "ball", "bearing"]
    assert search_words("220 g/m², 100% Baumwolle, \uff21\uff22\uff23 (full width)") == [
        "220",
        "g",
        "m2",
        "100",
        "baumwolle",
        "abc",
        "full",
        "width",
    ]
    assert search_words("snake_case -- !!") == ["snake", "case"]


def test_search_document_puts_name_and_skus_in_the_title() -> None:
    assert search_document("Cotton Twill", "Woven in Erode.", ["TW-2", "TW-1"]) == {
        "title": "cotton twill tw 1 tw 2",
        "body": "woven in erode",
    }


def test_each_spec_value_gets_its_typed_column_and_lists_one_row_each() -> None:
    rows = spec_value_rows(7, 3, {"gsm": 220, "organic": False, "weave": "twill",
                                  "certifications": ["GOTS", "BCI"], "width": 147.5})  # fmt: skip
    assert [
        (row["attribute_key"], row["value_text"], row["value_number"], row["value_bool"])
        for row in rows
    ] == [
        ("gsm", None, 220.0, None),
        ("organic", None, None, False),
        ("weave", "twill", None, None),
        ("certifications", "GOTS", None, None),
        ("certifications", "BCI", None, None),
        ("width", None, 147.5, None),
    ]
    assert {(row["product_id"], row["product_type_id"]) for row in rows} == {(7, 3)}
