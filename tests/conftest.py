import pytest


@pytest.fixture(autouse=True)
def isolated_files(settings, tmp_path):
    """Uploads and generated files go to a per-test folder; requests are plain HTTP."""
    settings.MEDIA_ROOT = tmp_path / "uploads"
    settings.VAR_DIR = tmp_path
    settings.SECURE_SSL_REDIRECT = False
    # The manifest only exists after collectstatic; tests render pages without it.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
