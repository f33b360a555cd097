"""Uploads that must be refused up front, or stored under an honest name: a file whose
name lies about its format, a disk that fills mid-upload, a picture no rendition can be
made of, and a small file that decodes to an enormous one."""

import errno
import io
import struct
import zlib
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image, ImageFile

from media.models import Photo, Rendition
from media.renditions import services as renditions
from media.validators import validate_photo_file
from tests.admin_forms import errors, form_data
from tests.conftest import logged_in
from tests.imaging import jpeg


def png(size=(40, 30), color="blue", mode="RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, color).save(buffer, "PNG")
    return buffer.getvalue()


def blank_png(width: int, height: int) -> bytes:
    """A valid 8-bit RGB PNG of `width`×`height` black pixels, built row by row so that
    making a 100-megapixel one costs the test a few megabytes, not 300 (as a bomb is made)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    compressor, row, idat = zlib.compressobj(9), bytes(1 + 3 * width), []
    for _ in range(height):
        idat.append(compressor.compress(row))
    idat.append(compressor.flush())
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", b"".join(idat)) + chunk(b"IEND", b"")
    )


def codes(error: pytest.ExceptionInfo) -> list[str]:
    return [e.code for e in error.value.error_list]


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


# --- (a) The stored name takes the detected format's extension ------------------------------


@pytest.mark.storage
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "extension", "mime"),
    [
        ("report.pdf", jpeg((60, 40)), ".jpg", "image/jpeg"),
        ("IMG_0001.jpg", png(), ".png", "image/png"),
        ("no-extension", jpeg((60, 40)), ".jpg", "image/jpeg"),
        ("photo.JPEG", jpeg((60, 40)), ".jpg", "image/jpeg"),
    ],
    ids=["jpeg named .pdf", "png named .jpg", "no extension", "upper-case extension"],
)
def test_a_stored_photo_is_named_after_what_it_is_not_what_it_was_called(
    name, content, extension, mime, storage_backend
):
    photo = Photo(caption="改名", alt_text="改名", image=ContentFile(content, name=name))
    photo.save()

    assert Path(photo.image.name).suffix == extension
    assert storage_backend.served_type(photo.image.name) == mime


@pytest.mark.storage
@pytest.mark.django_db
def test_a_jpeg_named_pdf_uploaded_in_the_admin_is_served_as_a_jpeg(editor, storage_backend):
    browser = logged_in(editor)
    url = reverse("admin:media_photo_add")
    data = form_data(browser.get(url))
    data.update(caption="村口", alt_text="村口")
    data["image"] = SimpleUploadedFile("稿件.pdf", jpeg((120, 80)), content_type="application/pdf")

    browser.post(url, data)

    stored = Photo.objects.get().image.name
    assert stored.endswith(".jpg") and storage_backend.served_type(stored) == "image/jpeg"


# --- (b) Disk full: a Chinese message, the input kept, nothing stored ---------------------------


def no_space(self, name, content):
    raise OSError(errno.ENOSPC, "No space left on device")


def half_then_no_space(self, name, content):
    # What a full disk does mid-write: the file exists, cut short.
    path = Path(self.path(name))
    path.parent.mkdir(parents=True, exist_ok=True)
    data = content.read()
    path.write_bytes(data[: len(data) // 2])
    raise OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "failing_save", [no_space, half_then_no_space], ids=["nothing written", "partial write"]
)
def test_a_full_disk_on_upload_keeps_the_editors_input_and_stores_nothing(
    editor, settings, monkeypatch, failing_save
):
    browser = logged_in(editor)
    url = reverse("admin:media_photo_add")
    data = form_data(browser.get(url))
    data.update(caption="西湖边的晨练者，摄于清晨六点", alt_text="湖边晨练的人们")
    data["image"] = SimpleUploadedFile("IMG_0001.jpg", jpeg((300, 200)), content_type="image/jpeg")
    monkeypatch.setattr(FileSystemStorage, "_save", failing_save)

    response = browser.post(url, data)

    assert response.status_code == 200
    shown = errors(response)
    assert len(shown) == 1 and "存储空间已满" in shown[0] and "重新上传" in shown[0], shown
    kept = form_data(response)
    assert (kept["caption"], kept["alt_text"]) == ("西湖边的晨练者，摄于清晨六点", "湖边晨练的人们")
    assert not Photo.objects.exists() and not Rendition.objects.exists()
    assert stored_files(settings) == []


# --- (c) Pictures no rendition can be made of are refused up front -----------------------------


@pytest.mark.parametrize("size", [(1, 20000), (20000, 1), (30, 1200)], ids=["1x20000", "20000x1", "30x1200"])
def test_an_extreme_aspect_ratio_is_refused_with_the_reason(size):
    with pytest.raises(ValidationError) as error:
        validate_photo_file(SimpleUploadedFile("strip.png", png(size)))

    assert codes(error) == ["photo_aspect_ratio"]
    message = error.value.messages[0]
    assert f"{size[0]}×{size[1]}" in message and "长边最多为短边的 20 倍" in message and "裁切" in message


@pytest.mark.every_rendition
def test_an_image_whose_renditions_an_encoder_cannot_hold_is_refused(settings):
    # 1000×17000 is within the aspect ratio, but its widest rendition is the photo's own
    # 1000×17000 (never upscaled): taller than a WebP can be (16,383 px).
    with pytest.raises(ValidationError) as error:
        validate_photo_file(SimpleUploadedFile("tall.png", png((1000, 17000))))

    assert codes(error) == ["photo_unrenderable"]
    assert "WEBP" in error.value.messages[0] and "16383" in error.value.messages[0]


@pytest.mark.django_db
def test_a_panorama_within_the_limits_is_accepted_and_gets_every_rendition():
    data = jpeg((2000, 200))
    validate_photo_file(SimpleUploadedFile("pano.jpg", data))
    photo = Photo(caption="全景", alt_text="全景", image=ContentFile(data, name="pano.jpg"))
    photo.save()

    renditions.refresh(photo)

    photo.refresh_from_db()
    assert photo.renditions_ready and photo.renditions.exists()


# --- (d) A decompression bomb is refused from its header, never decoded -------------------------


def test_a_100_megapixel_png_is_refused_by_its_header_without_decoding_a_pixel(monkeypatch):
    bomb = blank_png(10000, 10000)
    assert len(bomb) < 400_000  # the size of the reported one: 316 KB

    decoded = []
    real_load = ImageFile.ImageFile.load
    monkeypatch.setattr(
        ImageFile.ImageFile, "load", lambda self: decoded.append(self.size) or real_load(self)
    )
    with pytest.raises(ValidationError) as error:
        validate_photo_file(SimpleUploadedFile("bomb.png", bomb))

    assert codes(error) == ["photo_too_many_pixels"]
    assert error.value.messages == [
        "图片像素过多（10000×10000，共 10000 万像素，上限 5000 万像素），请缩小尺寸后再上传。"
    ]
    assert decoded == []


def test_a_png_within_the_limit_is_validated_without_decoding_its_pixels(monkeypatch):
    decoded = []
    real_load = ImageFile.ImageFile.load
    monkeypatch.setattr(
        ImageFile.ImageFile, "load", lambda self: decoded.append(self.size) or real_load(self)
    )

    validate_photo_file(SimpleUploadedFile("ok.png", blank_png(3000, 2000)))

    assert decoded == []


def test_an_image_beyond_pillows_own_bomb_limit_is_named_as_too_many_pixels():
    # Over twice Pillow's MAX_IMAGE_PIXELS, Image.open itself refuses it; the editor still
    # reads how many pixels and what the limit is, not "unreadable".
    bomb = blank_png(20000, 10000)

    with pytest.raises(ValidationError) as error:
        validate_photo_file(SimpleUploadedFile("bomb.png", bomb))

    assert codes(error) == ["photo_too_many_pixels"]
    assert "20000 万像素" in error.value.messages[0] and "上限 5000 万像素" in error.value.messages[0]


@pytest.mark.django_db
def test_a_bomb_uploaded_in_the_admin_is_called_too_many_pixels(editor, settings):
    browser = logged_in(editor)
    url = reverse("admin:media_photo_add")
    data = form_data(browser.get(url))
    data.update(caption="炸弹", alt_text="炸弹")
    data["image"] = SimpleUploadedFile("bomb.png", blank_png(20000, 10000), content_type="image/png")

    response = browser.post(url, data)

    assert response.status_code == 200
    assert [e for e in errors(response) if "像素过多" in e], errors(response)
    assert not Photo.objects.exists() and stored_files(settings) == []


@pytest.mark.parametrize("image_format", ["PNG", "WEBP", "GIF", "JPEG"])
def test_a_truncated_file_of_any_format_is_still_refused(image_format):
    # Not decoding to validate must not let a file cut off mid-transfer through.
    buffer = io.BytesIO()
    Image.effect_noise((400, 300), 60).convert("RGB").save(buffer, image_format)
    data = buffer.getvalue()

    with pytest.raises(ValidationError) as error:
        validate_photo_file(SimpleUploadedFile("cut", data[: len(data) // 2]))

    assert codes(error) == ["photo_unreadable"]
