from django.apps import AppConfig


class SlackAppConfig(AppConfig):
    name = "watchkeeper.slackapp"
    label = "slackapp"
    verbose_name = "Slack app"

    def ready(self) -> None:
        from watchkeeper.slackapp import handlers  # noqa: PLC0415 - models load only once every app is registered

        handlers.connect()
