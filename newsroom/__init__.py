# Celery's documented Django set-up: the app is loaded with Django, so `@shared_task`s bind to it.
from newsroom.celery import app as celery_app

__all__ = ("celery_app",)
