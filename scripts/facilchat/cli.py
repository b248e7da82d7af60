"""The `facilchat` command line."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from dotenv import find_dotenv, load_dotenv

from devstack.paths import PROJECT_ROOT


def _db_url(value: str | None) -> str:
    url = value or os.environ.get("DATABASE_URL")
    if not url:
        raise SystemExit("error: give --db-url or set DATABASE_URL")
    return url


def cmd_db_migrate(args: argparse.Namespace) -> int:
    from facilchat import migrate

    return migrate.run(_db_url(args.db_url), local=args.local)


def cmd_dev(args: argparse.Namespace) -> int:
    from facilchat import dev

    return dev.run(
        database_url=os.environ.get("DATABASE_URL") if args.use_database_url else None,
        api_port=args.api_port,
        env_file=args.env_file,
        app_port=args.app_port,
    )


def cmd_faq_eval(args: argparse.Namespace) -> int:
    from facilchat import faq_eval

    return faq_eval.run(
        args.path,
        db_url=args.db_url,
        per_business=args.by_business,
        caution=args.caution,
        owner_loop=args.owner_loop,
    )


def cmd_simulate(args: argparse.Namespace) -> int:
    from facilchat import simulate

    return simulate.run(args.text, sender=args.sender, to=args.to, url=args.url)


def cmd_tail(args: argparse.Namespace) -> int:
    from facilchat import tail

    return tail.run_from_args(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="facilchat", description="FácilChat developer tools")
    commands = parser.add_subparsers(dest="command", required=True)

    db = commands.add_parser("db", help="database tasks")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_migrate = db_commands.add_parser("migrate", help="apply pending migrations in order")
    db_migrate.add_argument("--db-url", help="Postgres URL (default: $DATABASE_URL)")
    db_migrate.add_argument(
        "--local",
        action="store_true",
        help="first load the Supabase platform stand-in (plain Postgres only)",
    )
    db_migrate.set_defaults(handler=cmd_db_migrate)

    dev = commands.add_parser("dev", help="run the product locally")
    dev.add_argument(
        "--use-database-url",
        action="store_true",
        help="use $DATABASE_URL instead of the embedded Postgres",
    )
    dev.add_argument("--api-port", type=int, default=54321, help="Supabase API port (54321)")
    dev.add_argument("--app-port", type=int, default=3000, help="the app's port (3000)")
    dev.add_argument(
        "--env-file", type=Path, default=PROJECT_ROOT / ".env", help="where to write the env"
    )
    dev.set_defaults(handler=cmd_dev)

    faq_eval = commands.add_parser(
        "faq-eval", help="run the production FAQ matcher over a labelled data set"
    )
    faq_eval.add_argument("path", type=Path, help="a JSON file shaped like faq_dev_set.json")
    faq_eval.add_argument(
        "--db-url", help="a migrated database to use (default: boot the embedded Postgres)"
    )
    faq_eval.add_argument(
        "--by-business",
        action="store_true",
        help="also print each business's figures, and those of the set without it",
    )
    faq_eval.add_argument(
        "--caution",
        choices=("balanced", "cautious"),
        default="balanced",
        help="how sure the matcher must be to answer (the owner's setting; default balanced)",
    )
    faq_eval.add_argument(
        "--owner-loop",
        action="store_true",
        help="teach each FAQ the words of half the missed messages, measure the other half",
    )
    faq_eval.set_defaults(handler=cmd_faq_eval)

    simulate = commands.add_parser("simulate", help="send a signed inbound WhatsApp webhook")
    simulate.add_argument("text", help="the customer's message")
    simulate.add_argument("--from", dest="sender", required=True, help="customer, +E164")
    simulate.add_argument("--to", required=True, help="the business's WhatsApp number, +E164")
    simulate.add_argument(
        "--url", default=None, help="webhook URL (default: $PUBLIC_URL/api/twilio/webhook)"
    )
    simulate.set_defaults(handler=cmd_simulate)

    from facilchat import tail

    tail_parser = commands.add_parser(
        "tail", help="follow a business's inbox live, through Supabase Realtime"
    )
    tail.add_arguments(tail_parser)
    tail_parser.set_defaults(handler=cmd_tail)
    return parser


def main(argv: list[str] | None = None) -> int:
    load_dotenv(find_dotenv(usecwd=True))
    args = build_parser().parse_args(argv)
    result: int = args.handler(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
