import datetime as dt

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.delivery.documents import ArticleDetailSerializer, IssueSerializer
from articles.delivery.reads import issue_for_rendering
from articles.delivery.rendering import render_issue, to_json
from articles.models import Block, Correction
from articles.workflow import ArticleStatus
from media.credits import CreditAction, CreditRole
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


def build_issue(article_count: int, *, publish: bool = True, at=None, **issue_fields):
    """An issue with every kind of part, `article_count` articles deep, published (visible
    from `at`, default now) unless `publish` is false."""
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
    return published(issue, at=at) if publish else issue


def published_issue(**fields):
    """A published issue with one article."""
    issue = IssueFactory(**fields)
    ArticleFactory(issue=issue)
    return published(issue)


def get_issue(client, issue):
    return client.get(reverse("v1:issue-detail", kwargs={"slug": issue.slug}))


def test_issue_list_shows_only_published_issues_newest_first(client):
    older = published_issue(issue_date=dt.date(2022, 6, 1))
    newer = published_issue(issue_date=dt.date(2022, 7, 1))
    ArticleFactory(issue=IssueFactory(issue_date=dt.date(2022, 8, 1)))  # a draft issue
    build_issue(1, issue_date=dt.date(2022, 9, 1), at=timezone.now() + dt.timedelta(days=1))

    response = client.get(reverse("v1:issue-list"))

    assert response.status_code == 200
    assert [item["slug"] for item in response.json()["results"]] == [newer.slug, older.slug]


def test_issue_list_is_paginated(client):
    for _ in range(21):
        published_issue()

    first = client.get(reverse("v1:issue-list")).json()
    second = client.get(first["next"]).json()

    assert first["count"] == 21
    assert len(first["results"]) == 20
    assert len(second["results"]) == 1


def test_issue_list_refuses_a_malformed_page_number(client):
    published_issue()

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


def test_issue_detail_photos_carry_caption_credit_size_and_absolute_url(client, settings):
    issue = build_issue(1)

    data = get_issue(client, issue).json()

    photo = data["parts"][0]["article"]["body"][1]["body"][1]["photo"]
    # Readers never get the original: the url is a cleaned rendition's (a photo whose
    # renditions are not made has none, tests/media/test_reader_files.py).
    assert photo["url"].startswith(f"{settings.SITE_URL}{settings.MEDIA_URL}renditions/")
    assert data["url"] == f"{settings.SITE_URL}/api/v1/issues/{issue.slug}/"
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
    "publishing",
    [{"publish": False}, {"at": dt.datetime(2099, 1, 1, tzinfo=dt.UTC)}],
    ids=["draft", "scheduled"],
)
def test_unpublished_issue_and_its_articles_are_invisible(client, publishing):
    issue = build_issue(1, **publishing)
    article = issue.articles.get()

    assert get_issue(client, issue).status_code == 404
    assert client.get(reverse("v1:article-detail", kwargs={"pk": article.pk})).status_code == 404
    assert client.get(reverse("v1:issue-list")).json()["count"] == 0


def test_draft_article_is_left_out_of_a_published_issue(client):
    issue = build_issue(2)
    draft = ArticleFactory(issue=issue, position=2, status=ArticleStatus.DRAFT, headline="未完稿")
    published(issue, leave_out=[draft.pk])

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


def test_public_reads_are_one_query_whatever_the_issue_size(client, django_assert_num_queries):
    small, large = build_issue(1), build_issue(12, publish=False)
    for n in range(30):
        BlockFactory(article=large.articles.first(), position=100 + n)
    published(large)

    for issue in (small, large):
        article_url = reverse("v1:article-detail", kwargs={"pk": issue.articles.first().pk})
        with django_assert_num_queries(1):
            assert get_issue(client, issue).status_code == 200
        with django_assert_num_queries(1):
            assert client.get(article_url).status_code == 200


def test_rendering_a_publication_runs_the_same_queries_whatever_the_issue_size():
    small, large = build_issue(1, publish=False), build_issue(12, publish=False)

    with CaptureQueriesContext(connection) as small_queries:
        render_issue(small.pk, (ArticleStatus.APPROVED,))
    with CaptureQueriesContext(connection) as large_queries:
        rendering = render_issue(large.pk, (ArticleStatus.APPROVED,))

    assert len(rendering.articles) == 12
    # Issue, articles, bylines, sections, corrections, blocks+photos, their credits, page
    # photos with theirs, timelines, timeline credits and items, every photo's renditions.
    assert len(small_queries) == len(large_queries) == 13


def test_each_article_body_is_what_the_article_serializer_makes():
    """render_issue takes article bodies from the issue's parts; they must stay what the
    article endpoint's serializer (and its OpenAPI document) describes, byte for byte."""
    issue = build_issue(3, publish=False)
    article = issue.articles.order_by("position").last()
    Correction.objects.create(article=article, text="更正：第二段的年份应为2013年。")

    rendering = render_issue(issue.pk, (ArticleStatus.APPROVED,))

    context = {"base_url": settings.SITE_URL}
    for delivered in issue_for_rendering(issue.pk, (ArticleStatus.APPROVED,)).delivered_articles:
        expected = ArticleDetailSerializer(delivered, context=context).data
        assert to_json(rendering.articles[delivered.pk]) == to_json(expected)
    assert rendering.articles[article.pk]["corrections"][0]["text"].startswith("更正")
    assert to_json(rendering.summary) == to_json(IssueSerializer(issue, context=context).data)


def test_publishing_runs_the_same_queries_whatever_the_issue_size():
    small, large = build_issue(1, publish=False), build_issue(12, publish=False)

    with CaptureQueriesContext(connection) as small_queries:
        published(small)
    with CaptureQueriesContext(connection) as large_queries:
        published(large)

    assert large.articles.filter(status=ArticleStatus.PUBLISHED).count() == 12
    assert large.articles.get(position=1).transitions.get().action == "publish"
    assert len(small_queries) == len(large_queries)


def test_issue_list_runs_a_constant_number_of_queries(client, django_assert_num_queries):
    for _ in range(3):
        published_issue()
    few = count_queries(client, reverse("v1:issue-list"))
    for _ in range(15):
        published_issue()

    with django_assert_num_queries(few):
        client.get(reverse("v1:issue-list"))
    assert few == 2


def test_openapi_schema_and_docs_are_served(client):
    schema = client.get(reverse("schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    docs = client.get(reverse("api-docs"))

    assert schema.status_code == 200
    assert "/api/v1/issues/{slug}/" in schema.json()["paths"]
    assert docs.status_code == 200
    assert b"swagger" in docs.content.lower()
