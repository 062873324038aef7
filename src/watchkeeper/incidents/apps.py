from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "watchkeeper.incidents"
    label = "incidents"

    def ready(self) -> None:
        from watchkeeper.incidents import milestone_links  # noqa: PLC0415 - models load only once every app is registered

        milestone_links.connect()
