from django.apps import AppConfig


class OncallConfig(AppConfig):
    name = "watchkeeper.oncall"
    label = "oncall"

    def ready(self) -> None:
        from watchkeeper.incidents import events, panels
        from watchkeeper.oncall import handlers

        events.subscribe(handlers.on_incident_event)
        panels.contribute_section("oncall/incident_pages.html")
