"""`tradeql webhooks` as an operator runs it, against the committed database."""

from __future__ import annotations

import uuid

import pytest
from pydantic import SecretStr

from core.crypto import DataCipher
from core.db import Database
from core.webhook_endpoints import secret_associated_data
from tests.cli_runner import Finished, Tradeql, run_tradeql

DATA_KEY = "cli-test-data-key-" + "x" * 32
URL = "https://partner.example.com/hooks/tradeql"


@pytest.fixture
def tradeql(committed_url: str, committed_db: Database) -> Tradeql:
    """The command on the committed database (which `committed_db` empties afterwards)."""
    return Tradeql(committed_url, command=("webhooks",), env={"DATA_KEY": DATA_KEY})


def _added(result: Finished) -> tuple[str, str]:
    assert result.returncode == 0, result.stderr
    lines = dict(line.split(": ", 1) for line in result.stdout.strip().splitlines())
    return lines["id"], lines["secret"]


def _one_line_error(result: Finished) -> str:
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def test_add_shows_the_secret_once_and_stores_it_only_encrypted(tradeql: Tradeql) -> None:
    # when an endpoint is added
    endpoint_id, secret = _added(tradeql("add", URL, "--events", "webhook.ping"))

    # then its id and a Standard Webhooks secret are printed, with a note on stderr
    assert uuid.UUID(endpoint_id)
    assert secret.startswith("whsec_")
    assert "not shown again" in tradeql("add", URL, "--events", "webhook.ping").stderr
    # and the list shows the endpoint, never the secret
    listing = tradeql("list")
    assert listing.returncode == 0
    assert endpoint_id in listing.stdout
    assert URL in listing.stdout
    assert "webhook.ping" in listing.stdout
    assert secret not in listing.stdout + listing.stderr
    assert "whsec_" not in listing.stdout
    # and the database holds ciphertext that only DATA_KEY and this row open
    [row] = tradeql.rows(
        "SELECT secret_ciphertext FROM webhook_endpoints WHERE public_id = $1", endpoint_id
    )
    stored = bytes(row["secret_ciphertext"])
    assert secret.encode() not in stored
    assert secret.removeprefix("whsec_").encode() not in stored
    cipher = DataCipher(SecretStr(DATA_KEY))
    assert cipher.decrypt(stored, associated_data=secret_associated_data(endpoint_id)) == (
        secret.encode()
    )


def test_rotate_secret_prints_a_new_secret_and_keeps_the_old_one_for_the_overlap(
    tradeql: Tradeql,
) -> None:
    # given an endpoint
    endpoint_id, old_secret = _added(tradeql("add", URL, "--events", "webhook.ping"))
    [before] = tradeql.rows("SELECT secret_ciphertext FROM webhook_endpoints")
    # when its secret is rotated
    rotated = tradeql("rotate-secret", endpoint_id)

    # then a new secret is printed once, and stderr says until when the old one is valid
    assert rotated.returncode == 0, rotated.stderr
    new_secret = rotated.stdout.strip().removeprefix("secret: ")
    assert new_secret.startswith("whsec_")
    assert new_secret != old_secret
    assert "previous secret stays valid" in rotated.stderr
    # and the old ciphertext is kept as the previous secret, with an expiry
    [after] = tradeql.rows(
        "SELECT secret_ciphertext, previous_secret_ciphertext, "
        "previous_secret_expires_at > now() + interval '23 hours' AS overlapping "
        "FROM webhook_endpoints"
    )
    assert after["previous_secret_ciphertext"] == before["secret_ciphertext"]
    assert after["secret_ciphertext"] != before["secret_ciphertext"]
    assert after["overlapping"] is True


def test_disable_stops_an_endpoint_and_ping_queues_an_event(tradeql: Tradeql) -> None:
    # given an endpoint
    endpoint_id, _secret = _added(tradeql("add", URL, "--events", "webhook.ping"))
    # when it is pinged
    pinged = tradeql("ping", endpoint_id)
    # then a webhook.ping event naming it waits in the outbox
    assert pinged.returncode == 0, pinged.stderr
    [event] = tradeql.rows("SELECT event_type, payload::text AS payload FROM outbox_events")
    assert event["event_type"] == "webhook.ping"
    assert endpoint_id in event["payload"]

    # when it is disabled
    disabled = tradeql("disable", endpoint_id)
    # then the list shows it inactive, and it can no longer be pinged
    assert disabled.returncode == 0, disabled.stderr
    [row] = tradeql.rows("SELECT active, disabled_at IS NOT NULL AS stamped FROM webhook_endpoints")
    assert (row["active"], row["stamped"]) == (False, True)
    assert "is disabled" in _one_line_error(tradeql("ping", endpoint_id))


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("add", URL, "--events", "webhook.ping,order.teleported"), "'order.teleported'"),
        (("add", "ftp://partner.example.com/x", "--events", "webhook.ping"), "http://"),
        (("add", "http://10.0.0.5/hook", "--events", "webhook.ping"), "10.0.0.5"),
        (("add", "https://me:pw@partner.example.com/", "--events", "webhook.ping"), "password"),
        (("rotate-secret", "5b1c9e4e-0000-4000-8000-000000000000"), "no webhook endpoint"),
        (("disable", "not-an-id"), "no webhook endpoint not-an-id"),
    ],
)
def test_mistakes_are_refused_in_one_line_and_change_nothing(
    tradeql: Tradeql, args: tuple[str, ...], expected: str
) -> None:
    line = _one_line_error(tradeql(*args))
    assert line.startswith("tradeql webhooks: ")
    assert expected in line
    assert tradeql.rows("SELECT id FROM webhook_endpoints") == []


def test_events_are_required_when_adding() -> None:
    result = run_tradeql(["webhooks", "add", URL], env={})
    assert result.returncode == 2
    assert "--events" in result.stderr
