"""Where uploaded photos go. Module-level so migrations can reference it."""

import posixpath
import uuid

from django.utils import timezone


def photo_upload_to(instance, filename: str) -> str:
    # A random name: editors upload many "IMG_0001.jpg", and names can leak embargoed stories.
    extension = posixpath.splitext(filename)[1].lower() or ".jpg"
    return timezone.localdate().strftime("photos/%Y/%m/") + uuid.uuid4().hex + extension
