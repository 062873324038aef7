from django.apps import AppConfig


class BreachesConfig(AppConfig):
    name = "watchkeeper.breaches"
    label = "breaches"
