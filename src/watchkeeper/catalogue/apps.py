from django.apps import AppConfig
from django.db.models.signals import pre_save

from watchkeeper import converters
from watchkeeper.text_guard import check_instance


class CatalogueConfig(AppConfig):
    name = "watchkeeper.catalogue"
    label = "catalogue"

    def ready(self) -> None:
        # Every app's urls.py uses <id:...>; ready() runs before any URLconf is loaded.
        converters.register()
        # Catalogue is the first of our apps every other one builds on: one place keeps the text rules for all.
        pre_save.connect(check_instance, dispatch_uid="watchkeeper-text-guard")
