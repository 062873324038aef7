"""`watchkeeper slack`: the same Bolt app over Socket Mode, so no public URL is needed.

Slack sends each request down a WebSocket opened with the app-level token (SLACK_APP_TOKEN, `xapp-…`); the
listeners are the ones `/slack/events` uses.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable


def run(args: argparse.Namespace) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "watchkeeper.settings")
    import django  # noqa: PLC0415 - the console script starts Django only for the commands that need it

    django.setup()
    from slack_bolt.adapter.socket_mode import SocketModeHandler  # noqa: PLC0415 - the console script starts Django only for the commands that need it

    from watchkeeper.slackapp import conf  # noqa: PLC0415 - the console script starts Django only for the commands that need it
    from watchkeeper.slackapp.bolt_app import build_app  # noqa: PLC0415 - the console script starts Django only for the commands that need it

    tokens = (("SLACK_APP_TOKEN", conf.app_token()), ("SLACK_BOT_TOKEN", conf.bot_token()))
    missing = [name for name, value in tokens if not value]
    if missing:
        print(f"watchkeeper: set {' and '.join(missing)} first (see docs/slack.md)", file=sys.stderr)
        sys.exit(2)
    app = build_app()
    app.use(fresh_connections)
    print("Connecting to Slack in Socket Mode; press Ctrl+C to stop", file=sys.stderr)
    SocketModeHandler(app, app_token=conf.app_token()).start()


def fresh_connections(next: Callable[[], None]) -> None:
    """Socket Mode runs listeners on long-lived threads that Django's request cycle never tidies up after."""
    from django.db import close_old_connections  # noqa: PLC0415 - the console script starts Django only for the commands that need it

    close_old_connections()
    try:
        next()
    finally:
        close_old_connections()


def add_commands(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    slack = subparsers.add_parser("slack", help="connect the Slack app over Socket Mode (no public URL needed)")
    slack.set_defaults(func=run)
