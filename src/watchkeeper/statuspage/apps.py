from django.apps import AppConfig


class StatuspageConfig(AppConfig):
    name = "watchkeeper.statuspage"
    label = "statuspage"
