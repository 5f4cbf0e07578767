"""Reading catalog files as spreadsheets write them, and refusing hostile ones with codes."""

from __future__ import annotations

import io
import zipfile

from core.outcomes import UserErrorCode
from resolvers.catalog.catalog_file import Limits
from resolvers.catalog.catalog_file_records import CategoryRecord, ProductTypeRecord
from resolvers.catalog.catalog_rows import read_catalog_file
from tests.catalog.catalog_file_support import zipped


def codes(data: bytes, name: str, limits: Limits | None = None) -> set[tuple[object, ...]]:
    catalog = read_catalog_file(data, name, limits)
    assert catalog.records == []
    return {(e.file, e.row, e.column, e.code) for e in catalog.errors}


def test_a_bom_semicolons_crlf_and_quoted_fields_are_read() -> None:
    text = '\ufeffSlug;Name;Description\r\nfabric;"Fabric; woven";"two\r\nlines ""quoted"""\r\n'

    catalog = read_catalog_file(text.encode(), "product_types.csv")

    assert catalog.errors == []
    assert catalog.records == [
        ProductTypeRecord(catalog.records[0].at, "fabric", "Fabric; woven", 'two\r\nlines "quoted"')
    ]


def test_parents_come_before_children_whatever_the_row_order() -> None:
    text = "slug,name,parent_slug\nc,C,b\nb,B,a\na,A,\n"

    records = read_catalog_file(text.encode(), "categories.csv").records

    assert [r.slug for r in records if isinstance(r, CategoryRecord)] == ["a", "b", "c"]


def test_cells_of_the_wrong_shape_are_reported_by_row_and_column() -> None:
    text = (
        "slug,name,category_slug,product_type_slug,hs_code,country_of_origin,moq,status,color\n"
        "a,A,c,t,520942,IN,ten,gone,\n"
    )
    assert codes(text.encode(), "products.csv") == {
        ("products.csv", 1, "color", UserErrorCode.INVALID)
    }
    assert codes(text.replace(",color", "").replace("gone,", "gone").encode(), "products.csv") == {
        ("products.csv", 2, "moq", UserErrorCode.INVALID),
        ("products.csv", 2, "status", UserErrorCode.INVALID),
    }


def test_a_key_twice_in_a_file_is_a_duplicate() -> None:
    text = "sku,stock_on_hand\nA-1,3\na-1,4\n"
    catalog = read_catalog_file(text.encode(), "stock.csv")
    assert [(e.row, e.code) for e in catalog.errors] == [(3, UserErrorCode.DUPLICATE_ITEM)]
    assert len(catalog.records) == 1


def test_nul_and_bad_utf8_and_unknown_names_are_coded_errors() -> None:
    assert codes(b"slug,name\nfa\x00b,F\n", "product_types.csv") == {
        ("product_types.csv", 2, None, UserErrorCode.INVALID)
    }
    assert codes(b"slug,name\nf\xff,F\n", "product_types.csv") == {
        ("product_types.csv", None, None, UserErrorCode.INVALID)
    }
    assert codes(b"slug,name\n", "orders.csv") == {
        ("orders.csv", None, None, UserErrorCode.INVALID)
    }
    assert codes(b"PK\x03\x04 not really", "x.zip") == {
        ("x.zip", None, None, UserErrorCode.INVALID)
    }


def test_too_many_rows_columns_or_a_huge_cell_are_refused() -> None:
    limits = Limits(max_rows=3, max_columns=3, max_cell_chars=50)
    rows = "slug,name\n" + "".join(f"t{i},T\n" for i in range(5))
    assert codes(rows.encode(), "product_types.csv", limits) == {
        ("product_types.csv", 5, None, UserErrorCode.TOO_MANY_ITEMS)
    }
    assert codes(b"a,b,c,d\n", "product_types.csv", limits) == {
        ("product_types.csv", 1, None, UserErrorCode.TOO_MANY_ITEMS)
    }
    huge = "slug,name\nt," + "x" * 100 + "\n"
    assert codes(huge.encode(), "product_types.csv", limits) == {
        ("product_types.csv", None, None, UserErrorCode.INVALID)
    }


def test_a_zip_bomb_is_given_up_at_the_limit() -> None:
    bomb = zipped({"product_types.csv": b"slug,name\n" + b"x" * 5_000_000})
    assert len(bomb) < 20_000

    assert codes(bomb, "bomb.zip", Limits(max_bytes=100_000)) == {
        ("product_types.csv", None, None, UserErrorCode.TOO_LONG)
    }


def test_a_zip_with_folders_or_traversal_names_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("../stock.csv", "sku,stock_on_hand\n")
        archive.writestr("sub/stock.csv", "sku,stock_on_hand\n")
    assert codes(buffer.getvalue(), "evil.zip") == {
        ("../stock.csv", None, None, UserErrorCode.INVALID),
        ("sub/stock.csv", None, None, UserErrorCode.INVALID),
    }
