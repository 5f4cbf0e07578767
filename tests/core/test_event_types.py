"""The published event types: what partners may subscribe to, documented as it is."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.event_types import (
    INTERNAL_EVENT_TYPES,
    PUBLIC_EVENT_TYPES,
    UnknownEventType,
    check_public_event_types,
)

WEBHOOKS_PAGE = Path(__file__).resolve().parents[2] / "docs" / "api" / "webhooks.md"


def _event_table_rows() -> dict[str, str]:
    page = WEBHOOKS_PAGE.read_text(encoding="utf-8")
    section = page.split("\n## Event types\n", 1)[1].split("\n## ")[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return {row.split("`")[1]: row for row in rows}


def test_the_webhooks_page_lists_every_public_type_its_payload_and_nothing_internal() -> None:
    rows = _event_table_rows()
    assert set(rows) == set(PUBLIC_EVENT_TYPES)
    for name, event_type in PUBLIC_EVENT_TYPES.items():
        assert f"`{json.dumps(dict(event_type.example))}`" in rows[name]
    assert not set(rows) & set(INTERNAL_EVENT_TYPES)


def test_subscriptions_are_deduplicated_in_order() -> None:
    assert check_public_event_types(["webhook.ping", "webhook.ping"]) == ["webhook.ping"]


@pytest.mark.parametrize("name", ["mail.send", "webhook.deliver", "order.teleported"])
def test_internal_and_unknown_types_cannot_be_subscribed(name: str) -> None:
    with pytest.raises(UnknownEventType) as refused:
        check_public_event_types(["webhook.ping", name])
    assert repr(name) in str(refused.value)
