from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "专题稿件"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Every save of an article inside a revision keeps a copy; who may change what.
        from .desk import registration  # noqa: F401
        from .publications import receivers

        # Media keeps the photo files publications link, and asks articles which those are.
        receivers.connect()
