"""The `watchkeeper` console script, run as a person runs it."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from datetime import time
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from tests.factories import make_service
from watchkeeper.accounts.models import ApiToken
from watchkeeper.accounts.services import user_for_token
from watchkeeper.cli import main

WATCHKEEPER = str(Path(sys.executable).with_name("watchkeeper"))


def run(*args: str, env: dict[str, str] | None = None, stdin: str = "") -> subprocess.CompletedProcess[str]:
    # Generous: `demo` tells a whole story through the service functions, slow on a shared 2-core CI machine.
    return subprocess.run(
        [WATCHKEEPER, *args],
        capture_output=True,
        text=True,
        input=stdin,
        env={**os.environ, **(env or {})},
        timeout=180,
    )


def deadlines(*args: str) -> dict[str, object]:
    result = run("deadlines", *args)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_p3_over_christmas() -> None:
    assert deadlines("--priority", "P3", "--reported-at", "2026-12-24T16:30:00+00:00") == {
        "priority": "P3",
        "reported_at": "2026-12-24T16:30:00+00:00",
        "respond_by": "2026-12-29T10:30:00+00:00",
        "first_update_by": "2026-12-30T16:30:00+00:00",
        "update_every": None,
        "division": "england-and-wales",
    }


def test_p4_over_easter_differs_in_scotland() -> None:
    england = deadlines("--priority", "P4", "--reported-at", "2026-04-02T12:00:00+01:00")
    scotland = deadlines("--priority", "P4", "--reported-at", "2026-04-02T12:00:00+01:00", "--division", "scotland")
    assert england["respond_by"] == "2026-04-07T12:00:00+01:00"
    assert scotland["respond_by"] == "2026-04-06T12:00:00+01:00"


def test_p1_across_the_spring_clock_change() -> None:
    result = deadlines("--priority", "p1", "--reported-at", "2026-03-29T00:50:00+00:00")
    assert result["respond_by"] == "2026-03-29T01:10:00+00:00"
    assert result["first_update_by"] == "2026-03-29T01:50:00+00:00"
    assert result["update_every"] == "PT1H"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--priority", "P5", "--reported-at", "2026-12-24T16:30:00+00:00"], "unknown priority 'P5'"),
        (["--priority", "P3", "--reported-at", "2026-12-24T16:30:00"], "has no UTC offset"),
        (["--priority", "P3", "--reported-at", "Christmas Eve"], "is not an ISO 8601 time"),
        (["--priority", "P3", "--reported-at", "2026-12-24T16:30:00Z", "--division", "wales"], "unknown division"),
        (["--priority", "P3", "--reported-at", "2031-12-24T16:30:00Z"], "bank holidays"),
        (["--reported-at", "2026-12-24T16:30:00Z"], "--priority"),
    ],
)
def test_bad_input_exits_2_with_one_line(args: list[str], message: str) -> None:
    result = run("deadlines", *args)
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert message in result.stderr


@pytest.mark.django_db
def test_deadlines_for_a_service_use_its_calendar(capsys: pytest.CaptureFixture[str]) -> None:
    make_service("apply-scotland", division="scotland", opening=time(9), closing=time(17))
    main(["deadlines", "--priority", "P3", "--reported-at", "2026-11-27T16:30:00+00:00", "--service", "apply-scotland"])
    result = json.loads(capsys.readouterr().out)
    # 30 minutes on Friday, Monday is St Andrew's Day, then 90 minutes from 09:00 on Tuesday.
    assert result["respond_by"] == "2026-12-01T10:30:00+00:00"
    assert result["division"] == "scotland"

    with pytest.raises(SystemExit) as exit_info:
        main(["deadlines", "--priority", "P3", "--reported-at", "2026-11-27T16:30:00Z", "--service", "nope"])
    assert exit_info.value.code == 2
    assert "no service called 'nope'" in capsys.readouterr().err


@pytest.mark.django_db
def test_createuser_and_tokens(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("a-long-enough-passphrase\n"))
    main(
        [
            "createuser",
            "ada",
            "--email",
            "ada@example.gov.uk",
            "--group",
            "responder",
            "--group",
            "security",
            "--password-stdin",
        ]
    )
    assert "Created ada" in capsys.readouterr().out

    main(["token", "create", "--user", "ada"])
    raw = capsys.readouterr().out.strip()
    assert raw.startswith("wk_")
    user = user_for_token(raw)
    assert user is not None and user.username == "ada"
    assert sorted(user.groups.values_list("name", flat=True)) == ["responder", "security"]
    assert raw not in {t.digest for t in ApiToken.objects.all()}  # stored hashed, never raw

    main(["token", "revoke", raw])
    assert user_for_token(raw) is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (
            ["createuser", "bob", "--email", "b@example.gov.uk", "--group", "wizard", "--password-stdin"],
            "x" * 20,
            "unknown group",
        ),
        (
            ["createuser", "bob", "--email", "b@example.gov.uk", "--group", "viewer", "--password-stdin"],
            "short",
            "too short",
        ),
        (["token", "create", "--user", "nobody"], "", "no active user called nobody"),
        (["token", "revoke", "wk_nothing"], "", "no active token"),
    ],
)
def test_cli_refuses_bad_account_input(
    args: list[str], stdin: str, message: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin + "\n"))
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err
    assert not get_user_model().objects.filter(username="bob").exists()


def test_migrate_demo_and_createuser_on_a_fresh_sqlite_file(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}", "WATCHKEEPER_VAR_DIR": str(tmp_path)}
    assert run("migrate", env=env).returncode == 0
    first = run("demo", env=env)
    assert first.returncode == 0, first.stderr
    assert "Demo data loaded" in first.stdout and "'admin'" in first.stdout
    again = run("demo", env=env)
    assert "already loaded" in again.stdout
    password = first.stdout.split("with password '")[1].split("'")[0]
    assert password in again.stdout  # the credentials are printed again, not lost
    made = run(
        "createuser",
        "ops",
        "--email",
        "ops@example.gov.uk",
        "--group",
        "admin",
        "--password-stdin",
        env=env,
        stdin="a-long-enough-passphrase\n",
    )
    assert made.returncode == 0, made.stderr
    token = run("token", "create", "--user", "ops", env=env)
    assert token.returncode == 0 and token.stdout.strip().startswith("wk_")
