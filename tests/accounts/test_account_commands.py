"""`tradeql create-user` and `tradeql api-keys` as an operator runs them, on the committed
database."""

from __future__ import annotations

import pytest

from auth.passwords import HASHER
from auth.policy import ROLE_BUDGETS
from auth.tokens import token_hash
from core.db import Database
from models.accounts import Role
from tests.cli_runner import Finished, Tradeql

PASSWORD = "the first admin's passphrase"


@pytest.fixture
def tradeql(committed_url: str, committed_db: Database) -> Tradeql:
    """The command on the committed database (which `committed_db` empties afterwards)."""
    return Tradeql(committed_url)


def _one_line_error(result: Finished) -> str:
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_the_first_admin_gets_a_password_from_stdin_never_from_argv(tradeql: Tradeql) -> None:
    # when an operator pipes a password into create-user
    result = tradeql(
        "create-user", "--role", "admin", "--email", "Root@Anatolia.example", stdin=PASSWORD + "\n"
    )

    # then the admin exists with a normalised email and an argon2id hash of that password
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "id: 1"
    assert "set up MFA" in result.stderr
    [user] = tradeql.rows("SELECT email, role, password_hash, totp_confirmed_at FROM users")
    assert (user["email"], user["role"]) == ("root@anatolia.example", "admin")
    assert HASHER.verify(user["password_hash"], PASSWORD)
    assert user["totp_confirmed_at"] is None
    # and one audit row, labelled cli, without the password
    [row] = tradeql.rows("SELECT action, actor_label, changes::text AS changes FROM audit_entries")
    assert (row["action"], row["actor_label"]) == ("user.created", "cli")
    assert PASSWORD not in row["changes"]


@pytest.mark.parametrize(
    ("args", "stdin", "expected"),
    [
        (("--role", "admin", "--email", "a@example.com"), "short\n", "at least 12"),
        (("--role", "admin", "--email", "a@example.com"), "password1234\n", "most common"),
        (("--role", "admin", "--email", "not-an-address"), PASSWORD, "not an email"),
        (("--role", "client", "--email", "c@example.com"), PASSWORD, "no such client company"),
    ],
)
def test_create_user_refuses_bad_input_in_one_line(
    tradeql: Tradeql, args: tuple[str, ...], stdin: str, expected: str
) -> None:
    line = _one_line_error(tradeql("create-user", *args, stdin=stdin))
    assert line.startswith("tradeql create-user: ")
    assert expected in line
    assert tradeql.rows("SELECT id FROM users") == []


def test_an_email_is_one_account(tradeql: Tradeql) -> None:
    first = tradeql("create-user", "--role", "sales", "--email", "mei@example.com", stdin=PASSWORD)
    assert first.returncode == 0, first.stderr
    again = tradeql("create-user", "--role", "admin", "--email", "MEI@example.com", stdin=PASSWORD)
    assert "already belongs to an account" in _one_line_error(again)


def test_api_keys_are_shown_once_listed_without_secrets_and_revoked(tradeql: Tradeql) -> None:
    # when a key is created
    created = tradeql("api-keys", "create", "--name", "Main storefront", "--role", "storefront")
    assert created.returncode == 0, created.stderr
    lines = dict(line.split(": ", 1) for line in created.stdout.strip().splitlines())
    key = lines["key"]
    # then it is printed once and stored as a hash
    assert key.startswith("tqk_")
    assert "not shown again" in created.stderr
    [stored] = tradeql.rows("SELECT id, key_hash, prefix FROM api_keys")
    assert stored["key_hash"] == token_hash(key)
    # and the list shows it without the key
    listing = tradeql("api-keys", "list")
    assert listing.returncode == 0
    assert "Main storefront" in listing.stdout
    assert stored["prefix"] in listing.stdout
    assert key not in listing.stdout + listing.stderr

    # when it is revoked, twice
    revoked = tradeql("api-keys", "revoke", lines["id"])
    twice = tradeql("api-keys", "revoke", lines["id"])
    # then the first works and the second says there is nothing to revoke
    assert revoked.returncode == 0, revoked.stderr
    assert "no active API key" in _one_line_error(twice)
    actions = tradeql.rows("SELECT action, actor_label, target_id FROM audit_entries ORDER BY id")
    assert [(a["action"], a["actor_label"], a["target_id"]) for a in actions] == [
        ("api_key.created", "cli", lines["id"]),
        ("api_key.revoked", "cli", lines["id"]),
    ]


def test_api_keys_cannot_be_admin(tradeql: Tradeql) -> None:
    result = tradeql("api-keys", "create", "--name", "x", "--role", "admin")
    assert result.returncode == 2
    assert "invalid choice" in result.stderr


def test_an_api_key_may_have_a_budget_of_its_own(tradeql: Tradeql) -> None:
    # when keys are made with a size and a rate, a size alone, and neither
    both = tradeql(
        "api-keys", "create", "--name", "Partner", "--role", "support", "--budget", "500/5"
    )
    size = tradeql(
        "api-keys", "create", "--name", "Shop", "--role", "storefront", "--budget", "900"
    )
    plain = tradeql("api-keys", "create", "--name", "Main", "--role", "storefront")
    assert [both.returncode, size.returncode, plain.returncode] == [0, 0, 0], both.stderr

    # then each keeps what it was given, null for the role's
    rows = tradeql.rows("SELECT name, budget_size, budget_restore_rate FROM api_keys ORDER BY id")
    assert [(r["name"], r["budget_size"], r["budget_restore_rate"]) for r in rows] == [
        ("Partner", 500, 5),
        ("Shop", 900, None),
        ("Main", None, None),
    ]
    # and the list shows the budget each key runs on, its role's where it has none
    storefront = ROLE_BUDGETS[Role.STOREFRONT]
    listing = tradeql("api-keys", "list").stdout
    assert "500/5 " in listing
    assert f"900/{storefront.restore_rate} " in listing
    assert f"{storefront.size}/{storefront.restore_rate} " in listing
    [audit] = tradeql.rows("SELECT changes::text AS changes FROM audit_entries LIMIT 1")
    assert '"budget": [null, "500/5"]' in audit["changes"]


@pytest.mark.parametrize("budget", ["0", "500/0", "500/", "lots", "1/2/3", "2000000000"])
def test_a_budget_that_is_not_size_slash_rate_is_refused(tradeql: Tradeql, budget: str) -> None:
    result = tradeql(
        "api-keys", "create", "--name", "x", "--role", "storefront", "--budget", budget
    )

    assert result.returncode == 2
    assert "--budget" in result.stderr
    assert tradeql.rows("SELECT id FROM api_keys") == []


def test_a_keys_budget_can_be_changed_and_given_back_to_its_role(tradeql: Tradeql) -> None:
    created = tradeql("api-keys", "create", "--name", "Partner", "--role", "sales")
    key_id = dict(line.split(": ", 1) for line in created.stdout.strip().splitlines())["id"]
    sales = ROLE_BUDGETS[Role.SALES]

    # when an operator gives it a budget of its own, then its role's again
    own = tradeql("api-keys", "set-budget", key_id, "300/3")
    budget_of = "SELECT budget_size, budget_restore_rate FROM api_keys"
    [with_own] = tradeql.rows(budget_of)
    back = tradeql("api-keys", "set-budget", key_id, "role")
    [with_roles] = tradeql.rows(budget_of)

    # then the key runs on each in turn, and the audit log says who changed what
    assert (own.returncode, back.returncode) == (0, 0), own.stderr
    assert "300/3" in own.stderr
    assert (with_own["budget_size"], with_own["budget_restore_rate"]) == (300, 3)
    assert (with_roles["budget_size"], with_roles["budget_restore_rate"]) == (None, None)
    rows = tradeql.rows(
        "SELECT action, actor_label, changes::text AS changes FROM audit_entries"
        " WHERE action = 'api_key.budget_changed' ORDER BY id"
    )
    role_text = f"{sales.size}/{sales.restore_rate}"
    assert [(row["actor_label"], row["changes"]) for row in rows] == [
        ("cli", f'{{"budget": ["{role_text}", "300/3"]}}'),
        ("cli", f'{{"budget": ["300/3", "{role_text}"]}}'),
    ]


def test_only_an_active_key_gets_a_budget(tradeql: Tradeql) -> None:
    created = tradeql("api-keys", "create", "--name", "Old", "--role", "storefront")
    key_id = dict(line.split(": ", 1) for line in created.stdout.strip().splitlines())["id"]
    tradeql("api-keys", "revoke", key_id)

    revoked = tradeql("api-keys", "set-budget", key_id, "300")
    unknown = tradeql("api-keys", "set-budget", "999", "300")

    assert "no active API key" in _one_line_error(revoked)
    assert "no active API key" in _one_line_error(unknown)
    [row] = tradeql.rows("SELECT budget_size FROM api_keys")
    assert row["budget_size"] is None
