"""Errors stored before scrubbing could quote a webhook URL, a credential: scrub them, and the timeline entries and
comms-lead notices that repeated them."""

from typing import Any

from django.db import migrations

from watchkeeper.notifications.channels import scrub


def scrub_stored_errors(apps: Any, schema_editor: Any) -> None:
    # The function itself, not a copy: it only rewrites text, and a copy would drift from what new errors get.

    Delivery = apps.get_model("notifications", "Delivery")
    for row in Delivery.objects.exclude(last_error="").only("pk", "last_error").iterator():
        clean = scrub(row.last_error)
        if clean != row.last_error:
            Delivery.objects.filter(pk=row.pk).update(last_error=clean)
    TimelineEntry = apps.get_model("incidents", "TimelineEntry")
    for entry in TimelineEntry.objects.filter(kind="notification", text__startswith="Could not send").iterator():
        clean = scrub(entry.text)
        if clean != entry.text:
            TimelineEntry.objects.filter(pk=entry.pk).update(text=clean)


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
        ("incidents", "0002_declared_index"),
    ]

    operations = [migrations.RunPython(scrub_stored_errors, migrations.RunPython.noop)]
