"""`watchkeeper oncall [--schedule SLUG] [--at ISO] [--json]`: who is on call, read from the database.

Like `watchkeeper register`, this is for an operator on the server; scripts elsewhere use
GET /api/v1/schedules/{slug}/oncall. Bad input is one line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import datetime
from typing import Any, NoReturn


def _refuse(message: str) -> NoReturn:
    print(f"watchkeeper: {message}", file=sys.stderr)
    sys.exit(2)


def _at(text: str | None) -> datetime:
    from django.utils import timezone  # noqa: PLC0415 - the console script starts Django only for the commands that need it

    if text is None:
        return timezone.now()
    try:
        instant = datetime.fromisoformat(text)
    except ValueError:
        _refuse(f"--at '{text}' is not an ISO 8601 time such as 2026-12-24T16:30:00+00:00")
    if instant.tzinfo is None:
        _refuse(f"--at '{text}' has no UTC offset: add one, such as +00:00 or Z")
    return instant


def cmd_oncall(args: argparse.Namespace) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "watchkeeper.settings")
    import django  # noqa: PLC0415 - the console script starts Django only for the commands that need it

    django.setup()
    from zoneinfo import ZoneInfo  # noqa: PLC0415 - the console script starts Django only for the commands that need it

    from watchkeeper.oncall import queries  # noqa: PLC0415 - the console script starts Django only for the commands that need it

    at = _at(args.at)
    found = queries.schedules()
    if args.schedule:
        found = found.filter(slug=args.schedule)
        if not found.exists():
            _refuse(f"no schedule '{args.schedule}': `watchkeeper oncall` lists them all")
    rows: list[dict[str, Any]] = []
    for schedule in found:
        shift = queries.on_call(schedule, at)
        zone = ZoneInfo(schedule.time_zone)
        rows.append(
            {
                "schedule": schedule.slug,
                "name": schedule.name,
                "user": shift.user,
                "from": shift.start.astimezone(zone),
                "until": shift.end.astimezone(zone),
                "source": shift.source or None,
            }
        )
    if args.json:
        found_json = [{**row, "from": row["from"].isoformat(), "until": row["until"].isoformat()} for row in rows]
        print(json.dumps(found_json[0] if args.schedule else found_json))
        return
    if not rows:
        print("No schedules.")
    for row in rows:
        until = row["until"].strftime("%a %-d %b %H:%M %Z")
        who = row["user"] or "nobody (a gap)"
        why = f" ({row['source']})" if row["source"] else ""
        print(f"{row['name']} [{row['schedule']}]: {who} until {until}{why}")


def add_commands(sub: Any) -> None:
    parser = sub.add_parser("oncall", help="print who is on call, now or at --at")
    parser.add_argument("--schedule", default=None, help="one schedule's short name (default: every schedule)")
    parser.add_argument("--at", default=None, help="ISO 8601 time with an offset (default: now)")
    parser.add_argument("--json", action="store_true", help="JSON instead of text")
    parser.set_defaults(func=cmd_oncall)
