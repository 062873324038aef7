"""Links other apps add to the incident page (report, breach record, deliveries) without incidents importing them.

Each app registers a function in its AppConfig.ready(); the function returns the links a person may follow,
or none, so visibility stays the contributing app's own rule.

Flags are short phrases shown wherever an incident is shown (dashboard rows, the incident page's key facts, the
API and CLI): "ICO deadline Mon 30 Mar 2026, 11:00 BST (due in 5 hours)". A flag source takes the whole list of
incidents at once and answers in a fixed number of queries, so a dashboard of any length costs the same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User

from watchkeeper.incidents.models import Incident


@dataclass(frozen=True)
class Link:
    text: str
    href: str
    hint: str = ""


LinkSource = Callable[[User | AnonymousUser, Incident], list[Link]]
_sources: list[LinkSource] = []
# Given every incident on a page at once: incident id -> one short phrase, only for incidents this user may see it on.
FlagSource = Callable[[User | AnonymousUser, list[Incident]], dict[int, str]]
_flag_sources: list[FlagSource] = []
# Templates rendered at the foot of the incident page with its context (the delivery log, say).
_sections: list[str] = []


def contribute(source: LinkSource) -> LinkSource:
    if source not in _sources:
        _sources.append(source)
    return source


def contribute_section(template_name: str) -> None:
    if template_name not in _sections:
        _sections.append(template_name)


def sections() -> list[str]:
    return list(_sections)


def links_for(user: User | AnonymousUser, incident: Incident) -> list[Link]:
    return [link for source in _sources for link in source(user, incident)]


def contribute_flag(source: FlagSource) -> FlagSource:
    if source not in _flag_sources:
        _flag_sources.append(source)
    return source


def flags_for(user: User | AnonymousUser, incidents: Iterable[Incident]) -> dict[int, list[str]]:
    """Every incident's flags, in the order the sources registered; an incident with none maps to []."""
    listed = list(incidents)
    found: dict[int, list[str]] = {incident.pk: [] for incident in listed}
    if not listed:
        return found
    for source in _flag_sources:
        for incident_id, text in source(user, listed).items():
            if incident_id in found and text:
                found[incident_id].append(text)
    return found


@dataclass(frozen=True)
class PublicState:
    """Where an incident stands on the public status page, as the app that runs the page tells it.

    ``href`` is the form for the next public post (publishing it, or an update matching the incident's status),
    empty when this person may not publish; ``status`` is what the public page says, empty when not published.
    """

    published: bool
    status: str
    href: str
    page_href: str = ""

    @property
    def open_publicly(self) -> bool:
        """An open public incident takes this incident's public updates as they are posted."""
        return self.published and bool(self.page_href) and self.status != "resolved"

    def behind(self, incident: Incident) -> bool:
        """The public page contradicts the incident: it says another status than the incident has."""
        wanted = "resolved" if incident.status == "closed" else incident.status
        return self.published and self.status != wanted


StateSource = Callable[[User | AnonymousUser, list[Incident]], dict[int, PublicState]]
_state_sources: list[StateSource] = []


def contribute_public_state(source: StateSource) -> StateSource:
    if source not in _state_sources:
        _state_sources.append(source)
    return source


def public_states(user: User | AnonymousUser, incidents: Iterable[Incident]) -> dict[int, PublicState]:
    """Each incident's public state; without a status page app every incident is simply unpublished."""
    listed = list(incidents)
    found = {incident.pk: PublicState(published=False, status="", href="") for incident in listed}
    for source in _state_sources:
        found.update({pk: state for pk, state in source(user, listed).items() if pk in found})
    return found
