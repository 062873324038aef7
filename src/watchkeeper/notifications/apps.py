from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "watchkeeper.notifications"
    label = "notifications"
