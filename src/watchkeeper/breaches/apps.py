from django.apps import AppConfig


class BreachesConfig(AppConfig):
    name = "watchkeeper.breaches"
    label = "breaches"

    def ready(self) -> None:
        from watchkeeper.breaches import services
        from watchkeeper.incidents import events

        events.subscribe(services.open_for_event)
        events.guard_resolve(services.check_security_steps)
