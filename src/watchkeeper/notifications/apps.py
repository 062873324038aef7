from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "watchkeeper.notifications"
    label = "notifications"

    def ready(self) -> None:
        # Imported here: models load only once every app is registered.
        from watchkeeper import task_wakeup  # noqa: PLC0415
        from watchkeeper.notifications import handlers  # noqa: PLC0415

        handlers.connect()
        # Every process that enqueues (web, CLI, worker) tells idle workers: a message waits for no poll.
        task_wakeup.connect()
