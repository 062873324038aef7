"""The outsider walk: every route Django resolves and every operation the OpenAPI schema describes, called as
people outside a restricted incident, and no response says anything the incident's team wrote.

Nobody lists the routes: they come from ``get_resolver()`` and ``api.get_openapi_schema()``, so a new page or
endpoint is walked the day it is added. A route whose path parameter the walk cannot fill in fails the test
until PARAMETERS (or ROUTE_PARAMETERS, for a name that means different things on different routes) says what
to put there.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.factories import make_component, make_incident, make_service, make_user
from watchkeeper.accounts.services import create_token
from watchkeeper.alerts.models import AlertGroup
from watchkeeper.alerts.services import declaring, integrations
from watchkeeper.api import api
from watchkeeper.breaches.services import security
from watchkeeper.catalogue import services as catalogue
from watchkeeper.incidents import services as incidents
from watchkeeper.incidents.models import Incident
from watchkeeper.notifications import services as notifications
from watchkeeper.oncall.services import paging
from watchkeeper.reviews import services as reviews
from watchkeeper.statuspage import services as statuspage

pytestmark = pytest.mark.django_db

# What only the incident's team may read. Each is distinctive, so finding it anywhere is a leak, never chance.
TITLE = "Zebra-7 exfiltration of claimant bank details"
DESCRIPTION = "Quokka backdoor found on db-claims-03 by the night shift"
NOTE = "Narwhal: attacker still holds the VPN certificate"
UPDATE = "Wombat: 4,000 claimant records confirmed copied"
ACTION = "Ocelot: rotate every claims database credential"
SECRETS = (TITLE, DESCRIPTION, NOTE, UPDATE, ACTION)

API_PREFIX = "/api/v1"
PERSONAS = ("anonymous", "viewer", "responder outside the team", "data protection outside the team")


@dataclass
class World:
    incident: Incident
    values: dict[str, str]


Fill = Callable[[World], str]

# Path parameter name -> what to put there. Teach the walk here when a new route's parameter fails the test.
PARAMETERS: dict[str, Fill] = {
    "reference": lambda w: w.incident.reference,
    "action_id": lambda w: w.values["action"],
    "channel_id": lambda w: w.values["channel"],
    "route_id": lambda w: w.values["route"],
    "slug": lambda w: w.incident.service.slug,
    "team": lambda w: w.incident.service.team.slug,
    "step": lambda w: "contain",
    "number": lambda w: "1",
    "name": lambda w: "incidents.json",
    # Subscriber links are signed; an unsigned one is what an outsider can try.
    "token": lambda w: "not-a-signed-token",
    # The admin site: the restricted incident's row, where a model has one.
    "object_id": lambda w: str(w.incident.pk),
    "content_type_id": lambda w: str(ContentType.objects.get_for_model(Incident).pk),
    "id": lambda w: w.values["outsider"],
    "app_label": lambda w: "incidents",
    "url": lambda w: f"incidents/incident/{w.incident.pk}/",  # the admin's catch-all
    "page_id": lambda w: w.values["page"],
    "integration_id": lambda w: w.values["integration"],
    "group_id": lambda w: w.values["group"],
    "key": lambda w: w.values["key"],
    # Swaps belong to rotas, not incidents: any id will do to prove the route refuses outsiders.
    "swap_id": lambda w: "999999",
    # Contact methods belong to people, not incidents: any id proves the route refuses someone else's.
    "method_id": lambda w: "999999",
    # Catalogue rows belong to the incident's service, and only admins change them.
    "component": lambda w: w.values["component"],
    "closure_id": lambda w: w.values["closure"],
}
# A name that means a different object on different routes, keyed by the route's namespaced URL name.
ROUTE_PARAMETERS: dict[tuple[str, str], Fill] = {
    ("notifications:channel-edit", "pk"): lambda w: w.values["channel"],
    ("notifications:channel-delete", "pk"): lambda w: w.values["channel"],
    ("notifications:route-edit", "pk"): lambda w: w.values["route"],
    ("notifications:route-delete", "pk"): lambda w: w.values["route"],
    ("statuspage:incident", "pk"): lambda w: w.values["public"],
    ("statuspage:public-incident", "pk"): lambda w: w.values["public"],
    ("breaches:evidence-download", "pk"): lambda w: w.values["evidence"],
    ("alerts:group", "pk"): lambda w: w.values["group"],
    ("alerts:group-action", "pk"): lambda w: w.values["group"],
    ("alerts:group-action", "action"): lambda w: "ack",
    ("oncall:swap", "action"): lambda w: "take",
    ("oncall:contact_method", "action"): lambda w: "remove",
}


@dataclass(frozen=True)
class Route:
    pattern: str  # as Django or the schema spells it, for messages
    name: str  # namespaced URL name ("" when it has none)
    params: tuple[str, ...]
    methods: tuple[str, ...]
    api: bool


def _resolver_routes(patterns: list[Any], prefix: str = "", namespace: tuple[str, ...] = ()) -> Iterator[Route]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = (*namespace, entry.namespace) if entry.namespace else namespace
            yield from _resolver_routes(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            name = ":".join((*namespace, entry.name)) if entry.name else ""
            params = tuple(entry.pattern.regex.groupindex)
            yield Route(prefix + str(entry.pattern), name, params, ("GET", "POST"), api=False)


def _schema_routes() -> Iterator[Route]:
    for path, operations in api.get_openapi_schema()["paths"].items():
        methods = tuple(m.upper() for m in operations if m in {"get", "post", "put", "patch", "delete"})
        params = tuple(re.findall(r"{(\w+)}", path))
        yield Route(path, "", params, methods, api=True)


def routes() -> list[Route]:
    """Django's routes outside the API, and the API's operations from its schema (which also says their methods)."""
    found = {r.pattern: r for r in _schema_routes()}
    for route in _resolver_routes(get_resolver().url_patterns):
        as_schema = "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route.pattern)
        # The schema names the same operation with its methods; what it does not describe is walked from Django's.
        found.setdefault(as_schema if as_schema in found else route.pattern, route)
    return list(found.values())


def fill(route: Route, world: World) -> str | None:
    """The URL with every parameter filled in, or None when the walk has not been taught one of them."""
    values: dict[str, str] = {}
    for param in route.params:
        filler = ROUTE_PARAMETERS.get((route.name, param)) or PARAMETERS.get(param)
        if filler is None:
            return None
        values[param] = filler(world)
    if route.api:
        return route.pattern.format(**values)
    if route.name:
        return reverse(route.name, kwargs=values)
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m.group(1)], route.pattern)
    return "/" + re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: values[m.group(1)], path).replace("^", "").replace("$", "")


def _example(schema: dict[str, Any], components: dict[str, Any], depth: int = 0) -> Any:
    """A small body that passes the schema, so a route that checks input before visibility is walked past it."""
    if "$ref" in schema:
        return _example(components[schema["$ref"].rsplit("/", 1)[1]], components, depth + 1)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            return _example(schema[key][0], components, depth + 1)
    kind = schema.get("type", "object")
    if kind == "object" and depth < 5:
        properties = schema.get("properties", {})
        return {name: _example(properties[name], components, depth + 1) for name in schema.get("required", [])}
    return {"string": "x", "integer": 1, "number": 1, "boolean": True, "array": []}.get(kind, {})


def api_bodies() -> dict[tuple[str, str], Any]:
    schema = api.get_openapi_schema()
    components = schema.get("components", {}).get("schemas", {})
    bodies = {}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                bodies[(path, method.upper())] = _example(content["application/json"]["schema"], components)
    return bodies


@pytest.fixture
def world() -> World:
    lead = make_user("lead")
    admin = make_user("root", "admin")
    service = make_service("claims", name="Claims")
    component = make_component(service, "api", name="Claims API")
    closure = catalogue.add_closure_date(service=service, date=date(2026, 12, 24))
    incident = make_incident(lead, service, title=TITLE, description=DESCRIPTION, type="security_incident")
    assert incident.restricted
    incidents.add_note(lead, incident, NOTE)
    incidents.post_update(lead, incident, UPDATE)
    action = reviews.add_action(lead, incident, title=ACTION, owner=lead, due_in_business_days=5)
    public = statuspage.publish_incident(
        admin, incident, name="Claims service unavailable", body="We are looking into it", confirm_restricted=True
    )
    evidence = security.upload_evidence(lead, incident, SimpleUploadedFile("log.txt", b"evidence"), "VPN log")
    channel = notifications.create_channel(admin, name="team", kind="email", target="claims@example.gov.uk")
    route = notifications.create_route(admin, channel=channel)
    # A page and an alert group that belong to the incident: their own pages must not show its words either.
    page = paging.trigger_page(summary=f"Page for {incident.reference}", incident=incident, users=[lead], actor=lead)
    created = integrations.create_integration(admin, name="claims alerts", service=service, kind="generic")
    Client().post(
        f"/alerts/generic/{created.key}",
        json.dumps({"summary": "Claims API errors", "dedup_key": "claims-5xx", "action": "trigger"}),
        content_type="application/json",
    )
    group = AlertGroup.objects.get(integration=created.integration)
    declaring.link_group(lead, group, incident)
    outsider = make_user("otto", "responder")
    make_user("vic", "viewer")
    make_user("dora", "data_protection")
    values = {
        "action": str(action.pk),
        "public": str(public.pk),
        "evidence": str(evidence.pk),
        "channel": str(channel.pk),
        "route": str(route.pk),
        "outsider": str(outsider.pk),
        "page": str(page.pk),
        "integration": str(created.integration.pk),
        "group": str(group.pk),
        "key": created.key,
        "component": component.slug,
        "closure": str(closure.pk),
    }
    return World(Incident.objects.get(pk=incident.pk), values)


def clients() -> dict[str, tuple[Client, dict[str, str]]]:
    """A browser session and an API token per persona; anonymous has neither."""
    people = {"viewer": "vic", "responder outside the team": "otto", "data protection outside the team": "dora"}
    found: dict[str, tuple[Client, dict[str, str]]] = {"anonymous": (Client(raise_request_exception=False), {})}
    for persona, username in people.items():
        client = Client(raise_request_exception=False)
        client.force_login(User.objects.get(username=username))
        found[persona] = (client, {"HTTP_AUTHORIZATION": f"Bearer {create_token(username)}"})
    return found


def _text(response: Any) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    headers = " ".join(f"{k}: {v}" for k, v in response.items())
    return headers + "\n" + body.decode("utf-8", "replace")


def test_no_route_tells_an_outsider_about_a_restricted_incident(world: World) -> None:
    walk = routes()
    untaught = [(r.pattern, p) for r in walk for p in r.params if fill(r, world) is None]
    assert not untaught, f"Teach the outsider walk these path parameters (PARAMETERS in {__name__}): {untaught}"
    bodies = api_bodies()
    leaks: list[str] = []
    requests = 0
    for persona, (client, token) in clients().items():
        for route in walk:
            url = fill(route, world)
            assert url is not None
            for method in route.methods:
                if route.api:
                    body = bodies.get((route.pattern, method))
                    response = client.generic(
                        method, url, "" if body is None else json.dumps(body), "application/json", **token
                    )
                else:
                    response = client.get(url) if method == "GET" else client.post(url, {})
                requests += 1
                shown = _text(response)
                leaks += [f"{persona} {method} {url} ({response.status_code}): {s!r}" for s in SECRETS if s in shown]
    assert not leaks, "\n".join(leaks)
    # The control: the same URLs, read by the incident's lead, do show what the team wrote, so the walk's
    # filled-in addresses reach the real pages and a leak would be seen.
    lead = Client(raise_request_exception=False)
    lead.force_login(User.objects.get(username="lead"))
    token = {"HTTP_AUTHORIZATION": f"Bearer {create_token('lead')}"}
    shown_to_lead = [r for r in walk if "reference" in r.params and TITLE in _text(lead.get(fill(r, world), **token))]
    assert len(shown_to_lead) >= 8, [r.pattern for r in shown_to_lead]
    with_params = [r for r in walk if r.params]
    print(
        f"outsider walk: {len(walk)} routes ({len(with_params)} taking a parameter), {requests} requests; "
        f"the lead sees the title on {len(shown_to_lead)} of them"
    )
    assert len(with_params) > 90 and requests > 4 * len(walk)


def test_the_walk_fails_on_a_parameter_it_was_not_taught(world: World) -> None:
    new = Route("incidents/<str:incident_ref>/summary", "", ("incident_ref",), ("GET",), api=False)
    assert fill(new, world) is None
