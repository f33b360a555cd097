"""The media app's settings with their defaults, read in one place."""

from django.conf import settings


class Settings:
    @property
    def PHOTO_MAX_BYTES(self) -> int:
        return getattr(settings, "PHOTO_MAX_BYTES", 40 * 1024 * 1024)

    @property
    def PHOTO_MAX_PIXELS(self) -> int:
        # Guards against decompression bombs: a 100-megapixel camera is the ceiling.
        return getattr(settings, "PHOTO_MAX_PIXELS", 100_000_000)

    @property
    def PHOTO_FORMATS(self) -> tuple[str, ...]:
        return getattr(settings, "PHOTO_FORMATS", ("JPEG", "PNG", "WEBP", "GIF"))


conf = Settings()
