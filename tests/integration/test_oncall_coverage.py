"""The nightly check tells the team and the admins about gaps and about rota members nobody can reach."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django_tasks_db.models import DBTaskResult

from tests.factories import make_contact, make_schedule, make_team, make_user
from watchkeeper.oncall.services import coverage

pytestmark = pytest.mark.django_db
MONDAY = datetime(2026, 11, 2, 8, tzinfo=UTC)


def test_gaps_and_unreachable_members_are_emailed_once_per_team(mailoutbox) -> None:
    make_user("root", "admin", email="root@example.gov.uk")
    forms = make_team("forms", email="forms-team@example.gov.uk")
    ivy = make_user("ivy")
    make_contact(ivy, "sms", "07700900009", working=False)
    make_schedule([ivy], slug="forms-office", team=forms, restrict_to="office_hours", start="2026-11-02T09:30:00+00:00")
    fine = make_team("pay")
    make_schedule([make_user("olly")], slug="pay-primary", team=fine, start="2026-10-26T09:00:00+00:00")

    assert coverage.run(MONDAY) == 1
    [email] = mailoutbox
    assert {"forms-team@example.gov.uk", "root@example.gov.uk"} <= set(email.to)
    assert "Forms-Office: Mon 2 Nov 17:30 to Tue 3 Nov 09:30" in email.body, "the night is a gap"
    assert "- ivy (Forms-Office)" in email.body
    assert "pay-primary" not in email.body.lower()


def test_the_check_queues_itself_once_for_the_next_night() -> None:
    assert coverage.schedule_next(MONDAY) is True
    assert coverage.schedule_next(MONDAY) is False
    [task] = DBTaskResult.objects.filter(task_path__endswith="nightly_check")
    assert task.run_after == datetime(2026, 11, 3, 2, tzinfo=UTC)
