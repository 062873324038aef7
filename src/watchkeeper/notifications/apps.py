from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "watchkeeper.notifications"
    label = "notifications"

    def ready(self) -> None:
        from watchkeeper.notifications import handlers

        handlers.connect()
