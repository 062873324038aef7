"""Priority levels and the policy table: how fast to respond and how often to update.

The defaults are the GDS Way's incident priority table; a service may override the
response time and update interval, but never the meaning of a level.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from types import MappingProxyType


class Priority(StrEnum):
    P1 = "P1"
    P2 = "P2"
    P3 = "P3"
    P4 = "P4"

    @classmethod
    def parse(cls, text: str) -> Priority:
        """Read a priority typed by a person, who may well write "p2" or " P2 "."""
        try:
            return cls(text.strip().upper())
        except ValueError:
            raise ValueError(f"unknown priority {text!r}: use P1, P2, P3 or P4") from None


class SpanKind(StrEnum):
    ELAPSED = "elapsed"
    OFFICE_HOURS = "office_hours"
    BUSINESS_DAYS = "business_days"


def _count(amount: int, unit: str) -> str:
    return f"{amount} {unit}" if amount == 1 else f"{amount} {unit}s"


@dataclass(frozen=True)
class Span:
    """A length of time measured on one of the three clocks the GDS table uses.

    ``amount`` is whole minutes for elapsed and office-hours spans, and whole days for
    business days, so that "2 business days" survives a change to the office's hours.
    """

    kind: SpanKind
    amount: int

    def __post_init__(self) -> None:
        # Accept the plain strings a database or form hands over, so callers need not convert.
        object.__setattr__(self, "kind", SpanKind(self.kind))
        if isinstance(self.amount, bool) or not isinstance(self.amount, int):
            raise ValueError(f"a span's amount must be a whole number, not {self.amount!r}")
        if self.amount < 1:
            unit = "day" if self.kind is SpanKind.BUSINESS_DAYS else "minute"
            raise ValueError(f"a span must be at least 1 {unit}, not {self.amount}")

    @classmethod
    def elapsed(cls, *, minutes: int) -> Span:
        return cls(SpanKind.ELAPSED, minutes)

    @classmethod
    def office_hours(cls, *, minutes: int) -> Span:
        return cls(SpanKind.OFFICE_HOURS, minutes)

    @classmethod
    def business_days(cls, days: int) -> Span:
        return cls(SpanKind.BUSINESS_DAYS, days)

    def describe(self) -> str:
        """Plain English, as the GDS table words it: "20 minutes", "2 office hours", "1 business day"."""
        if self.kind is SpanKind.BUSINESS_DAYS:
            return _count(self.amount, "business day")
        prefix = "office " if self.kind is SpanKind.OFFICE_HOURS else ""
        hours, minutes = divmod(self.amount, 60)
        if not hours:
            return _count(minutes, prefix + "minute")
        if not minutes:
            return _count(hours, prefix + "hour")
        return f"{_count(hours, prefix + 'hour')} {_count(minutes, 'minute')}"

    def iso_duration(self) -> str:
        """ISO 8601 duration, e.g. "PT1H30M"; only elapsed spans have one, the others depend on a calendar."""
        if self.kind is not SpanKind.ELAPSED:
            raise ValueError(f"{self.describe()} depends on the office calendar, so it has no fixed ISO 8601 duration")
        hours, minutes = divmod(self.amount, 60)
        return "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")


@dataclass(frozen=True)
class PriorityPolicy:
    """What a priority level demands: a response time and when updates are due.

    ``updates_repeat`` is True when every update restarts the clock (P1/P2), False when
    a single update is owed (P3/P4).
    """

    priority: Priority
    name: str
    example: str
    respond_within: Span
    update_interval: Span
    updates_repeat: bool
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # An update every N office hours would go silent all night and all weekend, which is
        # exactly when a repeating (P1/P2) incident needs to hear from us.
        if self.updates_repeat and self.update_interval.kind is not SpanKind.ELAPSED:
            raise ValueError(
                f"{self.priority} updates repeat, so their interval must be elapsed time, "
                f"not {self.update_interval.describe()}"
            )
        # A policy keys the deadline and update caches a summary asks some ten thousand times, and hashing it
        # means hashing its enums and spans, in Python, each time: hash it once.
        fields = (self.priority, self.name, self.example, self.respond_within, self.update_interval)
        object.__setattr__(self, "_hash", hash((*fields, self.updates_repeat)))

    def __hash__(self) -> int:
        return self._hash

    @property
    def clock(self) -> str:
        if self.respond_within.kind is SpanKind.ELAPSED:
            return "Office and out of hours"
        return "Office hours only"

    @property
    def updates(self) -> str:
        if self.updates_repeat:
            return f"every {self.update_interval.describe()}"
        return f"once, after {self.update_interval.describe()}"

    def with_overrides(self, respond_within: Span | None = None, update_interval: Span | None = None) -> PriorityPolicy:
        """This policy with a service's own times; ``None`` keeps the default."""
        return replace(
            self,
            respond_within=self.respond_within if respond_within is None else respond_within,
            update_interval=self.update_interval if update_interval is None else update_interval,
        )


DEFAULT_POLICIES: Mapping[Priority, PriorityPolicy] = MappingProxyType(
    {
        Priority.P1: PriorityPolicy(
            priority=Priority.P1,
            name="Critical",
            example="Complete outage, or ongoing unauthorised access",
            respond_within=Span.elapsed(minutes=20),
            update_interval=Span.elapsed(minutes=60),
            updates_repeat=True,
        ),
        Priority.P2: PriorityPolicy(
            priority=Priority.P2,
            name="Major",
            example="Substantial degradation of service",
            respond_within=Span.elapsed(minutes=60),
            update_interval=Span.elapsed(minutes=120),
            updates_repeat=True,
        ),
        Priority.P3: PriorityPolicy(
            priority=Priority.P3,
            name="Significant",
            example="Intermittent or degraded service due to platform issue",
            respond_within=Span.office_hours(minutes=120),
            update_interval=Span.business_days(2),
            updates_repeat=False,
        ),
        Priority.P4: PriorityPolicy(
            priority=Priority.P4,
            name="Minor",
            example="Component failure with no immediate impact, or an unsuccessful DoS attempt",
            respond_within=Span.business_days(1),
            update_interval=Span.business_days(5),
            updates_repeat=False,
        ),
    }
)
