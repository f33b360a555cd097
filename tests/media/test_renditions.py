"""Renditions: named sizes and focal-point crops made once per photo and focal point,
through the storage API, delivered by the API from the publication, never made in a read."""

import hashlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urljoin

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image, ImageChops, JpegImagePlugin, features

from articles.delivery.rendering import render_issue
from articles.exchange.snapshots import public_photos
from articles.models import Block
from articles.publications.checks import issue_problems
from articles.publications.publishing import publish_issue
from articles.workflow import ArticleStatus
from jobs.models import Job
from media import specs
from media.api.serializers import RenditionSerializer, absolute_url, stored_file_urls
from media.models import FOCAL_OUTSIDE, Photo, Rendition, RetiredFile
from media.renditions import services as renditions
from tests.admin_forms import errors, form_data, page
from tests.conftest import logged_in
from tests.factories import (
    ArticleFactory,
    BlockFactory,
    IssueFactory,
    PhotoCreditFactory,
    PhotoFactory,
    published,
)
from tests.imaging import (
    SWAPPED_PRIMARIES,
    UTF8_DECLARATION,
    alt,
    icc_profile,
    iim,
    jpeg,
    private_exif,
    with_dot,
    with_iptc,
    xmp_packet,
)
from tests.object_storage import stored_names

# Tests of the renditions themselves: the site's whole catalogue, not the light default.
pytestmark = [pytest.mark.django_db, pytest.mark.every_rendition]

RATIOS = ["16:9", "4:3", "1:1"]
FORMATS = ["avif", "webp", "jpeg"] if features.check("avif") else ["webp", "jpeg"]


def photo_from(data: bytes, **fields) -> Photo:
    # Assigned as an upload is, so width and height are read once and stored.
    photo = Photo(caption="测试图片", alt_text="测试", image=ContentFile(data, name="upload.jpg"), **fields)
    photo.save()
    return photo


def opened(rendition: Rendition) -> Image.Image:
    with rendition.file.open("rb") as file:
        image = Image.open(io.BytesIO(file.read()))
        image.load()
    return image


# --- Focal crops: geometry ----------------------------------------------------------------

SIZES = [
    (6000, 4000),
    (4000, 6000),
    (1600, 1067),
    (1067, 1600),
    (5000, 500),
    (500, 5000),
    (64, 48),
    (1, 1),
    (3, 2),
]
EXTREMES = [0.0, 0.0001, 0.03, 0.5, 0.97, 0.9999, 1.0]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("ratio", RATIOS)
def test_every_crop_keeps_the_focal_point_inside_for_extreme_focal_points(size, ratio):
    width, height = size
    target = specs.parse_ratio(ratio)
    for fx in EXTREMES:
        for fy in EXTREMES:
            left, top, right, bottom = specs.focal_crop(size, ratio, (fx, fy))

            assert 0 <= left < right <= width and 0 <= top < bottom <= height
            assert left <= fx * width <= right and top <= fy * height <= bottom, (fx, fy)
            # The largest box of that ratio: it spans the image one way or the other.
            assert right - left == width or bottom - top == height
            if min(size) > 100:
                assert abs((right - left) / (bottom - top) - target) < 0.01


def test_a_crop_is_centred_on_the_focal_point_when_the_edges_allow():
    left, top, right, bottom = specs.focal_crop((6000, 4000), "1:1", (0.5, 0.5))
    assert (left, top, right, bottom) == (1000, 0, 5000, 4000)
    left, _, right, _ = specs.focal_crop((6000, 4000), "1:1", (0.4, 0.5))
    assert (left, right) == (400, 4400)  # centred on x = 2400
    left, _, right, _ = specs.focal_crop((6000, 4000), "1:1", (0.2, 0.5))
    assert (left, right) == (0, 4000)  # as close as the left edge allows


def red_area(image: Image.Image):
    """The bounding box of clearly red pixels, or None."""
    red, green, blue = image.split()
    mask = ImageChops.multiply(
        red.point(lambda v: 255 if v > 180 else 0),
        ImageChops.multiply(
            green.point(lambda v: 255 if v < 90 else 0), blue.point(lambda v: 255 if v < 90 else 0)
        ),
    )
    return mask.getbbox()


@pytest.mark.parametrize("focal", [(0.0, 0.0), (1.0, 1.0), (0.97, 0.04), (0.02, 0.95)])
def test_the_focal_subject_is_in_every_cropped_rendition(focal):
    # A red dot on grey at an extreme focal point; each crop must show it where the box puts it.
    photo = photo_from(
        jpeg(image=with_dot((1200, 600), focal, radius=14)), focal_x=focal[0], focal_y=focal[1]
    )

    renditions.refresh(photo)

    crops = photo.renditions.filter(format="jpeg").exclude(ratio=specs.ORIGINAL)
    assert {r.ratio for r in crops} == set(RATIOS)
    for rendition in crops:
        image = opened(rendition).convert("RGB")
        assert red_area(image), f"{rendition.spec}: the focal subject was cropped away"


# --- Sizes and formats --------------------------------------------------------------------


def test_renditions_come_in_every_size_ratio_and_format_and_match_their_rows():
    photo = photo_from(jpeg((2400, 1600)))

    renditions.refresh(photo)

    rows = list(photo.renditions.all())
    assert {(r.spec, r.format) for r in rows} == {
        (specs.spec_name(ratio, width), f)
        for ratio, widths in [
            ("original", (480, 960, 1600)),
            ("16:9", (480, 960, 1600)),
            ("4:3", (480, 960)),
            ("1:1", (480, 960)),
        ]
        for width in widths
        for f in FORMATS
    }
    pillow_names = {"avif": "AVIF", "webp": "WEBP", "jpeg": "JPEG"}
    for row in rows:
        image = opened(row)
        assert image.format == pillow_names[row.format]
        assert image.size == (row.width, row.height)
        assert row.width == int(row.spec.rsplit("-", 1)[1])
        if row.ratio != specs.ORIGINAL:
            assert abs(row.width / row.height - float(specs.parse_ratio(row.ratio))) < 0.01
    assert photo.renditions.get(spec="original-1600", format="jpeg").height == 1067
    photo.refresh_from_db()
    assert photo.renditions_ready


def test_a_small_photo_is_never_upscaled_nor_stored_twice_under_two_names():
    photo = photo_from(jpeg((700, 500)))

    renditions.refresh(photo)

    rows = list(photo.renditions.filter(format="jpeg"))
    assert all(r.width <= 700 and r.height <= 500 for r in rows)
    assert sorted((r.spec, r.width, r.height) for r in rows) == [
        ("16x9-480", 480, 270),
        ("16x9-960", 700, 394),
        ("1x1-480", 480, 480),
        ("1x1-960", 500, 500),
        ("4x3-480", 480, 360),
        ("4x3-960", 667, 500),
        ("original-480", 480, 343),
        ("original-960", 700, 500),
    ]


# --- What the files carry: orientation, colour, no private metadata ------------------------


def test_exif_orientation_is_applied():
    # Stored sideways as phones do: left half red, right half blue, "rotate 90° clockwise".
    raw = Image.new("RGB", (800, 400), (220, 0, 0))
    raw.paste((0, 0, 220), (400, 0, 800, 400))
    photo = photo_from(jpeg(image=raw, exif=private_exif(orientation=6)))

    renditions.refresh(photo)

    upright = opened(photo.renditions.get(spec="original-480", format="jpeg")).convert("RGB")
    assert upright.size == (400, 800)
    top, bottom = upright.getpixel((200, 100)), upright.getpixel((200, 700))
    assert top[0] > 180 and top[2] < 60  # the red half is on top
    assert bottom[2] > 180 and bottom[0] < 60
    assert opened(photo.renditions.get(spec="original-480", format="webp")).size == (400, 800)


def test_colours_are_converted_to_srgb_with_the_embedded_profile():
    # In a file tagged with a profile whose "red" primary is sRGB's blue, (255, 0, 0) is blue.
    photo = photo_from(jpeg((600, 400), (255, 0, 0), icc_profile=icc_profile(SWAPPED_PRIMARIES)))

    renditions.refresh(photo)

    for rendition in photo.renditions.filter(spec="original-480"):
        image = opened(rendition)
        red, green, blue = image.convert("RGB").getpixel((10, 10))
        assert blue > 200 and red < 40, rendition.format
        assert "icc_profile" not in image.info  # the source profile would now be a lie


def test_delivered_files_carry_no_gps_camera_owner_or_other_metadata():
    data = with_iptc(
        jpeg(
            (1800, 1200),
            exif=private_exif(),
            xmp=xmp_packet(f"<dc:description>{alt('西湖')}</dc:description>"),
        ),
        UTF8_DECLARATION + iim(2, 120, "西湖边的晨练者".encode()),
    )
    photo = photo_from(data)

    renditions.refresh(photo)

    assert photo.renditions.count() == 10 * len(FORMATS)
    for rendition in photo.renditions.all():
        image = opened(rendition)
        exif = image.getexif()
        assert not exif.get_ifd(0x8825), f"{rendition}: GPS"
        assert 0xA430 not in exif.get_ifd(0x8769) and 0x013B not in exif
        assert not {"xmp", "photoshop", "exif"} & set(image.info), f"{rendition}: {set(image.info)}"
        with rendition.file.open("rb") as file:
            content = file.read()
        for secret in (b"SN-0042-7731", b"Zhejiang Daily photo desk", "西湖".encode(), b"GPS"):
            assert secret not in content, f"{rendition}: {secret!r}"


def test_transparent_png_and_cmyk_jpeg_become_plain_srgb_renditions():
    transparent = Image.new("RGBA", (800, 600), (0, 0, 0, 0))
    transparent.paste((30, 120, 200, 255), (200, 150, 600, 450))
    buffer = io.BytesIO()
    transparent.save(buffer, "PNG")
    png = photo_from(buffer.getvalue())
    cmyk = photo_from(jpeg(image=Image.new("CMYK", (800, 600), (0, 255, 255, 0))))  # process red

    renditions.refresh(png)
    renditions.refresh(cmyk)

    flat = opened(png.renditions.get(spec="original-480", format="jpeg")).convert("RGB")
    assert flat.getpixel((5, 5)) == (255, 255, 255)  # laid on white, as a page would show it
    assert abs(flat.getpixel((240, 180))[2] - 200) < 12
    see_through = opened(png.renditions.get(spec="original-480", format="webp"))
    assert see_through.mode == "RGBA" and see_through.getpixel((5, 5))[3] == 0
    red = opened(cmyk.renditions.get(spec="original-480", format="jpeg"))
    assert red.mode == "RGB" and red.getpixel((10, 10))[0] > 200 and red.getpixel((10, 10))[1] < 60


def test_large_jpegs_are_decoded_at_reduced_size_and_the_original_is_untouched(monkeypatch):
    decoded = []
    real_draft = JpegImagePlugin.JpegImageFile.draft

    def spy(self, mode, size):
        result = real_draft(self, mode, size)
        decoded.append(self.size)
        return result

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "draft", spy)
    data = jpeg((4000, 3000))
    photo = photo_from(data)

    renditions.refresh(photo)

    # 1600 px is the widest rendition: a half-size decode (2000×1500) still covers it.
    assert decoded == [(2000, 1500)]
    assert photo.renditions.get(spec="original-1600", format="jpeg").width == 1600
    with photo.image.open("rb") as file:
        assert hashlib.sha256(file.read()).digest() == hashlib.sha256(data).digest()


# --- Lifecycle: focal point moves, files retire, failures leave nothing behind -------------


@pytest.mark.storage
def test_moving_the_focal_point_remakes_only_the_crops_and_deletes_their_old_files(
    django_capture_on_commit_callbacks,
):
    photo = photo_from(jpeg((1200, 800)))
    renditions.refresh(photo)
    before = {(r.spec, r.format): r.file.name for r in photo.renditions.all()}

    photo.focal_x, photo.focal_y = 0.9, 0.1
    photo.save()
    assert not photo.renditions_ready
    with django_capture_on_commit_callbacks(execute=True):
        outcome = renditions.refresh(photo)

    after = {(r.spec, r.format): r.file.name for r in photo.renditions.all()}
    crops = {key for key in before if not key[0].startswith("original")}
    assert outcome.made == len(crops) and outcome.kept == len(before) - len(crops)
    assert all(after[key] != before[key] for key in crops)
    assert all(after[key] == before[key] for key in before.keys() - crops)
    files = stored_names()
    assert not {before[key] for key in crops} & files, "old crop files are deleted"
    assert set(after.values()) <= files
    assert not RetiredFile.objects.exists()
    assert photo.renditions_ready


def test_files_a_live_publication_shows_stay_until_the_issue_is_published_again(
    django_capture_on_commit_callbacks,
):
    photo = photo_from(jpeg((1200, 800)))
    PhotoCreditFactory(photo=photo)
    article = ArticleFactory()
    BlockFactory(article=article, kind=Block.Kind.PHOTO, text="", photo=photo)
    with django_capture_on_commit_callbacks(execute=True):
        renditions.refresh(photo)
        published(article.issue)
    old_crop = photo.renditions.get(spec="16x9-960", format="jpeg").file.name

    photo.focal_x = 0.1
    photo.save()
    with django_capture_on_commit_callbacks(execute=True):
        renditions.refresh(photo)

    # Readers still get the publication that links the old crop: it stays.
    assert old_crop in stored_names()
    assert RetiredFile.objects.filter(name=old_crop).exists()
    assert renditions.waiting_for_republish(photo)

    with django_capture_on_commit_callbacks(execute=True):
        published(article.issue)

    assert old_crop not in stored_names()
    assert not RetiredFile.objects.exists()
    assert not renditions.waiting_for_republish(photo)


@pytest.mark.storage
def test_a_failure_while_saving_rows_leaves_the_old_renditions_and_no_new_files(monkeypatch):
    photo = photo_from(jpeg((1200, 800)))
    renditions.refresh(photo)
    rows_before = set(photo.renditions.values_list("pk", "file"))
    files_before = stored_names()

    def broken(*args, **kwargs):
        raise RuntimeError("数据库出错")

    monkeypatch.setattr(Rendition.objects, "bulk_create", broken)
    with pytest.raises(RuntimeError):
        renditions.refresh(photo, force=True)

    assert set(photo.renditions.values_list("pk", "file")) == rows_before
    assert stored_names() == files_before


@pytest.mark.storage
def test_a_photo_changed_meanwhile_keeps_no_files_from_the_stale_run():
    photo = photo_from(jpeg((800, 600)))
    files_before = stored_names()
    Photo.objects.filter(pk=photo.pk).update(focal_x=0.2)  # another editor's save

    with pytest.raises(renditions.PhotoChanged):
        renditions.refresh(photo)

    assert stored_names() == files_before
    assert not Rendition.objects.exists()


def test_renditions_go_through_the_storage_api_only(settings):
    # No local paths anywhere: what works here works on S3-compatible storage.
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    photo = photo_from(jpeg((1000, 700)))

    renditions.refresh(photo)

    assert not isinstance(default_storage, FileSystemStorage)
    assert photo.renditions.count() == 10 * len(FORMATS)
    assert all(default_storage.exists(r.file.name) for r in photo.renditions.all())


# --- Delivery: the API lists renditions from the publication --------------------------------


def api_photos(client, slug: str) -> list[dict]:
    return public_photos(client.get(reverse("v1:issue-detail", kwargs={"slug": slug})).json())


def test_the_api_lists_webp_and_jpeg_renditions_for_every_demo_photo(client, settings):
    call_command("load_demo", verbosity=0)

    photos = api_photos(client, "wo-men-zhe-shi-nian")

    assert len(photos) == 6
    for photo in photos:
        assert photo["focal_point"] == {"x": 0.5, "y": 0.5}
        listed = photo["renditions"]
        assert {r["format"] for r in listed} == set(FORMATS)
        assert {r["ratio"] for r in listed} == {"original", *RATIOS}
        for rendition in listed:
            assert rendition["url"].startswith(settings.SITE_URL + settings.MEDIA_URL + "renditions/")
            assert set(rendition) == {"url", "width", "height", "format", "ratio"}
        # Ready for srcset: per ratio and format, narrow to wide.
        groups = {}
        for r in listed:
            groups.setdefault((r["ratio"], r["format"]), []).append(r["width"])
        assert all(widths == sorted(widths) for widths in groups.values())
        assert groups["original", "webp"] == [480, 960, 1600]
        assert list(dict.fromkeys(r["format"] for r in listed)) == FORMATS
        name = listed[0]["url"].split(settings.MEDIA_URL, 1)[1]
        assert Path(settings.MEDIA_ROOT, name).is_file()


def test_reading_the_api_never_touches_image_files(client, monkeypatch):
    call_command("load_demo", verbosity=0)

    def no_files(*args, **kwargs):
        raise AssertionError("an API read touched the storage")

    for method in ("open", "exists", "size", "save", "delete", "listdir"):
        monkeypatch.setattr(FileSystemStorage, method, no_files)
    photos = api_photos(client, "wo-men-zhe-shi-nian")
    assert all(photo["renditions"] for photo in photos)


def test_publishing_renders_rendition_rows_without_opening_any_file(monkeypatch):
    photo = photo_from(jpeg((1000, 700)))
    PhotoCreditFactory(photo=photo)
    renditions.refresh(photo)
    article = ArticleFactory()
    BlockFactory(article=article, kind=Block.Kind.PHOTO, text="", photo=photo)

    def no_files(*args, **kwargs):
        raise AssertionError("publishing touched the storage")

    monkeypatch.setattr(FileSystemStorage, "open", no_files)
    monkeypatch.setattr(FileSystemStorage, "size", no_files)
    publication = publish_issue(article.issue)

    body = json.loads(publication.body)
    delivered = body["parts"][0]["article"]["body"][0]["photo"]
    assert len(delivered["renditions"]) == 10 * len(FORMATS)


def test_a_photo_without_renditions_is_delivered_with_none_and_named_by_the_publish_check():
    photo = PhotoFactory(renditions=False)
    PhotoCreditFactory(photo=photo)
    article = ArticleFactory()
    BlockFactory(article=article, kind=Block.Kind.PHOTO, text="", photo=photo)

    delivered = render_issue(article.issue_id, (ArticleStatus.APPROVED,)).articles[article.pk]

    assert delivered["body"][0]["photo"]["renditions"] == []
    pending = [p for p in issue_problems(article.issue) if p.code == "photo_renditions_pending"]
    assert [p.message for p in pending] == [
        f"图片“{photo}”的衍生图（各尺寸与裁切）尚未生成完成，请稍候或在图片页查看原因。"
    ]
    renditions.refresh(photo)
    assert not [p for p in issue_problems(article.issue) if p.code == "photo_renditions_pending"]


def issue_with_photo_blocks(article_count: int):
    issue = IssueFactory()
    for n in range(article_count):
        article = ArticleFactory(issue=issue, position=n + 1)
        photo = PhotoFactory(renditions=False)
        for width in (480, 960):
            for spec_format in ("webp", "jpeg"):
                Rendition.objects.create(
                    photo=photo,
                    spec=f"original-{width}",
                    ratio="original",
                    format=spec_format,
                    width=width,
                    height=width // 2,
                    file=f"renditions/x{n}/original-{width}.{spec_format}",
                    source_key="k",
                )
        BlockFactory(article=article, kind=Block.Kind.PHOTO, text="", photo=photo)
    return issue


def test_rendering_renditions_runs_the_same_queries_whatever_the_issue_size():
    small, large = issue_with_photo_blocks(1), issue_with_photo_blocks(10)

    with CaptureQueriesContext(connection) as small_queries:
        render_issue(small.pk, (ArticleStatus.APPROVED,))
    with CaptureQueriesContext(connection) as large_queries:
        rendering = render_issue(large.pk, (ArticleStatus.APPROVED,))

    assert len(small_queries) == len(large_queries)
    photos = [a["body"][0]["photo"] for a in rendering.articles.values()]
    assert all(len(p["renditions"]) == 4 for p in photos)
    assert [r["format"] for r in photos[0]["renditions"]] == ["webp", "webp", "jpeg", "jpeg"]


@pytest.mark.parametrize("media_url", ["/media/", "https://img.news.example.cn/photos/"])
def test_delivered_renditions_are_what_the_rendition_serializer_makes(settings, media_url):
    """Rendering writes RenditionSerializer's output out over plain rows: it must stay what
    that serializer (and the OpenAPI document) says, link for link."""
    settings.MEDIA_URL = media_url
    issue = issue_with_photo_blocks(2)
    Rendition.objects.filter(ratio="original", width=480).update(file="renditions/x/中文 名.webp")

    rendering = render_issue(issue.pk, (ArticleStatus.APPROVED,))

    context = {"base_url": settings.SITE_URL}
    for article in rendering.articles.values():
        delivered = article["body"][0]["photo"]
        rows = sorted(
            Photo.objects.get(pk=delivered["id"]).renditions.all(),
            key=specs.delivery_order(),
        )
        assert delivered["renditions"] == RenditionSerializer(rows, many=True, context=context).data


@pytest.mark.parametrize(
    "base", ["http://127.0.0.1:8000", "https://api.example.cn/newsroom", "https://a.cn:8443/p/"]
)
@pytest.mark.parametrize(
    "path",
    [
        "/media/renditions/a/16x9-960.avif",
        "/media/%E4%B8%AD.jpg",
        "/media/./x",
        "/media/../x",
        "/a/..",
        "/m?x=1",
        "/m#f",
        "/m;p",
        "media/x",
        "https://cdn.example.cn/x",
        "//cdn.example.cn/x",
        "/",
    ],
)
def test_absolute_links_are_urljoins(base, path):
    assert absolute_url({"base_url": base}, path) == urljoin(base + "/", path)


@pytest.mark.parametrize("media_url", ["/media/", "https://img.news.example.cn/photos/", "/m"])
@pytest.mark.parametrize(
    "name",
    [
        "renditions/ab12/16x9-960.avif",
        "/renditions/x.jpg",
        "中文 名(1).jpg",
        "a/./b.jpg",
        "a/../b",
        "a:b?c#d;e",
    ],
)
def test_file_links_are_the_storages_own(settings, media_url, name):
    settings.MEDIA_URL = media_url
    storage = FileSystemStorage()
    assert stored_file_urls(storage)(name) == storage.url(name)


# --- Operations: the command, the demo ------------------------------------------------------


def run(*args) -> str:
    out = io.StringIO()
    call_command("make_renditions", *args, stdout=out)
    return out.getvalue()


def test_make_renditions_builds_the_missing_ones_and_rebuilds_on_request():
    ready, missing = photo_from(jpeg((800, 600))), photo_from(jpeg((800, 600)))
    renditions.refresh(ready)
    ready_files = set(ready.renditions.values_list("file", flat=True))

    out = run("--missing")

    assert f"1/1 图片 {missing.pk}" in out and "完成：1 张图片" in out
    missing.refresh_from_db()
    assert missing.renditions_ready and missing.renditions.count() == 10 * len(FORMATS) - 2 * len(FORMATS)
    assert set(ready.renditions.values_list("file", flat=True)) == ready_files
    assert "都已是最新" in run("--missing")

    out = run("--photo", str(ready.pk))
    assert f"1/1 图片 {ready.pk}" in out
    assert not set(ready.renditions.values_list("file", flat=True)) & ready_files


def test_make_renditions_refuses_an_unknown_photo():
    with pytest.raises(CommandError, match="没有这些图片"):
        run("--photo", "4242")


def test_load_demo_gives_every_demo_photo_its_renditions():
    call_command("load_demo", verbosity=0)

    photos = list(Photo.objects.all())
    assert len(photos) == 6
    assert all(p.renditions_ready and p.renditions.count() == 10 * len(FORMATS) for p in photos)


def test_demo_reset_deletes_the_old_photos_rendition_files(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", verbosity=0)
    old = set(Rendition.objects.values_list("file", flat=True))

    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", "--reset", verbosity=0)

    assert not old & stored_names()
    assert set(Rendition.objects.values_list("file", flat=True)) <= stored_names()


# --- Object storage by configuration ---------------------------------------------------------


def settings_in_subprocess(**env) -> subprocess.CompletedProcess:
    code = (
        "import django, json; django.setup();"
        "from django.conf import settings; from django.core.files.storage import storages; default_storage = storages['default'];"
        "print(json.dumps([type(default_storage).__module__ + '.' + type(default_storage).__name__,"
        " default_storage.url('renditions/abc/16x9-960-1a2b3c4d.webp')]))"
    )
    return subprocess.run(  # noqa: S603 (our own interpreter, fixed arguments)
        [sys.executable, "-c", code],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "newsroom.settings", "SECRET_KEY": "x" * 50, **env},
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parents[2],
    )


def test_s3_compatible_storage_is_chosen_by_environment_with_permanent_public_urls(tmp_path):
    result = settings_in_subprocess(
        VAR_DIR=str(tmp_path),
        STORAGE_BACKEND="s3",
        AWS_STORAGE_BUCKET_NAME="newsroom-photos",
        AWS_S3_ENDPOINT_URL="https://oss-cn-hangzhou.aliyuncs.com",
        AWS_S3_CUSTOM_DOMAIN="img.news.example.cn",
    )

    assert result.returncode == 0, result.stderr
    backend, url = json.loads(result.stdout)
    assert backend == "storages.backends.s3.S3Storage"
    # No signature that expires: publications keep these URLs for good.
    assert url == "https://img.news.example.cn/renditions/abc/16x9-960-1a2b3c4d.webp"


def test_oss_and_cos_buckets_are_addressed_by_host_as_they_require(tmp_path):
    result = settings_in_subprocess(
        VAR_DIR=str(tmp_path),
        STORAGE_BACKEND="s3",
        AWS_STORAGE_BUCKET_NAME="newsroom-photos",
        AWS_S3_ENDPOINT_URL="https://oss-cn-hangzhou.aliyuncs.com",
        AWS_S3_ADDRESSING_STYLE="virtual",
    )

    assert result.returncode == 0, result.stderr
    _, url = json.loads(result.stdout)
    # Not https://oss-cn-hangzhou.aliyuncs.com/newsroom-photos/…, which OSS refuses.
    assert url == "https://newsroom-photos.oss-cn-hangzhou.aliyuncs.com/renditions/abc/16x9-960-1a2b3c4d.webp"


def test_an_unknown_storage_backend_is_a_configuration_error(tmp_path):
    result = settings_in_subprocess(VAR_DIR=str(tmp_path), STORAGE_BACKEND="ftp")

    assert result.returncode != 0
    assert "STORAGE_BACKEND must be 'filesystem' or 's3'" in result.stderr


# --- The admin: made after the editor's save commits; the focal point set by a click -------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_admin_upload_gets_its_renditions_once_the_save_commits(editor):
    # Real commits: the renditions job is queued by the save and runs once it commits (inline
    # in tests; on the worker in production, tests/jobs/ has that run).
    browser = logged_in(editor)
    url = reverse("admin:media_photo_add")
    data = form_data(browser.get(url))
    data.update(caption="村口的老樟树", alt_text="老樟树")
    data["image"] = SimpleUploadedFile("IMG_0001.jpg", jpeg((1200, 800)), content_type="image/jpeg")

    response = browser.post(url, data, follow=True)

    assert response.status_code == 200, errors(response)
    photo = Photo.objects.get()
    assert photo.renditions_ready and photo.renditions.count() == 10 * len(FORMATS)
    assert "衍生图（各尺寸与 16:9、4:3、1:1 裁切）正在后台生成" in response.content.decode()
    job = Job.objects.get()
    assert (job.kind, job.state, job.started_by, job.target_id) == (
        "renditions",
        "done",
        editor,
        str(photo.pk),
    )
    assert job.result == {"made": 10 * len(FORMATS), "kept": 0, "dropped": 0}
    assert (job.done, job.total) == (10 * len(FORMATS), 10 * len(FORMATS))


def test_a_click_moves_the_focal_point_and_the_save_remakes_the_crops(
    editor, django_capture_on_commit_callbacks
):
    photo = photo_from(jpeg(image=with_dot((1200, 800), (0.9, 0.2))))
    renditions.refresh(photo)
    old = {(r.spec, r.format): r.file.name for r in photo.renditions.all()}
    browser = logged_in(editor)
    url = reverse("admin:media_photo_change", args=[photo.pk])
    change_page = browser.get(url)
    picker = page(change_page).select_one(".focal-picker")
    # The picker shows the 960-px JPEG rendition, not the (possibly 40 MB) original.
    assert (
        picker.select_one("img")["src"] == photo.renditions.get(spec="original-960", format="jpeg").file.url
    )
    assert picker["data-focal-x"] == "id_focal_x" and picker["data-ratios"] == "16:9,4:3,1:1"
    assert "media/focal_point.js" in change_page.content.decode()

    data = form_data(change_page)
    data.update(focal_x="0.9", focal_y="0.2")  # what the script writes on a click
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(url, data, follow=True)

    assert response.status_code == 200, errors(response)
    photo.refresh_from_db()
    assert photo.focal_point == (0.9, 0.2) and photo.renditions_ready
    new = {(r.spec, r.format): r.file.name for r in photo.renditions.all()}
    assert all(new[k] != old[k] for k in old if not k[0].startswith("original"))
    assert all(new[k] == old[k] for k in old if k[0].startswith("original"))
    # The square now keeps the right-hand part of the picture (x 400–1200), dot included.
    square = opened(photo.renditions.get(spec="1x1-480", format="jpeg")).convert("RGB")
    left, top, right, bottom = red_area(square)
    assert 380 < (left + right) / 2 < 440 and 80 < (top + bottom) / 2 < 110


def test_a_focal_point_outside_the_picture_is_refused(editor):
    photo = photo_from(jpeg((600, 400)))
    browser = logged_in(editor)
    url = reverse("admin:media_photo_change", args=[photo.pk])
    data = form_data(browser.get(url))
    data["focal_x"] = "1.5"

    response = browser.post(url, data)

    assert response.status_code == 200
    assert errors(response) == [FOCAL_OUTSIDE]
    photo.refresh_from_db()
    assert photo.focal_x == 0.5


def test_load_demo_on_an_older_database_gives_the_demo_photos_their_renditions():
    call_command("load_demo", verbosity=0)
    Rendition.objects.all().delete()  # as before renditions existed
    Photo.objects.update(renditions_key="")

    call_command("load_demo", verbosity=0)

    assert all(p.renditions_ready and p.renditions.count() == 10 * len(FORMATS) for p in Photo.objects.all())
