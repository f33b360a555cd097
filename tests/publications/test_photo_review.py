"""Review sees every change to a photo readers would get: 有未发布的修改 of every issue and
article that uses the photo names the file, alt text, caption, credits, focal point and
renditions, field by field."""

import pytest
from django.core.files.base import ContentFile

from articles.models import Block
from articles.publications.checks import article_pending_changes, pending_changes
from articles.publications.publishing import publish_issue
from media.credits import CreditRole
from media.models import Photo
from media.renditions import services as renditions
from tests.factories import ArticleFactory, BlockFactory, IssueFactory, IssuePhotoFactory, PhotoCreditFactory
from tests.imaging import jpeg, with_dot

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared_photo(settings):
    """One photo, published in an article of one issue and as a page photo of another."""
    settings.PHOTO_RENDITION_SPECS = (("original", (480,)), ("16:9", (480,)), ("1:1", (480,)))
    settings.PHOTO_RENDITION_FORMATS = ("jpeg",)  # fewer files: the review reads rows, not pixels
    photo = Photo(
        caption="村口的老樟树", alt_text="一棵老樟树", image=ContentFile(jpeg((900, 600)), name="a.jpg")
    )
    photo.save()
    PhotoCreditFactory(photo=photo, contributor__name="吕之暹")
    renditions.refresh(photo)
    article = ArticleFactory()
    BlockFactory(article=article, kind=Block.Kind.PHOTO, text="", photo=photo)
    page_issue = IssueFactory()
    ArticleFactory(issue=page_issue)
    IssuePhotoFactory(issue=page_issue, photo=photo, position=5)
    publish_issue(article.issue)
    publish_issue(page_issue)
    article.refresh_from_db()
    return photo, article, page_issue


def everywhere(article, page_issue) -> list[list[str]]:
    """The pending changes the article page, its issue page and the other issue page show."""
    return [article_pending_changes(article), pending_changes(article.issue), pending_changes(page_issue)]


def test_nothing_changed_shows_nothing(shared_photo):
    _, article, page_issue = shared_photo

    assert everywhere(article, page_issue) == [[], [], []]


def test_a_changed_alt_text_shows_wherever_the_photo_is_used(shared_photo):
    photo, article, page_issue = shared_photo
    Photo.objects.filter(pk=photo.pk).update(alt_text="一棵三百年的老樟树")

    for lines in everywhere(article, page_issue):
        assert any(f"图片 #{photo.pk} 替代文字：一棵老樟树 → 一棵三百年的老樟树" in line for line in lines), (
            lines
        )


def test_a_replaced_file_shows_as_a_new_picture(shared_photo):
    photo, article, page_issue = shared_photo
    photo.image = ContentFile(jpeg((900, 600), (20, 90, 200)), name="b.jpg")
    photo.save()
    renditions.refresh(photo)

    for lines in everywhere(article, page_issue):
        assert any(f"图片 #{photo.pk} 换了图片文件" in line for line in lines), lines


def test_a_replaced_file_shows_before_its_renditions_are_made(shared_photo):
    photo, article, page_issue = shared_photo
    photo.image = ContentFile(jpeg((1200, 900), (20, 90, 200)), name="b.jpg")
    photo.save()  # renditions not made yet

    for lines in everywhere(article, page_issue):
        assert any(f"图片 #{photo.pk} 换了图片文件" in line for line in lines), lines
        assert any(f"图片 #{photo.pk} 尺寸：900×600 → 1200×900" in line for line in lines), lines


def test_a_photo_that_lost_its_renditions_says_readers_would_get_no_picture(shared_photo):
    photo, article, page_issue = shared_photo
    photo.renditions.all().delete()

    for lines in everywhere(article, page_issue):
        assert any(
            f"图片 #{photo.pk} 衍生图：" in line and line.endswith("→ 尚未生成（读者看不到这幅图片）")
            for line in lines
        ), lines
        assert not any(f"图片 #{photo.pk} 换了图片文件" in line for line in lines)


def test_a_moved_focal_point_shows_with_both_positions(shared_photo):
    photo, article, page_issue = shared_photo
    photo.focal_x, photo.focal_y = 0.9, 0.2
    photo.save()
    renditions.refresh(photo)

    for lines in everywhere(article, page_issue):
        assert any(f"图片 #{photo.pk} 焦点：(0.50, 0.50) → (0.90, 0.20)" in line for line in lines), lines
        # Nothing else about the photo is claimed to have changed.
        assert not any(f"图片 #{photo.pk} 换了图片文件" in line for line in lines)


def test_caption_and_credit_changes_are_named_field_by_field(shared_photo):
    photo, article, page_issue = shared_photo
    Photo.objects.filter(pk=photo.pk).update(caption="村口的老樟树，已有三百年")
    photo.credits.update(role=CreditRole.READER_PHOTOGRAPHER)

    for lines in everywhere(article, page_issue):
        assert any(
            f"图片 #{photo.pk} 图片说明：村口的老樟树 → 村口的老樟树，已有三百年" in line for line in lines
        ), lines
        assert any(f"图片 #{photo.pk} 署名：本报记者 吕之暹 摄 → " in line for line in lines), lines


def test_a_changed_rendition_set_shows(shared_photo, settings):
    photo, article, page_issue = shared_photo
    photo.renditions.filter(ratio="1:1").delete()

    for lines in everywhere(article, page_issue):
        assert any(f"图片 #{photo.pk} 衍生图：" in line and "1:1" in line for line in lines), lines


def test_an_unchanged_photo_beside_a_changed_one_is_not_mentioned(shared_photo):
    photo, article, page_issue = shared_photo
    other = Photo(
        caption="另一幅",
        alt_text="另一幅",
        image=ContentFile(jpeg(image=with_dot((600, 400), (0.5, 0.5))), name="c.jpg"),
    )
    other.save()
    PhotoCreditFactory(photo=other)
    renditions.refresh(other)
    BlockFactory(article=article, kind=Block.Kind.PHOTO, text="", photo=other, position=9)
    Photo.objects.filter(pk=photo.pk).update(alt_text="新的替代文字")

    lines = article_pending_changes(article)

    assert any(f"图片 #{photo.pk} 替代文字" in line for line in lines)
    assert not any(f"图片 #{other.pk} " in line for line in lines)
