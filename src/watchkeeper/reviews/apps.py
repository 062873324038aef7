from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "watchkeeper.reviews"
    label = "reviews"

    def ready(self) -> None:
        from watchkeeper.reviews import handlers

        handlers.connect()
