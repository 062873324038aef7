from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "watchkeeper.notifications"
    label = "notifications"

    def ready(self) -> None:
        from watchkeeper.notifications import handlers  # noqa: PLC0415 - models load only once every app is registered

        handlers.connect()
