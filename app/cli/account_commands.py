"""`tradeql create-user` and `tradeql api-keys create|list|revoke`: accounts from the shell.

There are no default accounts: the first admin is made here. Passwords are never taken from
the command line (it lands in shell history and process listings): they are read from a
terminal prompt, or from standard input when it is not a terminal (for scripts). Keys go to
stdout exactly once, when made; notes go to stderr. Each change writes one audit row
labelled `cli`.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import TextIO

from app.cli.command_database import OperatorError, command_database
from auth import api_keys
from auth.account_audit import API_KEY, CLI_LABEL, record_account_change
from auth.accounts import checked_password, new_password_hash
from auth.origin import Origin
from auth.user_admin import create_user
from core.db import Database
from core.outcomes import Refused
from core.settings import Settings
from models.accounts import ApiKey, Role


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


async def create_api_key(settings: Settings, *, name: str, role: Role) -> None:
    name = " ".join(name.split())
    if not name or len(name) > 120:
        raise OperatorError("--name must be 1 to 120 characters")
    async with _database(settings) as database, database.transaction() as session:
        created = await api_keys.create_api_key(session, name=name, role=role)
        await record_account_change(
            session,
            actor=None,
            origin=Origin(),
            action="api_key.created",
            target_type=API_KEY,
            target_id=created.row.id,
            changes={"name": [None, name], "role": [None, role.value]},
            actor_label=CLI_LABEL,
        )
    print(f"id: {created.row.id}")
    print(f"key: {created.key}")
    print("store the key now: it is not shown again", file=sys.stderr)


def _moment(moment: datetime | None) -> str:
    return moment.isoformat(timespec="seconds") if moment is not None else "-"


async def list_api_keys(settings: Settings) -> None:
    async with _database(settings) as database, database.session() as session:
        keys = await api_keys.list_api_keys(session)
    print(
        f"{'ID':>6}  {'ROLE':<16} {'PREFIX':<13} {'CREATED':<25} {'LAST USED':<25} "
        f"{'REVOKED':<25} NAME"
    )
    for key in keys:
        print(_row(key))


def _row(key: ApiKey) -> str:
    return (
        f"{key.id:>6}  {key.role:<16} {key.prefix:<13} {_moment(key.created_at):<25} "
        f"{_moment(key.last_used_at):<25} {_moment(key.revoked_at):<25} {key.name}"
    )


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


async def run(settings: Settings, args: argparse.Namespace) -> None:
    """The command `args` names, as parsed by `app.cli.main`."""
    if args.command == "create-user":
        await create_user_command(
            settings,
            email=args.email,
            role=Role(args.role),
            full_name=args.full_name,
            client_company_id=args.client_company_id,
            password=read_password(sys.stdin),
        )
    elif args.api_keys_command == "create":
        await create_api_key(settings, name=args.name, role=Role(args.role))
    elif args.api_keys_command == "list":
        await list_api_keys(settings)
    else:
        await revoke_api_key(settings, api_key_id=args.api_key_id)
