from django.apps import AppConfig


class StatuspageConfig(AppConfig):
    name = "watchkeeper.statuspage"
    label = "statuspage"

    def ready(self) -> None:
        from watchkeeper.statuspage import handlers  # noqa: PLC0415 - models load only once every app is registered

        handlers.connect()
