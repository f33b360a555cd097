"""The workflow as the desk meets it in the admin: buttons per role, refusals, stale saves,
publishing from the issue page, and what stays a record."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Block, Issue, Publication
from articles.workflow import ArticleStatus, IssueStatus
from tests.admin_forms import errors, form_data, inline_index, page
from tests.conftest import logged_in
from tests.factories import ArticleFactory, BlockFactory, BylineFactory, IssueFactory, published

pytestmark = pytest.mark.django_db


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def transition_url(article, name) -> str:
    return reverse("admin:articles_article_transition", args=[article.pk, name])


def buttons(browser, article) -> set[str]:
    form = page(browser.get(admin_url(Article, "change", article.pk)))
    return {
        b["name"].removeprefix("transition-") for b in form.select(".workflow-actions input[type=submit]")
    }


def api_headlines(client, issue) -> list[str]:
    data = client.get(reverse("v1:issue-detail", kwargs={"slug": issue.slug})).json()
    return [p["article"]["headline"] for p in data["parts"] if p["type"] == "article"]


# --- Roles in the admin -------------------------------------------------------------------


def test_each_role_sees_only_its_buttons(reporter, editor, chief):
    draft = ArticleFactory(status=ArticleStatus.DRAFT, created_by=reporter)
    in_review = ArticleFactory(status=ArticleStatus.IN_REVIEW, created_by=reporter)
    live = ArticleFactory()
    BlockFactory(article=live)
    published(live.issue)
    live.refresh_from_db()

    assert buttons(logged_in(reporter), draft) == {"submit"}
    assert buttons(logged_in(reporter), in_review) == set()
    assert buttons(logged_in(editor), in_review) == {"approve", "send_back"}
    assert buttons(logged_in(editor), live) == set()
    assert buttons(logged_in(chief), live) == {"withdraw"}


@pytest.mark.parametrize(
    ("role", "name", "start", "end"),
    [
        ("reporter", "submit", ArticleStatus.DRAFT, ArticleStatus.IN_REVIEW),
        ("reporter", "approve", ArticleStatus.IN_REVIEW, ArticleStatus.IN_REVIEW),
        ("editor", "approve", ArticleStatus.IN_REVIEW, ArticleStatus.APPROVED),
        ("editor", "send_back", ArticleStatus.IN_REVIEW, ArticleStatus.DRAFT),
        ("editor", "withdraw", ArticleStatus.PUBLISHED, ArticleStatus.PUBLISHED),
        ("chief", "withdraw", ArticleStatus.PUBLISHED, ArticleStatus.WITHDRAWN),
    ],
)
def test_transitions_through_the_admin_follow_the_role_table(role, name, start, end, request, reporter):
    user = request.getfixturevalue(role)
    article = ArticleFactory(created_by=reporter)
    BlockFactory(article=article)
    if start == ArticleStatus.PUBLISHED:
        published(article.issue)
    else:
        Article.objects.filter(pk=article.pk).update(status=start)

    response = logged_in(user).post(transition_url(article, name), {"note": "请核实数据"}, follow=True)

    article.refresh_from_db()
    assert article.status == end
    shown = [str(m) for m in response.context["messages"]]
    if start == end:
        assert any("没有" in m and "权限" in m for m in shown), shown
    else:
        assert any(article.get_status_display() in m for m in shown), shown


def test_a_transition_cannot_be_made_with_a_get():
    article = ArticleFactory()
    assert logged_in_superuser().get(transition_url(article, "submit")).status_code == 405


def logged_in_superuser():
    from django.contrib.auth import get_user_model

    return logged_in(get_user_model().objects.create_superuser("boss", password="x"))


def test_status_and_publication_time_are_not_form_fields(chief):
    issue = IssueFactory()
    article = ArticleFactory(issue=issue)
    browser = logged_in(chief)

    issue_form = form_data(browser.get(admin_url(Issue, "change", issue.pk)))
    article_form = form_data(browser.get(admin_url(Article, "change", article.pk)))

    assert not {"status", "published_at"} & set(issue_form)
    assert "status" not in article_form
    issue_form |= {"status": "published", "published_at_0": "2022-01-01", "published_at_1": "08:00"}
    assert browser.post(admin_url(Issue, "change", issue.pk), issue_form).status_code == 302
    issue.refresh_from_db()
    assert (issue.status, issue.published_at) == (IssueStatus.DRAFT, None)


def test_only_the_duty_chief_gets_the_publish_page_and_actions(editor, chief):
    issue = IssueFactory()
    ArticleFactory(issue=issue)
    publish_url = reverse("admin:articles_issue_publish", args=[issue.pk])

    assert logged_in(editor).get(publish_url).status_code == 403
    assert logged_in(editor).post(publish_url, {}).status_code == 403
    assert not Publication.objects.exists()
    changelist = page(logged_in(chief).get(admin_url(Issue, "changelist")))
    assert changelist.find("option", value="publish_selected") is not None
    assert logged_in(chief).get(publish_url).status_code == 200


def test_the_chief_publishes_with_an_embargo_and_leaves_a_draft_out(chief, client):
    issue = IssueFactory()
    ArticleFactory(issue=issue, headline="已审稿", position=1)
    draft = ArticleFactory(issue=issue, headline="未完稿", position=2, status=ArticleStatus.DRAFT)
    browser = logged_in(chief)
    publish_url = reverse("admin:articles_issue_publish", args=[issue.pk])
    lift = timezone.localtime() + dt.timedelta(hours=3)

    refused = browser.post(publish_url, {"visible_from": lift.strftime("%Y-%m-%dT%H:%M")})
    assert refused.status_code == 200
    assert any("未完稿" in e for e in errors(refused))
    assert not Publication.objects.exists()

    response = browser.post(
        publish_url, {"visible_from": lift.strftime("%Y-%m-%dT%H:%M"), "leave_out": [str(draft.pk)]}
    )

    assert response.status_code == 302
    publication = Publication.objects.get()
    assert publication.visible_from == lift.replace(second=0, microsecond=0)
    assert client.get(reverse("v1:issue-detail", kwargs={"slug": issue.slug})).status_code == 404
    issue_page = page(browser.get(admin_url(Issue, "change", issue.pk)))
    assert "定时发布" in issue_page.select_one(".field-state").get_text()
    assert "定时发布" in issue_page.select_one(".field-transition_log").get_text()


def test_withdrawing_from_the_issue_page(chief, client):
    issue = IssueFactory()
    ArticleFactory(issue=issue)
    published(issue)

    response = logged_in(chief).post(
        reverse("admin:articles_issue_withdraw", args=[issue.pk]), {"note": "撤"}
    )

    assert response.status_code == 302
    assert client.get(reverse("v1:issue-detail", kwargs={"slug": issue.slug})).status_code == 404
    issue.refresh_from_db()
    assert issue.status == IssueStatus.WITHDRAWN


def test_the_article_page_shows_unpublished_changes_and_asks_for_a_correction(chief, client):
    issue = IssueFactory()
    article = ArticleFactory(issue=issue, headline="原标题")
    BlockFactory(article=article, text="原文。")
    published(issue)
    browser = logged_in(chief)
    url = admin_url(Article, "change", article.pk)
    data = form_data(browser.get(url))

    data["headline"] = "更正后的标题"
    assert browser.post(url, data).status_code == 302

    article_page = page(browser.get(url))
    pending = article_page.select_one(".field-pending_changes").get_text()
    assert "有未发布的修改" in pending and "更正后的标题" in pending
    issue_page = page(browser.get(admin_url(Issue, "change", issue.pk)))
    assert "须先填写更正说明" in issue_page.select_one(".field-problems").get_text()
    assert api_headlines(client, issue) == ["原标题"]

    data = form_data(browser.get(url))
    data |= {"corrections-TOTAL_FORMS": "1", "corrections-0-text": "原标题有误，已更正。"}
    assert browser.post(url, data).status_code == 302
    browser.post(reverse("admin:articles_issue_publish", args=[issue.pk]), {})

    assert api_headlines(client, issue) == ["更正后的标题"]


def test_published_article_and_issue_cannot_be_deleted(chief):
    issue = IssueFactory()
    article = ArticleFactory(issue=issue)
    published(issue)
    browser = logged_in(chief)

    assert browser.get(admin_url(Article, "delete", article.pk)).status_code == 403
    assert browser.get(admin_url(Issue, "delete", issue.pk)).status_code == 403
    assert Article.objects.filter(pk=article.pk).exists()


def test_a_reporter_cannot_edit_someone_elses_draft(reporter, other_reporter):
    article = ArticleFactory(status=ArticleStatus.DRAFT, created_by=other_reporter, headline="别人的稿")
    browser = logged_in(reporter)
    url = admin_url(Article, "change", article.pk)

    assert browser.get(url).status_code == 200  # may read it
    assert browser.post(url, {"headline": "改掉"}).status_code == 403
    article.refresh_from_db()
    assert article.headline == "别人的稿"


def test_a_reporter_creates_an_article_as_its_author(reporter):
    issue = IssueFactory()
    browser = logged_in(reporter)
    url = admin_url(Article, "add")
    data = form_data(browser.get(url))
    data |= {"issue": str(issue.pk), "headline": "新稿件", "position": "1", "kind": "report"}
    data |= {"blocks-0-position": "1", "blocks-0-kind": "paragraph", "blocks-0-text": "第一段。"}

    response = browser.post(url, data)

    assert response.status_code == 302, errors(response)
    article = Article.objects.get(headline="新稿件")
    assert (article.created_by, article.status) == (reporter, ArticleStatus.DRAFT)
    assert buttons(browser, article) == {"submit"}


# --- No lost work ---------------------------------------------------------------------------


def test_a_stale_save_is_refused_with_who_and_when_and_nothing_is_lost(editor, chief):
    chief.first_name = "值班主任王"
    chief.save()
    article = ArticleFactory(headline="原标题")
    block = BlockFactory(article=article, text="原来的段落。")
    BylineFactory(article=article)
    url = admin_url(Article, "change", article.pk)
    first, second = logged_in(chief), logged_in(editor)
    first_data = form_data(first.get(url))
    second_data = form_data(second.get(url))  # both open the page before either saves

    first_data["headline"] = "第一位编辑的标题"
    assert first.post(url, first_data).status_code == 302

    n = inline_index(second_data, "blocks", block.pk)
    second_data["headline"] = "第二位编辑的标题"
    second_data[f"blocks-{n}-text"] = "第二位编辑加了一句。原来的段落。"
    response = second.post(url, second_data)

    assert response.status_code == 200
    message = " ".join(errors(response))
    assert "值班主任王" in message and "保存未成功" in message
    assert timezone.localtime().strftime("%Y-%m-%d") in message
    form = page(response)
    assert form.find("input", attrs={"name": "headline"})["value"] == "第二位编辑的标题"
    assert "第二位编辑加了一句" in form.find("textarea", attrs={"name": f"blocks-{n}-text"}).get_text()
    article.refresh_from_db()
    assert article.headline == "第一位编辑的标题"
    assert Block.objects.get(pk=block.pk).text == "原来的段落。"


def test_an_inline_only_save_also_makes_a_new_version(editor, chief):
    article = ArticleFactory()
    block = BlockFactory(article=article, text="段落。")
    url = admin_url(Article, "change", article.pk)
    first, second = logged_in(chief), logged_in(editor)
    first_data, second_data = form_data(first.get(url)), form_data(second.get(url))

    n = inline_index(first_data, "blocks", block.pk)
    first_data[f"blocks-{n}-text"] = "只改了段落。"
    assert first.post(url, first_data).status_code == 302
    second_data["subheadline"] = "只改了副题"

    assert second.post(url, second_data).status_code == 200
    article.refresh_from_db()
    assert (article.subheadline, article.version) == ("", 2)
    assert Block.objects.get(pk=block.pk).text == "只改了段落。"


def test_a_workflow_step_in_between_also_makes_the_open_form_stale(editor, reporter):
    article = ArticleFactory(status=ArticleStatus.DRAFT, created_by=reporter)
    url = admin_url(Article, "change", article.pk)
    data = form_data(logged_in(reporter).get(url))
    logged_in(editor).post(transition_url(article, "submit"))

    # The reporter may no longer edit at all once it is in review.
    assert logged_in(reporter).post(url, data).status_code == 403


def test_the_stale_issue_form_is_refused_too(editor, chief):
    issue = IssueFactory(title="原专题名")
    url = admin_url(Issue, "change", issue.pk)
    first, second = logged_in(chief), logged_in(editor)
    first_data, second_data = form_data(first.get(url)), form_data(second.get(url))
    first_data["title"] = "甲改的名"
    second_data["title"] = "乙改的名"

    assert first.post(url, first_data).status_code == 302
    assert second.post(url, second_data).status_code == 200
    issue.refresh_from_db()
    assert issue.title == "甲改的名"


@pytest.mark.parametrize("view", ["change", "publish"])
def test_the_issue_pages_render_the_working_copy_once(chief, monkeypatch, view):
    """The pending changes and the publish checks both compare the working copy with the
    live publication: one rendering serves both (a 200-article issue takes a third of a
    second to render)."""
    from articles.delivery import rendering

    issue = IssueFactory()
    article = ArticleFactory(issue=issue, headline="原标题")
    published(issue)
    Article.objects.filter(pk=article.pk).update(headline="新标题")
    renderings = []
    load = rendering.issue_for_rendering
    monkeypatch.setattr(
        rendering, "issue_for_rendering", lambda *a, **k: renderings.append(a) or load(*a, **k)
    )

    shown = page(logged_in(chief).get(admin_url(Issue, view, issue.pk))).get_text()

    assert "新标题" in shown and "更正" in shown  # the change, and the check that wants a correction for it
    assert len(renderings) == 1
