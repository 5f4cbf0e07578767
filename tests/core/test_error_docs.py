"""Every error code of the API is documented in docs/errors.md, with one meaning each."""

from __future__ import annotations

import re

from core import error_docs
from core.errors import ErrorCode
from core.outcomes import UserErrorCode


def test_the_checked_in_error_list_is_current() -> None:
    checked_in = error_docs.DOCS_FILE.read_text(encoding="utf-8")
    assert checked_in == error_docs.render(), "run `python -m core.error_docs --write`"


def test_every_code_is_listed_once_with_a_meaning() -> None:
    listed = re.findall(r"^\| `([A-Z_]+)` \| (.+) \|$", error_docs.render(), re.MULTILINE)
    codes = [code for code, _ in listed]
    expected = [code.value for code in ErrorCode] + [code.value for code in UserErrorCode]
    assert sorted(codes) == sorted(expected)
    assert all(meaning.strip() for _, meaning in listed)


def test_a_code_means_one_thing_wherever_it_appears() -> None:
    # The names that came in several spellings before one catalogue: none may come back.
    retired = {"UNKNOWN_CURRENCY", "NO_LINES", "TOO_MANY_LINES", "TOO_MANY", "DUPLICATE"}
    retired |= {"DUPLICATE_VARIANT", "TOO_MANY_ATTEMPTS", "FULL_NAME_REQUIRED"}
    assert retired.isdisjoint(code.value for code in UserErrorCode)
    assert retired.isdisjoint(code.value for code in ErrorCode)
