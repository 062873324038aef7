"""The web schedule editor: several layers added, reordered and removed in one form, saved whole or not at all."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.factories import make_team, make_user
from watchkeeper.oncall import queries
from watchkeeper.oncall.models import Schedule

pytestmark = pytest.mark.django_db
NEW = "/oncall/schedules/new"


def layer(n: int, **fields: str) -> dict[str, str]:
    values = {"name": "Primary", "members": "ada, bea", "turn": "weekly", "turn_length": "1"}
    values |= {"start": "2026-10-19 09:00", "restrict_to": "", "service": "", "ORDER": str(n + 1)} | fields
    return {f"layers-{n}-{key}": value for key, value in values.items()}


def form(*layers: dict[str, str], **top: str) -> dict[str, str]:
    data = {"name": "Platform", "slug": "platform", "team": "platform", "time_zone": "Europe/London"} | top
    data |= {"layers-TOTAL_FORMS": str(len(layers)), "layers-INITIAL_FORMS": "0"}
    for each in layers:
        data |= each
    return data


@pytest.fixture
def client() -> Client:
    make_team("platform")
    make_user("bea")
    client = Client()
    client.force_login(make_user("ada"))
    return client


def summary(response: Any) -> str:
    page = response.content.decode()
    assert "govuk-error-summary" in page, "an error summary"
    return page


def saved_layers() -> list[tuple[str, list[str]]]:
    schedule = queries.schedules_with_layers().get(slug="platform")
    return [(lay.name, [m.user.username for m in lay.members.all()]) for lay in schedule.layers.all()]


def test_a_schedule_is_made_with_two_layers_in_their_order(client: Client) -> None:
    nights = layer(1, name="Nights", members="bea", turn="daily", restrict_to="out_of_hours")
    response = client.post(NEW, form(layer(0), nights))
    assert response.status_code == 302
    assert saved_layers() == [("Primary", ["ada", "bea"]), ("Nights", ["bea"])]


def test_layers_are_reordered_and_removed_when_editing(client: Client) -> None:
    client.post(NEW, form(layer(0), layer(1, name="Nights", members="bea"), layer(2, name="Spare", members="ada")))
    edit = client.get("/oncall/schedules/platform/edit").content.decode()
    assert 'value="Nights"' in edit and 'value="Spare"' in edit, "every layer is shown to change"
    data = form(layer(0, ORDER="2"), layer(1, name="Nights", members="bea", ORDER="1"), layer(2, name="Spare"))
    data["layers-2-DELETE"] = "on"
    data["layers-INITIAL_FORMS"] = "3"
    assert client.post("/oncall/schedules/platform/edit", data).status_code == 302
    assert saved_layers() == [("Nights", ["bea"]), ("Primary", ["ada", "bea"])]


def test_a_bad_second_layer_is_named_in_the_error_summary_and_nothing_is_saved(client: Client) -> None:
    response = client.post(NEW, form(layer(0), layer(1, name="Nights", members="", turn_length="0")))
    page = summary(response)
    assert 'href="#id_layers-1-members"' in page and "at least one member" in page
    assert "<title>Error: " in page
    assert not Schedule.objects.exists()


def test_adding_another_rotation_keeps_what_was_typed_and_saves_nothing(client: Client) -> None:
    response = client.post(NEW, {**form(layer(0, name="Days")), "add_layer": "1"})
    page = response.content.decode()
    assert "Rotation 2" in page and 'value="Days"' in page and 'value="Platform"' in page
    assert "govuk-error-summary" not in page, "adding a layer is not a failed save"
    assert not Schedule.objects.exists()


def test_removing_every_layer_is_refused(client: Client) -> None:
    data = form(layer(0))
    data["layers-0-DELETE"] = "on"
    page = summary(client.post(NEW, data))
    assert "at least one layer" in page
    assert not Schedule.objects.exists()
