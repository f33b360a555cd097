"""Revisions (修订记录): every save keeps the article with its parts; the desk lists them,
compares any two in words and restores one — under the same workflow rules as an edit."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from reversion.models import Revision, Version

from articles.desk import revisions
from articles.desk.revisions import record_revision, saved_revision
from articles.models import Article, Block, Byline, Contributor, Section
from articles.workflow import ArticleStatus
from media.credits import CreditRole
from media.models import Photo
from tests.admin_forms import errors, form_data, inline_index, page
from tests.conftest import logged_in
from tests.factories import (
    ArticleFactory,
    BlockFactory,
    BylineFactory,
    ContributorFactory,
    PhotoCreditFactory,
    PhotoFactory,
    SectionFactory,
)

pytestmark = pytest.mark.django_db


def parts(article) -> dict:
    """Everything a restore must bring back, as plain values."""
    article = Article.objects.get(pk=article.pk)
    return {
        "fields": (article.kicker, article.headline, article.subheadline, article.kind, article.position),
        "blocks": list(
            Block.objects.filter(article=article)
            .order_by("position", "id")
            .values_list("pk", "position", "kind", "section_id", "text", "photo_id", "url")
        ),
        "sections": list(
            Section.objects.filter(article=article).values_list(
                "pk", "speaker_name", "speaker_title", "headline"
            )
        ),
        "bylines": list(
            Byline.objects.filter(article=article)
            .order_by("position", "id")
            .values_list("pk", "contributor_id", "role", "organisation", "position")
        ),
    }


def everything(article) -> dict:
    """`parts` plus the bookkeeping and the revision store, to prove nothing moved."""
    article = Article.objects.get(pk=article.pk)
    return {
        **parts(article),
        "bookkeeping": (article.status, article.version, article.updated_by_id, article.updated_at),
        "revisions": (Revision.objects.count(), Version.objects.count()),
    }


@pytest.fixture
def story(editor):
    """An article in its first revision: a lead, a testimony of two paragraphs, a photo, two
    bylines. Returns (article, first version)."""
    article = ArticleFactory(status=ArticleStatus.DRAFT, created_by=editor, headline="山海协作十年")
    section = SectionFactory(article=article, speaker_name="林国荣", headline="党建统领")
    photo = PhotoCreditFactory(photo=PhotoFactory(caption="小古城村的清晨"), contributor__name="周晨磊").photo
    BlockFactory(article=article, position=1, text="十年前，这里还是一片荒山。")
    BlockFactory(article=article, position=2, section=section, text="我们先修路。")
    BlockFactory(article=article, position=3, section=section, text="再办合作社。")
    BlockFactory(article=article, position=4, kind=Block.Kind.PHOTO, text="", photo=photo)
    BylineFactory(article=article, position=1, contributor__name="张三", role=CreditRole.STAFF_REPORTER)
    BylineFactory(article=article, position=2, contributor__name="李四", role=CreditRole.CORRESPONDENT)
    record_revision(article, editor, "初稿")
    return article, revisions.article_versions(article).get()


def rework(article, editor):
    """A second revision: a paragraph rewritten, the testimony and the photo dropped, a
    paragraph added; one byline credited to someone else, one byline added."""
    with saved_revision(editor, "改稿"):
        lead = article.blocks.get(position=1)
        lead.text = "十年前，这里是一片荒山，村里人走出去就不回来。"
        lead.save()
        article.sections.get().delete()  # takes its two paragraphs along
        article.blocks.get(kind=Block.Kind.PHOTO).delete()
        BlockFactory(article=article, position=5, text="如今，年轻人回来了。")
        first = article.bylines.get(position=1)
        first.contributor = ContributorFactory(name="王五")
        first.role = CreditRole.INTERN
        first.save()
        BylineFactory(article=article, position=3, contributor__name="赵六")
        article.headline = "山海协作这十年"
        article.save()
    return revisions.article_versions(article).order_by("-pk").first()


# Recording


def test_every_save_in_a_revision_keeps_the_article_with_its_parts(story, editor):
    article, first = story
    entry = revisions.revisions(article)[0]
    assert (entry.id, entry.number, entry.user, entry.comment) == (first.pk, 1, editor, "初稿")
    assert entry.date.tzinfo is not None
    kept = {version.content_type.model for version in first.revision.version_set.all()}
    assert kept == {"article", "section", "block", "byline"}


def test_a_part_saved_on_its_own_makes_a_revision_of_the_whole_article(story, editor):
    article, _ = story
    with saved_revision(editor, "只改一段"):
        block = article.blocks.get(position=1)
        block.text = "只改了这一段。"
        block.save()
    newest = revisions.revisions(article)[0]
    assert (newest.number, newest.comment) == (2, "只改一段")
    lines = revisions.revision_lines(revisions.find_version(article, newest.id))
    assert "段落：只改了这一段。" in lines
    assert "署名：本报记者 张三 通讯员 李四" in lines  # the untouched parts are in it too


def test_the_revision_list_is_newest_first_and_numbered_from_the_first(story, editor):
    article, _ = story
    rework(article, editor)
    listed = revisions.revisions(article)
    assert [(e.number, e.label, e.comment) for e in listed] == [(2, "第2版", "改稿"), (1, "第1版", "初稿")]


def test_the_revision_list_takes_a_constant_number_of_queries(editor):
    def article_with(count):
        article = ArticleFactory(created_by=editor)
        for n in range(count):
            with saved_revision(editor if n % 2 else None, f"第{n}次保存"):
                BlockFactory(article=article, text=f"第{n}段。")
        return article

    def queries(article):
        ContentType.objects.clear_cache()  # both counts include the content type lookup
        with CaptureQueriesContext(connection) as captured:
            listed = revisions.revisions(article)
            [(e.user, e.comment, e.date) for e in listed]
        assert len(listed) == revisions.revision_count(article)
        return len(captured)

    assert queries(article_with(2)) == queries(article_with(10)) <= 2


# Reading and comparing


def test_revision_lines_name_contributors_and_photo_captions(story):
    article, first = story
    lines = revisions.revision_lines(first)
    assert "主题：山海协作十年" in lines
    assert "署名：本报记者 张三 通讯员 李四" in lines
    assert "讲述：村党委书记林国荣：党建统领" in lines
    assert "　　段落：我们先修路。" in lines
    assert any(line.startswith("图片：小古城村的清晨（本报记者 周晨磊 摄）") for line in lines)


def test_revision_lines_change_nothing(story, editor):
    article, first = story
    rework(article, editor)
    before = everything(article)
    lines = revisions.revision_lines(first)
    assert "段落：十年前，这里还是一片荒山。" in lines  # what it was, not what it is
    assert everything(article) == before


def test_compare_names_the_changed_paragraph_in_deleted_and_added_lines(story, editor):
    article, first = story
    second = rework(article, editor)
    diff = revisions.compare(first, second)
    assert "删　段落：十年前，这里还是一片荒山。" in diff
    assert "增　段落：十年前，这里是一片荒山，村里人走出去就不回来。" in diff
    assert "删　主题：山海协作十年" in diff and "增　主题：山海协作这十年" in diff
    assert "删　署名：本报记者 张三 通讯员 李四" in diff
    assert "增　署名：实习生 王五 通讯员 李四 本报记者 赵六" in diff
    assert "增　段落：如今，年轻人回来了。" in diff
    assert "删　讲述：村党委书记林国荣：党建统领" in diff
    assert "删　　　段落：我们先修路。" in diff


# Restoring


def test_restore_brings_back_blocks_and_bylines_exactly(story, editor, chief):
    article, first = story
    at_first = parts(article)
    rework(article, editor)
    article.refresh_from_db()
    assert parts(article) != at_first
    version, status = article.version, article.status

    restored = revisions.restore(article, first.pk, user=chief, comment="改稿有误")

    assert parts(restored) == at_first  # text, order, section, photo, contributor, role, ids
    assert (restored.version, restored.status, restored.updated_by) == (version + 1, status, chief)
    newest = revisions.revisions(restored)[0]
    assert (newest.number, newest.user, newest.comment) == (3, chief, "恢复到第1版：改稿有误")
    restored_version = revisions.find_version(restored, newest.id)
    assert revisions.revision_lines(restored_version) == revisions.revision_lines(first)


def test_restore_keeps_the_status_of_a_published_article_and_a_chief_may_do_it(story, editor, chief):
    article, first = story
    rework(article, editor)
    Article.objects.filter(pk=article.pk).update(status=ArticleStatus.PUBLISHED)
    restored = revisions.restore(article, first.pk, user=chief)
    assert restored.status == ArticleStatus.PUBLISHED
    assert revisions.revisions(restored)[0].comment == "恢复到第1版"


def test_a_reporter_cannot_restore_a_published_article(reporter, editor):
    article = ArticleFactory(status=ArticleStatus.DRAFT, created_by=reporter)
    BlockFactory(article=article, text="初稿。")
    record_revision(article, reporter)
    first = revisions.article_versions(article).get()
    with saved_revision(editor, "编辑改稿"):
        BlockFactory(article=article, text="编辑加的一段。")
    Article.objects.filter(pk=article.pk).update(status=ArticleStatus.PUBLISHED)
    before = everything(article)
    with pytest.raises(PermissionDenied, match="不能恢复"):
        revisions.restore(article, first.pk, user=reporter)
    assert everything(article) == before


def test_a_reporter_restores_own_draft(reporter):
    article = ArticleFactory(status=ArticleStatus.DRAFT, created_by=reporter)
    BlockFactory(article=article, text="初稿。")
    record_revision(article, reporter)
    first = revisions.article_versions(article).get()
    with saved_revision(reporter, "再改"):
        BlockFactory(article=article, text="多写了一段。")
    restored = revisions.restore(article, first.pk, user=reporter)
    assert list(restored.blocks.values_list("text", flat=True)) == ["初稿。"]


def test_restore_refuses_another_articles_revision(story, editor):
    article, _ = story
    other = ArticleFactory()
    record_revision(other, editor)
    before = everything(article)
    with pytest.raises(ValidationError, match="找不到"):
        revisions.restore(article, revisions.article_versions(other).get().pk, user=editor)
    assert everything(article) == before


def test_restore_leaves_other_articles_saved_in_the_same_revision_alone(story, editor):
    article, _ = story
    neighbour = ArticleFactory(issue=article.issue, headline="邻稿")
    BlockFactory(article=neighbour, text="邻稿原文。")
    with saved_revision(editor, "专题一起保存"):
        article.save()
        neighbour.save()
    together = revisions.article_versions(article).order_by("-pk").first()
    neighbour.blocks.update(text="邻稿改过了。")
    with saved_revision(editor, "改稿"):
        BlockFactory(article=article, text="后加的一段。")
    revisions.restore(article, together.pk, user=editor)
    assert list(neighbour.blocks.values_list("text", flat=True)) == ["邻稿改过了。"]
    assert not article.blocks.filter(text="后加的一段。").exists()


def test_restore_refuses_in_words_when_a_photo_has_been_deleted_since(story, editor):
    article, first = story
    rework(article, editor)  # drops the photo block, so the photo may go
    Photo.objects.all().delete()
    before = everything(article)
    with pytest.raises(ValidationError, match="图片.*已从图库删除"):
        revisions.restore(article, first.pk, user=editor)
    assert everything(article) == before
    lines = revisions.revision_lines(first)  # still readable, with a note
    assert "段落：十年前，这里还是一片荒山。" in lines
    assert any("已从图库删除" in line for line in lines)


# The admin pages


def revisions_url(article) -> str:
    return reverse("admin:articles_article_revisions", args=[article.pk])


def confirm_version(response) -> str:
    return page(response).find("input", attrs={"name": "opened_version"})["value"]


def test_a_chief_lists_compares_and_restores_in_the_admin(story, editor, chief):
    article, first = story
    second = rework(article, editor)
    browser = logged_in(chief)

    listing = browser.get(revisions_url(article))
    assert listing.status_code == 200
    text = page(listing).get_text()
    assert "第1版" in text and "第2版" in text and "初稿" in text and "改稿" in text
    assert "editor" in text  # who saved
    assert len(page(listing).find_all("input", value="恢复此版本")) == 2

    compare_url = reverse("admin:articles_article_revision_compare", args=[article.pk])
    compared = browser.get(compare_url, {"from": first.pk, "to": second.pk})
    assert compared.status_code == 200
    deleted = [div.get_text() for div in page(compared).select(".revision-lines .revision-deleted")]
    inserted = [div.get_text() for div in page(compared).select(".revision-lines .revision-inserted")]
    assert "删　段落：十年前，这里还是一片荒山。" in deleted
    assert "增　段落：如今，年轻人回来了。" in inserted

    restore_url = reverse("admin:articles_article_revision_restore", args=[article.pk, first.pk])
    confirm = browser.get(restore_url)
    assert confirm.status_code == 200
    assert "确认恢复到第1版" in confirm.content.decode()
    assert "增　段落：十年前，这里还是一片荒山。" in confirm.content.decode()
    assert article.blocks.filter(text="如今，年轻人回来了。").exists()  # looking restores nothing

    # What the confirmation page posts: its comment box and the version it showed.
    done = browser.post(restore_url, {"comment": "", "opened_version": confirm_version(confirm)})
    assert done.status_code == 302
    assert done["Location"] == reverse("admin:articles_article_change", args=[article.pk])
    after = browser.get(revisions_url(article))
    assert "已恢复到第1版" in after.content.decode()
    assert revisions.revisions(article)[0].comment == "恢复到第1版"
    assert (
        list(article.blocks.order_by("position").values_list("text", flat=True))[0]
        == "十年前，这里还是一片荒山。"
    )


def test_the_compare_page_refuses_a_revision_of_another_article(story, editor, chief):
    article, first = story
    other = ArticleFactory()
    record_revision(other, editor)
    url = reverse("admin:articles_article_revision_compare", args=[article.pk])
    response = logged_in(chief).get(url, {"from": first.pk, "to": revisions.article_versions(other).get().pk})
    assert response.status_code == 302 and response["Location"] == revisions_url(article)


def test_a_reporter_sees_an_editors_article_revisions_without_a_restore_button(story, editor, reporter):
    article, first = story  # the editor's draft
    browser = logged_in(reporter)
    listing = browser.get(revisions_url(article))
    assert listing.status_code == 200
    assert "第1版" in listing.content.decode()
    assert "恢复此版本" not in listing.content.decode()
    before = everything(article)
    restore_url = reverse("admin:articles_article_revision_restore", args=[article.pk, first.pk])
    assert browser.post(restore_url).status_code == 403
    assert everything(article) == before


def test_restoring_needs_the_forms_csrf_token(story, chief):
    article, first = story
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(chief)
    before = everything(article)
    restore_url = reverse("admin:articles_article_revision_restore", args=[article.pk, first.pk])
    assert browser.post(restore_url).status_code == 403
    assert everything(article) == before


def test_revision_link_counts_the_revisions(story, editor):
    from django.contrib.admin.sites import site

    article, _ = story
    rework(article, editor)
    link = site._registry[Article].revision_link(article)
    assert "修订记录（2 版）" in link and revisions_url(article) in link


def test_restore_refuses_in_words_when_a_contributor_has_been_deleted_since(story, editor):
    article, first = story
    rework(article, editor)  # 张三's byline now credits 王五, so 张三 may go
    Contributor.objects.filter(name="张三").delete()
    before = everything(article)
    with pytest.raises(ValidationError, match="署名“本报记者 张三”的作者已被删除"):
        revisions.restore(article, first.pk, user=editor)
    assert everything(article) == before


def test_restore_turns_a_database_refusal_into_words_and_changes_nothing(story, editor, monkeypatch):
    article, first = story
    rework(article, editor)
    before = everything(article)

    def refuse(parts):
        raise IntegrityError("FOREIGN KEY constraint failed")

    monkeypatch.setattr(revisions, "_check_references", refuse)
    with pytest.raises(ValidationError, match="稿件未作任何改动"):
        revisions.restore(article, first.pk, user=editor)
    assert everything(article) == before


def test_a_save_through_the_admin_form_is_a_revision_that_can_be_restored(story, chief):
    article, first = story
    browser = logged_in(chief)
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = form_data(browser.get(url))
    lead = article.blocks.get(position=1)
    data[f"blocks-{inline_index(data, 'blocks', lead.pk)}-text"] = "在后台改过的导语。"
    byline = article.bylines.get(position=2)
    data[f"bylines-{inline_index(data, 'bylines', byline.pk)}-DELETE"] = "on"
    response = browser.post(url, data)
    assert response.status_code == 302, errors(response)

    newest = revisions.revisions(article)[0]
    assert (newest.number, newest.user) == (2, chief)
    diff = revisions.compare(first, revisions.find_version(article, newest.id))
    assert sorted(diff) == sorted(
        [
            "删　署名：本报记者 张三 通讯员 李四",
            "增　署名：本报记者 张三",
            "删　段落：十年前，这里还是一片荒山。",
            "增　段落：在后台改过的导语。",
        ]
    )
    restored = revisions.restore(article, first.pk, user=chief)
    assert restored.bylines.count() == 2
    assert restored.blocks.get(position=1).text == "十年前，这里还是一片荒山。"
