from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "watchkeeper.notifications"
    label = "notifications"

    def ready(self) -> None:
        from watchkeeper.incidents import events, panels
        from watchkeeper.notifications import routing

        events.subscribe(routing.on_event)
        panels.contribute_section("notifications/delivery_log.html")
