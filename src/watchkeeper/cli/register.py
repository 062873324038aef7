"""`watchkeeper register export` and `watchkeeper register import`: the central register from the server's shell.

These read and write the database directly, like `watchkeeper deadlines --service`, so they are for an operator
on the server and see every incident, restricted ones included. Refusals are one line on stderr and exit 2.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import sys
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, nullcontext
from datetime import date
from pathlib import Path
from typing import IO, NoReturn, TypeVar

ParserT = TypeVar("ParserT", bound=argparse.ArgumentParser)
FORMATS = ("csv", "xlsx", "json")
OPERATOR_NOTE = (
    "It reads the database directly and includes every incident, restricted ones too: it is for an operator "
    "on the server. People and scripts elsewhere use GET /api/v1/register, which shows only what they may see."
)


def _refuse(message: str) -> NoReturn:
    print(f"watchkeeper: {message}", file=sys.stderr)
    sys.exit(2)


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "watchkeeper.settings")
    import django  # noqa: PLC0415 - the console script starts Django only for the commands that need it

    django.setup()


def _day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        _refuse(f"{option} '{text}' is not a date such as 2026-11-30")


def _json_lines(rows: Iterable[dict[str, str]]) -> Iterator[str]:
    """A JSON array written a row at a time, so a long register never sits in memory whole."""
    yield "["
    for number, values in enumerate(rows):
        yield ("," if number else "") + "\n  " + json.dumps(values, ensure_ascii=False)
    yield "\n]\n"


def cmd_export(args: argparse.Namespace) -> None:
    first, last = _day(args.date_from, "--from"), _day(args.date_to, "--to")
    if first > last:
        _refuse(f"--from {first} is after --to {last}")
    if args.format not in FORMATS:
        _refuse(f"--format '{args.format}' is not one of {', '.join(FORMATS)}")
    if args.format == "xlsx" and args.output is None and sys.stdout.isatty():
        _refuse("an XLSX file would garble the terminal: give --output FILE or redirect the output")
    _django()
    from watchkeeper.reviews import queries, register, xlsx_export  # noqa: PLC0415 - the console script starts Django only for the commands that need it

    found = queries.whole_register(queries.RegisterFilters(declared_from=first, declared_to=last), sort="declared")
    try:
        if args.format == "xlsx":
            with xlsx_export.register_xlsx(found) as book, _binary_out(args.output) as out:
                shutil.copyfileobj(book, out)
            return
        if args.format == "json":
            lines = _json_lines(register.values(register.row(incident)) for incident in found.iterator(1000))
        else:
            lines = register.register_csv(found)
        with _text_out(args.output) as out:
            out.writelines(lines)
    except OSError as error:
        _refuse(f"cannot write {args.output}: {error.strerror}")


def _text_out(path: str | None) -> AbstractContextManager[IO[str]]:
    if path is None:
        return nullcontext(sys.stdout)
    return open(path, "w", encoding="utf-8", newline="")


def _binary_out(path: str | None) -> AbstractContextManager[IO[bytes]]:
    if path is None:
        sys.stdout.flush()
        return nullcontext(sys.stdout.buffer)
    return open(path, "wb")


def cmd_import(args: argparse.Namespace) -> None:
    path = Path(args.file)
    try:
        # utf-8-sig: Excel starts a CSV it saves with a byte order mark.
        text = path.read_text(encoding="utf-8-sig")
    except OSError as error:
        _refuse(f"cannot read {path}: {error.strerror}")
    except UnicodeDecodeError:
        _refuse(f"{path} is not UTF-8 text: save the spreadsheet as 'CSV UTF-8'")
    _django()
    from watchkeeper.reviews import importer, register  # noqa: PLC0415 - the console script starts Django only for the commands that need it

    result = importer.import_register(io.StringIO(text, newline=""), dry_run=args.dry_run)
    if result.errors:
        for problem in result.errors:
            print(f"watchkeeper: {path}: {problem}", file=sys.stderr)
        print(f"watchkeeper: nothing imported: fix the {len(result.errors)} problem(s) above", file=sys.stderr)
        sys.exit(1)
    if args.dry_run:
        # The rows as the register will show them, in its CSV columns, so they can be compared with the file.
        sys.stdout.writelines(register.rows_csv(result.rows))
        print(f"Dry run: {len(result.rows)} incidents would be imported; nothing was changed", file=sys.stderr)
        return
    print(f"Imported {len(result.rows)} incidents: {', '.join(row['reference'] for row in result.rows)}")


def add_commands(sub: argparse._SubParsersAction[ParserT]) -> None:
    """`register export` and `register import`, on the `watchkeeper` parser."""
    registry = sub.add_parser("register", help="export or import the central incident register (server only)")
    actions = registry.add_subparsers(dest="register_command", required=True, parser_class=type(registry))

    export = actions.add_parser(
        "export",
        help="write the register as CSV, XLSX or JSON",
        description=f"Write the incidents declared between two dates as CSV, XLSX or JSON. {OPERATOR_NOTE}",
    )
    export.add_argument("--from", dest="date_from", required=True, metavar="DATE", help="first declared date")
    export.add_argument("--to", dest="date_to", required=True, metavar="DATE", help="last declared date, inclusive")
    export.add_argument("--format", default="csv", help="csv (default), xlsx or json")
    export.add_argument("--output", metavar="FILE", help="write here instead of standard output")
    export.set_defaults(func=cmd_export)

    load = actions.add_parser(
        "import",
        help="bring past incidents in from a CSV in the register's columns",
        description=(
            "Import resolved or closed incidents from a CSV with the register export's columns. Every row is "
            "checked first; if any is wrong, each is reported with its line number and nothing is imported. "
            f"{OPERATOR_NOTE}"
        ),
    )
    load.add_argument("file", metavar="FILE")
    load.add_argument(
        "--dry-run", action="store_true", help="check the file and print the rows it would add, changing nothing"
    )
    load.set_defaults(func=cmd_import)
