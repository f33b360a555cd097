import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.models import Block
from articles.querysets import PublicationStatus
from media.credits import CreditAction, CreditRole

from .factories import (
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
)

pytestmark = pytest.mark.django_db


def build_issue(article_count: int, **issue_fields):
    """A published issue with every kind of part, `article_count` articles deep."""
    issue = IssueFactory(**issue_fields)
    reporter = ContributorFactory(name="沈吟")
    for n in range(article_count):
        article = ArticleFactory(issue=issue, position=n * 2 + 1)
        BylineFactory(article=article, contributor=reporter, position=1)
        BylineFactory(article=article, role=CreditRole.CORRESPONDENT, position=2)
        BlockFactory(article=article, position=1, text="导语。")
        section = SectionFactory(article=article)
        BlockFactory(article=article, section=section, position=2, text="讲述第一段。")
        photo = PhotoFactory()
        PhotoCreditFactory(photo=photo, position=1)
        PhotoCreditFactory(photo=photo, position=2, role=CreditRole.READER_PHOTOGRAPHER)
        BlockFactory(
            article=article, section=section, position=3, kind=Block.Kind.PHOTO, text="", photo=photo
        )
        BlockFactory(
            article=article,
            position=4,
            kind=Block.Kind.VIDEO,
            text="扫一扫 看视频",
            url="https://v.example.cn/1",
        )
        page_photo = PhotoFactory(credit_action=CreditAction.COURTESY)
        PhotoCreditFactory(
            photo=page_photo, contributor=ContributorFactory(name=f"某村{n}", kind="organisation"), role=""
        )
        IssuePhotoFactory(issue=issue, photo=page_photo, position=n * 2 + 2)
    timeline = TimelineFactory(issue=issue, position=article_count * 2 + 1, title="浙江党建工作大事记")
    BylineFactory(article=None, timeline=timeline, contributor=reporter)
    for year in (2012, 2013):
        TimelineItemFactory(timeline=timeline, date=dt.date(year, 1, 1), position=year)
    return issue


def get_issue(client, issue):
    return client.get(reverse("v1:issue-detail", kwargs={"slug": issue.slug}))


def test_issue_list_shows_only_published_issues_newest_first(client):
    older = IssueFactory(issue_date=dt.date(2022, 6, 1))
    newer = IssueFactory(issue_date=dt.date(2022, 7, 1))
    IssueFactory(draft=True, issue_date=dt.date(2022, 8, 1))
    IssueFactory(issue_date=dt.date(2022, 9, 1), published_at=timezone.now() + dt.timedelta(days=1))

    response = client.get(reverse("v1:issue-list"))

    assert response.status_code == 200
    assert [item["slug"] for item in response.json()["results"]] == [newer.slug, older.slug]


def test_issue_list_is_paginated(client):
    IssueFactory.create_batch(21)

    first = client.get(reverse("v1:issue-list")).json()
    second = client.get(first["next"]).json()

    assert first["count"] == 21
    assert len(first["results"]) == 20
    assert len(second["results"]) == 1


def test_issue_list_refuses_a_malformed_page_number(client):
    IssueFactory()

    response = client.get(reverse("v1:issue-list"), {"page": "abc"})

    assert response.status_code == 404
    assert "detail" in response.json()


def test_issue_detail_delivers_every_part_in_reading_order(client):
    issue = build_issue(2)

    data = get_issue(client, issue).json()

    assert [(p["type"], p["position"]) for p in data["parts"]] == [
        ("article", 1),
        ("photo", 2),
        ("article", 3),
        ("photo", 4),
        ("timeline", 5),
    ]
    article = data["parts"][0]["article"]
    assert [node["type"] for node in article["body"]] == ["paragraph", "testimony", "video"]
    testimony = article["body"][1]
    assert testimony["speaker_name"] == "林国荣"
    assert [node["type"] for node in testimony["body"]] == ["paragraph", "photo"]
    assert article["byline_line"].startswith("本报记者 沈吟 通讯员 ")
    assert article["bylines"][0] == {
        "name": "沈吟",
        "contributor_id": article["bylines"][0]["contributor_id"],
        "contributor_kind": "person",
        "role": "staff_reporter",
        "role_label": "本报记者",
        "organisation": "",
    }
    assert article["body"][2] == {"type": "video", "label": "扫一扫 看视频", "url": "https://v.example.cn/1"}


def test_issue_detail_photos_carry_caption_credit_size_and_absolute_url(client):
    issue = build_issue(1)

    data = get_issue(client, issue).json()

    photo = data["parts"][0]["article"]["body"][1]["body"][1]["photo"]
    assert photo["url"].startswith("http://testserver/uploads/photos/")
    assert (photo["width"], photo["height"]) == (64, 48)
    assert photo["caption"].startswith("图片说明")
    assert photo["credit"]["action"] == "photographed"
    assert photo["credit"]["line"].endswith(" 摄")
    assert [c["role"] for c in photo["credit"]["credits"]] == ["staff_reporter", "reader_photographer"]
    page_photo = data["parts"][1]["photo"]
    assert page_photo["credit"]["line"] == "某村0供图"
    assert page_photo["credit"]["credits"][0]["contributor_kind"] == "organisation"


def test_issue_detail_timeline_has_title_credit_and_dated_items(client):
    issue = build_issue(1)

    timeline = get_issue(client, issue).json()["parts"][-1]["timeline"]

    assert timeline["title"] == "浙江党建工作大事记"
    assert timeline["credit"]["line"] == "本报记者 沈吟 整理"
    assert [(i["date"], i["label"]) for i in timeline["items"]] == [("2012", "2012年"), ("2013", "2013年")]


@pytest.mark.parametrize(
    "issue_fields",
    [
        {"status": PublicationStatus.DRAFT, "published_at": None},
        {"published_at": dt.datetime(2099, 1, 1, tzinfo=dt.UTC)},
    ],
    ids=["draft", "scheduled"],
)
def test_unpublished_issue_and_its_articles_are_invisible(client, issue_fields):
    issue = build_issue(1, **issue_fields)
    article = issue.articles.get()

    assert get_issue(client, issue).status_code == 404
    assert client.get(reverse("v1:article-detail", kwargs={"pk": article.pk})).status_code == 404
    assert client.get(reverse("v1:issue-list")).json()["count"] == 0


def test_draft_article_is_left_out_of_a_published_issue(client):
    issue = build_issue(2)
    draft = ArticleFactory(issue=issue, position=2, status=PublicationStatus.DRAFT, headline="未完稿")

    data = get_issue(client, issue).json()

    assert "未完稿" not in str(data)
    assert [p["article"]["id"] for p in data["parts"] if p["type"] == "article"] != []
    assert client.get(reverse("v1:article-detail", kwargs={"pk": draft.pk})).status_code == 404


def test_article_detail_delivers_one_published_article_with_its_issue(client):
    issue = build_issue(1)
    article = issue.articles.get()

    data = client.get(reverse("v1:article-detail", kwargs={"pk": article.pk})).json()

    assert data["headline"] == article.headline
    assert data["issue"]["slug"] == issue.slug
    # 导语。(3) + 讲述第一段。(6) + the testimony headline 党建统领 (4)
    assert data["character_count"] == 13


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_issue_detail_runs_the_same_queries_whatever_the_issue_size(client, django_assert_num_queries):
    small, large = build_issue(1), build_issue(12)

    small_count = count_queries(client, reverse("v1:issue-detail", kwargs={"slug": small.slug}))
    large_count = count_queries(client, reverse("v1:issue-detail", kwargs={"slug": large.slug}))

    assert small_count == large_count
    with django_assert_num_queries(11):
        get_issue(client, large)


def test_article_detail_runs_a_constant_number_of_queries(client, django_assert_num_queries):
    small, large = build_issue(1), build_issue(1)
    article = large.articles.get()
    for n in range(30):
        BlockFactory(article=article, position=100 + n)
        BylineFactory(article=article, position=10 + n)

    small_count = count_queries(client, reverse("v1:article-detail", kwargs={"pk": small.articles.get().pk}))
    with django_assert_num_queries(small_count):
        client.get(reverse("v1:article-detail", kwargs={"pk": article.pk}))


def test_issue_list_runs_a_constant_number_of_queries(client, django_assert_num_queries):
    IssueFactory.create_batch(3)
    few = count_queries(client, reverse("v1:issue-list"))
    IssueFactory.create_batch(15)

    with django_assert_num_queries(few):
        client.get(reverse("v1:issue-list"))


def test_openapi_schema_and_docs_are_served(client):
    schema = client.get(reverse("schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    docs = client.get(reverse("api-docs"))

    assert schema.status_code == 200
    assert "/api/v1/issues/{slug}/" in schema.json()["paths"]
    assert docs.status_code == 200
    assert b"swagger" in docs.content.lower()
