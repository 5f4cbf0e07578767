"""`tradeql create-user` and `tradeql api-keys create|list|revoke|set-budget`: accounts from
the shell.

There are no default accounts: the first admin is made here. Passwords are never taken from
the command line (it lands in shell history and process listings): they are read from a
terminal prompt, or from standard input when it is not a terminal (for scripts). Keys go to
stdout exactly once, when made; notes go to stderr. Each change writes one audit row
labelled `cli`.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import TextIO

from app.cli.arguments import Commands, actions_of, positive
from app.cli.command_database import OperatorError, command_database
from auth import api_keys
from auth.account_audit import API_KEY, CLI_LABEL, record_account_change
from auth.accounts import checked_password, new_password_hash
from auth.origin import Origin
from auth.policy import budget_of
from auth.user_admin import create_user
from core.db import Database
from core.outcomes import Refused
from core.settings import Settings, get_settings
from models.accounts import API_KEY_ROLES, USER_ROLES, ApiKey, Role

# An INTEGER column holds it; no sensible budget comes near.
MAX_BUDGET = 1_000_000_000


def add_commands(commands: Commands) -> None:
    create_user = commands.add_parser(
        "create-user", help="add a user with a password (from a prompt or stdin, never argv)"
    )
    create_user.add_argument("--email", required=True, help="the address to sign in with")
    create_user.add_argument(
        "--role", required=True, choices=sorted(role.value for role in USER_ROLES)
    )
    create_user.add_argument("--full-name", default="", help="the person's name")
    create_user.add_argument(
        "--client-company-id", type=positive, default=None, help="for --role client"
    )
    create_user.set_defaults(handler=_create_user)

    api_keys = commands.add_parser("api-keys", help="manage API keys for storefronts, partners")
    actions = actions_of(api_keys, "api_keys_command")
    create = actions.add_parser("create", help="make a key; prints it once")
    create.add_argument("--name", required=True, help="who or what the key is for")
    create.add_argument(
        "--role", required=True, choices=sorted(role.value for role in API_KEY_ROLES)
    )
    create.add_argument(
        "--budget",
        type=budget_argument,
        default=None,
        metavar="SIZE[/RATE]",
        help="the key's own bucket of query-cost points and the points restored a second, "
        "in place of its role's (docs/api/limits.md)",
    )
    create.set_defaults(handler=_create_api_key)
    actions.add_parser("list", help="all keys (never the keys themselves)").set_defaults(
        handler=_list_api_keys
    )
    revoke = actions.add_parser("revoke", help="stop a key from working, at once")
    revoke.add_argument("api_key_id", type=positive, metavar="ID", help="from `api-keys list`")
    revoke.set_defaults(handler=_revoke_api_key)
    budget = actions.add_parser(
        "set-budget", help="give a key a budget of its own, or its role's again (`role`)"
    )
    budget.add_argument("api_key_id", type=positive, metavar="ID", help="from `api-keys list`")
    budget.add_argument("budget", type=budget_or_role, metavar="SIZE[/RATE]|role")
    budget.set_defaults(handler=_set_api_key_budget)


def _create_user(args: argparse.Namespace) -> int:
    asyncio.run(
        create_user_command(
            get_settings(),
            email=args.email,
            role=Role(args.role),
            full_name=args.full_name,
            client_company_id=args.client_company_id,
            password=read_password(sys.stdin),
        )
    )
    return 0


def _create_api_key(args: argparse.Namespace) -> int:
    asyncio.run(
        create_api_key(get_settings(), name=args.name, role=Role(args.role), budget=args.budget)
    )
    return 0


def budget_argument(value: str) -> tuple[int, int | None]:
    """`SIZE` or `SIZE/RATE`, both whole numbers of at least 1."""
    size, slash, rate = value.partition("/")
    try:
        parts = positive(size.strip()), positive(rate.strip()) if slash else None
    except argparse.ArgumentTypeError as error:
        raise argparse.ArgumentTypeError(f"{value!r} is not SIZE[/RATE]: {error}") from None
    if any(part is not None and part > MAX_BUDGET for part in parts):
        raise argparse.ArgumentTypeError(f"{value!r}: at most {MAX_BUDGET:,} each")
    return parts


def _list_api_keys(_args: argparse.Namespace) -> int:
    asyncio.run(list_api_keys(get_settings()))
    return 0


def _set_api_key_budget(args: argparse.Namespace) -> int:
    asyncio.run(set_api_key_budget(get_settings(), api_key_id=args.api_key_id, budget=args.budget))
    return 0


def budget_or_role(value: str) -> tuple[int, int | None] | None:
    """`SIZE[/RATE]`, or `role` (None): the key's role's budget again."""
    return None if value.strip().lower() == "role" else budget_argument(value)


def _revoke_api_key(args: argparse.Namespace) -> int:
    asyncio.run(revoke_api_key(get_settings(), api_key_id=args.api_key_id))
    return 0


def _describe(failure: Exception) -> str:
    if isinstance(failure, Refused):
        return "; ".join(
            f"{'.'.join(issue.field or ())} {issue.message}".strip() for issue in failure.issues
        )
    return str(failure)


def _database(settings: Settings) -> AbstractAsyncContextManager[Database]:
    return command_database(
        settings,
        expected=(Refused, api_keys.ApiKeyRoleRefused),
        describe=_describe,
    )


def read_password(stdin: TextIO) -> str:
    """Twice from a terminal prompt, or one line of piped standard input."""
    if stdin.isatty():
        password = getpass.getpass("Password: ")
        if getpass.getpass("Password again: ") != password:
            raise OperatorError("the two passwords differ")
    else:
        password = stdin.readline().removesuffix("\n").removesuffix("\r")
    try:
        checked_password(password, "password")
    except Refused as refused:
        raise OperatorError(f"password {refused.issues[0].message}") from None
    return password


async def create_user_command(
    settings: Settings,
    *,
    email: str,
    role: Role,
    full_name: str,
    client_company_id: int | None,
    password: str,
) -> None:
    hashed = await new_password_hash(password)
    async with _database(settings) as database, database.transaction() as session:
        user = await create_user(
            session,
            email=email,
            full_name=full_name,
            role=role,
            client_company_id=client_company_id,
            password=hashed,
        )
    print(f"id: {user.id}")
    note = "; staff set up MFA at their first sign-in" if user.is_staff else ""
    print(f"created {user.email} ({role.value}){note}", file=sys.stderr)


async def create_api_key(
    settings: Settings, *, name: str, role: Role, budget: tuple[int, int | None] | None = None
) -> None:
    name = " ".join(name.split())
    if not name or len(name) > 120:
        raise OperatorError("--name must be 1 to 120 characters")
    size, rate = budget or (None, None)
    if (size is not None and size > MAX_BUDGET) or (rate is not None and rate > MAX_BUDGET):
        raise OperatorError(f"--budget takes at most {MAX_BUDGET:,} points (and a second)")
    async with _database(settings) as database, database.transaction() as session:
        created = await api_keys.create_api_key(
            session, name=name, role=role, budget_size=size, budget_restore_rate=rate
        )
        await record_account_change(
            session,
            actor=None,
            origin=Origin(),
            action="api_key.created",
            target_type=API_KEY,
            target_id=created.row.id,
            changes={
                "name": [None, name],
                "role": [None, role.value],
                **({"budget": [None, _budget_text(created.row)]} if budget else {}),
            },
            actor_label=CLI_LABEL,
        )
    print(f"id: {created.row.id}")
    print(f"key: {created.key}")
    print("store the key now: it is not shown again", file=sys.stderr)


async def set_api_key_budget(
    settings: Settings, *, api_key_id: int, budget: tuple[int, int | None] | None
) -> None:
    """Takes effect with the key's next request: each request reads the key's row."""
    size, rate = budget or (None, None)
    async with _database(settings) as database, database.transaction() as session:
        key = await api_keys.active_api_key(session, api_key_id)
        if key is None:
            raise OperatorError(f"no active API key with id {api_key_id}")
        before = _budget_text(key)
        key.budget_size, key.budget_restore_rate = size, rate
        await session.flush()
        await record_account_change(
            session,
            actor=None,
            origin=Origin(),
            action="api_key.budget_changed",
            target_type=API_KEY,
            target_id=api_key_id,
            changes={"budget": [before, _budget_text(key)]},
            actor_label=CLI_LABEL,
        )
        after = _budget_text(key)
    whose = "its own" if budget else "its role's"
    print(f"API key {api_key_id} now runs on {whose} budget, {after}", file=sys.stderr)


def _moment(moment: datetime | None) -> str:
    return moment.isoformat(timespec="seconds") if moment is not None else "-"


async def list_api_keys(settings: Settings) -> None:
    async with _database(settings) as database, database.session() as session:
        keys = await api_keys.list_api_keys(session)
    print(
        f"{'ID':>6}  {'ROLE':<16} {'PREFIX':<13} {'CREATED':<25} {'LAST USED':<25} "
        f"{'REVOKED':<25} {'BUDGET':<16} NAME"
    )
    for key in keys:
        print(_row(key))


def _row(key: ApiKey) -> str:
    return (
        f"{key.id:>6}  {key.role:<16} {key.prefix:<13} {_moment(key.created_at):<25} "
        f"{_moment(key.last_used_at):<25} {_moment(key.revoked_at):<25} "
        f"{_budget_text(key):<16} {key.name}"
    )


def _budget_text(key: ApiKey) -> str:
    """SIZE/RATE of the key's budget, its role's where it has none of its own."""
    budget = api_keys.budget_override_of(key) or budget_of(Role(key.role))
    return f"{budget.size}/{budget.restore_rate}"


async def revoke_api_key(settings: Settings, *, api_key_id: int) -> None:
    async with _database(settings) as database, database.transaction() as session:
        if not await api_keys.revoke_api_key(session, api_key_id):
            raise OperatorError(f"no active API key with id {api_key_id}")
        await record_account_change(
            session,
            actor=None,
            origin=Origin(),
            action="api_key.revoked",
            target_type=API_KEY,
            target_id=api_key_id,
            changes={"revoked": [False, True]},
            actor_label=CLI_LABEL,
        )
    print(f"API key {api_key_id} revoked; requests with it now get 401", file=sys.stderr)
