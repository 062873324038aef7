"""1,000 Alertmanager notifications with HA duplicates, repeats, reordering by one, changed annotations and
interleaved groups, checked against a slow and obvious model of the grouping rules: every group, every member, every
status and every page as specified."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field

import pytest

from tests.factories import make_integration, make_policy, make_user
from watchkeeper.alerts.models import Alert, AlertGroup
from watchkeeper.oncall.models import Page

pytestmark = pytest.mark.django_db

GROUPS = 12
ALERTS_PER_GROUP = 4


@dataclass
class Model:
    """The rules as the issue states them, kept in dicts."""

    open_alert: dict[str, int] = field(default_factory=dict)  # fingerprint -> group number
    open_group: dict[str, int] = field(default_factory=dict)  # group key -> group number
    groups: list[dict[str, object]] = field(default_factory=list)

    def apply(self, key: str, fingerprint: str, firing: bool) -> None:
        if firing:
            if fingerprint in self.open_alert:
                return  # a resend, or changed annotations: no new alert
            number = self.open_group.get(key)
            if number is None:  # a resolved group never absorbs new triggers
                number = len(self.groups)
                self.groups.append({"key": key, "members": [], "open": set(), "status": "firing"})
                self.open_group[key] = number
            group = self.groups[number]
            group["members"].append(fingerprint)  # type: ignore[attr-defined]
            group["open"].add(fingerprint)  # type: ignore[attr-defined]
            self.open_alert[fingerprint] = number
        elif fingerprint in self.open_alert:
            group = self.groups[self.open_alert.pop(fingerprint)]
            group["open"].discard(fingerprint)  # type: ignore[attr-defined]
            if not group["open"]:  # a group resolves when all its alerts resolve
                group["status"] = "resolved"
                del self.open_group[str(group["key"])]


def notifications(seed: int = 19) -> list[dict[str, object]]:
    """What an HA pair of Alertmanagers sends: each group's current state, most of it twice, some out of order."""
    chance = random.Random(seed)
    firing: dict[int, set[int]] = {g: set() for g in range(GROUPS)}
    sent: list[dict[str, object]] = []
    while len(sent) < 1000:
        g = chance.randrange(GROUPS)
        a = chance.randrange(ALERTS_PER_GROUP)
        resolved: set[int] = set()
        if a in firing[g] and chance.random() < 0.45:
            firing[g].discard(a)
            resolved.add(a)
        else:
            firing[g].add(a)
        value = chance.choice(["91%", "93%", "97%"])  # annotations change between repeats
        alerts = [_alert(g, n, "firing", value) for n in sorted(firing[g])]
        alerts += [_alert(g, n, "resolved", value) for n in sorted(resolved)]
        body = {
            "version": "4",
            "groupKey": f'{{}}:{{alertname="Rule{g}"}}',
            "status": "firing" if firing[g] else "resolved",
            "receiver": "watchkeeper",
            "alerts": alerts,
        }
        sent.append(body)
        if chance.random() < 0.6:  # the HA partner's copy
            sent.append(json.loads(json.dumps(body)))
        if len(sent) > 2 and chance.random() < 0.1:  # arrival order swapped
            sent[-1], sent[-2] = sent[-2], sent[-1]
    return sent[:1000]


def _alert(group: int, n: int, status: str, value: str) -> dict[str, object]:
    return {
        "status": status,
        "labels": {"alertname": f"Rule{group}", "instance": f"host-{n}", "severity": "critical"},
        "annotations": {"summary": f"Rule{group} on host-{n}", "value": value},
        "startsAt": "2026-12-02T12:00:00Z",
        "endsAt": "2026-12-02T12:30:00Z" if status == "resolved" else "0001-01-01T00:00:00Z",
        "fingerprint": f"g{group}-a{n}",
    }


def test_a_thousand_notifications_group_exactly_as_specified(client, settings) -> None:
    settings.ALERTS_STORM_GROUPS_PER_MINUTE = 10_000  # storms are tested on their own; here every group pages
    settings.ALERTS_RATE_LIMIT_PER_MINUTE = 10_000
    make_user("carol")
    integration, key = make_integration(policy=make_policy([{"targets": [{"user": "carol"}]}]))
    model = Model()
    sent = notifications()
    duplicates = sum(1 for i in range(1, len(sent)) if sent[i] == sent[i - 1])
    assert duplicates > 300, "the fixture is mostly HA duplicates"
    for body in sent:
        response = client.post(f"/alerts/alertmanager/{key}", json.dumps(body), content_type="application/json")
        assert response.status_code == 202, response.content
        for alert in body["alerts"]:  # type: ignore[attr-defined]
            model.apply(str(body["groupKey"]), alert["fingerprint"], alert["status"] == "firing")

    stored = list(AlertGroup.objects.filter(integration=integration).order_by("id"))
    assert len(stored) == len(model.groups) > GROUPS, "groups resolved and reopened as new groups"
    for group, expected in zip(stored, model.groups, strict=True):
        members = list(Alert.objects.filter(group=group).order_by("id").values_list("dedup_key", flat=True))
        assert (group.group_key, members, group.status) == (expected["key"], expected["members"], expected["status"])
        open_now = set(Alert.objects.filter(group=group, status="firing").values_list("dedup_key", flat=True))
        assert open_now == expected["open"]
    assert Page.objects.count() == len(model.groups), "exactly one page per group"
    assert Page.objects.filter(status="resolved").count() == sum(1 for g in model.groups if g["status"] == "resolved")
    integration.refresh_from_db()
    assert integration.refusals == 0 and integration.dropped == 0
