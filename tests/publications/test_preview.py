"""Preview (issue 6): the unpublished issue for editors in the admin, and for front-ends
through signed, expiring, revocable links in exactly the published JSON shape."""

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Block, PreviewLink
from articles.publications import preview
from articles.workflow import ArticleStatus
from media.credits import CreditAction
from tests import factories
from tests.conftest import logged_in

pytestmark = pytest.mark.django_db


def add_article(issue, position: int, **fields) -> Article:
    """An article with every body node: paragraph, subheading, testimony with a credited
    photo, video; bylined."""
    article = factories.ArticleFactory(
        issue=issue, position=position, kicker="引题", subheadline="副题", **fields
    )
    factories.BylineFactory(
        article=article, contributor=factories.ContributorFactory(name="沈吟"), position=1
    )
    factories.BlockFactory(article=article, position=1, text="导语。")
    factories.BlockFactory(article=article, position=2, kind=Block.Kind.SUBHEADING, text="小标题")
    section = factories.SectionFactory(
        article=article, speaker_name=f"林国荣{position}", speaker_title="村党委书记"
    )
    factories.BlockFactory(article=article, section=section, position=3, text="讲述第一段。")
    photo = factories.PhotoFactory(caption=f"村里的新路{position}")
    factories.PhotoCreditFactory(
        photo=photo, contributor=factories.ContributorFactory(name=f"摄影{position}")
    )
    factories.BlockFactory(
        article=article, section=section, position=4, kind=Block.Kind.PHOTO, text="", photo=photo
    )
    factories.BlockFactory(
        article=article, position=5, kind=Block.Kind.VIDEO, text="扫一扫 看视频", url="https://v.example.cn/1"
    )
    return article


def build_issue(article_count: int = 1):
    """An unpublished issue: articles, a page photo after each, a timeline at the end."""
    issue = factories.IssueFactory(title="我们这十年", subtitle="浙江基层党建纪事")
    for n in range(article_count):
        add_article(issue, position=n * 2 + 1)
        page_photo = factories.PhotoFactory(caption=f"专题大图{n}", credit_action=CreditAction.COURTESY)
        factories.PhotoCreditFactory(
            photo=page_photo,
            contributor=factories.ContributorFactory(name=f"某村{n}", kind="organisation"),
            role="",
        )
        factories.IssuePhotoFactory(issue=issue, photo=page_photo, position=n * 2 + 2)
    timeline = factories.TimelineFactory(issue=issue, position=article_count * 2 + 1, title="党建工作大事记")
    factories.BylineFactory(
        article=None, timeline=timeline, contributor=factories.ContributorFactory(name="沈吟")
    )
    factories.TimelineItemFactory(
        timeline=timeline, date=dt.date(2012, 1, 1), position=1, text="第一件大事。"
    )
    return issue


def new_token(issue, user) -> str:
    return preview.create_link(issue, user=user)[1]


def get_preview(client, token: str):
    return client.get(reverse("v1:preview", kwargs={"token": token}))


def key_paths(value, prefix: str = "") -> set[str]:
    """Every key path in `value`; list items are merged, typed ones by their `type`."""
    if isinstance(value, dict):
        paths = set()
        for key, item in value.items():
            paths |= {f"{prefix}.{key}"} | key_paths(item, f"{prefix}.{key}")
        return paths
    if isinstance(value, list):
        paths = set()
        for item in value:
            kind = item.get("type", "") if isinstance(item, dict) else ""
            paths |= key_paths(item, f"{prefix}[{kind}]")
        return paths
    return set()


def swap_char(text: str, index: int) -> str:
    replacement = "A" if text[index] != "A" else "B"
    return text[:index] + replacement + text[index + 1 :]


# The link and its JSON


def test_a_valid_link_returns_the_published_json_shape_with_unpublished_articles(client, editor):
    issue = build_issue()
    draft = add_article(issue, position=10, status=ArticleStatus.DRAFT, headline="尚未审核的稿件")

    response = get_preview(client, new_token(issue, editor))
    factories.published(issue, leave_out=[draft.pk])
    public = client.get(reverse("v1:issue-detail", kwargs={"slug": issue.slug}))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data, public_data = response.json(), public.json()
    assert key_paths(data) == key_paths(public_data)
    assert data.keys() == public_data.keys()
    assert {p["type"] for p in data["parts"]} == {"article", "photo", "timeline"}
    headlines = [p["article"]["headline"] for p in data["parts"] if p["type"] == "article"]
    public_headlines = [p["article"]["headline"] for p in public_data["parts"] if p["type"] == "article"]
    assert "尚未审核的稿件" in headlines
    assert "尚未审核的稿件" not in public_headlines


def test_the_preview_is_byte_for_byte_what_publishing_will_deliver(client, editor):
    issue = build_issue(article_count=2)
    token = new_token(issue, editor)
    before = get_preview(client, token).json()

    factories.published(issue)
    after = client.get(reverse("v1:issue-detail", kwargs={"slug": issue.slug})).json()

    assert before["published_at"] is None
    assert {**before, "published_at": after["published_at"]} == after


def test_preview_responses_are_never_cached_publicly_nor_indexed(client, editor):
    issue = build_issue()
    for response in (get_preview(client, new_token(issue, editor)), get_preview(client, "nonsense")):
        cache_control = response["Cache-Control"]
        assert "no-store" in cache_control
        assert "private" in cache_control
        assert "public" not in cache_control
        assert response["X-Robots-Tag"] == "noindex"


def test_withdrawn_articles_stay_out_of_the_preview(client, editor):
    issue = build_issue()
    add_article(issue, position=10, status=ArticleStatus.WITHDRAWN, headline="已撤下的稿件")

    data = get_preview(client, new_token(issue, editor)).json()

    assert "已撤下的稿件" not in [p["article"]["headline"] for p in data["parts"] if p["type"] == "article"]


def test_the_preview_url_is_absolute_on_the_site_url(editor):
    issue = build_issue()
    token = new_token(issue, editor)

    assert preview.preview_url(token) == settings.SITE_URL + f"/api/v1/preview/{token}/"


# Tampered, expired, revoked


@pytest.mark.parametrize("part", ["payload", "signature"])
def test_a_token_with_one_character_changed_gets_404(client, editor, part):
    issue = build_issue()
    token = new_token(issue, editor)
    payload, timestamp, signature = token.split(":")
    tampered = (
        f"{swap_char(payload, 2)}:{timestamp}:{signature}"
        if part == "payload"
        else f"{payload}:{timestamp}:{swap_char(signature, len(signature) - 3)}"
    )

    assert tampered != token
    assert preview.issue_for_token(tampered) is None
    assert get_preview(client, tampered).status_code == 404
    assert get_preview(client, token).status_code == 200


@pytest.mark.parametrize(
    "token", ["nonsense", "a:b:c", "::", "%E4%B8%AD", "x" * 500, "e30:1tq:abc", "中文预览"]
)
def test_a_garbage_token_gets_a_json_404(client, token):
    response = get_preview(client, token)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"


def test_a_token_signed_for_another_issue_gets_404(client, editor):
    """Only a leaked SECRET_KEY could make such a token; the row check still holds."""
    issue, other = build_issue(), factories.IssueFactory()
    link, _ = preview.create_link(issue, user=editor)
    forged = signing.dumps({"link": link.pk, "issue": other.pk}, salt=preview.SALT, compress=False)

    assert get_preview(client, forged).status_code == 404


def test_a_token_signed_with_another_salt_gets_404(client, editor):
    issue = build_issue()
    link, _ = preview.create_link(issue, user=editor)
    foreign = signing.dumps({"link": link.pk, "issue": issue.pk}, compress=False)

    assert get_preview(client, foreign).status_code == 404


def test_a_link_works_until_its_max_age_and_then_gets_404(client, editor, settings):
    settings.PREVIEW_LINK_MAX_AGE = 60 * 60
    issue = build_issue()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        link, token = preview.create_link(issue, user=editor)
    # The row alone would stay valid: it is the signature's age that runs out here.
    PreviewLink.objects.filter(pk=link.pk).update(expires_at=start + dt.timedelta(days=30))

    with time_machine.travel(start + dt.timedelta(minutes=59), tick=False):
        assert get_preview(client, token).status_code == 200
    with time_machine.travel(start + dt.timedelta(minutes=61), tick=False):
        assert preview.issue_for_token(token) is None
        assert get_preview(client, token).status_code == 404


def test_a_link_whose_row_has_expired_gets_404(client, editor):
    issue = build_issue()
    link, token = preview.create_link(issue, user=editor)
    assert link.expires_at == pytest.approx(
        link.created_at + dt.timedelta(seconds=settings.PREVIEW_LINK_MAX_AGE), abs=dt.timedelta(seconds=5)
    )

    PreviewLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))

    assert get_preview(client, token).status_code == 404


def test_a_revoked_link_gets_404_and_keeps_its_first_revocation_time(client, editor):
    issue = build_issue()
    link, token = preview.create_link(issue, user=editor)

    preview.revoke(link, user=editor)
    first = link.revoked_at
    preview.revoke(link, user=editor)

    assert get_preview(client, token).status_code == 404
    assert first is not None
    assert PreviewLink.objects.get(pk=link.pk).revoked_at == first


def test_a_deleted_link_gets_404(client, editor):
    issue = build_issue()
    link, token = preview.create_link(issue, user=editor)
    link.delete()

    assert get_preview(client, token).status_code == 404


# Who may make and revoke links


def test_a_reporter_may_not_create_a_link(reporter):
    issue = build_issue()

    with pytest.raises(PermissionDenied):
        preview.create_link(issue, user=reporter)

    assert not PreviewLink.objects.exists()


def test_an_editor_revokes_own_links_only_and_a_chief_any(editor, chief, django_user_model):
    issue = build_issue()
    other_editor = django_user_model.objects.create_user("editor2", is_staff=True)
    other_editor.groups.set(editor.groups.all())
    link, _ = preview.create_link(issue, user=other_editor)

    with pytest.raises(PermissionDenied):
        preview.revoke(link, user=editor)
    assert PreviewLink.objects.get(pk=link.pk).revoked_at is None

    preview.revoke(link, user=chief)
    assert PreviewLink.objects.get(pk=link.pk).revoked_at is not None


# The admin page


def preview_page_url(issue) -> str:
    return reverse("admin:articles_issue_preview", args=[issue.pk])


def test_the_admin_preview_shows_every_part_in_reading_order(editor):
    issue = build_issue()
    add_article(issue, position=10, status=ArticleStatus.DRAFT, headline="尚未审核的稿件")

    response = logged_in(editor).get(preview_page_url(issue))

    assert response.status_code == 200
    page = response.content.decode()
    page = page[page.index('<article class="preview-reader"') :]
    in_order = [
        "我们这十年",
        "浙江基层党建纪事",
        "稿件标题",  # the first article's headline
        "本报记者 沈吟",
        "小标题",
        "村党委书记 林国荣1",
        "村里的新路1",
        "摄影1",
        "扫一扫 看视频",
        "专题大图0",
        "某村0",
        "党建工作大事记",
        "2012年",
        "第一件大事。",
        "尚未审核的稿件",
    ]
    places = [page.find(text) for text in in_order]
    assert -1 not in places, dict(zip(in_order, places, strict=True))
    assert places == sorted(places)
    assert "status-approved" in page and "已审" in page
    assert "status-draft" in page and "草稿" in page


def test_the_admin_preview_of_a_published_issue_badges_published_articles(editor):
    issue = factories.published(build_issue())

    page = logged_in(editor).get(preview_page_url(issue)).content.decode()

    assert "status-published" in page


def test_the_admin_preview_needs_a_login(client):
    issue = build_issue()

    response = client.get(preview_page_url(issue))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_the_admin_preview_needs_view_permission_on_issues(django_user_model):
    issue = build_issue()
    clerk = django_user_model.objects.create_user("clerk", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_article"))

    assert logged_in(clerk).get(preview_page_url(issue)).status_code == 403


def test_a_reporter_sees_the_preview_but_may_not_create_a_link(reporter):
    issue = build_issue()
    browser = logged_in(reporter)

    page = browser.get(preview_page_url(issue))
    response = browser.post(reverse("admin:articles_issue_preview_link_create", args=[issue.pk]), follow=True)

    assert page.status_code == 200
    assert "生成预览链接" not in page.content.decode()
    assert response.status_code in (200, 403)
    assert "没有生成预览链接的权限" in response.content.decode() or response.status_code == 403
    assert not PreviewLink.objects.exists()


def test_an_editor_creates_a_link_sees_its_url_once_and_revokes_it(editor, client):
    issue = build_issue()
    browser = logged_in(editor)
    assert "生成预览链接" in browser.get(preview_page_url(issue)).content.decode()

    created = browser.post(reverse("admin:articles_issue_preview_link_create", args=[issue.pk]), follow=True)

    link = PreviewLink.objects.get()
    assert link.issue == issue and link.created_by == editor
    page = created.content.decode()
    start = page.index(settings.SITE_URL + "/api/v1/preview/")
    url = page[start : page.index('"', start)]
    token = url.removeprefix(settings.SITE_URL + "/api/v1/preview/").rstrip("/")
    assert get_preview(client, token).status_code == 200
    assert "作废" in page and "有效" in page
    assert url not in browser.get(preview_page_url(issue)).content.decode()  # shown once

    revoked = browser.post(
        reverse("admin:articles_issue_preview_link_revoke", args=[issue.pk, link.pk]), follow=True
    )

    assert "已作废" in revoked.content.decode()
    assert get_preview(client, token).status_code == 404


def test_link_actions_only_take_post(editor):
    issue = build_issue()
    link, _ = preview.create_link(issue, user=editor)
    browser = logged_in(editor)

    assert (
        browser.get(reverse("admin:articles_issue_preview_link_create", args=[issue.pk])).status_code == 405
    )
    revoke_url = reverse("admin:articles_issue_preview_link_revoke", args=[issue.pk, link.pk])
    assert browser.get(revoke_url).status_code == 405
    assert PreviewLink.objects.count() == 1
    assert PreviewLink.objects.get().revoked_at is None


def test_a_link_cannot_be_revoked_through_another_issue(editor):
    issue, other = build_issue(), factories.IssueFactory()
    link, _ = preview.create_link(issue, user=editor)

    response = logged_in(editor).post(
        reverse("admin:articles_issue_preview_link_revoke", args=[other.pk, link.pk])
    )

    assert response.status_code == 404
    assert PreviewLink.objects.get().revoked_at is None


def test_preview_link_field_points_at_the_preview_page():
    from django.contrib import admin

    from articles.models import Issue

    issue = build_issue()
    issue_admin = admin.site._registry[Issue]

    assert preview_page_url(issue) in str(issue_admin.preview_link(issue))
    assert "预览（读者看到的样子）" in str(issue_admin.preview_link(issue))


def count_page_queries(browser, issue) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = browser.get(preview_page_url(issue))
    assert response.status_code == 200
    return len(queries)


def test_the_admin_preview_runs_the_same_queries_for_1_and_6_articles(editor):
    small, large = build_issue(article_count=1), build_issue(article_count=6)
    for issue in (small, large):
        preview.create_link(issue, user=editor)
    browser = logged_in(editor)
    count_page_queries(browser, small)  # warm the session and permission caches

    assert count_page_queries(browser, small) == count_page_queries(browser, large)


def test_the_preview_endpoint_runs_the_same_queries_for_1_and_6_articles(client, editor):
    tokens = [new_token(build_issue(article_count=n), editor) for n in (1, 6)]

    counts = []
    for token in tokens:
        with CaptureQueriesContext(connection) as queries:
            assert get_preview(client, token).status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1]


def test_a_new_link_url_waits_for_its_own_issue_page(editor):
    issue, other = build_issue(), factories.IssueFactory()
    browser = logged_in(editor)
    browser.post(reverse("admin:articles_issue_preview_link_create", args=[issue.pk]))

    other_page = browser.get(preview_page_url(other)).content.decode()
    own_page = browser.get(preview_page_url(issue)).content.decode()

    assert "/api/v1/preview/" not in other_page
    assert "/api/v1/preview/" in own_page


def test_the_link_list_tells_live_expired_and_revoked_links_apart(editor):
    issue = build_issue()
    live, _ = preview.create_link(issue, user=editor)
    expired, _ = preview.create_link(issue, user=editor)
    revoked, _ = preview.create_link(issue, user=editor)
    PreviewLink.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    preview.revoke(revoked, user=editor)

    page = logged_in(editor).get(preview_page_url(issue)).content.decode()

    assert page.count('value="作废"') == 1
    assert reverse("admin:articles_issue_preview_link_revoke", args=[issue.pk, live.pk]) in page
    assert "已过期" in page and "已作废" in page
