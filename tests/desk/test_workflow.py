"""The desk's workflow through the services: roles × transitions, publishing as a snapshot,
embargo, withdrawal, corrections and the checks that stop a publication."""

import datetime as dt
import json

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from articles.desk import transitions as workflow
from articles.models import Article, Block, Correction, Publication, TransitionRecord
from articles.publications import checks, publishing
from articles.workflow import ArticleStatus, IssueStatus
from media.models import PhotoCredit
from tests.factories import (
    ArticleFactory,
    BlockFactory,
    BylineFactory,
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


def api_issue(client, issue):
    return client.get(reverse("v1:issue-detail", kwargs={"slug": issue.slug}))


def api_article(client, article):
    return client.get(reverse("v1:article-detail", kwargs={"pk": article.pk}))


def headlines(response) -> list[str]:
    return [p["article"]["headline"] for p in response.json()["parts"] if p["type"] == "article"]


def article_in(status, *, author=None, **fields):
    """An article of a fresh issue, brought to `status` the way the desk would."""
    issue = IssueFactory()
    article = ArticleFactory(issue=issue, status=ArticleStatus.APPROVED, created_by=author, **fields)
    BlockFactory(article=article, text="导语。")
    if status in (ArticleStatus.PUBLISHED, ArticleStatus.WITHDRAWN):
        published(issue)
        if status == ArticleStatus.WITHDRAWN:
            publishing.withdraw_article(article, note="核实中")
    else:
        Article.objects.filter(pk=article.pk).update(status=status)
    article.refresh_from_db()
    return article


# --- Roles × transitions ----------------------------------------------------------------

ARTICLE_MATRIX = {
    # transition: (state it starts from, {role: may})
    "submit": (
        ArticleStatus.DRAFT,
        {"own_reporter": True, "reporter": False, "editor": True, "chief": True, "superuser": True},
    ),
    "approve": (
        ArticleStatus.IN_REVIEW,
        {"own_reporter": False, "reporter": False, "editor": True, "chief": True, "superuser": True},
    ),
    "send_back": (
        ArticleStatus.IN_REVIEW,
        {"own_reporter": False, "reporter": False, "editor": True, "chief": True, "superuser": True},
    ),
    "withdraw": (
        ArticleStatus.PUBLISHED,
        {"own_reporter": False, "reporter": False, "editor": False, "chief": True, "superuser": True},
    ),
    "republish": (
        ArticleStatus.WITHDRAWN,
        {"own_reporter": False, "reporter": False, "editor": False, "chief": True, "superuser": True},
    ),
}
ROLES = ["own_reporter", "reporter", "editor", "chief", "superuser"]


def carry_out(name, article, user):
    if name == "withdraw":
        return publishing.withdraw_article(article, user=user, note="事实有误")
    if name == "republish":
        return publishing.republish_article(article, user=user)
    return workflow.move(article, name, user=user, note="请补充采访")


@pytest.fixture
def people(reporter, other_reporter, editor, chief, superuser):
    return {
        "own_reporter": reporter,
        "reporter": other_reporter,
        "editor": editor,
        "chief": chief,
        "superuser": superuser,
    }


@pytest.mark.parametrize("name", ARTICLE_MATRIX)
@pytest.mark.parametrize("role", ROLES)
def test_article_transitions_follow_the_role_table(name, role, people, reporter):
    start, allowed = ARTICLE_MATRIX[name]
    article = article_in(start, author=reporter)
    user = people[role]

    if allowed[role]:
        carry_out(name, article, user)
        article.refresh_from_db()
        assert article.status == workflow.ARTICLE_TRANSITIONS[name].target
        step = TransitionRecord.objects.filter(article=article).first()
        assert (step.action, step.from_status, step.to_status, step.user) == (
            name,
            start,
            article.status,
            user,
        )
    else:
        before = TransitionRecord.objects.count()
        with pytest.raises(PermissionDenied):
            carry_out(name, article, user)
        article.refresh_from_db()
        assert article.status == start
        assert TransitionRecord.objects.count() == before
    # The buttons shown are exactly the transitions allowed.
    fresh = article_in(start, author=reporter)
    assert (name in {t.name for t in workflow.available_transitions(user, fresh)}) == allowed[role]


@pytest.mark.parametrize(
    ("role", "may_publish"),
    [("own_reporter", False), ("editor", False), ("chief", True), ("superuser", True)],
)
def test_only_the_duty_chief_publishes_and_withdraws_issues(role, may_publish, people):
    issue = IssueFactory()
    ArticleFactory(issue=issue)
    user = people[role]

    if not may_publish:
        with pytest.raises(PermissionDenied):
            publishing.publish_issue(issue, user=user)
        assert not Publication.objects.exists()
        published(issue)
        with pytest.raises(PermissionDenied):
            publishing.withdraw_issue(issue, user=user)
        issue.refresh_from_db()
        assert issue.status == IssueStatus.PUBLISHED
        return
    publishing.publish_issue(issue, user=user)
    publishing.withdraw_issue(issue, user=user, note="撤回测试")
    issue.refresh_from_db()
    assert issue.status == IssueStatus.WITHDRAWN
    assert list(issue.transitions.values_list("action", "user")) == [
        ("withdraw", user.pk),
        ("publish", user.pk),
    ]


def test_a_staff_user_with_only_view_permission_cannot_publish(django_user_model):
    viewer = django_user_model.objects.create_user("viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_issue"))
    issue = IssueFactory()
    ArticleFactory(issue=issue)

    with pytest.raises(PermissionDenied):
        publishing.publish_issue(issue, user=viewer)


def test_a_transition_from_the_wrong_state_is_refused(editor):
    article = article_in(ArticleStatus.DRAFT)
    with pytest.raises(ValidationError, match="草稿"):
        workflow.move(article, "approve", user=editor)


def test_sending_back_needs_a_note_and_records_it(editor):
    article = article_in(ArticleStatus.IN_REVIEW)
    with pytest.raises(ValidationError, match="说明"):
        workflow.move(article, "send_back", user=editor, note="  ")

    workflow.move(article, "send_back", user=editor, note="第二段数据请核实")

    article.refresh_from_db()
    assert article.status == ArticleStatus.DRAFT
    assert article.transitions.get().note == "第二段数据请核实"


def test_reporters_edit_only_their_own_drafts_editors_anything_unpublished(
    reporter, other_reporter, editor, chief
):
    draft = article_in(ArticleStatus.DRAFT, author=reporter)
    in_review = article_in(ArticleStatus.IN_REVIEW, author=reporter)
    live = article_in(ArticleStatus.PUBLISHED, author=reporter)

    assert workflow.may_edit(reporter, draft)
    assert not workflow.may_edit(other_reporter, draft)
    assert not workflow.may_edit(reporter, in_review)
    assert workflow.may_edit(editor, in_review)
    assert not workflow.may_edit(editor, live)
    assert workflow.may_edit(chief, live)
    assert not workflow.may_delete(chief, live)


# --- Publishing is a snapshot -------------------------------------------------------------


def test_publishing_stores_the_exact_bytes_readers_get(client, chief):
    issue = IssueFactory()
    article = ArticleFactory(issue=issue, headline="第一篇")

    publication = publishing.publish_issue(issue, user=chief)

    response = api_issue(client, issue)
    assert response.content.decode() == publication.body
    assert publication.sha256 == Publication.digest(response.content.decode())
    assert (publication.number, publication.created_by) == (1, chief)
    assert api_article(client, article).json()["headline"] == "第一篇"
    article.refresh_from_db()
    assert article.status == ArticleStatus.PUBLISHED


def test_an_edit_to_a_published_article_waits_for_the_duty_chief(client, chief):
    issue = IssueFactory()
    article = ArticleFactory(issue=issue, headline="原标题")
    block = BlockFactory(article=article, text="原来的导语。")
    published(issue)

    Article.objects.filter(pk=article.pk).update(headline="新标题")
    Block.objects.filter(pk=block.pk).update(text="改过的导语。")

    assert headlines(api_issue(client, issue)) == ["原标题"]
    assert api_article(client, article).json()["headline"] == "原标题"
    changed = checks.pending_changes(issue)
    assert any("删" in line and "原标题" in line for line in changed)
    assert any("增" in line and "改过的导语" in line for line in changed)

    # Published text changed: the correction note comes first.
    with pytest.raises(ValidationError) as refused:
        publishing.publish_issue(issue, user=chief)
    assert "更正" in " ".join(refused.value.messages)
    Correction.objects.create(article=article, text="标题和导语有误，已更正。", created_by=chief)
    publishing.publish_issue(issue, user=chief)

    assert headlines(api_issue(client, issue)) == ["新标题"]
    delivered = api_article(client, article).json()
    assert delivered["headline"] == "新标题"
    assert delivered["body"][0]["text"] == "改过的导语。"
    assert [c["text"] for c in delivered["corrections"]] == ["标题和导语有误，已更正。"]
    assert checks.pending_changes(issue) == []


def test_publishing_leaves_held_back_articles_out_and_refuses_otherwise(client, chief):
    issue = IssueFactory()
    ArticleFactory(issue=issue, headline="已审")
    draft = ArticleFactory(issue=issue, headline="草稿", status=ArticleStatus.DRAFT)

    with pytest.raises(ValidationError, match="草稿"):
        publishing.publish_issue(issue, user=chief)
    assert not Publication.objects.exists()

    publishing.publish_issue(issue, user=chief, leave_out=[draft.pk])

    assert headlines(api_issue(client, issue)) == ["已审"]
    draft.refresh_from_db()
    assert draft.status == ArticleStatus.DRAFT
    assert api_article(client, draft).status_code == 404


def test_republishing_never_publishes_what_was_held_back(client, chief):
    issue = IssueFactory()
    ArticleFactory(issue=issue, headline="已审")
    draft = ArticleFactory(issue=issue, headline="未完稿", status=ArticleStatus.DRAFT)
    publishing.publish_issue(issue, user=chief, leave_out=[draft.pk])

    publishing.publish_issue(issue, user=chief, leave_out=[draft.pk])

    assert headlines(api_issue(client, issue)) == ["已审"]
    assert Publication.objects.filter(issue=issue).count() == 2


def test_an_embargo_lifts_at_its_second_without_any_job(client, chief):
    issue = IssueFactory()
    ArticleFactory(issue=issue, headline="禁发稿")
    lift = timezone.now().replace(microsecond=0) + dt.timedelta(hours=2)

    with time_machine.travel(lift - dt.timedelta(hours=2), tick=False):
        publishing.publish_issue(issue, user=chief, at=lift)
    with time_machine.travel(lift - dt.timedelta(microseconds=1), tick=False):
        assert api_issue(client, issue).status_code == 404
        assert client.get(reverse("v1:issue-list")).json()["count"] == 0
    with time_machine.travel(lift, tick=False):
        assert headlines(api_issue(client, issue)) == ["禁发稿"]
        assert client.get(reverse("v1:issue-list")).json()["count"] == 1


def test_an_embargoed_change_keeps_the_previous_publication_until_its_time(client, chief):
    issue = IssueFactory()
    article = ArticleFactory(issue=issue, headline="第一版")
    published(issue)
    Article.objects.filter(pk=article.pk).update(headline="第二版")
    Correction.objects.create(article=article, text="标题更正。")
    lift = timezone.now() + dt.timedelta(hours=1)

    publishing.publish_issue(issue, user=chief, at=lift)

    assert headlines(api_issue(client, issue)) == ["第一版"]
    with time_machine.travel(lift + dt.timedelta(seconds=1)):
        assert headlines(api_issue(client, issue)) == ["第二版"]


def test_withdrawing_an_issue_removes_it_at_once_and_cancels_its_embargo(client, chief):
    issue = IssueFactory()
    article = ArticleFactory(issue=issue)
    published(issue)
    publishing.publish_issue(issue, user=chief, at=timezone.now() + dt.timedelta(hours=1))

    publishing.withdraw_issue(issue, user=chief, note="紧急撤回")

    assert api_issue(client, issue).status_code == 404
    assert api_article(client, article).status_code == 404
    assert client.get(reverse("v1:issue-list")).json()["count"] == 0
    with time_machine.travel(timezone.now() + dt.timedelta(hours=2)):
        assert api_issue(client, issue).status_code == 404
    # Publishing again brings it back.
    publishing.publish_issue(issue, user=chief)
    assert api_issue(client, issue).status_code == 200


def test_withdrawing_one_article_leaves_the_rest_as_published(client, chief):
    issue = IssueFactory()
    keep = ArticleFactory(issue=issue, headline="保留", position=1)
    gone = ArticleFactory(issue=issue, headline="撤下", position=2)
    published(issue)
    # An unpublished edit elsewhere must not go out with the withdrawal.
    Article.objects.filter(pk=keep.pk).update(headline="未发布的修改")

    publishing.withdraw_article(gone, user=chief, note="当事人要求")

    assert headlines(api_issue(client, issue)) == ["保留"]
    assert api_article(client, gone).status_code == 404
    publishing.republish_article(Article.objects.get(pk=gone.pk), user=chief)
    assert headlines(api_issue(client, issue)) == ["保留", "撤下"]
    assert api_article(client, gone).status_code == 200


def test_publications_are_numbered_and_never_rewritten(chief):
    issue = IssueFactory()
    ArticleFactory(issue=issue)
    first = publishing.publish_issue(issue, user=chief)
    body = first.body

    second = publishing.publish_issue(issue, user=chief)

    first.refresh_from_db()
    assert (first.number, second.number) == (1, 2)
    assert first.body == body


# --- What stops a publication -------------------------------------------------------------


def ready_issue():
    issue = IssueFactory()
    article = ArticleFactory(issue=issue)
    BlockFactory(article=article)
    return issue, article


def test_a_ready_issue_has_no_problems():
    issue, _ = ready_issue()
    assert checks.issue_problems(issue) == []


@pytest.mark.parametrize(
    ("status", "word"), [(ArticleStatus.DRAFT, "草稿"), (ArticleStatus.IN_REVIEW, "待审")]
)
def test_problem_unfinished_article(status, word):
    issue, _ = ready_issue()
    unfinished = ArticleFactory(issue=issue, status=status, headline="未审稿")
    problems = [p.message for p in checks.issue_problems(issue)]
    assert any("未审稿" in p and word in p for p in problems)
    assert checks.issue_problems(issue, leave_out=[unfinished.pk]) == []


def test_problem_photo_without_credit_or_alt_text():
    issue, article = ready_issue()
    uncredited = PhotoFactory(caption="无署名的图")
    BlockFactory(article=article, kind="photo", text="", photo=uncredited)
    no_alt = PhotoFactory(caption="无替代文字的图", alt_text="")
    PhotoCreditFactory(photo=no_alt)
    IssuePhotoFactory(issue=issue, photo=no_alt)

    problems = [p.message for p in checks.issue_problems(issue)]

    assert any("无署名的图" in p and "没有署名" in p for p in problems)
    assert any("无替代文字的图" in p and "没有替代文字" in p for p in problems)
    PhotoCreditFactory(photo=uncredited)
    PhotoCredit.objects.filter(photo=no_alt).update()
    no_alt.alt_text = "车间学习"
    no_alt.save()
    assert checks.issue_problems(issue) == []


def test_problem_empty_testimony_and_split_testimony():
    issue, article = ready_issue()
    SectionFactory(article=article, speaker_name="空讲述人")
    split = SectionFactory(article=article, speaker_name="被隔开的人")
    BlockFactory(article=article, section=split, position=10)
    BlockFactory(article=article, position=11)
    BlockFactory(article=article, section=split, position=12)

    problems = [p.message for p in checks.issue_problems(issue)]

    assert any("空讲述人" in p and "没有内容" in p for p in problems)
    assert any("被隔开的人" in p and "隔开" in p for p in problems)


def test_problem_timeline_item_without_text():
    issue, _ = ready_issue()
    timeline = TimelineFactory(issue=issue, title="大事记")
    TimelineItemFactory(timeline=timeline, text="  ", date=dt.date(2015, 1, 1))

    assert any("2015年" in p and "没有内容" in p for p in [p.message for p in checks.issue_problems(issue)])


def test_problem_nothing_to_publish():
    issue = IssueFactory()
    assert any("没有可发布的稿件" in p for p in [p.message for p in checks.issue_problems(issue)])


def test_problems_are_all_listed_in_the_refusal(chief):
    issue, article = ready_issue()
    ArticleFactory(issue=issue, status=ArticleStatus.DRAFT, headline="草稿一")
    SectionFactory(article=article, speaker_name="空讲述人")

    with pytest.raises(ValidationError) as refused:
        publishing.publish_issue(issue, user=chief)

    assert len(refused.value.messages) == 2
    issue.refresh_from_db()
    assert issue.status == IssueStatus.DRAFT


# --- Commands -----------------------------------------------------------------------------


def test_publish_and_withdraw_commands_call_the_same_services(client):
    issue = IssueFactory(slug="ming-ling")
    ArticleFactory(issue=issue)
    BylineFactory(article=issue.articles.get())
    lift = (timezone.localtime() + dt.timedelta(days=1)).replace(microsecond=0, tzinfo=None)

    call_command("publish_issue", "ming-ling", "--at", lift.isoformat())
    publication = Publication.objects.get(issue=issue)
    assert timezone.localtime(publication.visible_from).replace(tzinfo=None) == lift
    assert api_issue(client, issue).status_code == 404

    call_command("publish_issue", "ming-ling")
    assert api_issue(client, issue).status_code == 200
    call_command("withdraw_issue", "ming-ling", "--note", "测试")
    assert api_issue(client, issue).status_code == 404
    with pytest.raises(CommandError, match="no issue"):
        call_command("publish_issue", "mei-you")


def test_publish_command_lists_the_problems():
    issue = IssueFactory(slug="you-wen-ti")
    ArticleFactory(issue=issue, status=ArticleStatus.DRAFT, headline="草稿稿件")
    with pytest.raises(CommandError, match="草稿稿件"):
        call_command("publish_issue", "you-wen-ti")


def test_public_reads_run_one_query_whatever_the_issue_size(client, django_assert_num_queries):
    for size in (1, 12):
        issue = IssueFactory()
        articles = [ArticleFactory(issue=issue) for _ in range(size)]
        for article in articles:
            BlockFactory(article=article)
            BylineFactory(article=article)
        published(issue)
        with django_assert_num_queries(1):
            assert api_issue(client, issue).status_code == 200
        with django_assert_num_queries(1):
            assert api_article(client, articles[-1]).status_code == 200
    with django_assert_num_queries(2):  # the page and the count
        assert client.get(reverse("v1:issue-list")).json()["count"] == 2


def test_stored_publication_is_valid_json_in_the_public_shape(chief):
    issue, article = ready_issue()
    publication = publishing.publish_issue(issue, user=chief)
    data = json.loads(publication.body)
    assert data["parts"][0]["article"]["id"] == article.pk
    assert data["published_at"]
