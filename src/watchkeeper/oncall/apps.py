from django.apps import AppConfig


class OncallConfig(AppConfig):
    name = "watchkeeper.oncall"
    label = "oncall"

    def ready(self) -> None:
        from watchkeeper.incidents import events, panels
        from watchkeeper.notifications import routing
        from watchkeeper.notifications.models import Kind
        from watchkeeper.oncall import contacts, handlers

        events.subscribe(handlers.on_incident_event)
        # Escalation contacts (or any route) may be a schedule: whoever is on call when the message is routed.
        routing.expand_with(Kind.ONCALL, contacts.expand, contacts.check)
        panels.contribute_section("oncall/incident_pages.html")
