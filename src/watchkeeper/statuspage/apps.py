from django.apps import AppConfig


class StatuspageConfig(AppConfig):
    name = "watchkeeper.statuspage"
    label = "statuspage"

    def ready(self) -> None:
        from watchkeeper.statuspage import handlers

        handlers.connect()
