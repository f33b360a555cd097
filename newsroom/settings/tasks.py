"""Background work: the task queue (Celery) and its schedule."""
