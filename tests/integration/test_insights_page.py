"""The Insights page: every figure on it equals the one recomputed from its own CSV export."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest
import time_machine
from django.test import Client

from tests.factories import make_user
from tests.integration.test_insights_api import _recompute, make_history
from watchkeeper.insights.views import month_rows, priority_rows, seconds_text, share_text

pytestmark = pytest.mark.django_db


class Cells(HTMLParser):
    """Table rows as lists of cell text, and the headline figures as label, value pairs."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.figures: dict[str, str] = {}
        self._cell: list[str] | None = None
        self._row: list[str] | None = None
        self._term = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self._row = []
        elif tag in {"td", "th", "dt", "dd"}:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in {"td", "th"} and self._row is not None and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None
        elif tag == "dt" and self._cell is not None:
            self._term = "".join(self._cell).strip()
        elif tag == "dd" and self._cell is not None:
            self.figures[self._term] = "".join(self._cell).strip()
        if tag in {"td", "th", "dt", "dd"}:
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def test_every_figure_on_the_page_equals_the_one_from_the_csv() -> None:
    lead = make_user("ada", "admin")
    make_history(lead)
    client = Client()
    client.force_login(lead)
    query = {"from": "2026-06-01", "to": "2026-07-31"}
    with time_machine.travel(datetime(2026, 7, 15, 12, 0, tzinfo=UTC), tick=False):
        page = client.get("/insights/", query)
        body = b"".join(client.get("/insights/incidents.csv", query).streaming_content)
    assert page.status_code == 200
    rows = list(csv.DictReader(io.StringIO(body.decode())))
    parsed = Cells()
    parsed.feed(page.content.decode())

    overall = _recompute(rows)
    assert parsed.figures["Incidents declared"] == str(len(rows)) == "12"
    assert parsed.figures["Responded to within the priority's response time"] == share_text(overall["response_met"])
    assert parsed.figures["Required updates given on time"] == share_text(overall["updates_on_time"])
    assert parsed.figures["Median time to resolve"] == seconds_text(overall["time_to_resolve_s"]["median"])
    assert parsed.figures["90th percentile time to resolve"] == seconds_text(overall["time_to_resolve_s"]["p90"])
    assert parsed.figures["Longest overdue update gap"] == seconds_text(overall["longest_overdue_gap_s"])

    by_priority = {level: _recompute([r for r in rows if r["priority"] == level]) for level in ("P1", "P2", "P3", "P4")}
    for expected in priority_rows(by_priority):
        assert expected in parsed.rows, expected
    months = {m: _recompute([r for r in rows if r["month"] == m]) for m in sorted({r["month"] for r in rows})}
    for expected in month_rows(months):
        assert expected in parsed.rows, expected
    slowest = max(rows, key=lambda r: float(r["time_to_resolve_s"] or 0))
    assert f'href="/incidents/{slowest["reference"]}/"' in page.content.decode()


def test_bad_filters_show_an_error_summary_and_no_figures() -> None:
    client = Client()
    client.force_login(make_user("ada"))
    page = client.get("/insights/", {"from": "2026-06-02", "to": "2026-06-01", "priority": "P9"})
    text = page.content.decode()
    assert page.status_code == 200 and "There is a problem" in text
    assert "The from date must be on or before the to date" in text and "Headline figures" not in text
    assert client.get("/insights/incidents.csv", {"team": "nope"}).status_code == 400
    assert Client().get("/insights/").status_code == 302  # sign in first
