"""Workflow notes are editor text like any other (issue 16, finding 9): plain, visible, of a
sane length — refused in the services for every caller (admin, commands), with nothing
changed, and on the admin pages with the note still in its box."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from articles.desk import transitions as workflow
from articles.models import Article, Publication, TransitionRecord
from articles.publications import publishing
from articles.workflow import ArticleStatus, IssueStatus
from tests.admin_forms import errors, form_data, page
from tests.conftest import logged_in
from tests.factories import ArticleFactory, BlockFactory, IssueFactory, published

pytestmark = pytest.mark.django_db

HOSTILE = {
    "html": ("<script>alert(1)</script>核实", "HTML"),
    "bidi": ("核实\u202e中", "U+202E"),
    "too_long": ("长" * 200_000, "20000"),
    "nul": ("核实\x00中", "U+0000"),
}


@pytest.fixture(params=list(HOSTILE), ids=list(HOSTILE))
def hostile(request):
    return HOSTILE[request.param]


def ready_issue():
    issue = IssueFactory()
    article = ArticleFactory(issue=issue, status=ArticleStatus.APPROVED)
    BlockFactory(article=article, text="导语。")
    return issue, article


def unchanged(before: tuple) -> bool:
    return before == snapshot()


def snapshot() -> tuple:
    return (
        list(Article.objects.order_by("pk").values_list("pk", "status", "version")),
        Publication.objects.count(),
        TransitionRecord.objects.count(),
    )


def refusal(call) -> str:
    with pytest.raises(ValidationError) as refused:
        call()
    return " ".join(refused.value.messages)


# --- The services ---------------------------------------------------------------------------


def test_sending_back_refuses_a_hostile_note(hostile, editor):
    note, word = hostile
    article = ArticleFactory(status=ArticleStatus.IN_REVIEW)
    before = snapshot()
    message = refusal(lambda: workflow.move(article, "send_back", user=editor, note=note))
    assert "退回修改" in message and word in message.replace(",", "")
    assert unchanged(before)


def test_withdrawing_an_article_refuses_a_hostile_note(hostile, chief):
    note, word = hostile
    issue, article = ready_issue()
    published(issue)
    before = snapshot()
    assert word in refusal(lambda: publishing.withdraw_article(article, user=chief, note=note)).replace(
        ",", ""
    )
    assert unchanged(before)


def test_republishing_refuses_a_hostile_note(hostile, chief):
    note, word = hostile
    issue, article = ready_issue()
    published(issue)
    publishing.withdraw_article(article, user=chief, note="核实中")
    before = snapshot()
    assert word in refusal(lambda: publishing.republish_article(article, user=chief, note=note)).replace(
        ",", ""
    )
    assert unchanged(before)


def test_publishing_refuses_a_hostile_note(hostile, chief):
    note, word = hostile
    issue, _ = ready_issue()
    before = snapshot()
    assert word in refusal(lambda: publishing.publish_issue(issue, user=chief, note=note)).replace(",", "")
    assert unchanged(before)
    issue.refresh_from_db()
    assert issue.status == IssueStatus.DRAFT


def test_withdrawing_an_issue_refuses_a_hostile_note(hostile, chief):
    note, word = hostile
    issue, _ = ready_issue()
    published(issue)
    before = snapshot()
    assert word in refusal(lambda: publishing.withdraw_issue(issue, user=chief, note=note)).replace(",", "")
    assert unchanged(before)
    issue.refresh_from_db()
    assert issue.status == IssueStatus.PUBLISHED


def test_a_plain_note_is_kept_stripped(editor):
    article = ArticleFactory(status=ArticleStatus.IN_REVIEW)
    workflow.move(article, "send_back", user=editor, note="  请核实数据 1<2  ")
    assert TransitionRecord.objects.get(article=article).note == "请核实数据 1<2"


# --- The commands ---------------------------------------------------------------------------


def test_the_publish_command_refuses_a_hostile_note(hostile):
    note, word = hostile
    issue, _ = ready_issue()
    before = snapshot()
    with pytest.raises(CommandError) as refused:
        call_command("publish_issue", issue.slug, "--note", note)
    assert word in str(refused.value).replace(",", "")
    assert unchanged(before)


def test_the_withdraw_command_refuses_a_hostile_note(hostile):
    note, word = hostile
    issue, _ = ready_issue()
    published(issue)
    before = snapshot()
    with pytest.raises(CommandError) as refused:
        call_command("withdraw_issue", issue.slug, "--note", note)
    assert word in str(refused.value).replace(",", "")
    assert unchanged(before)


# --- The admin pages: the reason on the form, the note still in its box ---------------------

NOTE = "<b>撤回</b>原因\u202e"


def test_the_publish_page_shows_the_refusal_and_keeps_the_note(chief):
    issue, _ = ready_issue()
    before = snapshot()
    response = logged_in(chief).post(reverse("admin:articles_issue_publish", args=[issue.pk]), {"note": NOTE})
    assert response.status_code == 200
    assert any("HTML" in e or "U+202E" in e for e in errors(response)), errors(response)
    assert page(response).find("textarea", attrs={"name": "note"}).get_text().strip() == NOTE
    assert unchanged(before)


def test_the_withdraw_page_shows_the_refusal_and_keeps_the_note(chief):
    issue, _ = ready_issue()
    published(issue)
    before = snapshot()
    response = logged_in(chief).post(
        reverse("admin:articles_issue_withdraw", args=[issue.pk]), {"note": NOTE}
    )
    assert response.status_code == 200
    assert any("HTML" in e or "U+202E" in e for e in errors(response)), errors(response)
    assert page(response).find("textarea", attrs={"name": "note"}).get_text().strip() == NOTE
    assert unchanged(before)


def test_sending_back_from_the_article_page_shows_the_refusal_and_keeps_the_note(editor):
    article = ArticleFactory(status=ArticleStatus.IN_REVIEW)
    url = reverse("admin:articles_article_change", args=[article.pk])
    browser = logged_in(editor)
    data = form_data(browser.get(url), submit="transition-send_back")
    data["note_send_back"] = NOTE
    before = snapshot()
    response = browser.post(url, data)
    assert response.status_code == 200
    assert any("退回修改" in e and ("HTML" in e or "U+202E" in e) for e in errors(response)), errors(response)
    assert page(response).find("input", attrs={"name": "note_send_back"})["value"] == NOTE
    assert unchanged(before)
