"""The media app's settings with their defaults, read in one place."""

import os

from django.conf import settings
from PIL import features


class Settings:
    @property
    def PHOTO_MAX_BYTES(self) -> int:
        return getattr(settings, "PHOTO_MAX_BYTES", 40 * 1024 * 1024)

    @property
    def PHOTO_MAX_PIXELS(self) -> int:
        # Guards against decompression bombs, checked from the header before anything is
        # decoded. The decoded picture takes up to 4 bytes a pixel, and the renditions are
        # made from it: 50 megapixels (a 45-MP press camera fits) keep a worker within some
        # 200 MB for the decode; a 100-MP file took 1.09 GB.
        return getattr(settings, "PHOTO_MAX_PIXELS", 50_000_000)

    @property
    def PHOTO_MAX_ASPECT_RATIO(self) -> int:
        # Long side over short side: a panorama of 8:1 or 10:1 still crops to 16:9 and 1:1
        # worth showing; a 1×20000 strip gets 1-pixel crops and no WebP at all.
        return getattr(settings, "PHOTO_MAX_ASPECT_RATIO", 20)

    @property
    def PHOTO_MAX_ANIMATION_PIXELS(self) -> int:
        # An animated GIF or WebP decodes every frame: a small file can hide thousands of
        # full-size frames. Frames × pixels per frame may not pass this.
        return getattr(settings, "PHOTO_MAX_ANIMATION_PIXELS", 100_000_000)

    @property
    def PHOTO_FORMATS(self) -> tuple[str, ...]:
        return getattr(settings, "PHOTO_FORMATS", ("JPEG", "PNG", "WEBP", "GIF"))

    @property
    def PHOTO_RENDITION_SPECS(self) -> tuple[tuple[str, tuple[int, ...]], ...]:
        """(ratio, widths) pairs: "original" keeps the frame, "16:9" etc. crop around the
        focal point. Widths are CSS-pixel slots a front-end picks from with srcset."""
        return getattr(
            settings,
            "PHOTO_RENDITION_SPECS",
            (
                ("original", (480, 960, 1600)),
                ("16:9", (480, 960, 1600)),
                ("4:3", (480, 960)),
                ("1:1", (480, 960)),
            ),
        )

    @property
    def PHOTO_RENDITION_FORMATS(self) -> tuple[str, ...]:
        """In the order a <picture> offers them: newest codec first, JPEG (read everywhere) last."""
        wanted = getattr(settings, "PHOTO_RENDITION_FORMATS", ("avif", "webp", "jpeg"))
        # AVIF only where this Pillow was built with it; WebP and JPEG always.
        return tuple(f for f in wanted if f != "avif" or features.check("avif"))

    @property
    def PHOTO_RENDITION_QUALITY(self) -> dict[str, int]:
        return {"avif": 60, "webp": 80, "jpeg": 82, **getattr(settings, "PHOTO_RENDITION_QUALITY", {})}

    @property
    def PHOTO_RENDITION_WORKERS(self) -> int:
        # Encoders release the GIL: one thread per core roughly halves the wait on 2 cores.
        return getattr(settings, "PHOTO_RENDITION_WORKERS", 0) or os.cpu_count() or 1


conf = Settings()
