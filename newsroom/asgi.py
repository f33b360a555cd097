import os

from django.core.asgi import get_asgi_application

from newsroom.startup import refuse_unsafe_production

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
application = get_asgi_application()
refuse_unsafe_production()
