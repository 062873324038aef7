"""Review scheduling as configured for this site: the rule is in the domain, the settings are read here."""

from __future__ import annotations

from datetime import time

from django.conf import settings

from watchkeeper.domain.review_scheduling import (
    DEFAULT_MEETING_TIME,
    DEFAULT_WINDOW_DAYS,
    REVIEW_LENGTH,
    Proposal,
    action_due,
    meeting_time,
    propose,
    window_days,
)

__all__ = ["REVIEW_LENGTH", "Proposal", "action_due", "propose", "review_meeting_time", "review_window_days"]


def review_window_days() -> int:
    """How many business days after resolution the review should be held within."""
    return window_days(getattr(settings, "WATCHKEEPER_REVIEW_WITHIN_BUSINESS_DAYS", DEFAULT_WINDOW_DAYS))


def review_meeting_time() -> time:
    return meeting_time(getattr(settings, "WATCHKEEPER_REVIEW_TIME", DEFAULT_MEETING_TIME))
