"""What an editor expects around the copy desk: reading order by drag and drop with no two
parts on one position, timeline dates typed as printed, search that finds body text,
and a "查看站点" link that leads somewhere."""

import datetime as dt

import pytest
from django.urls import reverse

from articles.demo.loader import load_issue, read_fixture
from articles.models import Article, Issue, Timeline, TimelineItem
from tests.admin_forms import errors, extra_index, form_data, inline_index, page
from tests.conftest import logged_in
from tests.factories import (
    ArticleFactory,
    IssueFactory,
    IssuePhotoFactory,
    TimelineFactory,
    TimelineItemFactory,
)

pytestmark = pytest.mark.django_db


def change_url(obj) -> str:
    return reverse(f"admin:articles_{obj._meta.model_name}_change", args=[obj.pk])


# --- Reading order ---------------------------------------------------------------------------


def issue_with_three_parts():
    issue = IssueFactory()
    article = ArticleFactory(issue=issue, position=1, headline="第一篇")
    photo = IssuePhotoFactory(issue=issue, position=2)
    timeline = TimelineFactory(issue=issue, position=3, title="大事记")
    return issue, article, photo, timeline


def test_the_issue_page_offers_drag_and_drop_order_for_all_its_parts(editor):
    issue, *_ = issue_with_three_parts()

    soup = page(logged_in(editor).get(change_url(issue)))

    scripts = [tag["src"] for tag in soup.find_all("script", src=True)]
    assert any(src.endswith("articles/copydesk/ordering.js") for src in scripts)
    # The script works on these inline groups and their 版序 fields.
    for prefix in ("articles", "issue_photos", "timelines"):
        assert soup.select_one(f"#{prefix}-group input[name='{prefix}-0-position']") is not None


def test_a_new_order_with_every_position_distinct_is_saved(editor):
    issue, article, photo, timeline = issue_with_three_parts()
    browser = logged_in(editor)
    data = form_data(browser.get(change_url(issue)))

    # What the drag and drop writes: 1, 2, 3 in the new order.
    data["timelines-0-position"], data["articles-0-position"], data["issue_photos-0-position"] = "1", "2", "3"
    response = browser.post(change_url(issue), data)

    assert response.status_code == 302, errors(response)
    assert [Timeline.objects.get().position, Article.objects.get().position] == [1, 2]
    photo.refresh_from_db()
    assert photo.position == 3


def test_two_parts_on_one_position_are_refused_and_nothing_moves(editor):
    issue, article, photo, timeline = issue_with_three_parts()
    browser = logged_in(editor)
    data = form_data(browser.get(change_url(issue)))

    data["timelines-0-position"] = "1"  # the article is at 1 already
    response = browser.post(change_url(issue), data)

    assert response.status_code == 200
    assert errors(response) == [
        "版序 1 与本页另一部分相同：同一专题中各部分的版序不能重复（可拖动“版面顺序”排序）。"
    ]
    timeline.refresh_from_db()
    assert timeline.position == 3


def test_an_old_tie_nobody_touches_does_not_block_an_unrelated_save(editor):
    issue = IssueFactory(title="原名")
    IssuePhotoFactory(issue=issue, position=0)
    TimelineFactory(issue=issue, position=0)
    browser = logged_in(editor)
    data = form_data(browser.get(change_url(issue)))

    data["title"] = "新名"
    assert browser.post(change_url(issue), data).status_code == 302
    assert Issue.objects.get(pk=issue.pk).title == "新名"


def moved(browser, part, position: str):
    """The part's own page posted back as shown, with another 版序."""
    data = form_data(browser.get(change_url(part)))
    data["position"] = position
    return browser.post(change_url(part), data)


def test_an_article_or_timeline_moved_on_its_own_page_onto_a_taken_position_is_refused(editor):
    issue, article, photo, timeline = issue_with_three_parts()
    browser = logged_in(editor)

    response = moved(browser, article, "3")
    assert response.status_code == 200
    assert errors(response) == [
        "版序 3 已被大事记“大事记”占用：同一专题中各部分的版序不能重复，请换一个数字，或在专题页拖动排序。"
    ]

    response = moved(browser, timeline, "1")
    assert response.status_code == 200
    assert errors(response) == [
        "版序 1 已被稿件《第一篇》占用：同一专题中各部分的版序不能重复，请换一个数字，或在专题页拖动排序。"
    ]
    assert (Article.objects.get().position, Timeline.objects.get().position) == (1, 3)


# --- Timeline dates as printed ------------------------------------------------------------


def post_a_new_item(editor, typed: str):
    """A new timeline's page posted back as shown, with one new item dated as `typed`."""
    timeline = TimelineFactory()
    browser = logged_in(editor)
    data = form_data(browser.get(change_url(timeline)))
    n = extra_index(data, "items")
    data |= {f"items-{n}-position": "1", f"items-{n}-date": typed, f"items-{n}-text": "一件大事。"}
    return browser.post(change_url(timeline), data)


@pytest.mark.parametrize(
    ("typed", "date", "precision", "label"),
    [
        ("2022年", dt.date(2022, 1, 1), "year", "2022年"),
        ("2022年10月", dt.date(2022, 10, 1), "month", "2022年10月"),
        ("2022年10月16日", dt.date(2022, 10, 16), "day", "2022年10月16日"),
        ("2022", dt.date(2022, 1, 1), "year", "2022年"),
        ("2022-10", dt.date(2022, 10, 1), "month", "2022年10月"),
    ],
)
def test_a_timeline_date_typed_as_printed_sets_date_and_precision(editor, typed, date, precision, label):
    response = post_a_new_item(editor, typed)

    assert response.status_code == 302, errors(response)
    item = TimelineItem.objects.get()
    assert (item.date, item.date_precision, item.date_label) == (date, precision, label)


def test_a_timeline_shows_dates_as_printed_and_saving_it_unchanged_changes_nothing(editor):
    timeline = TimelineFactory()
    item = TimelineItemFactory(
        timeline=timeline, position=1, date=dt.date(2012, 3, 1), date_precision="month"
    )
    browser = logged_in(editor)
    data = form_data(browser.get(change_url(timeline)))
    n = inline_index(data, "items", item.pk)

    assert data[f"items-{n}-date"] == "2012年3月"  # no fake 1 March shown
    assert browser.post(change_url(timeline), data).status_code == 302
    item.refresh_from_db()
    assert (item.date, item.date_precision) == (dt.date(2012, 3, 1), "month")


@pytest.mark.parametrize("typed", ["2022年13月", "去年", "2022-02-30"])
def test_a_date_that_is_no_date_is_refused_in_words(editor, typed):
    response = post_a_new_item(editor, typed)

    assert response.status_code == 200
    assert errors(response) == [
        "日期请按印刷写法填写，例如 2022年、2022年10月、2022年10月16日，或 2022、2022-10、2022-10-16。"
    ]
    assert not TimelineItem.objects.exists()


def test_timeline_items_may_not_share_a_position(editor):
    timeline = TimelineFactory()
    first = TimelineItemFactory(timeline=timeline, position=1)
    TimelineItemFactory(timeline=timeline, position=2)
    browser = logged_in(editor)
    data = form_data(browser.get(change_url(timeline)))

    data[f"items-{inline_index(data, 'items', first.pk)}-position"] = "2"
    response = browser.post(change_url(timeline), data)

    assert response.status_code == 200
    assert any("版序 2 与本页另一部分相同" in message for message in errors(response))


# --- Search and the site link -------------------------------------------------------------


def test_admin_search_finds_body_text(editor):
    demo = load_issue(read_fixture(), publish=False)
    browser = logged_in(editor)

    articles = page(browser.get(reverse("admin:articles_article_changelist"), {"q": "清泉村"}))
    issues = page(browser.get(reverse("admin:articles_issue_changelist"), {"q": "清泉村"}))
    speakers = page(browser.get(reverse("admin:articles_article_changelist"), {"q": "屈云龙"}))

    assert [a.get_text() for a in articles.select("#result_list tbody th a")] == ["山货触网 农户生活更红火"]
    assert [a.get_text() for a in issues.select("#result_list tbody th a")] == [demo.title]
    assert [a.get_text() for a in speakers.select("#result_list tbody th a")] == ["勇担使命，守好红色根脉"]


def test_the_view_site_link_leads_to_the_newest_issues_preview(editor):
    browser = logged_in(editor)
    link = page(browser.get(reverse("admin:index"))).find("a", string="查看站点")
    assert link["href"] == reverse("admin:articles_issue_newest")

    empty = browser.get(link["href"])
    assert empty.status_code == 302 and empty["Location"] == reverse("admin:articles_issue_changelist")

    IssueFactory(issue_date=dt.date(2021, 1, 1))
    newest = IssueFactory(issue_date=dt.date(2022, 6, 20))
    response = browser.get(link["href"])
    assert response["Location"] == reverse("admin:articles_issue_preview", args=[newest.pk])
    assert browser.get(response["Location"]).status_code == 200
