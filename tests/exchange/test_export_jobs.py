"""The export package as a background job: started from the admin (button or action) or
the staff API (POST → 202 and a job URL), progress on the issue page, then a download
that is the same package the command writes."""

import re

import pytest

from articles.demo.loader import load_demo_issue
from articles.exchange import export
from articles.workflow import ArticleStatus
from jobs.models import Job
from tests.audit.trail import only
from tests.conftest import logged_in
from tests.exchange.test_export import DEMO_SLUG, package_bytes
from tests.factories import ArticleFactory, IssueFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    issue, _ = load_demo_issue()
    return issue


def test_the_issue_page_offers_an_export_job_and_then_its_download(
    demo, editor, django_capture_on_commit_callbacks
):
    browser = logged_in(editor)
    change = f"/admin/articles/issue/{demo.pk}/change/"
    page = browser.get(change).content.decode()
    assert f'formaction="/admin/articles/issue/{demo.pk}/export/"' in page and "导出（生成 ZIP）" in page

    with django_capture_on_commit_callbacks(execute=False) as pending:
        response = browser.post(f"/admin/articles/issue/{demo.pk}/export/", follow=True)
    queued = browser.get(change).content.decode()
    assert "正在后台生成" in response.content.decode()
    job = Job.objects.get()
    assert (job.kind, job.state, job.started_by, job.target_id) == ("export", "queued", editor, str(demo.pk))
    # While it waits, the page shows its state and the bar the script keeps current.
    assert f'data-job-status="/admin/jobs/job/{job.pk}/status/"' in queued and "<progress" in queued

    for callback in pending:
        callback()
    job.refresh_from_db()
    assert job.state == "done" and job.result["filename"] == f"{DEMO_SLUG}.zip"
    assert job.done == job.total == job.result["articles"]
    # In the audit trail as the editor's, though no request of theirs wrote it.
    assert only("export").actor == editor
    status = browser.get(f"/admin/jobs/job/{job.pk}/status/").json()
    assert (status["state"], status["percent"], status["finished"]) == ("done", 100, True)

    done_page = browser.get(change).content.decode()
    download = f"/admin/jobs/job/{job.pk}/download/"
    assert download in done_page
    response = browser.get(download)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert f'filename="{DEMO_SLUG}.zip"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == package_bytes(demo)


def test_a_get_of_the_export_page_starts_nothing(demo, editor):
    response = logged_in(editor).get(f"/admin/articles/issue/{demo.pk}/export/")
    assert response.status_code == 302 and not Job.objects.exists()


def test_the_action_starts_the_job_for_one_issue(demo, chief, django_capture_on_commit_callbacks):
    browser = logged_in(chief)
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(
            "/admin/articles/issue/", {"action": "export_selected", "_selected_action": [demo.pk]}
        )
    assert response.status_code == 302 and response["Location"].startswith(
        f"/admin/articles/issue/{demo.pk}/"
    )
    assert Job.objects.get().state == "done"
    other = IssueFactory()
    response = browser.post(
        "/admin/articles/issue/",
        {"action": "export_selected", "_selected_action": [demo.pk, other.pk]},
        follow=True,
    )
    assert "一次只能导出一个专题" in response.content.decode() and Job.objects.count() == 1


def test_an_unfinished_issue_is_refused_with_the_reason_and_no_job(editor):
    issue = IssueFactory()
    ArticleFactory(issue=issue, status=ArticleStatus.DRAFT, headline="未完成的稿")
    browser = logged_in(editor)
    assert "暂不能导出" in browser.get(f"/admin/articles/issue/{issue.pk}/change/").content.decode()
    response = browser.post(f"/admin/articles/issue/{issue.pk}/export/", follow=True)
    assert "未能导出" in response.content.decode() and "未完成的稿" in response.content.decode()
    assert not Job.objects.exists()


def test_a_job_whose_issue_is_gone_fails_at_once_with_the_reason(
    demo, editor, django_capture_on_commit_callbacks
):
    # Permanent: no retries for what running again cannot mend.
    with django_capture_on_commit_callbacks(execute=False) as pending:
        logged_in(editor).post(f"/admin/articles/issue/{demo.pk}/export/")
    Job.objects.update(target_id="0")  # as if the issue were deleted meanwhile
    for callback in pending:
        callback()
    job = Job.objects.get()
    assert (job.state, job.error, job.attempts, bool(job.file)) == ("failed", "专题已被删除。", 1, False)


def test_reporter_may_neither_export_nor_see_an_export(
    demo, reporter, editor, django_capture_on_commit_callbacks
):
    browser = logged_in(reporter)
    assert browser.post(f"/admin/articles/issue/{demo.pk}/export/").status_code == 403
    assert "export_selected" not in browser.get("/admin/articles/issue/").content.decode()
    assert "导出（生成 ZIP）" not in browser.get(f"/admin/articles/issue/{demo.pk}/change/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        logged_in(editor).post(f"/admin/articles/issue/{demo.pk}/export/")
    job = Job.objects.get()
    assert browser.get(f"/admin/jobs/job/{job.pk}/download/").status_code == 403
    assert browser.get(f"/api/v1/jobs/{job.pk}/download/").status_code == 404


def test_the_staff_api_answers_202_with_a_job_url_then_the_package(
    demo, client, editor, reporter, django_capture_on_commit_callbacks
):
    url = f"/api/v1/issues/{DEMO_SLUG}/export/"
    assert client.post(url).status_code in (401, 403)
    assert logged_in(reporter).post(url).status_code == 403
    browser = logged_in(editor)
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(url)
    assert response.status_code == 202 and response["Cache-Control"] == "private, no-store"
    body = response.json()
    assert response["Location"] == body["url"] and re.search(r"/api/v1/jobs/\d+/$", body["url"])
    assert body["state"] == "queued"  # as it was when answered; it ran at the commit

    job = browser.get(body["url"]).json()
    assert job["state"] == "done" and job["percent"] == 100 and job["download"].endswith("/download/")
    package = browser.get(job["download"])
    assert package.status_code == 200 and b"".join(package.streaming_content) == package_bytes(demo)
    assert logged_in(reporter).get(body["url"]).status_code == 404
    assert client.get(body["url"]).status_code in (401, 403)


def test_the_staff_api_refuses_an_unfinished_issue(editor):
    issue = IssueFactory(slug="unfinished")
    ArticleFactory(issue=issue, status=ArticleStatus.IN_REVIEW)
    response = logged_in(editor).post("/api/v1/issues/unfinished/export/")
    assert response.status_code == 409 and response.json()["code"] == "not_finished"
    assert not Job.objects.exists()
    assert export.may_export(editor)
