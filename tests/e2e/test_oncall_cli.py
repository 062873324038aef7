"""`watchkeeper oncall`: who is on call, as text and JSON, with bad input refused."""

from __future__ import annotations

import json

import pytest

from tests.factories import make_schedule, make_user
from watchkeeper.cli import main

pytestmark = pytest.mark.django_db


@pytest.fixture
def schedule():
    return make_schedule([make_user("alice"), make_user("bob")], slug="platform-primary")


def test_json_for_one_schedule_follows_the_wall_clock_handoff(schedule, capsys) -> None:
    main(["oncall", "--schedule", "platform-primary", "--at", "2026-10-27T03:00:00+00:00", "--json"])
    assert json.loads(capsys.readouterr().out) == {
        "schedule": "platform-primary",
        "name": "Platform-Primary",
        "user": "bob",
        "from": "2026-10-26T09:00:00+00:00",
        "until": "2026-11-02T09:00:00+00:00",
        "source": "layer Primary",
    }


def test_text_lists_every_schedule_and_says_when_nobody_is_on_call(schedule, capsys) -> None:
    make_schedule([make_user("carol")], slug="later", start="2027-06-07T09:00:00+01:00")
    main(["oncall", "--at", "2026-10-20T12:00:00+01:00"])
    out = capsys.readouterr().out.splitlines()
    assert "Later [later]: nobody (a gap) until Mon 7 Jun 09:00 BST" in out
    assert "Platform-Primary [platform-primary]: alice until Mon 26 Oct 09:00 GMT (layer Primary)" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--schedule", "nope"], "no schedule 'nope'"),
        (["--at", "tomorrow"], "not an ISO 8601 time"),
        (["--at", "2026-10-20T12:00:00"], "no UTC offset"),
    ],
)
def test_bad_input_exits_2_with_one_line(schedule, capsys, args, message) -> None:
    with pytest.raises(SystemExit) as exit:
        main(["oncall", *args])
    assert exit.value.code == 2 and message in capsys.readouterr().err
