from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "登录与账号"

    def ready(self):
        from . import checks  # noqa: F401  (registers the system checks)
