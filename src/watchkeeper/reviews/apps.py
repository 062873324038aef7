from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "watchkeeper.reviews"
    label = "reviews"

    def ready(self) -> None:
        from watchkeeper.reviews import handlers  # noqa: PLC0415 - models load only once every app is registered

        handlers.connect()
