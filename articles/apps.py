from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "专题稿件"
    default_auto_field = "django.db.models.BigAutoField"
