from django.apps import AppConfig


class OncallConfig(AppConfig):
    name = "watchkeeper.oncall"
    label = "oncall"
