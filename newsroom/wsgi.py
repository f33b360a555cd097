import os

from django.core.wsgi import get_wsgi_application

from newsroom.startup import refuse_unsafe_production

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
django_application = get_wsgi_application()
refuse_unsafe_production()

# Plain public reads of published issues and articles are answered in front of Django's
# request handler; everything else is Django's (articles/delivery/fastpath.py).
from articles.delivery.fastpath import PublicReadsWSGI  # noqa: E402 (needs the apps loaded)
from newsroom.operations.requestid import RequestIdWSGI  # noqa: E402

# Outermost, so that every answer carries its X-Request-ID, however early it was made.
application = RequestIdWSGI(PublicReadsWSGI(django_application))
