"""The breach record's clock: the rule itself is pure and lives in the domain, where it is unit tested."""

from watchkeeper.domain.ico_clock import ESCALATION_HOURS, ICO_WINDOW, REMINDER_HOURS, ico_deadline, milestones

__all__ = ["ESCALATION_HOURS", "ICO_WINDOW", "REMINDER_HOURS", "ico_deadline", "milestones"]
