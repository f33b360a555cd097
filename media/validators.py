"""Checks an uploaded photo before it is stored: size, real image, format, pixel count."""

import nh3
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from PIL import Image, UnidentifiedImageError

from .conf import conf

PLAIN_TEXT_ONLY = "这里只能填写纯文本，请去掉 HTML 标签（如 <p>、<script>）后再保存。"
UNREADABLE_PHOTO = "无法识别的图片文件，文件可能已损坏或并非图片。"


def validate_photo_file(file) -> None:
    if file.size > conf.PHOTO_MAX_BYTES:
        raise ValidationError(
            "图片文件过大（%(size)s），上限为 %(limit)s。",
            code="photo_too_large",
            params={"size": filesizeformat(file.size), "limit": filesizeformat(conf.PHOTO_MAX_BYTES)},
        )
    position = file.tell() if hasattr(file, "tell") else 0
    try:
        file.seek(0)
        with Image.open(file) as image:
            image_format = image.format
            width, height = image.size
            if width * height > conf.PHOTO_MAX_PIXELS:
                raise ValidationError(
                    "图片像素过多（%(width)s×%(height)s），上限为 %(limit)s 像素。",
                    code="photo_too_many_pixels",
                    params={"width": width, "height": height, "limit": conf.PHOTO_MAX_PIXELS},
                )
            image.verify()
        # verify() checks structure but does not decode JPEG data; decoding at 1/8 scale
        # (cheap even for a 40 MB file) is what catches a truncated upload.
        file.seek(0)
        with Image.open(file) as image:
            image.draft(image.mode, (max(1, width // 8), max(1, height // 8)))
            image.load()
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ValidationError(UNREADABLE_PHOTO, code="photo_unreadable") from exc
    finally:
        file.seek(position)
    if image_format not in conf.PHOTO_FORMATS:
        raise ValidationError(
            "不支持的图片格式 %(format)s，请上传 %(allowed)s。",
            code="photo_format",
            params={"format": image_format, "allowed": "、".join(conf.PHOTO_FORMATS)},
        )


def validate_plain_text(text: str) -> None:
    """Refuse markup in plain-text fields: front-ends get text, never HTML to trust."""
    if nh3.is_html(text):
        raise ValidationError(PLAIN_TEXT_ONLY, code="plain_text_html")
