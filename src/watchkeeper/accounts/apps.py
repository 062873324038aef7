from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "watchkeeper.accounts"
    label = "accounts"
