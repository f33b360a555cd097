"""What readers get of photos: cleaned files only, never the camera's original; files
stop being served once no publication readers can get links them; originals are for the
archive, the export and the staff."""

import hashlib
import io
import json
import zipfile

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404
from django.test import RequestFactory
from django.urls import reverse
from PIL import Image

from articles.delivery.rendering import render_issue
from articles.exchange.export import export_issue
from articles.exchange.snapshots import public_photos
from articles.models import Block
from articles.publications.checks import issue_problems
from articles.publications.publishing import publish_issue, withdraw_article, withdraw_issue
from articles.workflow import ArticleStatus
from media.models import Photo, Rendition
from media.renditions import services as renditions
from tests.factories import ArticleFactory, BlockFactory, CorrectionFactory, IssueFactory, PhotoCreditFactory
from tests.imaging import jpeg, private_exif
from tests.object_storage import stored_name

pytestmark = pytest.mark.django_db

SECRETS = (b"SN-0042-7731", b"Zhejiang Daily photo desk", "Lü Zhixian".encode())


def camera_photo(size=(1800, 1200)) -> tuple[Photo, bytes]:
    """A phone's JPEG: GPS position, camera owner and serial number in its EXIF."""
    data = jpeg(size, exif=private_exif())
    photo = Photo(
        caption="西湖边的晨练者", alt_text="湖边晨练的人们", image=ContentFile(data, name="IMG.jpg")
    )
    photo.save()
    PhotoCreditFactory(photo=photo)
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825), "the test file carries GPS"
    return photo, data


def article_with(*photos, issue=None):
    article = ArticleFactory(**({"issue": issue} if issue else {}))
    for n, photo in enumerate(photos):
        BlockFactory(article=article, kind=Block.Kind.PHOTO, text="", photo=photo, position=n + 1)
    return article


def public_json(client, issue) -> dict:
    response = client.get(reverse("v1:issue-detail", kwargs={"slug": issue.slug}))
    assert response.status_code == 200
    return response.json()


def read_stored(name: str) -> bytes:
    with default_storage.open(name, "rb") as file:
        return file.read()


@pytest.mark.storage
@pytest.mark.every_rendition  # the widest rendition of the site's catalogue
def test_the_public_photo_url_is_a_cleaned_file_without_gps_or_camera_exif(client):
    photo, original = camera_photo()
    renditions.refresh(photo)
    article = article_with(photo)
    publish_issue(article.issue)

    delivered = public_photos(public_json(client, article.issue))

    assert len(delivered) == 1
    url = delivered[0]["url"]
    name = stored_name(url)
    assert name != photo.image.name and name.startswith("renditions/")
    content = read_stored(name)
    assert content != original
    image = Image.open(io.BytesIO(content))
    assert image.format == "JPEG" and image.size == (1600, 1067)  # the widest of the whole frame
    exif = image.getexif()
    assert not exif.get_ifd(0x8825), "GPS"
    assert 0xA430 not in exif.get_ifd(0x8769) and 0x013B not in exif
    for secret in SECRETS:
        assert secret not in content
    # No link readers get points at an original.
    body = json.dumps(public_json(client, article.issue))
    assert photo.image.name not in body


def test_a_photo_without_renditions_is_delivered_without_any_url_never_the_original():
    photo, _ = camera_photo((600, 400))
    article = article_with(photo)

    delivered = render_issue(article.issue_id, (ArticleStatus.APPROVED,)).articles[article.pk]

    node = delivered["body"][0]["photo"]
    assert node["url"] is None and node["renditions"] == []
    assert photo.image.name not in json.dumps(delivered)
    codes = [p.code for p in issue_problems(article.issue)]
    assert "photo_renditions_pending" in codes  # and publishing is refused


@pytest.mark.storage
def test_the_export_package_still_carries_the_untouched_original():
    photo, original = camera_photo((900, 600))
    renditions.refresh(photo)
    article = article_with(photo)
    publish_issue(article.issue)
    out = io.BytesIO()

    export_issue(article.issue, out)

    package = zipfile.ZipFile(out)
    originals = [n for n in package.namelist() if n.startswith("media/") and n.count(".") == 1]
    assert [hashlib.sha256(package.read(n)).digest() for n in originals] == [
        hashlib.sha256(original).digest()
    ]


# --- Files stop being served once no publication readers can get links them -----------------


@pytest.mark.storage
def test_a_withdrawn_articles_photo_files_stop_being_served(client, django_capture_on_commit_callbacks):
    photo, _ = camera_photo((1200, 800))
    renditions.refresh(photo)
    kept_photo, _ = camera_photo((1200, 800))
    renditions.refresh(kept_photo)
    withdrawn = article_with(photo)
    staying = article_with(kept_photo, issue=withdrawn.issue)
    with django_capture_on_commit_callbacks(execute=True):
        publish_issue(withdrawn.issue)
    public = {p["id"]: p for p in public_photos(public_json(client, withdrawn.issue))}
    once_public = [stored_name(r["url"]) for r in public[photo.pk]["renditions"]]
    staying_files = [stored_name(r["url"]) for r in public[kept_photo.pk]["renditions"]]
    assert all(default_storage.exists(name) for name in once_public)

    withdrawn.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        withdraw_article(withdrawn, note="内容有误，撤稿")

    assert not any(default_storage.exists(name) for name in once_public)
    assert all(default_storage.exists(name) for name in staying_files), "the live article keeps its files"
    # The photo itself is kept, with fresh files nobody has seen, ready to be published again.
    photo.refresh_from_db()
    assert photo.renditions_ready
    fresh = list(photo.renditions.values_list("file", flat=True))
    assert fresh and not set(fresh) & set(once_public)
    assert all(default_storage.exists(name) for name in fresh)
    assert [p["article"]["id"] for p in public_json(client, withdrawn.issue)["parts"]] == [staying.pk]


@pytest.mark.storage
def test_a_photo_still_shown_by_another_live_issue_keeps_its_files(django_capture_on_commit_callbacks):
    photo, _ = camera_photo((1200, 800))
    renditions.refresh(photo)
    first, second = article_with(photo), article_with(photo, issue=IssueFactory())
    with django_capture_on_commit_callbacks(execute=True):
        publish_issue(first.issue)
        publish_issue(second.issue)
    files = set(Rendition.objects.filter(photo=photo).values_list("file", flat=True))

    with django_capture_on_commit_callbacks(execute=True):
        withdraw_issue(first.issue, note="撤回")

    assert all(default_storage.exists(name) for name in files)
    assert set(Rendition.objects.filter(photo=photo).values_list("file", flat=True)) == files

    with django_capture_on_commit_callbacks(execute=True):
        withdraw_issue(second.issue, note="撤回")

    assert not any(default_storage.exists(name) for name in files)
    photo.refresh_from_db()
    assert photo.renditions_ready


@pytest.mark.storage
def test_a_photo_taken_out_of_an_article_stops_being_served_after_the_republish(
    django_capture_on_commit_callbacks,
):
    photo, _ = camera_photo((1200, 800))
    renditions.refresh(photo)
    article = article_with(photo)
    with django_capture_on_commit_callbacks(execute=True):
        publish_issue(article.issue)
    files = set(Rendition.objects.filter(photo=photo).values_list("file", flat=True))

    Block.objects.filter(photo=photo).update(
        kind=Block.Kind.PARAGRAPH, photo=None, text="图片撤下，改为文字。"
    )
    CorrectionFactory(article=article, text="本文删去一幅图片。")
    with django_capture_on_commit_callbacks(execute=True):
        publish_issue(article.issue)

    assert not any(default_storage.exists(name) for name in files)


# --- Originals are never public ---------------------------------------------------------------


def media_request(path: str, user) -> object:
    from media.views import media_file

    request = RequestFactory().get("/uploads/" + path)
    request.user = user
    return media_file(request, path)


def test_originals_are_served_to_staff_only_and_renditions_to_everyone(editor):
    photo, original = camera_photo((900, 600))
    renditions.refresh(photo)
    rendition = photo.renditions.first().file.name

    with pytest.raises(Http404):
        media_request(photo.image.name, AnonymousUser())
    staff = media_request(photo.image.name, editor)
    assert b"".join(staff.streaming_content) == original
    public = media_request(rendition, AnonymousUser())
    assert public.status_code == 200
    # No way around the rule with dot segments.
    with pytest.raises(Http404):
        media_request("renditions/../" + photo.image.name, AnonymousUser())


@pytest.mark.parametrize("acl", ["public-read", "public-read-write"])
def test_a_public_bucket_acl_is_flagged_since_it_would_publish_every_original(settings, acl):
    from media.checks import check_public_originals

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {"default_acl": acl}},
    }
    assert [check.id for check in check_public_originals(None)] == ["media.E002"]

    settings.STORAGES["default"]["OPTIONS"]["default_acl"] = None
    assert check_public_originals(None) == []
