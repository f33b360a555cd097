"""MEDIA_ROOT served by Django (SERVE_MEDIA, for development): what a production web
server or bucket policy must do too, README "What the storage promises"."""

import posixpath

from django.conf import settings
from django.http import Http404
from django.views.static import serve

from media.renditions.services import FOLDER

# Files background jobs hand back (jobs.Job.file, upload_to "jobs/"): never served from here.
PRIVATE_FOLDER = "jobs"


def media_file(request, path: str):
    """Renditions to anyone; everything else under MEDIA_ROOT (originals with their EXIF,
    the copy desk's placeholder) to staff only, and a 404 to readers, as for a missing file."""
    clean = posixpath.normpath(path).lstrip("/")
    if clean.split("/", 1)[0] == PRIVATE_FOLDER:
        raise Http404  # export packages: only through their job's download, which checks who asks
    public = clean.startswith(f"{FOLDER}/") and clean == path
    if not public and not (request.user.is_authenticated and request.user.is_staff):
        raise Http404
    return serve(request, path, document_root=settings.MEDIA_ROOT)
