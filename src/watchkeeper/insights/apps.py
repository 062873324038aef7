from django.apps import AppConfig


class InsightsConfig(AppConfig):
    """Read-only: milestones are recorded by incidents; insights only reads and computes."""

    name = "watchkeeper.insights"
    label = "insights"
