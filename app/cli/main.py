"""The `tradeql` command: serve, migrate, seed-demo, worker, events, webhooks, create-user,
api-keys, fx-rates, export-schema.

Every failure a user can cause (bad arguments, an unreachable database, unsafe production
settings) ends with one clear line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Coroutine, Sequence
from pathlib import Path
from typing import Any, NoReturn

from pydantic import ValidationError

from app.cli.command_database import OperatorError
from core.db import DatabaseUnavailable
from core.settings import Settings, get_settings

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_FILE = ROOT / "schema.graphql"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        """One line instead of argparse's usage block; `--help` shows the usage."""
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except OperatorError as error:
        print(f"tradeql {args.command}: {error}", file=sys.stderr)
    except ValidationError as error:
        details = "; ".join(_setting_problem(item) for item in error.errors())
        print(f"tradeql {args.command}: invalid settings: {details}", file=sys.stderr)
    except DatabaseUnavailable as error:
        print(f"tradeql {args.command}: {_one_line(str(error))}", file=sys.stderr)
    except KeyboardInterrupt:
        return 130
    return 1


def _setting_problem(item: Any) -> str:
    message = str(item["msg"]).removeprefix("Value error, ")
    location = ".".join(map(str, item["loc"])).upper()
    return f"{location}: {message}" if location else message


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="tradeql", description="TradeQL: GraphQL commerce backend for import-export."
    )
    commands = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=_Parser
    )

    serve = commands.add_parser("serve", help="serve the GraphQL API over HTTP")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=_port, default=8000, help="port (default 8000)")
    serve.add_argument(
        "--workers", type=_positive, default=1, help="processes (PostgreSQL only; default 1)"
    )
    serve.set_defaults(handler=_serve)

    migrate = commands.add_parser("migrate", help="create or upgrade the tables (Alembic)")
    migrate.add_argument("--revision", default="head", help="target revision (default head)")
    migrate.set_defaults(handler=_migrate)

    seed = commands.add_parser("seed-demo", help="load a demo import-export catalog")
    seed.add_argument("--products", type=_positive, default=200, help="products (default 200)")
    seed.add_argument(
        "--if-empty", action="store_true", help="do nothing when products already exist"
    )
    seed.set_defaults(handler=_seed_demo)

    worker = commands.add_parser("worker", help="run background work (PostgreSQL only)")
    worker.add_argument(
        "--concurrency", type=_positive, default=None, help="events handled at once per process"
    )
    worker.set_defaults(handler=_worker)

    events = commands.add_parser("events", help="inspect and replay outbox events")
    event_commands = events.add_subparsers(
        dest="events_command", required=True, metavar="ACTION", parser_class=_Parser
    )
    listing = event_commands.add_parser("list", help="the newest events")
    listing.add_argument("--state", choices=["pending", "done", "dead"], default=None)
    listing.add_argument("--limit", type=_positive, default=50)
    listing.set_defaults(handler=_events_list)
    replay = event_commands.add_parser("replay", help="give a dead event new attempts")
    replay.add_argument("event_id", type=_positive, metavar="ID")
    replay.set_defaults(handler=_events_replay)
    stats = event_commands.add_parser("stats", help="counts by state, age of oldest due event")
    stats.set_defaults(handler=_events_stats)

    _add_webhook_commands(commands)
    _add_account_commands(commands)
    _add_fx_commands(commands)

    export = commands.add_parser("export-schema", help="print the GraphQL schema (SDL)")
    export.add_argument(
        "--check", action="store_true", help=f"fail if {SCHEMA_FILE.name} is not up to date"
    )
    export.add_argument("--write", action="store_true", help=f"write {SCHEMA_FILE.name}")
    export.add_argument("--file", type=Path, default=SCHEMA_FILE, help=argparse.SUPPRESS)
    export.set_defaults(handler=_export_schema)
    return parser


def _add_webhook_commands(commands: Any) -> None:
    webhooks = commands.add_parser("webhooks", help="manage partners' webhook endpoints")
    actions = webhooks.add_subparsers(
        dest="webhooks_command", required=True, metavar="ACTION", parser_class=_Parser
    )
    add = actions.add_parser("add", help="add an endpoint; prints its id and secret once")
    add.add_argument("url", metavar="URL", help="where deliveries are POSTed (https in production)")
    add.add_argument(
        "--events", type=_event_list, required=True, help="comma-separated event types"
    )
    add.set_defaults(handler=_webhooks_add)
    listing = actions.add_parser("list", help="all endpoints and their health (no secrets)")
    listing.set_defaults(handler=_webhooks_list)
    for name, handler, help_text in (
        ("rotate-secret", _webhooks_rotate, "new secret, printed once; the old one overlaps"),
        ("disable", _webhooks_disable, "stop delivering to an endpoint"),
        ("ping", _webhooks_ping, "send a webhook.ping event to one endpoint"),
    ):
        action = actions.add_parser(name, help=help_text)
        action.add_argument("endpoint_id", metavar="ID", help="the id `webhooks list` shows")
        action.set_defaults(handler=handler)


def _add_account_commands(commands: Any) -> None:
    from models.accounts import API_KEY_ROLES, USER_ROLES

    create_user = commands.add_parser(
        "create-user", help="add a user with a password (from a prompt or stdin, never argv)"
    )
    create_user.add_argument("--email", required=True, help="the address to sign in with")
    create_user.add_argument(
        "--role", required=True, choices=sorted(role.value for role in USER_ROLES)
    )
    create_user.add_argument("--full-name", default="", help="the person's name")
    create_user.add_argument(
        "--client-company-id", type=_positive, default=None, help="for --role client"
    )
    create_user.set_defaults(handler=_accounts)

    api_keys = commands.add_parser("api-keys", help="manage API keys for storefronts, partners")
    actions = api_keys.add_subparsers(
        dest="api_keys_command", required=True, metavar="ACTION", parser_class=_Parser
    )
    create = actions.add_parser("create", help="make a key; prints it once")
    create.add_argument("--name", required=True, help="who or what the key is for")
    create.add_argument(
        "--role", required=True, choices=sorted(role.value for role in API_KEY_ROLES)
    )
    create.set_defaults(handler=_accounts)
    actions.add_parser("list", help="all keys (never the keys themselves)").set_defaults(
        handler=_accounts
    )
    revoke = actions.add_parser("revoke", help="stop a key from working, at once")
    revoke.add_argument("api_key_id", type=_positive, metavar="ID", help="from `api-keys list`")
    revoke.set_defaults(handler=_accounts)


def _add_fx_commands(commands: Any) -> None:
    fx_rates = commands.add_parser("fx-rates", help="maintain exchange rates")
    actions = fx_rates.add_subparsers(
        dest="fx_rates_command", required=True, metavar="ACTION", parser_class=_Parser
    )
    imports = actions.add_parser("import", help="append rates from a CSV file, all or nothing")
    imports.add_argument("file", type=Path, metavar="FILE", help="base,quote,rate[,effective_at]")
    imports.set_defaults(handler=_fx_rates_import)


def _event_list(value: str) -> list[str]:
    names = [name.strip() for name in value.split(",") if name.strip()]
    if not names:
        raise argparse.ArgumentTypeError("name at least one event type")
    return names


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value} must be at least 1")
    return number


def _port(value: str) -> int:
    port = _positive(value)
    if port > 65_535:
        raise argparse.ArgumentTypeError(f"{value} is not a TCP port")
    return port


def _require_migrated(settings: Settings) -> None:
    from app.migrate import NotMigrated, check_migrated

    try:
        asyncio.run(check_migrated(settings))
    except NotMigrated as error:
        raise OperatorError(str(error)) from None


def _serve(args: argparse.Namespace) -> int:
    from app.serve import serve

    settings = get_settings()
    if args.workers > 1 and settings.is_sqlite:
        raise OperatorError(
            "--workers needs PostgreSQL: SQLite cannot be shared safely between processes; "
            "set DATABASE_URL=postgresql+asyncpg://..."
        )
    _require_migrated(settings)
    serve(settings, host=args.host, port=args.port, workers=args.workers)
    return 0


def _migrate(args: argparse.Namespace) -> int:
    from app.migrate import migrate

    settings = get_settings()
    asyncio.run(_check_database(settings))
    migrate(settings.database_url, args.revision)
    print(f"database at revision {args.revision}", file=sys.stderr)
    return 0


async def _check_database(settings: Settings) -> None:
    from core.db import Database, create_engine

    engine = create_engine(settings)
    try:
        await Database(engine).check_connection()
    finally:
        await engine.dispose()


def _seed_demo(args: argparse.Namespace) -> int:
    from app.cli.seed_commands import seed_demo
    from app.read_cache import CATALOG_NAMESPACE
    from core.db import Database, create_engine
    from core.kv import close, create_key_value_stores

    settings = get_settings()

    async def run() -> str:
        engine = create_engine(settings)
        stores = create_key_value_stores(settings)
        try:
            database = Database(engine)
            # The servers' cached catalog reads must not outlive the seed (shared via Redis).
            database.on_catalog_committed = lambda: stores.cache.bump_version(CATALOG_NAMESPACE)
            await database.check_connection()
            report = await seed_demo(database, products=args.products, if_empty=args.if_empty)
        finally:
            await close(stores)
            await engine.dispose()
        if report.skipped:
            return "catalog already has products; nothing seeded"
        return (
            f"seeded {report.products} products, {report.variants} variants, "
            f"{report.price_tiers} price tiers in {report.categories} categories"
        )

    print(asyncio.run(run()), file=sys.stderr)
    return 0


def _worker(args: argparse.Namespace) -> int:
    from app.worker_main import run_worker_process

    settings = get_settings()
    if settings.is_sqlite:
        raise OperatorError(
            "needs PostgreSQL: SQLite cannot share work safely between processes, and "
            "`tradeql serve` already runs the worker in-process on SQLite"
        )
    if args.concurrency is not None:
        settings = settings.model_copy(update={"worker_concurrency": args.concurrency})
    _require_migrated(settings)
    asyncio.run(run_worker_process(settings))
    return 0


def _events_list(args: argparse.Namespace) -> int:
    from app.cli.event_commands import list_events

    asyncio.run(list_events(get_settings(), state=args.state, limit=args.limit))
    return 0


def _events_replay(args: argparse.Namespace) -> int:
    from app.cli.event_commands import replay_event

    if not asyncio.run(replay_event(get_settings(), args.event_id)):
        raise OperatorError(f"event {args.event_id} is not dead-lettered (or does not exist)")
    return 0


def _events_stats(_args: argparse.Namespace) -> int:
    from app.cli.event_commands import event_stats

    asyncio.run(event_stats(get_settings()))
    return 0


def _webhooks_add(args: argparse.Namespace) -> int:
    from app.cli import webhook_commands

    return _run_webhooks(
        webhook_commands.add(get_settings(), url=args.url, event_types=args.events)
    )


def _webhooks_list(_args: argparse.Namespace) -> int:
    from app.cli import webhook_commands

    return _run_webhooks(webhook_commands.list_all(get_settings()))


def _webhooks_rotate(args: argparse.Namespace) -> int:
    from app.cli import webhook_commands

    return _run_webhooks(webhook_commands.rotate_secret(get_settings(), public_id=args.endpoint_id))


def _webhooks_disable(args: argparse.Namespace) -> int:
    from app.cli import webhook_commands

    return _run_webhooks(webhook_commands.disable(get_settings(), public_id=args.endpoint_id))


def _webhooks_ping(args: argparse.Namespace) -> int:
    from app.cli import webhook_commands

    return _run_webhooks(webhook_commands.ping(get_settings(), public_id=args.endpoint_id))


def _run_webhooks(command: Coroutine[Any, Any, None]) -> int:
    asyncio.run(command)
    return 0


def _accounts(args: argparse.Namespace) -> int:
    from app.cli import account_commands

    asyncio.run(account_commands.run(get_settings(), args))
    return 0


def _fx_rates_import(args: argparse.Namespace) -> int:
    from app.cli.fx_commands import import_rates

    asyncio.run(import_rates(get_settings(), args.file))
    return 0


def _export_schema(args: argparse.Namespace) -> int:
    from schema.build import build_schema

    sdl = build_schema().as_str() + "\n"
    schema_file: Path = args.file
    if args.check:
        current = schema_file.read_text(encoding="utf-8") if schema_file.exists() else ""
        if current != sdl:
            raise OperatorError(
                f"{schema_file.name} is stale; run `tradeql export-schema --write` and commit it"
            )
        return 0
    if args.write:
        schema_file.write_text(sdl, encoding="utf-8")
        return 0
    sys.stdout.write(sdl)
    return 0


if __name__ == "__main__":
    sys.exit(main())
