"""The image work of renditions, pure Pillow: no database, no storage, no settings beyond
the encoder's workers and qualities.

Decode once (at reduced size when the format allows), resample the whole frame once,
convert it to sRGB, then cut and shrink each crop around the focal point and encode each
file on a thread pool: Pillow releases the GIL while it resamples and encodes.
"""

import io
import logging
import math
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import BinaryIO, NamedTuple

from PIL import Image, ImageCms, ImageOps

from media import specs
from media.conf import conf

log = logging.getLogger(__name__)

SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


class Encoded(NamedTuple):
    """One planned rendition as made: its size in pixels and the file's bytes."""

    planned: specs.Planned
    size: tuple[int, int]
    data: bytes


def upright_size(image: Image.Image) -> tuple[int, int]:
    """The size as the photo is meant to be seen, from the header alone (EXIF turns it)."""
    orientation = image.getexif().get(0x0112, 1)  # EXIF Orientation
    width, height = image.size
    return (height, width) if orientation in (5, 6, 7, 8) else (width, height)


def encode_all(
    file: BinaryIO, planned: list[specs.Planned], encoded: Callable[[int], None] | None = None
) -> list[Encoded]:
    """Every planned rendition of the photo in `file`, in the order of `planned`;
    `encoded(n)` is told each time another n of them are ready.

    Only this function holds the decoded photo, so it is freed as soon as the one
    full-frame resample is made, before the encoders need their memory."""
    source, scale = _resampled_source(file, planned)
    chains: dict[tuple, list] = {}
    for p in planned:
        if p.size not in chains.setdefault(p.box, []):
            chains[p.box].append(p.size)
    # Largest first, so the long encodes do not end up alone at the tail on one core.
    tasks = sorted(planned, key=lambda p: -p.size[0] * p.size[1])
    with ThreadPoolExecutor(max_workers=conf.PHOTO_RENDITION_WORKERS) as pool:
        resized = {}
        for made in pool.map(lambda item: _resize_chain(source, scale, *item), chains.items()):
            resized.update(made)

        def encode(p: specs.Planned) -> Encoded:
            out = resized[p.box, p.size]
            return Encoded(p, out.size, _encoded(out, p.format))

        done = {}
        for p, result in zip(tasks, pool.map(encode, tasks), strict=True):
            done[p.spec, p.format] = result
            if encoded is not None:
                encoded(len(done))
    return [done[p.spec, p.format] for p in planned]


def _resampled_source(
    file: BinaryIO, planned: list[specs.Planned]
) -> tuple[Image.Image, tuple[float, float]]:
    """The upright photo in sRGB at the largest scale any rendition needs, and that scale
    per axis (from the upright original's pixels to the source's)."""
    file.seek(0)
    image = Image.open(file)
    upright_w, upright_h = upright_size(image)
    needed = max(max(p.size[0] / (p.box[2] - p.box[0]), p.size[1] / (p.box[3] - p.box[1])) for p in planned)
    # JPEG decodes at 1/2, 1/4 or 1/8 of the size when that still covers the scale needed
    # (Pillow's draft), a fraction of the time and memory.
    if image.format == "JPEG":
        image.draft(image.mode, (math.ceil(image.width * needed), math.ceil(image.height * needed)))
    image.load()
    ImageOps.exif_transpose(image, in_place=True)
    image = _plain_mode(image)
    # One resample of the whole frame: the crops and sizes are cut from it, and the colour
    # conversion runs on it, not on the decode.
    target = (max(1, round(upright_w * needed)), max(1, round(upright_h * needed)))
    if image.width > target[0] and image.height > target[1]:
        image = image.resize(target, Image.Resampling.LANCZOS, reducing_gap=3.0)
    source = _in_srgb(image)
    return source, (source.width / upright_w, source.height / upright_h)


def _resize_chain(source: Image.Image, scale: tuple[float, float], box: tuple, sizes: list) -> dict:
    """The largest size from the full frame, each smaller one from the one before: one
    resample of the large picture per crop instead of one per size."""
    region = (
        box[0] * scale[0],
        box[1] * scale[1],
        min(source.width, box[2] * scale[0]),
        min(source.height, box[3] * scale[1]),
    )
    made, previous = {}, None
    for size in sorted(sizes, reverse=True):
        if previous is None:
            previous = source.resize(size, Image.Resampling.LANCZOS, box=region, reducing_gap=3.0)
        else:
            previous = previous.resize(size, Image.Resampling.LANCZOS)
        made[box, size] = previous
    return made


def _plain_mode(image: Image.Image) -> Image.Image:
    """RGB, RGBA, CMYK or L (modes Pillow resamples well); the ICC profile stays in info."""
    if image.mode in ("RGB", "RGBA", "CMYK", "L"):
        return image
    profile = image.info.get("icc_profile")
    has_alpha = image.mode in ("LA", "PA", "La", "RGBa") or "transparency" in image.info
    image = image.convert("RGBA" if has_alpha else "RGB")
    if profile:
        image.info["icc_profile"] = profile
    return image


def _in_srgb(image: Image.Image) -> Image.Image:
    """Plain RGB (or RGBA) in sRGB, converted with the embedded ICC profile, and with none
    of the original's metadata (EXIF with GPS and camera owner, XMP, IPTC, the profile)."""
    profile = image.info.get("icc_profile")
    alpha = None
    if image.mode == "RGBA":
        alpha = image.getchannel("A")
        image = image.convert("RGB")
    if profile:
        try:
            image = ImageCms.profileToProfile(
                image, ImageCms.ImageCmsProfile(io.BytesIO(profile)), SRGB, outputMode="RGB"
            )
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            # A broken or unusual profile: the colours as they are beat no photo at all.
            log.warning("无法按内嵌色彩配置转换图片，按 sRGB 处理")
    if image.mode != "RGB":
        image = image.convert("RGB")
    if alpha is not None:
        image.putalpha(alpha)
    # Resized copies inherit `info`, and some encoders (AVIF) write what they find there.
    image.info = {}
    return image


def _encoded(image: Image.Image, spec_format: str) -> bytes:
    pillow_format = specs.FORMATS[spec_format][0]
    quality = conf.PHOTO_RENDITION_QUALITY[spec_format]
    if spec_format == "jpeg":
        if image.mode == "RGBA":  # JPEG has no transparency: lay it on white as a page would
            background = Image.new("RGB", image.size, "white")
            background.paste(image, mask=image.getchannel("A"))
            image = background
        options = {"quality": quality, "optimize": True, "progressive": True}
    elif spec_format == "webp":
        options = {"quality": quality, "method": 4}
    else:
        # Speed 9 of 10: on this libavif a quarter of speed 8's time for files ~10% larger
        # (bench/RESULTS.md); speed 8 alone would eat the whole time budget of a 24-MP photo.
        # One encoder thread: the renditions are already encoded side by side, one per core.
        options = {"quality": quality, "speed": 9, "max_threads": 1}
    buffer = io.BytesIO()
    image.save(buffer, pillow_format, **options)
    return buffer.getvalue()
