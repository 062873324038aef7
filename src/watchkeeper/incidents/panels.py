"""Links other apps add to the incident page (report, breach record, deliveries) without incidents importing them.

Each app registers a function in its AppConfig.ready(); the function returns the links a person may follow,
or none, so visibility stays the contributing app's own rule.
"""

from __future__ import annotations

from collections.abc import Callable
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
