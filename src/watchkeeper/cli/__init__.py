"""The `watchkeeper` command: run the service, manage users and tokens, compute deadlines and run incidents.

Commands that need no database (deadlines) do not start Django, so they work anywhere.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Sequence
from datetime import datetime
from typing import NoReturn

from watchkeeper.cli import client, oncall, register, statuspage
from watchkeeper.slackapp import socket_mode


class UsageError(Exception):
    """Bad input from the person at the keyboard: one line, exit status 2."""


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "watchkeeper.settings")
    import django  # noqa: PLC0415 - the console script starts Django only for the commands that need it

    django.setup()


def _prepare_assets() -> None:
    """Pages need collected assets: collect them now if nobody has, or stop with one line saying what to run."""
    _django()
    from watchkeeper.static_assets import AssetsMissing, ensure_collected  # noqa: PLC0415 - the console script starts Django only for the commands that need it

    try:
        collected = ensure_collected()
    except AssetsMissing as error:
        raise UsageError(str(error)) from None
    if collected:
        print(collected, flush=True)


def _manage(*args: str) -> None:
    _django()
    from django.core.management import call_command  # noqa: PLC0415 - the console script starts Django only for the commands that need it

    call_command(*args)


def parse_instant(text: str, what: str) -> datetime:
    try:
        instant = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{what} '{text}' is not an ISO 8601 time such as 2026-12-24T16:30:00+00:00") from None
    if instant.tzinfo is None:
        raise UsageError(f"{what} '{text}' has no UTC offset: add one, such as +00:00 or Z")
    return instant


def cmd_deadlines(args: argparse.Namespace) -> None:
    from watchkeeper.catalogue.holidays import default_calendar  # noqa: PLC0415 - the console script starts Django only for the commands that need it
    from watchkeeper.domain.deadlines import deadlines_json  # noqa: PLC0415 - the console script starts Django only for the commands that need it
    from watchkeeper.domain.office_time import Division  # noqa: PLC0415 - the console script starts Django only for the commands that need it
    from watchkeeper.domain.priority import DEFAULT_POLICIES, Priority  # noqa: PLC0415 - the console script starts Django only for the commands that need it

    try:
        priority = Priority.parse(args.priority)
        reported_at = parse_instant(args.reported_at, "--reported-at")
        if args.service is None:
            division = Division.parse(args.division or Division.ENGLAND_AND_WALES.value)
            calendar, policy = default_calendar(division), DEFAULT_POLICIES[priority]
        else:
            if args.division is not None:
                raise UsageError("give --division or --service, not both: a service has its own bank holidays")
            _django()
            from watchkeeper.catalogue import queries  # noqa: PLC0415 - the console script starts Django only for the commands that need it

            service = queries.services().filter(slug=args.service).first()
            if service is None:
                raise UsageError(f"no service called '{args.service}'")
            calendar, policy = queries.calendar_for(service), queries.policy_for(service, priority)
        print(json.dumps(deadlines_json(policy, calendar, reported_at)))
    except ValueError as error:  # includes dates beyond the bank holiday data
        raise UsageError(str(error)) from None


def cmd_serve(args: argparse.Namespace) -> None:
    """The web app and, unless told otherwise, a task worker; Ctrl-C stops both."""
    from watchkeeper.serve import serve  # noqa: PLC0415 - the console script starts Django only for the commands that need it

    _prepare_assets()
    sys.exit(serve(args))


def cmd_worker(args: argparse.Namespace) -> None:
    _django()
    from watchkeeper import worker  # noqa: PLC0415 - the console script starts Django only for the commands that need it

    worker.run(args.interval)


def cmd_migrate(args: argparse.Namespace) -> None:
    _manage("migrate", "--no-input")


def cmd_demo(args: argparse.Namespace) -> None:
    _prepare_assets()
    from watchkeeper.cli.demo import load_demo  # noqa: PLC0415 - the console script starts Django only for the commands that need it

    print(load_demo(empty=args.empty))


def cmd_createuser(args: argparse.Namespace) -> None:
    _django()
    from django.core.exceptions import ValidationError  # noqa: PLC0415 - the console script starts Django only for the commands that need it

    from watchkeeper.accounts.services import create_user  # noqa: PLC0415 - the console script starts Django only for the commands that need it

    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else getpass.getpass("Password: ")
    try:
        user = create_user(args.name, email=args.email, groups=args.group, password=password)
    except ValidationError as error:
        raise UsageError("; ".join(error.messages)) from None
    print(f"Created {user.username} in {', '.join(args.group)}")


def cmd_token(args: argparse.Namespace) -> None:
    _django()
    from django.core.exceptions import ValidationError  # noqa: PLC0415 - the console script starts Django only for the commands that need it

    from watchkeeper.accounts.services import create_token, revoke_token  # noqa: PLC0415 - the console script starts Django only for the commands that need it

    if args.action == "create":
        try:
            print(create_token(args.user, name=args.name))
        except ValidationError as error:
            raise UsageError("; ".join(error.messages)) from None
    else:
        if revoke_token(args.token) == 0:
            raise UsageError("no active token matches that")
        print("Token revoked")


def cmd_manage(args: argparse.Namespace) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "watchkeeper.settings")
    from django.core.management import execute_from_command_line  # noqa: PLC0415 - the console script starts Django only for the commands that need it

    execute_from_command_line(["watchkeeper manage", *args.rest])


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"watchkeeper: {message}\n")


def _add_running(sub: argparse._SubParsersAction[Parser]) -> None:
    serve = sub.add_parser("serve", help="run the web app and a task worker")
    serve.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    serve.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")))
    serve.add_argument(
        "--threads",
        type=int,
        default=int(os.environ["WEB_THREADS"]) if os.environ.get("WEB_THREADS") else None,
        help="Python threads per web worker (default 2 with granian, 8 with gunicorn)",
    )
    serve.add_argument("--server", choices=["granian", "gunicorn"], default=os.environ.get("WEB_SERVER", "granian"))
    serve.add_argument("--no-worker", action="store_true", help="web app only; run `watchkeeper worker` elsewhere")
    serve.set_defaults(func=cmd_serve)

    worker = sub.add_parser("worker", help="run a task worker (as many as you like, on any machine)")
    worker.add_argument("--interval", type=float, default=1.0, help="seconds between polls when idle")
    worker.set_defaults(func=cmd_worker)

    sub.add_parser("migrate", help="create or upgrade the database").set_defaults(func=cmd_migrate)
    demo = sub.add_parser("demo", help="load demo teams, services, people and incidents (safe to run twice)")
    demo.add_argument("--empty", action="store_true", help="only the teams, services and the admin: no incidents")
    demo.set_defaults(func=cmd_demo)


def _add_users(sub: argparse._SubParsersAction[Parser]) -> None:
    createuser = sub.add_parser("createuser", help="add a local user")
    createuser.add_argument("name")
    createuser.add_argument("--email", required=True)
    createuser.add_argument(
        "--group", action="append", required=True, help="viewer, responder, admin, security or data_protection"
    )
    createuser.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    createuser.set_defaults(func=cmd_createuser)


def _add_tokens(sub: argparse._SubParsersAction[Parser]) -> None:
    token = sub.add_parser("token", help="create or revoke API tokens")
    token_sub = token.add_subparsers(dest="action", required=True, parser_class=Parser)
    create = token_sub.add_parser("create", help="print a new token alone on standard output")
    create.add_argument("--user", required=True)
    create.add_argument("--name", default="")
    revoke = token_sub.add_parser("revoke", help="revoke a token (the whole token or its first 10 characters)")
    revoke.add_argument("token")
    token.set_defaults(func=cmd_token)


def _add_deadlines(sub: argparse._SubParsersAction[Parser]) -> None:
    deadlines = sub.add_parser("deadlines", help="print respond-by and update deadlines as JSON")
    deadlines.add_argument("--priority", required=True)
    deadlines.add_argument("--reported-at", required=True, help="ISO 8601 with an offset")
    deadlines.add_argument("--division", default=None, help="england-and-wales (default), scotland, northern-ireland")
    deadlines.add_argument("--service", default=None, help="use this service's own calendar and policy")
    deadlines.set_defaults(func=cmd_deadlines)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="watchkeeper", description="Incident management the GDS Way.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    _add_running(sub)
    _add_users(sub)
    _add_deadlines(sub)
    _add_tokens(sub)

    # declare, list, show, lead, priority, status, update, resolve, …: they speak to the API, not the database.
    client.add_commands(sub)
    statuspage.add_commands(sub)
    socket_mode.add_commands(sub)
    register.add_commands(sub)
    oncall.add_commands(sub)

    manage = sub.add_parser("manage", help="run a Django management command")
    manage.add_argument("rest", nargs=argparse.REMAINDER)
    manage.set_defaults(func=cmd_manage)
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    try:
        args.func(args)
    except UsageError as error:
        print(f"watchkeeper: {error}", file=sys.stderr)
        sys.exit(2)
