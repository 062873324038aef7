from django.apps import AppConfig


class BreachesConfig(AppConfig):
    name = "watchkeeper.breaches"
    label = "breaches"

    def ready(self) -> None:
        from watchkeeper.breaches import services
        from watchkeeper.breaches.flags import ico_flags
        from watchkeeper.breaches.links import incident_links
        from watchkeeper.incidents import events, panels

        events.subscribe(services.open_for_event)
        events.guard_resolve(services.check_security_steps)
        panels.contribute(incident_links)
        panels.contribute_flag(ico_flags)
