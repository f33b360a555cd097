"""`publication_changed`: every service that writes publications announces them, once the
transaction commits (never before, never for a refused write), to delivery and then media."""

import pytest
from django.utils import timezone

from articles.demo.loader import delete_issue
from articles.exceptions import IssueNotReady
from articles.models import Publication
from articles.publications import publishing, receivers
from articles.publications.checks import working_copy
from articles.publications.signals import publication_changed
from media import signals as media_signals
from tests.factories import ArticleFactory, BlockFactory, IssueFactory, published

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard():
    """What `publication_changed` sends, as (sender, publications, using)."""
    calls = []

    def receiver(sender, publications, using, **kwargs):
        calls.append((sender, publications, using))

    publication_changed.connect(receiver, weak=False, dispatch_uid="tests.heard")
    yield calls
    publication_changed.disconnect(dispatch_uid="tests.heard")


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Runs a block, then its on-commit callbacks, as a commit would."""

    def run(work):
        with django_capture_on_commit_callbacks() as callbacks:
            result = work()
        return result, callbacks

    return run


def published_issue():
    issue = IssueFactory()
    article = ArticleFactory(issue=issue)
    BlockFactory(article=article)
    published(issue)
    article.refresh_from_db()
    return issue, article


def newest(issue) -> int:
    return issue.publications.order_by("-number").values_list("pk", flat=True).first()


def test_a_publish_is_announced_after_the_commit_with_its_publication(heard, committed):
    issue = IssueFactory()
    BlockFactory(article=ArticleFactory(issue=issue))

    publication, callbacks = committed(lambda: publishing.publish_issue(issue))

    assert heard == []  # not before the rows are committed
    for callback in callbacks:
        callback()
    assert heard == [(Publication, (publication.pk,), "default")]


def test_a_refused_publish_announces_nothing(heard, django_capture_on_commit_callbacks):
    issue = IssueFactory()  # nothing to publish
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(IssueNotReady):
        publishing.publish_issue(issue)
    assert heard == []


@pytest.mark.parametrize(
    "write",
    [
        lambda issue, article: publishing.withdraw_issue(issue),
        lambda issue, article: publishing.withdraw_article(article, note="稿件有误。"),
        lambda issue, article: publishing.store_snapshot(
            issue, working_copy(issue), user=None, visible_from=timezone.now(), note=""
        ),
    ],
    ids=["withdraw issue", "withdraw article", "store snapshot (the importer)"],
)
def test_every_writer_announces_the_publication_it_wrote(heard, django_capture_on_commit_callbacks, write):
    issue, article = published_issue()
    with django_capture_on_commit_callbacks(execute=True):
        write(issue, article)
    assert heard == [(Publication, (newest(issue),), "default")]


def test_a_republish_announces_the_derived_publication(heard, django_capture_on_commit_callbacks):
    issue, article = published_issue()
    publishing.withdraw_article(article, note="稿件有误。")
    article.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        publishing.republish_article(article, note="已核实。")
    assert heard == [(Publication, (newest(issue),), "default")]


def test_the_demo_delete_announces_the_publications_it_deleted(heard, django_capture_on_commit_callbacks):
    issue, _ = published_issue()
    gone = tuple(issue.publications.order_by("pk").values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        delete_issue(issue)
    assert heard == [(Publication, gone, "default")]
    # What media asks of a deleted publication: nothing to retire, and no error.
    assert receivers.shown_before_and_now(gone[0]) == (None, None)


def test_delivery_then_media_hear_it(monkeypatch, django_capture_on_commit_callbacks):
    order = []
    monkeypatch.setattr(receivers, "publications_changed", lambda using: order.append(("delivery", using)))
    monkeypatch.setattr(media_signals, "retire_unlinked", lambda pk: order.append(("media", pk)))
    issue = IssueFactory()
    BlockFactory(article=ArticleFactory(issue=issue))

    with django_capture_on_commit_callbacks(execute=True):
        publication = publishing.publish_issue(issue)

    assert order == [("delivery", "default"), ("media", publication.pk)]
