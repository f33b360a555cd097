from django.apps import AppConfig


class MediaConfig(AppConfig):
    name = "media"
    verbose_name = "图片"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import checks, signals  # noqa: F401  (registers the system checks and receivers)
        from .renditions import jobs  # noqa: F401  (registers the renditions job)
