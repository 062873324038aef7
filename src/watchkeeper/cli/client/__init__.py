"""Run an incident from a terminal: `watchkeeper declare`, `list`, `show`, `lead`, `priority`, `status`, ….

These commands speak only HTTP to the JSON API at WATCHKEEPER_URL with WATCHKEEPER_TOKEN, so they work from
any machine that can reach the site and never open the database. Tables for people, `--json` for scripts.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from watchkeeper.cli.client.presenting import Json, deadline, incident_facts, incident_page, incident_rows, respond_by

URL_VARIABLE = "WATCHKEEPER_URL"
TOKEN_VARIABLE = "WATCHKEEPER_TOKEN"
TIMEOUT_SECONDS = 30
ParserT = TypeVar("ParserT", bound=argparse.ArgumentParser)


class ClientError(Exception):
    """One line for the person at the keyboard: exit 2 for their set-up, 1 for what the API or network said."""

    def __init__(self, message: str, exit_status: int = 1) -> None:
        super().__init__(message)
        self.exit_status = exit_status


@dataclass(frozen=True)
class Api:
    base: str
    token: str

    @classmethod
    def from_environment(cls) -> Api:
        base = os.environ.get(URL_VARIABLE, "").strip().rstrip("/")
        token = os.environ.get(TOKEN_VARIABLE, "").strip()
        if not base:
            raise ClientError(f"set {URL_VARIABLE} to the site's address, such as http://127.0.0.1:8000", 2)
        if urllib.parse.urlsplit(base).scheme not in {"http", "https"}:
            raise ClientError(f"{URL_VARIABLE} must start with http:// or https://, not '{base}'", 2)
        if not token:
            raise ClientError(f"set {TOKEN_VARIABLE} to an API token (an admin runs `watchkeeper token create`)", 2)
        return cls(base, token)

    def get(self, path: str, **query: str | None) -> Any:
        chosen = {name: value for name, value in query.items() if value}
        return self._send(path + (f"?{urllib.parse.urlencode(chosen)}" if chosen else ""), None)

    def post(self, path: str, body: Json) -> Any:
        return self._send(path, json.dumps(body).encode())

    def _send(self, path: str, body: bytes | None) -> Any:
        url = f"{self.base}/api/v1{path}"
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(url, data=body, headers=headers, method="GET" if body is None else "POST")
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
                return _json(response.read(), url)
        except urllib.error.HTTPError as error:
            raise ClientError(_refusal(error, url)) from None
        except urllib.error.URLError as error:
            reason = "connection refused" if isinstance(error.reason, ConnectionRefusedError) else str(error.reason)
            raise ClientError(f"cannot reach {self.base} ({reason}): is Watchkeeper running there?") from None
        except TimeoutError:
            raise ClientError(f"{self.base} did not answer within {TIMEOUT_SECONDS} seconds") from None


def _json(raw: bytes, url: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        # A sign-in page or a proxy's error page: the address is not the API.
        raise ClientError(f"{url} did not answer with JSON: is {URL_VARIABLE} the address of Watchkeeper?") from None


def _refusal(error: urllib.error.HTTPError, url: str) -> str:
    """The API's own explanation (the problem's detail) when it gave one."""
    if error.code == 401:
        return f"the API refused {TOKEN_VARIABLE}: it is unknown or revoked (an admin runs `watchkeeper token create`)"
    try:
        detail = json.loads(error.read()).get("detail")
    except (ValueError, AttributeError):
        detail = None
    return str(detail) if detail else f"{url} answered {error.code} {error.reason}"


# Commands ------------------------------------------------------------------------------------------------------------

Command = Callable[[Api, argparse.Namespace], Json | list[Json]]
Printer = Callable[[Any, datetime], str]


def _declare(api: Api, args: argparse.Namespace) -> Json:
    body: Json = {"title": args.title, "service": args.service, "type": args.type, "take_lead": args.lead}
    optional = {"priority": args.priority, "reported_at": args.reported_at, "description": args.description}
    body.update({name: value for name, value in optional.items() if value is not None})
    result: Json = api.post("/incidents", body)
    return result


def _me(api: Api) -> str:
    username: str = api.get("/me")["username"]
    return username


def _change(path: str, body: Callable[[Api, argparse.Namespace], Json]) -> Command:
    def command(api: Api, args: argparse.Namespace) -> Json:
        result: Json = api.post(f"/incidents/{urllib.parse.quote(args.reference, safe='')}/{path}", body(api, args))
        return result

    return command


def _list(api: Api, args: argparse.Namespace) -> list[Json]:
    """Every matching incident: the API answers a page at a time."""
    found: list[Json] = []
    page = 1
    while True:
        answer = api.get(
            "/incidents", status=args.status, service=args.service, priority=args.priority, page=str(page), limit="100"
        )
        found += answer["rows"]
        if page >= answer["pages"]:
            return found
        page += 1


def _show(api: Api, args: argparse.Namespace) -> Json:
    result: Json = api.get(f"/incidents/{urllib.parse.quote(args.reference, safe='')}")
    return result


def _role_body(api: Api, args: argparse.Namespace) -> Json:
    return {"username": args.user or _me(api)}


def _role_said(label: str) -> Printer:
    field = label.replace(" ", "_")
    return _said(lambda incident, now: f"{incident[field]} is the {label}")


def _prioritised(incident: Json, now: datetime) -> str:
    respond = respond_by(incident, now)
    return f"{incident['priority']}; respond by: {respond}; next update {deadline(incident, 'next_update_due', now)}"


def _declared(incident: Json, now: datetime) -> str:
    return f"Declared {incident['reference']}: {incident['title']}\n{incident_facts(incident, now)}"


def _listed(incidents: list[Json], now: datetime) -> str:
    return incident_rows(incidents, now) if incidents else "No incidents match."


def _said(message: Callable[[Json, datetime], str]) -> Printer:
    """A one-line confirmation that starts with the reference, so a terminal log reads as a timeline."""
    return lambda incident, now: f"{incident['reference']}: {message(incident, now)}"


def _updated(incident: Json, now: datetime) -> str:
    # The API refuses a public update it cannot post publicly, so a public entry here is on the status page.
    latest = [entry for entry in incident["timeline"] if entry["kind"] == "update"][-1]
    posted = "update posted, and on the status page" if latest["public"] else "update posted"
    return f"{posted}; next update {deadline(incident, 'next_update_due', now)}"


def _words(args: argparse.Namespace, name: str) -> str:
    """Every command taking words takes them either way: last on the line, or after --NAME (update, note, resolve
    alike). Both, or neither, is refused before anything is sent."""
    given = [value for value in (getattr(args, name), getattr(args, f"{name}_option")) if value is not None]
    if len(given) != 1:
        raise ClientError(f"give the {name} once: as the last argument or with --{name}", 2)
    return str(given[0])


def _takes_words(parser: argparse.ArgumentParser, name: str, help: str) -> None:
    parser.add_argument(name, nargs="?", help=help)
    parser.add_argument(f"--{name}", dest=f"{name}_option", metavar=name.upper(), help=f"{help} (the same, named)")


def _runner(command: Command, printer: Printer) -> Callable[[argparse.Namespace], None]:
    def run(args: argparse.Namespace) -> None:
        try:
            result = command(Api.from_environment(), args)
        except ClientError as error:
            print(f"watchkeeper: {error}", file=sys.stderr)
            sys.exit(error.exit_status)
        print(json.dumps(result, indent=2) if args.json else printer(result, datetime.now(UTC)))

    return run


def _command(
    sub: argparse._SubParsersAction[ParserT], name: str, help: str, run: Command, printer: Printer
) -> argparse.ArgumentParser:
    parser = sub.add_parser(name, help=help)
    parser.add_argument("--json", action="store_true", help="print the API's JSON, for scripts")
    parser.set_defaults(func=_runner(run, printer))
    return parser


def _on_incident(
    sub: argparse._SubParsersAction[ParserT], name: str, help: str, run: Command, printer: Printer
) -> argparse.ArgumentParser:
    parser = _command(sub, name, help, run, printer)
    parser.add_argument("reference", help="such as INC-2026-0001")
    return parser


def _add_declaring(sub: argparse._SubParsersAction[ParserT]) -> None:
    declare = _command(sub, "declare", f"declare an incident (via {URL_VARIABLE})", _declare, _declared)
    declare.add_argument("--service", required=True, help="the service's short name")
    declare.add_argument("--title", required=True, help="what is happening")
    declare.add_argument(
        "--type", default="technical_failure", help="technical_failure (default), security_incident, …"
    )
    declare.add_argument("--priority", help="P1 to P4 (P3 until someone prioritises it)")
    declare.add_argument("--reported-at", help="when it was first noticed: ISO 8601 with an offset (default now)")
    declare.add_argument("--description")
    declare.add_argument("--lead", action="store_true", help="become the incident lead at once")


def _add_looking(sub: argparse._SubParsersAction[ParserT]) -> None:
    listing = _command(sub, "list", "list incidents, newest first", _list, _listed)
    listing.add_argument("--status", help="open, investigating, identified, monitoring, resolved or closed")
    listing.add_argument("--service", help="a service's short name")
    listing.add_argument("--priority", help="P1 to P4")

    _on_incident(sub, "show", "show an incident: facts, deadlines, GDS steps and timeline", _show, incident_page)


def _add_taking_charge(sub: argparse._SubParsersAction[ParserT]) -> None:
    for name, path, label in (("lead", "lead", "incident lead"), ("comms", "comms-lead", "comms lead")):
        role = _on_incident(
            sub, name, f"name the {label} (you, unless --user)", _change(path, _role_body), _role_said(label)
        )
        role.add_argument("--user", help="their username")

    priority = _on_incident(
        sub,
        "priority",
        "set the priority; deadlines are recomputed",
        _change("priority", lambda api, args: {"priority": args.priority, "reason": args.reason}),
        _said(_prioritised),
    )
    priority.add_argument("priority", help="P1 to P4")
    priority.add_argument("--reason", required=True, help="why the priority is what it is")


def _add_progress(sub: argparse._SubParsersAction[ParserT]) -> None:
    status = _on_incident(
        sub,
        "status",
        "move the incident along its workflow",
        _change("status", lambda api, args: {"status": args.status, "note": args.note}),
        _said(lambda i, now: f"now {i['status']}"),
    )
    status.add_argument("status", help="investigating, identified, monitoring, resolved or closed")
    status.add_argument("--note", default="", help="why; when resolving, how it was resolved")

    update = _on_incident(
        sub,
        "update",
        "post a stakeholder update; it resets the next-update clock",
        _change(
            "updates",
            lambda api, args: {
                "body": _words(args, "text"),
                "public": args.public,
                "confirm_restricted": args.confirm_restricted,
            },
        ),
        _said(_updated),
    )
    _takes_words(update, "text", "what stakeholders are told")
    update.add_argument(
        "--public", action="store_true", help="post it on the status page too (the incident must be published there)"
    )
    update.add_argument(
        "--confirm-restricted",
        action="store_true",
        help="an admin's decision that a restricted incident's update may be public",
    )

    note = _on_incident(
        sub,
        "note",
        "add a note, action or decision to the timeline",
        _change("notes", lambda api, args: {"body": _words(args, "text"), "kind": args.kind}),
        _said(lambda i, now: "added to the timeline"),
    )
    _takes_words(note, "text", "the note, action or decision")
    note.add_argument("--kind", default="note", choices=["note", "action", "decision"])

    resolve = _on_incident(
        sub,
        "resolve",
        "resolve the incident with a summary",
        _change("resolve", lambda api, args: {"summary": _words(args, "summary")}),
        _said(lambda i, now: "resolved"),
    )
    _takes_words(resolve, "summary", "how it was resolved")


def add_commands(sub: argparse._SubParsersAction[ParserT]) -> None:
    """The incident commands, registered on the `watchkeeper` parser."""
    _add_declaring(sub)
    _add_looking(sub)
    _add_taking_charge(sub)
    _add_progress(sub)
