from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "watchkeeper.incidents"
    label = "incidents"

    def ready(self) -> None:
        from watchkeeper.incidents import milestone_links

        milestone_links.connect()
