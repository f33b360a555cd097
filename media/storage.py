"""Where uploaded photos go. Module-level so migrations can reference it."""

import functools
import posixpath
import uuid

from django.utils import timezone
from PIL import Image, UnidentifiedImageError

# The extension of each accepted format: the stored name says what the file is, whatever
# the upload was called, because web servers and object storage serve by extension.
EXTENSIONS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp", "GIF": ".gif"}


def photo_upload_to(instance, filename: str) -> str:
    # A random name: editors upload many "IMG_0001.jpg", and names can leak embargoed stories.
    extension = detected_extension(instance.image) or posixpath.splitext(filename)[1].lower() or ".jpg"
    name = timezone.localdate().strftime("photos/%Y/%m/") + uuid.uuid4().hex + extension
    # Remembered so that a write that fails halfway (a full disk) can be cleaned up.
    instance._upload_name = name
    return name


def detected_extension(field_file) -> str | None:
    """The extension of the format Pillow reads in the file's header (nothing decoded).

    Only for a file not stored yet (an upload being saved): `FieldFile.save(name, content)`
    called directly leaves the field on its previous file, which is not the one named."""
    if not field_file or getattr(field_file, "_committed", True):
        return None
    file = getattr(field_file, "_file", None)
    if file is None or not hasattr(file, "seek"):
        return None
    position = file.tell()
    try:
        file.seek(0)
        with Image.open(file) as image:
            return EXTENSIONS.get(image.format)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None
    finally:
        file.seek(position)


@functools.cache
def write_errors() -> tuple[type[Exception], ...]:
    """What a storage raises when a file cannot be written: OSError from a disk (ENOSPC when
    full), and from an S3-compatible bucket boto3's and botocore's own errors (a refused
    request, an endpoint that does not answer), which are not OSErrors."""
    try:
        from boto3.exceptions import Boto3Error
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError:  # no S3 client installed: the file system is the only storage
        return (OSError,)
    return (OSError, Boto3Error, BotoCoreError, ClientError)


def discard_partial_upload(instance) -> None:
    """Delete what a failed write of the instance's new file left behind (a full disk
    leaves the file cut short): no orphan, and no truncated file under a real name."""
    name = getattr(instance, "_upload_name", None)
    if not name:
        return
    storage = instance.image.storage
    try:
        if storage.exists(name):
            storage.delete(name)
    except write_errors():
        pass  # the storage that refused the write may refuse this too; nothing links the file
