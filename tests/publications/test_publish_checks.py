"""Publish checks give coded problems: a caller (and these tests) tells them apart by code,
and the refusal carries each one's code beside the words the chief reads."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from articles.copydesk.photo_slots import awaiting_image_name
from articles.exceptions import EmbargoPending, IssueNotReady, PublishRefused
from articles.models import Block
from articles.publications import publishing
from articles.publications.checks import Problem, issue_problems
from articles.workflow import ArticleStatus
from tests import factories

pytestmark = pytest.mark.django_db


def codes(issue, **kwargs) -> list[str]:
    return sorted(p.code for p in issue_problems(issue, **kwargs))


def ready_issue():
    issue = factories.IssueFactory()
    article = factories.ArticleFactory(issue=issue)
    factories.BlockFactory(article=article)
    return issue, article


def test_a_ready_issue_has_no_problem():
    issue, _ = ready_issue()
    assert issue_problems(issue) == []


def test_every_kind_of_problem_has_its_code():
    issue, article = ready_issue()
    factories.ArticleFactory(issue=issue, status=ArticleStatus.DRAFT)
    factories.BlockFactory(
        article=article, kind="photo", text="", photo=factories.PhotoFactory()
    )  # no credit
    no_alt = factories.PhotoFactory(alt_text="")
    factories.PhotoCreditFactory(photo=no_alt)
    factories.IssuePhotoFactory(issue=issue, photo=no_alt)
    slot = factories.PhotoFactory(image=awaiting_image_name())
    factories.PhotoCreditFactory(photo=slot)
    factories.IssuePhotoFactory(issue=issue, photo=slot)
    factories.SectionFactory(article=article, speaker_name="空讲述人")
    split = factories.SectionFactory(article=article, speaker_name="被隔开的人")
    factories.BlockFactory(article=article, section=split, position=10)
    factories.BlockFactory(article=article, position=11)
    factories.BlockFactory(article=article, section=split, position=12)
    factories.TimelineItemFactory(
        timeline=factories.TimelineFactory(issue=issue), text=" ", date=dt.date(2015, 1, 1)
    )

    assert codes(issue) == [
        "article_not_approved",
        "photo_awaiting_image",
        "photo_uncredited",
        "photo_without_alt_text",
        "testimony_empty",
        "testimony_split",
        "timeline_item_empty",
    ]


def test_nothing_to_publish_and_a_missing_correction_have_their_codes():
    assert codes(factories.IssueFactory()) == ["nothing_to_publish"]

    issue, article = ready_issue()
    factories.published(issue)
    Block.objects.filter(article=article).update(text="改过的导语。")
    [problem] = issue_problems(issue)
    assert problem.code == "correction_missing"
    assert str(problem) == problem.message == f"稿件《{article}》已发布的文字有改动，须先填写更正说明。"


def test_the_refusal_is_typed_and_carries_every_problem_with_its_code():
    issue, article = ready_issue()
    factories.ArticleFactory(issue=issue, status=ArticleStatus.IN_REVIEW, headline="待审稿")
    factories.SectionFactory(article=article, speaker_name="空讲述人")
    expected = issue_problems(issue)

    with pytest.raises(IssueNotReady) as refused:
        publishing.publish_issue(issue)

    assert isinstance(refused.value, PublishRefused) and isinstance(refused.value, ValidationError)
    assert list(refused.value.problems) == expected
    assert all(isinstance(p, Problem) for p in refused.value.problems)
    assert refused.value.messages == [p.message for p in expected]
    assert [e.code for e in refused.value.error_list] == ["article_not_approved", "testimony_empty"]


def test_an_embargo_pending_refuses_withdrawing_one_article_by_type():
    issue, article = ready_issue()
    factories.published(issue)
    publishing.publish_issue(issue, at=dt.datetime(2099, 1, 1, tzinfo=dt.UTC))
    article.refresh_from_db()

    with pytest.raises(EmbargoPending) as refused:
        publishing.withdraw_article(article, note="稿件有误。")

    assert refused.value.code == "embargo_pending"
    assert "定时发布" in refused.value.messages[0]
