from django.apps import AppConfig


class StatuspageConfig(AppConfig):
    name = "watchkeeper.statuspage"
    label = "statuspage"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from watchkeeper.catalogue.models import Component, Service
        from watchkeeper.incidents import events, panels
        from watchkeeper.reviews.models import Report
        from watchkeeper.statuspage import incident_panels
        from watchkeeper.statuspage.reactions import on_catalogue_change, on_incident_event, on_report_saved

        events.subscribe(on_incident_event)
        panels.contribute(incident_panels.incident_links)
        panels.contribute_flag(incident_panels.behind_flags)
        panels.contribute_public_state(incident_panels.public_states)
        for model in (Component, Service):
            post_save.connect(on_catalogue_change, sender=model, dispatch_uid=f"statuspage-{model.__name__}-saved")
            post_delete.connect(on_catalogue_change, sender=model, dispatch_uid=f"statuspage-{model.__name__}-gone")
        post_save.connect(on_report_saved, sender=Report, dispatch_uid="statuspage-report-saved")
