"""Incident references (INC-2026-0042): one counter per year, numbered here and nowhere else."""

from __future__ import annotations

import re
from collections.abc import Iterable

from watchkeeper.incidents.models import ReferenceCounter

REFERENCE = re.compile(r"INC-(\d{4})-(\d{4,})")


def next_reference(year: int) -> str:
    """The next number of the year; the caller's transaction holds the counter's lock until it commits."""
    counter, _ = ReferenceCounter.objects.select_for_update().get_or_create(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"INC-{year}-{counter.last:04d}"


def lock_years(years: Iterable[int]) -> None:
    """Holds the counters of these years, so a declaration meanwhile waits and then numbers past an import."""
    list(ReferenceCounter.objects.select_for_update().filter(year__in=list(years)))


def reserve(references: Iterable[str]) -> None:
    """Moves each year's counter past these (imported) references, so no declaration ever collides with one."""
    highest: dict[int, int] = {}
    for reference in references:
        match = REFERENCE.fullmatch(reference)
        if match is None:
            raise ValueError(f"reference {reference!r} is not like INC-2026-0042")
        year, number = int(match[1]), int(match[2])
        highest[year] = max(highest.get(year, 0), number)
    for year, number in sorted(highest.items()):
        counter, _ = ReferenceCounter.objects.select_for_update().get_or_create(year=year)
        if counter.last < number:
            counter.last = number
            counter.save(update_fields=["last"])
