from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "watchkeeper.alerts"
    label = "alerts"

    def ready(self) -> None:
        from watchkeeper.alerts import handlers
        from watchkeeper.incidents import panels

        handlers.connect()
        # The incident keeps its alerts; once it is resolved, the page offers to resolve the groups still open.
        panels.contribute_section("alerts/incident_alerts.html")
