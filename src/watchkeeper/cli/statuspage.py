"""`watchkeeper statuspage ...`: write the snapshot for a CDN, and erase a subscriber on request."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "watchkeeper.settings")
    import django  # noqa: PLC0415 - the console script starts Django only for the commands that need it

    django.setup()


def cmd_export(args: argparse.Namespace) -> None:
    _django()
    from watchkeeper.statuspage import conf, snapshot  # noqa: PLC0415 - the console script starts Django only for the commands that need it

    directory = Path(args.directory) if args.directory else conf.snapshot_dir()
    count = snapshot.write(directory)
    print(f"Wrote {count} files to {directory}")


def cmd_erase(args: argparse.Namespace) -> None:
    _django()
    from watchkeeper.statuspage.services import subscribers  # noqa: PLC0415 - models load only after _django() has set Django up

    found = subscribers.erase(args.email)
    print("Erased" if found else "No subscriber with that address; any sign-up records for it are erased")


def add_commands(subparsers: Any) -> None:
    """Adds `statuspage export DIR` and `statuspage erase EMAIL` to the watchkeeper command."""
    statuspage = subparsers.add_parser("statuspage", help="status page: export the snapshot, erase a subscriber")
    sub = statuspage.add_subparsers(dest="action", required=True, parser_class=type(statuspage))
    export = sub.add_parser("export", help="write the public page, feeds and JSON as static files")
    export.add_argument(
        "directory", nargs="?", help="where to write; by default the snapshot the app serves (STATUSPAGE_SNAPSHOT_DIR)"
    )
    export.set_defaults(func=cmd_export)
    erase = sub.add_parser("erase", help="erase an email address from the subscribers (on request)")
    erase.add_argument("email")
    erase.set_defaults(func=cmd_erase)
