from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "专题稿件"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Every save of an article inside a revision keeps a copy (articles/revisions.py).
        from . import photo_files, revisions  # noqa: F401

        # Media keeps the photo files publications link, and asks articles which those are.
        photo_files.connect()
