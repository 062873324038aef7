from django.apps import AppConfig


class BreachesConfig(AppConfig):
    name = "watchkeeper.breaches"
    label = "breaches"

    def ready(self) -> None:
        from watchkeeper.breaches import handlers  # noqa: PLC0415 - models load only once every app is registered

        handlers.connect()
