from django.apps import AppConfig


class OncallConfig(AppConfig):
    name = "watchkeeper.oncall"
    label = "oncall"

    def ready(self) -> None:
        from watchkeeper.oncall import handlers  # noqa: PLC0415 - models load only once every app is registered

        handlers.connect()
