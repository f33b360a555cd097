"""Every kind of event leaves its entry: a change in the admin, a workflow step, a publish, a
withdrawal, an export, an import, a log-in, a log-out, a failed log-in and a lock-out — with
who, from where, about what, and the particulars."""

import io

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from articles.exchange import export, importing
from articles.models import Article, Issue
from articles.publications.publishing import publish_issue, withdraw_article
from articles.workflow import ArticleStatus
from tests.admin_forms import errors, form_data
from tests.audit.trail import entries, only
from tests.conftest import logged_in
from tests.factories import ArticleFactory, BlockFactory, IssueFactory, published

pytestmark = pytest.mark.django_db

TRACE = "trace-4f2a"


def change_url(article) -> str:
    return reverse("admin:articles_article_change", args=[article.pk])


def test_a_change_in_the_admin_names_the_editor_the_field_and_both_values(editor):
    article = ArticleFactory(headline="原标题", status=ArticleStatus.IN_REVIEW)
    browser = logged_in(editor)
    data = form_data(browser.get(change_url(article)))
    data["headline"] = "新标题"

    response = browser.post(change_url(article), data, headers={"X-Request-ID": TRACE})

    assert response.status_code == 302, errors(response)
    entry = entries(
        content_type=ContentType.objects.get_for_model(Article), action=LogEntry.Action.UPDATE
    ).get()
    assert entry.object_id == article.pk
    assert entry.actor == editor
    assert entry.remote_addr == "127.0.0.1"
    assert entry.cid == TRACE
    assert entry.changes == {"headline": ["原标题", "新标题"]}
    assert entry.additional_data == {"actor_name": "editor"}


def test_a_workflow_step_from_the_article_page_is_an_entry_beside_the_saved_change(reporter):
    article = ArticleFactory(status=ArticleStatus.DRAFT, created_by=reporter, headline="初稿标题")
    BlockFactory(article=article, text="导语。")
    browser = logged_in(reporter)
    data = form_data(browser.get(change_url(article)), submit="transition-submit")
    data["headline"] = "送审标题"

    assert browser.post(change_url(article), data).status_code == 302

    step = only("workflow")
    assert (step.actor, step.object_id, step.remote_addr) == (reporter, article.pk, "127.0.0.1")
    assert step.action == LogEntry.Action.ACCESS
    assert step.additional_data == {
        "event": "workflow",
        "step": "submit",
        "label": "提交审核",
        "from": "draft",
        "to": "in_review",
        "issue": article.issue_id,
        "actor_name": "reporter",
    }
    saved = entries(object_id=article.pk, content_type=step.content_type, action=LogEntry.Action.UPDATE).get()
    assert saved.changes == {
        "headline": ["初稿标题", "送审标题"]
    }  # the state is the step's, not a field change


def test_a_publish_is_one_entry_naming_the_publication_and_its_articles(chief):
    issue = IssueFactory()
    articles = [ArticleFactory(issue=issue, position=n) for n in (1, 2, 3)]
    browser = logged_in(chief)
    before = LogEntry.objects.count()

    response = browser.post(reverse("admin:articles_issue_publish", args=[issue.pk]), {})

    assert response.status_code == 302
    assert LogEntry.objects.count() == before + 1
    entry = only("publish")
    assert (entry.actor, entry.object_id, entry.content_type.model_class()) == (chief, issue.pk, Issue)
    data = entry.additional_data
    assert (data["step"], data["from"], data["to"], data["publication"]) == (
        "publish",
        "draft",
        "published",
        1,
    )
    assert data["articles"] == sorted(a.pk for a in articles)
    assert data["visible_from"].endswith("+08:00")


def test_publishing_adds_the_same_entries_whatever_the_size_of_the_issue(chief):
    def added_by_publishing(size: int) -> list[str]:
        issue = IssueFactory()
        for n in range(size):
            BlockFactory(article=ArticleFactory(issue=issue, position=n))
        first = LogEntry.objects.order_by("-pk").values_list("pk", flat=True).first()
        publish_issue(issue, user=chief)
        return [e.additional_data["event"] for e in entries(pk__gt=first)]

    assert added_by_publishing(1) == added_by_publishing(12) == ["publish"]


def test_withdrawals_of_an_issue_and_of_an_article_are_entries_with_their_notes(chief):
    issue = IssueFactory()
    ArticleFactory(issue=issue, position=1)
    dropped = ArticleFactory(issue=issue, position=2)
    published(issue)

    withdraw_article(dropped, user=chief, note="数据待核实")
    response = logged_in(chief).post(
        reverse("admin:articles_issue_withdraw", args=[issue.pk]), {"note": "整体撤回"}
    )

    assert response.status_code == 302
    article_entry, issue_entry = entries("withdraw")
    assert (article_entry.object_id, article_entry.actor) == (dropped.pk, chief)
    assert article_entry.additional_data["note"] == "数据待核实"
    assert article_entry.additional_data["issue"] == issue.pk
    assert (issue_entry.object_id, issue_entry.actor, issue_entry.remote_addr) == (
        issue.pk,
        chief,
        "127.0.0.1",
    )
    assert issue_entry.additional_data["note"] == "整体撤回"
    assert issue_entry.content_type.model_class() is Issue


def published_issue(slug: str) -> Issue:
    issue = IssueFactory(slug=slug)
    BlockFactory(article=ArticleFactory(issue=issue))
    return published(issue)


def test_an_export_is_an_entry_by_who_asked_for_it(editor):
    issue = published_issue("dao-chu")

    result = export.export_issue(issue, io.BytesIO(), user=editor)  # as the export job does

    entry = only("export")
    assert (entry.actor, entry.object_id) == (editor, issue.pk)
    assert entry.additional_data == {
        "event": "export",
        "package": "dao-chu.zip",
        "draft": False,
        "articles": 1,
        "photos": 0,
        "bytes": result.bytes_written,
        "actor_name": "editor",
    }


def test_an_export_by_the_command_is_the_systems(tmp_path):
    issue = published_issue("ming-ling")

    call_command("export_issue", "ming-ling", "--output", str(tmp_path / "out.zip"))

    entry = only("export")
    assert (entry.actor, entry.object_id, entry.remote_addr) == (None, issue.pk, None)
    assert "actor_name" not in entry.additional_data


def test_an_import_is_an_entry_by_who_imported(chief):
    issue = published_issue("dao-ru")
    package = io.BytesIO()
    export.export_issue(issue, package)
    package.seek(0)
    package.name = "dao-ru.zip"

    result = importing.import_package(package, replace=True, user=chief)

    entry = only("import")
    assert (entry.actor, entry.object_id) == (chief, issue.pk)
    assert entry.additional_data == {
        "event": "import",
        "package": "dao-ru.zip",
        "replace": True,
        "articles": 1,
        "photos": 0,
        "contributors_created": 0,
        "publication": result.publication and result.publication.number,
        "actor_name": "chief",
    }


def test_a_refused_import_leaves_no_entry(chief):
    issue = published_issue("ju-jue")
    package = io.BytesIO()
    export.export_issue(issue, package)
    package.seek(0)

    with pytest.raises(importing.PackageRefused):
        importing.import_package(package, user=chief)  # the slug exists and no replace

    assert not entries("import").exists()


def log_in(username: str, password: str) -> Client:
    browser = Client()
    browser.post(reverse("admin:login"), {"username": username, "password": password})
    return browser


def test_a_log_in_and_a_log_out_are_entries(reporter):
    browser = log_in("reporter", "pw-reporter")
    browser.post(reverse("admin:logout"))

    login, logout = only("login"), only("logout")
    assert (login.actor, login.object_id, login.remote_addr) == (reporter, reporter.pk, "127.0.0.1")
    assert (logout.actor, logout.object_id) == (reporter, reporter.pk)


def test_a_failed_log_in_keeps_the_name_tried_and_the_address(reporter):
    log_in("reporter", "wrong")
    log_in("nobody-here", "wrong")

    known, unknown = entries("login_failed")
    assert known.actor is None
    assert (known.object_id, known.remote_addr) == (reporter.pk, "127.0.0.1")
    assert known.additional_data == {"event": "login_failed", "username": "reporter"}
    assert (unknown.object_pk, unknown.remote_addr) == ("", "127.0.0.1")
    assert unknown.additional_data == {"event": "login_failed", "username": "nobody-here"}
    assert not entries("login").exists()


def test_a_lock_out_is_an_entry_and_so_is_each_attempt_while_locked(reporter, settings):
    settings.AXES_FAILURE_LIMIT = 2
    log_in("reporter", "wrong")
    assert not entries("lockout").exists()

    log_in("reporter", "wrong")
    log_in("reporter", "pw-reporter")  # the right password, too late

    first, again = entries("lockout")
    assert (first.object_id, first.remote_addr) == (reporter.pk, "127.0.0.1")
    assert first.additional_data == {"event": "lockout", "username": "reporter"}
    assert again.additional_data == first.additional_data
    assert not entries("login").exists()


def test_unknown_events_are_refused():
    from audit.events import record

    with pytest.raises(ValueError, match="Unknown audit event"):
        record("coffee")
