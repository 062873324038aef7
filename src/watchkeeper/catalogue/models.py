"""Teams, the services they run, the components users see, and each service's office calendar and priority policy."""

from __future__ import annotations

from datetime import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from watchkeeper.domain.office_time import Division
from watchkeeper.domain.priority import Priority, SpanKind

DIVISION_CHOICES = [(d.value, d.value.replace("-", " ").title().replace(" And ", " and ")) for d in Division]
PRIORITY_CHOICES = [(p.value, p.value) for p in Priority]
SPAN_KIND_CHOICES = [
    (SpanKind.ELAPSED.value, "Minutes, office and out of hours"),
    (SpanKind.OFFICE_HOURS.value, "Office minutes"),
    (SpanKind.BUSINESS_DAYS.value, "Business days"),
]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def default_division() -> str:
    return str(settings.DEFAULT_DIVISION)


def default_timezone() -> str:
    return str(settings.DEFAULT_TIMEZONE)


class Team(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True, help_text="Where the team reads incident email.")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Service(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="services")
    description = models.TextField(blank=True)
    # The office calendar: local wall time, so opening hours follow GMT and BST.
    timezone = models.CharField(max_length=64, default=default_timezone)
    division = models.CharField(max_length=32, choices=DIVISION_CHOICES, default=default_division)
    opening = models.TimeField(default=time(9, 30))
    closing = models.TimeField(default=time(17, 30))
    working_days = models.CharField(
        max_length=13, default="0,1,2,3,4", help_text="Weekday numbers, Monday 0 to Sunday 6, separated by commas."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.opening and self.closing and self.opening >= self.closing:
            raise ValidationError({"closing": "Closing time must be after opening time"})
        try:
            days = parse_working_days(self.working_days)
        except ValueError as error:
            raise ValidationError({"working_days": str(error)}) from None
        if not days:
            raise ValidationError({"working_days": "Enter at least one working day"})

    @property
    def working_day_names(self) -> list[str]:
        return [WEEKDAYS[day] for day in sorted(parse_working_days(self.working_days))]


def parse_working_days(text: str) -> frozenset[int]:
    days: set[int] = set()
    for part in text.split(","):
        if not part.strip():
            continue
        if not part.strip().isdigit() or not 0 <= int(part) <= 6:
            raise ValueError("Working days must be numbers from 0 (Monday) to 6 (Sunday), separated by commas")
        days.add(int(part))
    return frozenset(days)


class ClosureDate(models.Model):
    """A day the service's office is shut that is not a bank holiday (a team away day, a local holiday)."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="closures")
    date = models.DateField()
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["service", "date"], name="one_closure_per_day")]

    def __str__(self) -> str:
        return f"{self.service}: {self.date}"


class PriorityOverride(models.Model):
    """A service's own response time or update interval for one priority, replacing the GDS default."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="priority_overrides")
    priority = models.CharField(max_length=2, choices=PRIORITY_CHOICES)
    respond_kind = models.CharField(max_length=16, choices=SPAN_KIND_CHOICES, blank=True)
    respond_amount = models.PositiveIntegerField(null=True, blank=True)
    update_kind = models.CharField(max_length=16, choices=SPAN_KIND_CHOICES, blank=True)
    update_amount = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["priority"]
        constraints = [models.UniqueConstraint(fields=["service", "priority"], name="one_override_per_priority")]

    def __str__(self) -> str:
        return f"{self.service}: {self.priority}"

    def clean(self) -> None:
        for kind, amount in (("respond_kind", "respond_amount"), ("update_kind", "update_amount")):
            if bool(getattr(self, kind)) != (getattr(self, amount) is not None):
                raise ValidationError({amount: "Give both the kind of clock and the amount, or neither"})
            if getattr(self, amount) == 0:
                raise ValidationError({amount: "The amount must be at least 1"})


class Component(models.Model):
    """A part of a service that its users see, as named on the status page."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="components")
    slug = models.SlugField()
    name = models.CharField(max_length=200)
    description = models.CharField(max_length=500, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["service", "position", "name"]
        constraints = [models.UniqueConstraint(fields=["service", "slug"], name="component_slug_unique_per_service")]

    def __str__(self) -> str:
        return f"{self.service}: {self.name}"
