from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "专题稿件"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Every save of an article inside a revision keeps a copy; who may change what.
        from . import checks  # noqa: F401  (registers the system checks)
        from .desk import registration  # noqa: F401
        from .exchange import jobs  # noqa: F401  (registers the export job)
        from .publications import receivers

        # publication_changed reaches delivery and media; media asks articles which photo
        # files publications link.
        receivers.connect()
