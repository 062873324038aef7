from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "watchkeeper.reviews"
    label = "reviews"
