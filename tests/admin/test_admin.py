"""The admin as editors use it: real admin views, driven as a logged-in editor.

The editor is staff but not a superuser, with add/change/delete/view on the content
apps only. Forms are posted back exactly as the page renders them (see admin_forms).
"""

import datetime as dt
import io
import os
import re
from collections import Counter
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from articles.models import Article, Block, Byline, Contributor, Issue, Timeline, TimelineItem
from articles.workflow import IssueStatus
from media.credits import CreditRole
from media.models import Photo
from media.validators import PLAIN_TEXT_ONLY
from tests.admin_forms import errors, extra_index, form_data, inline_index, page
from tests.conftest import logged_in
from tests.factories import (
    ArticleFactory,
    BlockFactory,
    BylineFactory,
    ContributorFactory,
    IssueFactory,
    IssuePhotoFactory,
    PhotoCreditFactory,
    PhotoFactory,
    SectionFactory,
    TimelineFactory,
    TimelineItemFactory,
    published,
)

pytestmark = pytest.mark.django_db

CONTENT_APPS = ("articles", "media")


@pytest.fixture
def editor_client(editor):
    """A browser logged in as the editor; the `client` fixture stays an anonymous reader."""
    browser = Client()
    browser.force_login(editor)
    return browser


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def api_issue(client, issue):
    return client.get(reverse("v1:issue-detail", kwargs={"slug": issue.slug}))


def article_order(client, issue) -> list[int]:
    response = api_issue(client, issue)
    assert response.status_code == 200
    return [part["article"]["id"] for part in response.json()["parts"] if part["type"] == "article"]


def save(editor_client, url, data):
    """Post a change form that must be accepted; show the page's errors if it is not."""
    response = editor_client.post(url, data)
    assert response.status_code == 302, errors(response)
    return response


def jpeg_bytes(width=64, height=48, noise=False) -> bytes:
    pixels = Image.frombytes("RGB", (width, height), os.urandom(width * height * 3)) if noise else None
    image = pixels or Image.new("RGB", (width, height), "red")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


# --- Language -------------------------------------------------------------------------


def test_admin_speaks_chinese_in_its_own_ui_and_in_the_content_labels(editor_client):
    article = ArticleFactory()
    BylineFactory(article=article)
    BlockFactory(article=article)
    SectionFactory(article=article)
    timeline = TimelineFactory(issue=article.issue)

    changelist = page(editor_client.get(admin_url(Issue, "changelist")))
    change_form = page(editor_client.get(admin_url(Article, "change", article.pk)))
    timeline_form = page(editor_client.get(admin_url(Timeline, "change", timeline.pk)))

    assert changelist.html["lang"] == "zh-hans"
    assert "选择 专题 来修改" in changelist.title.get_text()
    columns = [th.get_text(strip=True) for th in changelist.select("#result_list thead th")]
    assert {"专题名称", "刊发日期", "状态", "稿件数"} <= set(columns)
    # Publishing is the duty chief's: an editor is not even offered the action.
    assert changelist.find("option", value="publish_selected") is None

    labels = {
        label["for"]: label.get_text(strip=True)
        for label in change_form.find_all("label")
        if label.get("for")
    }
    assert labels["id_kicker"].startswith("引题")
    assert labels["id_headline"].startswith("主题")
    assert labels["id_subheadline"].startswith("副题")
    article_headings = [h2.get_text(strip=True) for h2 in change_form.select("h2.inline-heading")]
    assert "署名" in article_headings
    assert "正文块" in article_headings
    assert change_form.find("input", attrs={"name": "_save"})["value"] == "保存"
    assert change_form.find("input", attrs={"name": "_continue"})["value"] == "保存并继续编辑"

    timeline_headings = [h2.get_text(strip=True) for h2 in timeline_form.select("h2.inline-heading")]
    assert "大事记条目" in timeline_headings
    # Every inline heading is Chinese, with no English plural "s" tacked on.
    for heading in article_headings + timeline_headings:
        assert not re.search(r"[A-Za-z]", heading), heading


# --- Change forms ---------------------------------------------------------------------


def test_posting_an_article_form_back_unchanged_saves_nothing_new(editor_client):
    article = ArticleFactory()
    BylineFactory(article=article, position=1)
    section = SectionFactory(article=article)
    BlockFactory(article=article, position=1, text="导语。")
    BlockFactory(article=article, section=section, position=2, text="讲述。")
    url = admin_url(Article, "change", article.pk)

    save(editor_client, url, form_data(editor_client.get(url)))

    assert (Byline.objects.count(), Block.objects.count()) == (1, 2)
    assert list(article.blocks.values_list("position", "section", "text")) == [
        (1, None, "导语。"),
        (2, section.pk, "讲述。"),
    ]


def test_editor_can_change_a_bylines_role_and_contributor(editor_client):
    shen = ContributorFactory(name="沈吟")
    li = ContributorFactory(name="李华")
    article = ArticleFactory()
    byline = BylineFactory(article=article, contributor=shen, role=CreditRole.STAFF_REPORTER, position=1)
    BylineFactory(article=article, contributor=ContributorFactory(name="王芳"), role="", position=2)
    BlockFactory(article=article)
    url = admin_url(Article, "change", article.pk)
    data = form_data(editor_client.get(url))
    n = inline_index(data, "bylines", byline.pk)
    assert (data[f"bylines-{n}-contributor"], data[f"bylines-{n}-role"]) == (str(shen.pk), "staff_reporter")

    data[f"bylines-{n}-contributor"] = str(li.pk)
    data[f"bylines-{n}-role"] = CreditRole.CORRESPONDENT
    response = save(editor_client, url, data)

    assert response["Location"] == admin_url(Article, "changelist")
    byline.refresh_from_db()
    assert (byline.contributor, byline.role) == (li, CreditRole.CORRESPONDENT)
    assert Article.objects.get(pk=article.pk).byline_line == "通讯员 李华 王芳"


def test_chief_can_reorder_two_articles_of_a_published_issue(chief, client):
    # A published issue's reading order is the duty chief's (editors: until it is first
    # published, `may_change_issue`).
    chief_client = logged_in(chief)
    issue = IssueFactory()
    first = ArticleFactory(issue=issue, position=1, headline="第一篇")
    second = ArticleFactory(issue=issue, position=2, headline="第二篇")
    published(issue)
    assert article_order(client, issue) == [first.pk, second.pk]
    url = admin_url(Issue, "change", issue.pk)
    data = form_data(chief_client.get(url))
    a, b = inline_index(data, "articles", first.pk), inline_index(data, "articles", second.pk)

    data[f"articles-{a}-position"], data[f"articles-{b}-position"] = "2", "1"
    save(chief_client, url, data)

    # Readers keep the published order until the duty chief publishes the change.
    assert article_order(client, issue) == [first.pk, second.pk]
    published(issue)
    assert article_order(client, issue) == [second.pk, first.pk]


def test_editor_can_add_a_timeline_item(editor_client, client):
    issue = IssueFactory()
    timeline = TimelineFactory(issue=issue, position=1, title="大事记")
    TimelineItemFactory(timeline=timeline, position=1, date=dt.date(2012, 1, 1), text="第一件事。")
    url = admin_url(Timeline, "change", timeline.pk)
    data = form_data(editor_client.get(url))
    n = extra_index(data, "items")

    data |= {
        f"items-{n}-position": "2",
        f"items-{n}-date": "2015-03-05",
        f"items-{n}-date_precision": TimelineItem.Precision.DAY,
        f"items-{n}-text": "第二件事。",
    }
    save(editor_client, url, data)
    ArticleFactory(issue=issue, position=2)
    published(issue)

    items = api_issue(client, issue).json()["parts"][0]["timeline"]["items"]
    assert [(i["date"], i["label"], i["text"]) for i in items] == [
        ("2012", "2012年", "第一件事。"),
        ("2015-03-05", "2015年3月5日", "第二件事。"),
    ]


def add_block_between(data, outside_block):
    """A new paragraph, outside the testimony, between its two blocks."""
    n = extra_index(data, "blocks")
    data |= {
        f"blocks-{n}-position": "15",
        f"blocks-{n}-kind": "paragraph",
        f"blocks-{n}-text": "插进来的段落。",
    }


def move_block_between(data, outside_block):
    """An existing paragraph outside the testimony, moved between its two blocks."""
    data[f"blocks-{inline_index(data, 'blocks', outside_block.pk)}-position"] = "15"


@pytest.mark.parametrize("split", [add_block_between, move_block_between], ids=["new block", "moved block"])
def test_a_block_that_splits_a_testimony_is_refused_and_nothing_is_saved(editor_client, split):
    article = ArticleFactory(headline="原标题")
    section = SectionFactory(
        article=article, speaker_title="村党委书记", speaker_name="林国荣", headline="党建统领"
    )
    BlockFactory(article=article, section=section, position=10)
    BlockFactory(article=article, section=section, position=20)
    outside = BlockFactory(article=article, position=30, text="结尾。")
    before = list(Block.objects.order_by("pk").values_list("pk", "position", "section", "text"))
    url = admin_url(Article, "change", article.pk)
    data = form_data(editor_client.get(url))
    data["headline"] = "新标题"

    split(data, outside)
    response = editor_client.post(url, data)

    assert response.status_code == 200
    assert errors(response) == [
        "讲述“村党委书记林国荣：党建统领”的内容被其他正文块隔开了：同一段讲述的正文块须按顺序连在一起。"
    ]
    assert list(Block.objects.order_by("pk").values_list("pk", "position", "section", "text")) == before
    assert Article.objects.get(pk=article.pk).headline == "原标题"


def test_a_paragraph_containing_html_is_refused_and_nothing_changes(editor_client):
    article = ArticleFactory(headline="原标题")
    block = BlockFactory(article=article, text="原来的正文。")
    url = admin_url(Article, "change", article.pk)
    data = form_data(editor_client.get(url))
    data["headline"] = "新标题"

    data[f"blocks-{inline_index(data, 'blocks', block.pk)}-text"] = "<script>alert(1)</script>正文"
    response = editor_client.post(url, data)

    assert response.status_code == 200
    assert errors(response) == [PLAIN_TEXT_ONLY]
    assert b"<script>alert(1)</script>" not in response.content
    block.refresh_from_db()
    assert block.text == "原来的正文。"
    assert Article.objects.get(pk=article.pk).headline == "原标题"


# --- Photos ---------------------------------------------------------------------------


def not_an_image() -> bytes:
    return "这不是图片，只是一段文字。".encode() * 20


def truncated_jpeg() -> bytes:
    # A photo cut off mid-transfer: the header (format, size) is intact, the pixels are not.
    data = jpeg_bytes(400, 300, noise=True)
    return data[: len(data) // 2]


@pytest.mark.parametrize("content", [not_an_image, truncated_jpeg], ids=["not an image", "truncated JPEG"])
def test_a_broken_image_upload_is_refused_and_nothing_is_stored(editor_client, settings, content):
    url = admin_url(Photo, "add")
    data = form_data(editor_client.get(url))
    data["caption"] = "坏图"
    data["image"] = SimpleUploadedFile("IMG_0001.jpg", content(), content_type="image/jpeg")

    response = editor_client.post(url, data)

    assert response.status_code == 200
    assert not Photo.objects.exists()
    assert stored_files(settings) == []
    assert errors(response) == ["无法识别的图片文件，文件可能已损坏或并非图片。"]


def test_a_real_jpeg_upload_is_stored_with_its_size_and_credit(editor_client, settings):
    shen = ContributorFactory(name="沈吟")
    url = admin_url(Photo, "add")
    data = form_data(editor_client.get(url))
    data["caption"] = "村口的老樟树"
    data["image"] = SimpleUploadedFile("IMG_0001.jpg", jpeg_bytes(64, 48), content_type="image/jpeg")
    n = extra_index(data, "credits")
    data[f"credits-{n}-contributor"] = str(shen.pk)
    data[f"credits-{n}-role"] = CreditRole.STAFF_REPORTER

    save(editor_client, url, data)

    photo = Photo.objects.get()
    assert (photo.width, photo.height) == (64, 48)
    assert photo.credit_line == "本报记者 沈吟 摄"
    path = Path(photo.image.path)
    assert path.is_relative_to(settings.MEDIA_ROOT)
    assert stored_files(settings) == [path]
    assert path.name != "IMG_0001.jpg"
    assert photo.image.name.startswith("photos/")


# --- Slugs, links, autocomplete, actions ----------------------------------------------


def test_an_issue_added_with_an_empty_slug_gets_a_pinyin_slug(editor_client):
    url = admin_url(Issue, "add")
    data = form_data(editor_client.get(url))
    assert data["slug"] == ""
    data |= {"title": "我们这十年", "issue_date": "2022-10-01"}

    save(editor_client, url, data)

    issue = Issue.objects.get(title="我们这十年")
    assert issue.slug == "wo-men-zhe-shi-nian"
    assert issue.status == IssueStatus.DRAFT


def test_issue_form_links_to_the_api_when_published_and_notes_a_draft(editor_client, client):
    live = IssueFactory(slug="wo-men-zhe-shi-nian")
    ArticleFactory(issue=live)
    published(live)
    draft = IssueFactory(slug="cao-gao")
    api_url = reverse("v1:issue-detail", kwargs={"slug": live.slug})

    published_form = page(editor_client.get(admin_url(Issue, "change", live.pk)))
    draft_form = page(editor_client.get(admin_url(Issue, "change", draft.pk)))

    link = published_form.select_one(".field-api_link a")
    assert link["href"] == api_url == "/api/v1/issues/wo-men-zhe-shi-nian/"
    assert client.get(link["href"]).status_code == 200
    draft_field = draft_form.select_one(".field-api_link")
    assert draft_field.find("a") is None
    assert "草稿：发布后读者才能通过 API 看到" in draft_field.get_text()


# Unordered autocomplete results page inconsistently and list in no useful order.
@pytest.mark.filterwarnings("error::django.core.paginator.UnorderedObjectListWarning")
def test_contributor_autocomplete_finds_contributors_by_name_in_name_order(editor_client):
    shen = ContributorFactory(name="沈吟")
    shen_too = ContributorFactory(name="沈吟", disambiguation="本报杭州记者站")
    ContributorFactory(name="李华")

    response = editor_client.get(
        "/admin/autocomplete/",
        {"app_label": "articles", "model_name": "byline", "field_name": "contributor", "term": "沈"},
    )

    assert response.status_code == 200
    assert response.json()["results"] == [
        {"id": str(shen.pk), "text": "沈吟"},
        {"id": str(shen_too.pk), "text": "沈吟（本报杭州记者站）"},
    ]


@pytest.mark.filterwarnings("error::django.core.paginator.UnorderedObjectListWarning")
def test_issue_autocomplete_lists_the_newest_issue_first(editor_client):
    older = IssueFactory(title="专题甲", issue_date=dt.date(2021, 1, 1))
    newer = IssueFactory(title="专题乙", issue_date=dt.date(2022, 1, 1))

    response = editor_client.get(
        "/admin/autocomplete/",
        {"app_label": "articles", "model_name": "article", "field_name": "issue", "term": "专题"},
    )

    assert response.status_code == 200
    assert [item["id"] for item in response.json()["results"]] == [str(newer.pk), str(older.pk)]


def test_publish_action_makes_a_draft_issue_visible_in_the_api(chief, client):
    chief_client = logged_in(chief)
    issue = IssueFactory()
    article = ArticleFactory(issue=issue)
    assert api_issue(client, issue).status_code == 404
    url = admin_url(Issue, "changelist")
    data = form_data(chief_client.get(url), submit=None)

    data |= {"action": "publish_selected", "_selected_action": [str(issue.pk)], "index": "0"}
    response = chief_client.post(url, data, follow=True)

    assert "已发布 1 个专题。" in [str(message) for message in response.context["messages"]]
    assert article_order(client, issue) == [article.pk]


# --- Query counts ---------------------------------------------------------------------


def _shape(sql: str) -> str:
    """The query with its values left out, so that one query run N times counts N times."""
    sql = re.sub(r"\b\d+\b", "?", sql)
    sql = re.sub(r"IN \((?:\?, )*\?\)", "IN (…)", sql)
    return re.sub(r"\((\S+ = \?)(?: OR \1)+\)", r"\1", sql)


def count_queries(client, url) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return [query["sql"] for query in queries.captured_queries]


def assert_same_queries(small: list[str], large: list[str]) -> None:
    """Equal counts; on failure, name the queries that grew with the data."""
    grown = Counter(map(_shape, large)) - Counter(map(_shape, small))
    assert len(large) == len(small), f"{len(small)} → {len(large)} queries; repeated: " + "\n".join(
        f"{times}× {sql}" for sql, times in grown.items()
    )


def build_issues(n):
    for _ in range(n):
        issue = IssueFactory()
        for article in ArticleFactory.create_batch(2, issue=issue):
            BylineFactory(article=article)


def build_articles(n):
    issue = IssueFactory()
    for _ in range(n):
        article = ArticleFactory(issue=issue)
        BylineFactory(article=article, position=1)
        BylineFactory(article=article, position=2, role=CreditRole.CORRESPONDENT)


def build_contributors(n):
    for _ in range(n):
        contributor = ContributorFactory()
        BylineFactory(contributor=contributor)
        PhotoCreditFactory(contributor=contributor)


def build_photos(n):
    for _ in range(n):
        photo = PhotoFactory()
        PhotoCreditFactory(photo=photo, position=1)
        PhotoCreditFactory(photo=photo, position=2, role=CreditRole.READER_PHOTOGRAPHER)


def build_timelines(n):
    for _ in range(n):
        timeline = TimelineFactory()
        BylineFactory(article=None, timeline=timeline)
        TimelineItemFactory.create_batch(2, timeline=timeline)


@pytest.mark.parametrize(
    ("model", "build"),
    [
        (Issue, build_issues),
        (Article, build_articles),
        (Contributor, build_contributors),
        (Photo, build_photos),
        (Timeline, build_timelines),
    ],
    ids=["issue", "article", "contributor", "photo", "timeline"],
)
def test_change_lists_run_the_same_queries_for_2_and_12_rows(editor_client, model, build):
    url = admin_url(model, "changelist")
    build(2)
    count_queries(editor_client, url)  # warm-up: caches filled on first use are not the list's cost
    small = count_queries(editor_client, url)
    build(10)
    assert model.objects.count() >= 12

    large = count_queries(editor_client, url)

    assert_same_queries(small, large)


def article_with_body(block_count: int) -> Article:
    """An article with bylines, a testimony and a body of every kind; its second half is the testimony."""
    article = ArticleFactory()
    BylineFactory(article=article, position=1)
    BylineFactory(article=article, position=2, role=CreditRole.CORRESPONDENT)
    section = SectionFactory(article=article)
    kinds = [Block.Kind.PARAGRAPH, Block.Kind.PHOTO, Block.Kind.SUBHEADING, Block.Kind.VIDEO]
    for n in range(block_count):
        kind = kinds[n % len(kinds)]
        BlockFactory(
            article=article,
            position=n + 1,
            kind=kind,
            section=section if n >= block_count // 2 else None,
            text="" if kind == Block.Kind.PHOTO else f"第{n}段。",
            photo=PhotoFactory() if kind == Block.Kind.PHOTO else None,
            url="https://v.example.cn/1" if kind == Block.Kind.VIDEO else "",
        )
    return article


def test_article_change_form_queries_do_not_grow_with_the_body(editor_client):
    small, large = article_with_body(4), article_with_body(16)
    count_queries(editor_client, admin_url(Article, "change", small.pk))  # warm-up

    small_queries = count_queries(editor_client, admin_url(Article, "change", small.pk))
    large_queries = count_queries(editor_client, admin_url(Article, "change", large.pk))

    assert_same_queries(small_queries, large_queries)


def with_bylines(article_or_timeline, n):
    field = "article" if isinstance(article_or_timeline, Article) else "timeline"
    for position in range(n):
        BylineFactory(**{"article": None, field: article_or_timeline, "position": position})


def article_with_bylines(n):
    article = ArticleFactory()
    with_bylines(article, n)
    return article


def issue_with_parts(n):
    issue = IssueFactory()
    for position in range(n):
        ArticleFactory(issue=issue, position=position * 3)
        IssuePhotoFactory(issue=issue, position=position * 3 + 1)
        TimelineFactory(issue=issue, position=position * 3 + 2)
    return issue


def timeline_with_rows(n):
    timeline = TimelineFactory()
    with_bylines(timeline, n)
    TimelineItemFactory.create_batch(n, timeline=timeline)
    return timeline


def photo_with_credits(n):
    photo = PhotoFactory()
    for position in range(n):
        PhotoCreditFactory(photo=photo, position=position)
    return photo


@pytest.mark.parametrize(
    "build",
    [article_with_bylines, issue_with_parts, timeline_with_rows, photo_with_credits],
    ids=["article bylines", "issue parts", "timeline bylines and items", "photo credits"],
)
def test_change_forms_queries_do_not_grow_with_their_inline_rows(editor_client, build):
    small, large = build(1), build(8)
    small_url = admin_url(type(small), "change", small.pk)
    count_queries(editor_client, small_url)  # warm-up

    small_queries = count_queries(editor_client, small_url)
    large_queries = count_queries(editor_client, admin_url(type(large), "change", large.pk))

    assert_same_queries(small_queries, large_queries)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/admin/articles/issue/{issue}/change/publish/"),
        ("get", "/admin/articles/issue/abc/publish/"),
        ("post", "/admin/articles/issue/abc/withdraw/"),
        ("post", "/admin/articles/article/{article}x/transition/submit/"),
    ],
)
def test_a_malformed_id_in_a_workflow_page_path_is_not_found_not_a_server_error(chief, method, path):
    article = ArticleFactory()
    url = path.format(issue=article.issue_id, article=article.pk)
    before = (article.status, article.issue.status)

    response = getattr(logged_in(chief), method)(url)

    assert response.status_code == 404
    article.refresh_from_db()
    assert (article.status, article.issue.status) == before
