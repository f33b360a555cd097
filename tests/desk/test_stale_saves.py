"""No lost update anywhere readers' content is edited: two browsers open the same page (or
two pages showing the same thing), the first saves, the second posts what it opened
before — and is refused, naming who saved and when, its input still on the page, nothing
changed. Timelines, photos, contributors, the reading order both ways, revision restore."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from articles.desk import revisions
from articles.models import Article, Contributor, Issue, Timeline, TimelineItem
from media.models import Photo, PhotoCredit
from tests.admin_forms import errors, form_data, inline_index, page
from tests.conftest import logged_in
from tests.factories import (
    ArticleFactory,
    BlockFactory,
    ContributorFactory,
    IssueFactory,
    PhotoCreditFactory,
    PhotoFactory,
    TimelineFactory,
    TimelineItemFactory,
)

pytestmark = pytest.mark.django_db


def change_url(model, pk) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[pk])


@pytest.fixture
def two(editor, chief):
    """Two desks: the chief (named 王主任) saves first, the editor second."""
    chief.first_name = "王主任"
    chief.save()
    return logged_in(chief), logged_in(editor)


def assert_refused_naming_the_first(response):
    assert response.status_code == 200
    message = " ".join(errors(response))
    assert "保存未成功" in message and "王主任" in message, message
    assert timezone.localtime().strftime("%Y-%m-%d") in message


def test_a_stale_timeline_page_does_not_write_back_items_it_never_touched(two):
    first, second = two
    timeline = TimelineFactory(title="大事记")
    item = TimelineItemFactory(timeline=timeline, position=1, date=dt.date(2012, 1, 1), text="原来的大事。")
    url = change_url(Timeline, timeline.pk)
    first_data, second_data = form_data(first.get(url)), form_data(second.get(url))

    n = inline_index(first_data, "items", item.pk)
    first_data[f"items-{n}-text"] = "王主任改过的大事。"
    assert first.post(url, first_data).status_code == 302

    second_data["title"] = "第二位编辑改的标题"  # the item row is as the page showed it
    response = second.post(url, second_data)

    assert_refused_naming_the_first(response)
    assert page(response).find("input", attrs={"name": "title"})["value"] == "第二位编辑改的标题"
    assert TimelineItem.objects.get(pk=item.pk).text == "王主任改过的大事。"
    assert Timeline.objects.get(pk=timeline.pk).title == "大事记"


@pytest.mark.parametrize("field", ["caption", "alt_text", "credit"])
def test_a_stale_photo_page_is_refused(two, field):
    first, second = two
    credit = PhotoCreditFactory(photo=PhotoFactory(caption="原说明", alt_text="原替代文字"))
    photo = credit.photo
    url = change_url(Photo, photo.pk)
    first_data, second_data = form_data(first.get(url)), form_data(second.get(url))

    first_data["caption"] = "王主任改的说明"
    assert first.post(url, first_data).status_code == 302

    other = ContributorFactory(name="另一位摄影")
    if field == "credit":
        n = inline_index(second_data, "credits", credit.pk)
        second_data[f"credits-{n}-contributor"] = str(other.pk)
    else:
        second_data[field] = "第二位编辑的文字"
    response = second.post(url, second_data)

    assert_refused_naming_the_first(response)
    photo.refresh_from_db()
    assert (photo.caption, photo.alt_text) == ("王主任改的说明", "原替代文字")
    assert PhotoCredit.objects.get(pk=credit.pk).contributor_id == credit.contributor_id
    if field != "credit":
        assert shown(response, field) == "第二位编辑的文字"  # the input is still on the page


def shown(response, name: str) -> str:
    """What the page's input or text area `name` holds."""
    element = page(response).find(attrs={"name": name})
    return element.get_text().strip() if element.name == "textarea" else element["value"]


def test_a_stale_contributor_page_is_refused(two):
    first, second = two
    contributor = ContributorFactory(name="沈吟")
    url = change_url(Contributor, contributor.pk)
    first_data, second_data = form_data(first.get(url)), form_data(second.get(url))
    first_data["disambiguation"] = "本报杭州记者站"
    assert first.post(url, first_data).status_code == 302

    second_data["name"] = "沈银"
    response = second.post(url, second_data)

    assert_refused_naming_the_first(response)
    assert page(response).find("input", attrs={"name": "name"})["value"] == "沈银"
    contributor.refresh_from_db()
    assert (contributor.name, contributor.disambiguation) == ("沈吟", "本报杭州记者站")


def test_a_position_saved_on_the_article_page_makes_the_open_issue_page_stale(two):
    first, second = two
    issue = IssueFactory()
    moved = ArticleFactory(issue=issue, position=1)
    other = ArticleFactory(issue=issue, position=2)
    issue_url, article_url = change_url(Issue, issue.pk), change_url(Article, moved.pk)
    issue_data = form_data(second.get(issue_url))  # opened before the article page saves

    article_data = form_data(first.get(article_url))
    article_data["position"] = "5"
    assert first.post(article_url, article_data).status_code == 302

    # The stale issue page still shows 版序 1 for it, and swaps the other one in front.
    issue_data[f"articles-{inline_index(issue_data, 'articles', other.pk)}-position"] = "0"
    response = second.post(issue_url, issue_data)

    assert_refused_naming_the_first(response)
    assert Article.objects.get(pk=moved.pk).position == 5
    assert Article.objects.get(pk=other.pk).position == 2


def test_a_position_saved_on_the_issue_page_makes_the_open_article_page_stale(two):
    first, second = two
    issue = IssueFactory()
    article = ArticleFactory(issue=issue, position=1, kicker="")
    BlockFactory(article=article)
    issue_url, article_url = change_url(Issue, issue.pk), change_url(Article, article.pk)
    article_data = form_data(second.get(article_url))  # opened before the issue page saves

    issue_data = form_data(first.get(issue_url))
    issue_data[f"articles-{inline_index(issue_data, 'articles', article.pk)}-position"] = "7"
    assert first.post(issue_url, issue_data).status_code == 302

    article_data["kicker"] = "第二位编辑加的引题"  # its 版序 field still says 1
    response = second.post(article_url, article_data)

    assert_refused_naming_the_first(response)
    article.refresh_from_db()
    assert (article.position, article.kicker) == (7, "")


def test_a_position_saved_on_the_issue_page_makes_the_open_timeline_page_stale(two):
    first, second = two
    issue = IssueFactory()
    timeline = TimelineFactory(issue=issue, position=3)
    issue_url, timeline_url = change_url(Issue, issue.pk), change_url(Timeline, timeline.pk)
    timeline_data = form_data(second.get(timeline_url))

    issue_data = form_data(first.get(issue_url))
    issue_data[f"timelines-{inline_index(issue_data, 'timelines', timeline.pk)}-position"] = "9"
    assert first.post(issue_url, issue_data).status_code == 302

    timeline_data["title"] = "新标题"
    assert_refused_naming_the_first(second.post(timeline_url, timeline_data))
    timeline.refresh_from_db()
    assert (timeline.position, timeline.title) == (9, "大事记")


def confirmation_data(response) -> dict:
    form = page(response).find("input", attrs={"name": "opened_version"})
    return {"comment": "", "opened_version": form["value"]}


def test_a_restore_confirmed_on_a_page_opened_before_a_colleagues_save_is_refused(two):
    first, second = two
    article = ArticleFactory(headline="第一版标题")
    BlockFactory(article=article, text="段落。")
    revisions.record_revision(article, None, "初稿")
    first_version = revisions.article_versions(article).get()
    restore_url = reverse("admin:articles_article_revision_restore", args=[article.pk, first_version.pk])
    url = change_url(Article, article.pk)
    data = form_data(first.get(url))
    data["headline"] = "第二版标题"
    assert first.post(url, data).status_code == 302

    confirm = second.get(restore_url)  # the editor looks at what a restore would do …
    data = form_data(first.get(url))
    data["headline"] = "王主任的第三版标题"  # … while the chief saves again
    assert first.post(url, data).status_code == 302

    response = second.post(restore_url, confirmation_data(confirm), follow=True)

    message = " ".join(str(m) for m in response.context["messages"])
    assert "保存未成功" in message and "王主任" in message, message
    assert Article.objects.get(pk=article.pk).headline == "王主任的第三版标题"
    assert revisions.revision_count(article) == 3  # no revision for the refused restore


def test_a_photo_restore_confirmed_after_a_colleagues_save_is_refused(two):
    first, second = two
    photo = PhotoFactory(caption="第一版说明")
    url = change_url(Photo, photo.pk)
    for caption in ("第二版说明", "第三版说明"):
        data = form_data(first.get(url))
        data["caption"] = caption
        assert first.post(url, data).status_code == 302
    listing = second.get(reverse("admin:media_photo_revisions", args=[photo.pk]))
    oldest = page(listing).select("form[action$='/restore/']")[-1]["action"]
    confirm = second.get(oldest)
    data = form_data(first.get(url))
    data["caption"] = "王主任的最新说明"
    assert first.post(url, data).status_code == 302

    response = second.post(oldest, confirmation_data(confirm), follow=True)

    message = " ".join(str(m) for m in response.context["messages"])
    assert "保存未成功" in message and "王主任" in message, message
    assert Photo.objects.get(pk=photo.pk).caption == "王主任的最新说明"


def test_a_restore_post_without_the_version_opened_is_refused(two):
    first, _ = two
    contributor = ContributorFactory(name="沈吟")
    url = change_url(Contributor, contributor.pk)
    for name in ("沈银", "沈音"):
        data = form_data(first.get(url))
        data["name"] = name
        assert first.post(url, data).status_code == 302
    version = Version.objects.get_for_object(contributor).order_by("pk").first()
    restore_url = reverse("admin:articles_contributor_revision_restore", args=[contributor.pk, version.pk])
    first.post(restore_url, {"comment": ""})
    assert Contributor.objects.get(pk=contributor.pk).name == "沈音"
