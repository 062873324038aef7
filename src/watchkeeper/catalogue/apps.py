from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "watchkeeper.catalogue"
    label = "catalogue"
