from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "watchkeeper.alerts"
    label = "alerts"

    def ready(self) -> None:
        from watchkeeper.alerts import handlers  # noqa: PLC0415 - models load only once every app is registered

        handlers.connect()
