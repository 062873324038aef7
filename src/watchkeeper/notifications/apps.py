from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "watchkeeper.notifications"
    label = "notifications"

    def ready(self) -> None:
        from watchkeeper.breaches import events as breach_events
        from watchkeeper.incidents import events, panels
        from watchkeeper.notifications import breach_alerts, routing

        events.subscribe(routing.on_event)
        breach_events.subscribe(breach_alerts.on_breach_event)
        panels.contribute_section("notifications/delivery_log.html")
