"""The Celery application: background work (renditions, export packages, the channels'
deliveries, periodic clean-up) on a real broker in production.

`scripts/worker` runs a worker (with `--beat`, the schedule too). Without CELERY_BROKER_URL
(the embedded default) nothing is sent anywhere: `jobs.dispatch` runs the work in this
process after the response, so `scripts/serve` needs no second process.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

app = Celery("newsroom")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
