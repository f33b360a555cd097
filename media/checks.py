"""System checks: misconfigurations reported by `manage.py check`, not at upload time."""

from pathlib import Path

from django.conf import settings
from django.core import checks

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
