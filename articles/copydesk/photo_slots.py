"""Photo slots: a photo the manuscript describes (caption and credit) before its picture.

A photo block needs a `Photo`, and a Photo needs an image file. A slot is a Photo whose file
is one shared placeholder, `AWAITING_IMAGE`, with its caption and credits filled in and no
alt text. Uploading the real image on the photo's page replaces the file; until then
`awaits_image()` is true, the admin lists the slot under the issue's checks, and the publish
checks already refuse it (no alt text). The placeholder is made once and never deleted, so
a rolled-back import leaves nothing in storage.
"""

import io

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Q
from PIL import Image, ImageDraw

from articles.models import Issue
from media.credits import CreditAction
from media.models import Photo, PhotoCredit

from .draft import PhotoSlot
from .rows import save_credits

AWAITING_IMAGE = "copydesk/awaiting-image.png"
AWAITING_SIZE = (1200, 800)
AWAITING_PREVIEW = "articles/copydesk/awaiting-image.svg"  # static, for pages that show a slot


def awaiting_image_name(storage=default_storage) -> str:
    """The shared placeholder file, made on first use."""
    if not storage.exists(AWAITING_IMAGE):
        storage.save(AWAITING_IMAGE, ContentFile(_placeholder_png()))
    return AWAITING_IMAGE


def _placeholder_png() -> bytes:
    """A quiet grey card with a camera outline: no text, so no font is needed."""
    width, height = AWAITING_SIZE
    image = Image.new("RGB", AWAITING_SIZE, (236, 236, 232))
    draw = ImageDraw.Draw(image)
    for x in range(-height, width, 40):
        draw.line([(x, height), (x + height, 0)], fill=(226, 226, 221), width=6)
    cx, cy, line = width // 2, height // 2, (150, 150, 146)
    draw.rounded_rectangle((cx - 150, cy - 90, cx + 150, cy + 110), radius=24, outline=line, width=10)
    draw.rectangle((cx - 60, cy - 125, cx + 60, cy - 90), outline=line, width=10)
    draw.ellipse((cx - 65, cy - 45, cx + 65, cy + 85), outline=line, width=10)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def awaits_image(photo: Photo) -> bool:
    return photo.image.name == AWAITING_IMAGE


def awaiting_problems(issue: Issue) -> list[str]:
    """The issue's photo slots still waiting for their image, in words."""
    photos = Photo.objects.filter(
        Q(blocks__article__issue=issue) | Q(issue_placements__issue=issue), image=AWAITING_IMAGE
    ).distinct()
    return [
        f"图片“{photo.caption[:24] or photo.pk}”还没有上传图片文件（待配图）。"
        for photo in photos.order_by("pk")
    ]


def awaiting_photo(slot: PhotoSlot, contributors: dict, user=None) -> Photo:
    """A new Photo for the slot, on the placeholder, its credits naming `contributors`."""
    photo = Photo(
        caption=slot.caption,
        alt_text="",
        credit_action=slot.credit_action or CreditAction.PHOTOGRAPHED,
        uploaded_by=user,  # the slot is the importer's, so they may upload its picture
    )
    photo.image.name = awaiting_image_name()
    photo.width, photo.height = AWAITING_SIZE
    photo.full_clean(exclude=["image"])
    photo.save()
    save_credits(PhotoCredit, slot.credits, contributors, photo=photo)
    return photo
