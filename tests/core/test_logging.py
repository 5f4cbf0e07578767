"""Log lines are one JSON object each, whatever the values logged with them."""

from __future__ import annotations

import json
import logging

from core.logging import JsonFormatter, request_id_var


def _line(**extra: object) -> dict[str, object]:
    record = logging.LogRecord("tradeql.test", logging.INFO, __file__, 1, "hello %s", ("é",), None)
    record.__dict__.update(extra)
    token = request_id_var.set("r1")
    try:
        text = JsonFormatter().format(record)
    finally:
        request_id_var.reset(token)
    assert "\n" not in text
    parsed: dict[str, object] = json.loads(text)
    return parsed


def test_a_line_carries_the_message_the_request_id_and_the_extra_fields() -> None:
    line = _line(status=200, duration_ms=1.5, client="127.0.0.1")
    assert line["message"] == "hello é"
    assert line["request_id"] == "r1"
    assert (line["status"], line["duration_ms"], line["client"]) == (200, 1.5, "127.0.0.1")
    assert line["level"] == "INFO"


def test_values_json_cannot_hold_as_they_are_still_make_a_line() -> None:
    # an integer beyond 64 bits, a dict with a non-string key, an object: the line still parses
    line = _line(big=2**70, counts={1: "one"}, thing=object())
    assert line["big"] == 2**70
    assert line["counts"] == {"1": "one"}
    assert str(line["thing"]).startswith("<object object")
