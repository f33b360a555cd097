"""System checks: misconfigurations reported by `manage.py check`, not at upload time."""

from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks

from .renditions.services import FOLDER as RENDITIONS_FOLDER

PACKAGE_DIR = Path(__file__).resolve().parent


@checks.register(checks.Tags.files)
def check_media_root_outside_package(app_configs, **kwargs):
    media_root = Path(settings.MEDIA_ROOT).resolve()
    if media_root == PACKAGE_DIR or PACKAGE_DIR in media_root.parents:
        return [
            checks.Error(
                f"MEDIA_ROOT ({media_root}) is inside the media/ code package.",
                hint="Uploads belong in a data folder such as var/uploads/; set MEDIA_ROOT.",
                id="media.E001",
            )
        ]
    return []


PUBLIC_ACLS = {"public-read", "public-read-write", "authenticated-read"}


@checks.register(checks.Tags.files)
def check_public_originals(app_configs, **kwargs):
    """Originals keep the camera's EXIF (GPS, owner, serial number) and are never for
    readers: a bucket whose objects are all public would publish every one of them."""
    options = settings.STORAGES.get("default", {}).get("OPTIONS", {})
    acl = options.get("default_acl")
    if acl in PUBLIC_ACLS:
        return [
            checks.Error(
                f"AWS_DEFAULT_ACL={acl} makes every uploaded original (with its GPS EXIF) public.",
                hint="Leave AWS_DEFAULT_ACL unset (private) and let a bucket policy allow public "
                "reads of renditions/* only (README, Photos: what the storage promises).",
                id="media.E002",
            )
        ]
    return []


@checks.register(checks.Tags.security)
def check_photo_host_allowed_by_csp(app_configs, **kwargs):
    """Photos at absolute links (a bucket, its CDN host) show on the admin's pages only if
    their Content-Security-Policy lets images come from that host: without it the
    thumbnails, the focal-point picker and the previews stay blank."""
    from django.core.files.storage import storages

    sources = settings.CONTENT_SECURITY_POLICY.get("DIRECTIVES", {}).get("img-src")
    parts = urlsplit(storages["default"].url(f"{RENDITIONS_FOLDER}/check.jpg"))
    if sources is None or not parts.netloc:
        return []
    origin = f"{parts.scheme}://{parts.netloc}"
    if {"*", f"{parts.scheme}:", origin} & {source.rstrip("/") for source in sources}:
        return []
    return [
        checks.Warning(
            f"Photos are linked at {origin}, which the admin's Content-Security-Policy (img-src) "
            "does not allow: editors would see no thumbnails, focal-point picker or previews.",
            hint=f"Set MEDIA_URL to the photos' public address (e.g. {origin}/): its host is allowed.",
            id="media.W001",
        )
    ]
