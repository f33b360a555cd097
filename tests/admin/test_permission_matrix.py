"""Who may reach what: every API endpoint, admin page and admin action × every kind of user,
with the expected status in one table, and no unpublished text in any answer to someone who
may not see it."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from articles.models import Article, Contributor, Issue, Publication, Timeline, TransitionRecord
from articles.publications import preview
from articles.workflow import ArticleStatus
from media.models import Photo
from tests.admin_forms import errors, form_data, page
from tests.factories import (
    ArticleFactory,
    BlockFactory,
    BylineFactory,
    ContributorFactory,
    CorrectionFactory,
    IssueFactory,
    IssuePhotoFactory,
    PhotoCreditFactory,
    PhotoFactory,
    TimelineFactory,
    published,
)

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "non_staff", "reporter", "editor", "chief", "superuser")
SECRET = "未发布的独家内容"  # in every unpublished text of the world below

LOGIN = "login"  # a redirect to the admin's log-in page


@pytest.fixture
def world(reporter, chief):
    """A published issue, a draft issue, and articles in each state."""
    live = IssueFactory(slug="yi-fa-bu", title="已发布的专题")
    published_article = ArticleFactory(issue=live, headline="已发布的稿件", created_by=reporter)
    BlockFactory(article=published_article, text="读者可以看到的段落。")
    BylineFactory(article=published_article)
    photo = PhotoFactory(caption="已发布的图片")
    PhotoCreditFactory(photo=photo)
    BlockFactory(article=published_article, kind="photo", text="", photo=photo)
    timeline = TimelineFactory(issue=live)
    published(live)
    draft_issue = IssueFactory(slug="cao-gao", title=f"草稿专题{SECRET}")
    own_draft = ArticleFactory(
        issue=live, headline=f"草稿稿件{SECRET}", status=ArticleStatus.DRAFT, created_by=reporter
    )
    BlockFactory(article=own_draft, text=f"草稿正文{SECRET}")
    in_review = ArticleFactory(
        issue=draft_issue, headline=f"待审稿件{SECRET}", status=ArticleStatus.IN_REVIEW
    )
    _, token = preview.create_link(live, user=chief)
    return {
        "live": live,
        "draft_issue": draft_issue,
        "published_article": Article.objects.get(pk=published_article.pk),
        "own_draft": own_draft,
        "in_review": in_review,
        "contributor": Contributor.objects.first(),
        "timeline": timeline,
        "photo": photo,
        "publication": Publication.objects.get(issue=live),
        "transition": TransitionRecord.objects.first(),
        "token": token,
    }


@pytest.fixture
def browsers(world, reporter, editor, chief, superuser):
    clients = {role: Client() for role in ROLES}
    outsider = get_user_model().objects.create_user("reader", password="x")  # active, not staff
    clients["non_staff"].force_login(outsider)
    for role, user in [
        ("reporter", reporter),
        ("editor", editor),
        ("chief", chief),
        ("superuser", superuser),
    ]:
        clients[role].force_login(user)
    return clients


def admin(model, view: str, key: str | None = None):
    name = f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}"
    return lambda w: reverse(name, args=[w[key].pk] if key else [])


def custom(name: str, key: str, *extra):
    return lambda w: reverse(f"admin:{name}", args=[w[key].pk, *extra])


def api(name: str, **kwargs):
    def url(w):
        return reverse(
            f"v1:{name}", kwargs={k: (w[v].slug if k == "slug" else w[v].pk) for k, v in kwargs.items()}
        )

    return url


# (what, url, expected statuses for anonymous, non_staff, reporter, editor, chief, superuser)
STAFF_200 = (LOGIN, LOGIN, 200, 200, 200, 200)
CHIEF_ONLY = (LOGIN, LOGIN, 403, 403, 200, 200)
NOBODY = (LOGIN, LOGIN, 403, 403, 403, 403)
NOT_REPORTER = (LOGIN, LOGIN, 403, 200, 200, 200)
PUBLIC = (200,) * 6
MISSING = (404,) * 6

MATRIX = [
    # The public API
    ("API issue list", lambda w: reverse("v1:issue-list"), PUBLIC),
    ("API published issue", api("issue-detail", slug="live"), PUBLIC),
    ("API draft issue", api("issue-detail", slug="draft_issue"), MISSING),
    ("API published article", api("article-detail", pk="published_article"), PUBLIC),
    ("API draft article", api("article-detail", pk="own_draft"), MISSING),
    ("API article in review", api("article-detail", pk="in_review"), MISSING),
    ("API preview link", lambda w: reverse("v1:preview", kwargs={"token": w["token"]}), PUBLIC),
    (
        "API tampered preview link",
        lambda w: reverse("v1:preview", kwargs={"token": w["token"] + "x"}),
        MISSING,
    ),
    ("OpenAPI document", lambda w: reverse("schema"), PUBLIC),
    ("API docs", lambda w: reverse("api-docs"), PUBLIC),
    # Admin pages
    ("admin index", lambda w: reverse("admin:index"), STAFF_200),
    ("issue list", admin(Issue, "changelist"), STAFF_200),
    ("issue add", admin(Issue, "add"), NOT_REPORTER),
    ("published issue page", admin(Issue, "change", "live"), STAFF_200),
    ("published issue delete", admin(Issue, "delete", "live"), NOBODY),
    ("draft issue delete", admin(Issue, "delete", "draft_issue"), CHIEF_ONLY),
    ("issue history", admin(Issue, "history", "live"), STAFF_200),
    ("issue publish page", custom("articles_issue_publish", "draft_issue"), CHIEF_ONLY),
    ("issue withdraw page", custom("articles_issue_withdraw", "live"), CHIEF_ONLY),
    ("issue preview page", custom("articles_issue_preview", "live"), STAFF_200),
    ("article list", admin(Article, "changelist"), STAFF_200),
    ("article add", admin(Article, "add"), STAFF_200),
    ("published article page", admin(Article, "change", "published_article"), STAFF_200),
    ("published article delete", admin(Article, "delete", "published_article"), NOBODY),
    ("reporter's own draft delete", admin(Article, "delete", "own_draft"), NOT_REPORTER),
    ("article revisions", custom("articles_article_revisions", "published_article"), STAFF_200),
    ("contributor list", admin(Contributor, "changelist"), STAFF_200),
    ("contributor add", admin(Contributor, "add"), STAFF_200),
    ("contributor delete", admin(Contributor, "delete", "contributor"), NOT_REPORTER),
    ("timeline list", admin(Timeline, "changelist"), STAFF_200),
    ("timeline add", admin(Timeline, "add"), NOT_REPORTER),
    ("timeline delete", admin(Timeline, "delete", "timeline"), NOT_REPORTER),
    ("publication list", admin(Publication, "changelist"), NOT_REPORTER),
    ("publication page", admin(Publication, "change", "publication"), NOT_REPORTER),
    ("publication add", admin(Publication, "add"), NOBODY),
    ("publication delete", admin(Publication, "delete", "publication"), NOBODY),
    ("workflow log", admin(TransitionRecord, "changelist"), STAFF_200),
    ("workflow log add", admin(TransitionRecord, "add"), NOBODY),
    ("photo list", admin(Photo, "changelist"), STAFF_200),
    ("photo add", admin(Photo, "add"), STAFF_200),
    ("photo delete", admin(Photo, "delete", "photo"), NOT_REPORTER),
    ("photo revisions", custom("media_photo_revisions", "photo"), STAFF_200),
    ("contributor revisions", custom("articles_contributor_revisions", "contributor"), STAFF_200),
    ("timeline revisions", custom("articles_timeline_revisions", "timeline"), STAFF_200),
    ("issue revisions", custom("articles_issue_revisions", "live"), STAFF_200),
    ("user list", lambda w: reverse("admin:auth_user_changelist"), (LOGIN, LOGIN, 403, 403, 403, 200)),
]

ACTIONS = {
    # action: roles offered it on the issue list
    "publish_selected": {"chief", "superuser"},
    "withdraw_selected": {"chief", "superuser"},
}


def answer(response):
    if response.status_code == 302 and "/admin/login/" in response["Location"]:
        return LOGIN
    return response.status_code


@pytest.mark.parametrize(("what", "url", "expected"), MATRIX, ids=[row[0] for row in MATRIX])
def test_permission_matrix(world, browsers, what, url, expected):
    target = url(world)
    got = {role: answer(browsers[role].get(target)) for role in ROLES}
    assert got == dict(zip(ROLES, expected, strict=True)), target


@pytest.mark.parametrize("action", ACTIONS)
def test_admin_actions_are_offered_to_the_roles_that_may_use_them(world, browsers, action):
    offered = set()
    for role in ("reporter", "editor", "chief", "superuser"):
        changelist = page(browsers[role].get(reverse("admin:articles_issue_changelist")))
        if changelist.find("option", value=action) is not None:
            offered.add(role)
    assert offered == ACTIONS[action]


@pytest.mark.parametrize("role", ["reporter", "editor"])
def test_an_action_posted_anyway_by_a_role_without_it_changes_nothing(world, browsers, role):
    draft_issue = world["draft_issue"]
    response = browsers[role].post(
        reverse("admin:articles_issue_changelist"),
        {"action": "publish_selected", "_selected_action": [str(draft_issue.pk)], "index": "0"},
    )

    assert response.status_code in (200, 302, 403)
    assert not Publication.objects.filter(issue=draft_issue).exists()


def test_no_unpublished_text_reaches_anyone_outside_the_desk(world, browsers):
    """Every answer an anonymous reader or a non-staff user can get: the API (lists, details,
    misses, errors, the schema), the admin's log-in redirects and autocomplete."""
    # A valid preview link is the one exception by design: whoever holds it was handed the
    # unpublished issue by an editor (the link is signed, expiring and revocable).
    urls = [url(world) for what, url, _ in MATRIX if what != "API preview link"]
    urls += [
        "/api/v1/issues/?page=2",
        "/api/v1/issues/?page=abc",
        f"/api/v1/issues/{world['draft_issue'].slug}/",
        "/api/v1/nothing/",
        "/admin/autocomplete/?app_label=articles&model_name=article&field_name=issue&term=草稿",
        "/admin/autocomplete/?app_label=articles&model_name=byline&field_name=contributor&term=",
    ]
    for role in ("anonymous", "non_staff"):
        for target in urls:
            response = browsers[role].get(target, follow=True)
            assert SECRET not in response.content.decode(), (role, target)


# Per object: who may change each thing readers see. "edit": the page offers saving and a
# save goes through; "view": a read-only page without save buttons, and the same form
# posted anyway (crafted from a superuser's page) is a 403 that changes nothing.
EDIT, VIEW = "edit", "view"
OWN_UNUSED = (LOGIN, LOGIN, EDIT, EDIT, EDIT, EDIT)
OTHERS_UNUSED = (LOGIN, LOGIN, VIEW, EDIT, EDIT, EDIT)
USED = (LOGIN, LOGIN, VIEW, VIEW, EDIT, EDIT)
BEFORE_PUBLISHING = OTHERS_UNUSED  # issue fields and timelines: editors until first published
PUBLISHED = USED

# (object, field a save changes, expected per role)
OBJECT_MATRIX = [
    ("photo_own", "caption", OWN_UNUSED),
    ("photo_other", "caption", OTHERS_UNUSED),
    ("photo_legacy", "caption", OTHERS_UNUSED),  # uploaded before uploads were recorded
    ("photo_used", "caption", USED),  # the reporter's own, in a published article
    ("photo_once_published", "caption", USED),  # taken out of the article since
    ("photo_on_published_page", "caption", USED),  # an issue placement
    ("contributor_own", "disambiguation", OWN_UNUSED),
    ("contributor_other", "disambiguation", OTHERS_UNUSED),
    ("contributor_used", "disambiguation", USED),
    ("timeline_draft", "title", BEFORE_PUBLISHING),
    ("timeline", "title", PUBLISHED),
    ("draft_issue", "subtitle", BEFORE_PUBLISHING),
    ("live", "subtitle", PUBLISHED),
]


@pytest.fixture
def objects(world, reporter, other_reporter):
    live = world["live"]
    published_article = world["published_article"]
    Photo.objects.filter(pk=world["photo"].pk).update(uploaded_by=reporter)
    once = PhotoCreditFactory(photo__uploaded_by=reporter).photo
    block = BlockFactory(article=published_article, kind="photo", text="", photo=once)
    on_page = PhotoCreditFactory(photo__uploaded_by=reporter).photo
    IssuePhotoFactory(issue=live, photo=on_page, position=99)
    CorrectionFactory(article=published_article)
    published(live, leave_out=[world["own_draft"].pk])
    block.delete()
    used = published_article.bylines.get().contributor
    Contributor.objects.filter(pk=used.pk).update(created_by=reporter)
    return {
        **world,
        "photo_used": world["photo"],
        "photo_own": PhotoFactory(uploaded_by=reporter),
        "photo_other": PhotoFactory(uploaded_by=other_reporter),
        "photo_legacy": PhotoFactory(),
        "photo_once_published": once,
        "photo_on_published_page": on_page,
        "contributor_own": ContributorFactory(name="记者自己加的", created_by=reporter),
        "contributor_other": ContributorFactory(name="别人加的", created_by=other_reporter),
        "contributor_used": used,
        "timeline_draft": TimelineFactory(issue=world["draft_issue"]),
    }


def change_page(obj) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


@pytest.mark.parametrize(("key", "field", "expected"), OBJECT_MATRIX, ids=[row[0] for row in OBJECT_MATRIX])
def test_who_may_change_each_object_readers_see(objects, browsers, key, field, expected):
    obj = objects[key]
    target = change_page(obj)
    got = {}
    for role in ROLES:
        response = browsers[role].get(target)
        if answer(response) != 200:
            got[role] = answer(response)
            continue
        offered = page(response).find("input", attrs={"name": "_save"}) is not None
        got[role] = EDIT if offered else VIEW
        # The same form a superuser gets, posted anyway.
        data = form_data(browsers["superuser"].get(target))
        data[field] = f"改动{role}"
        posted = browsers[role].post(target, data)
        value = getattr(type(obj).objects.get(pk=obj.pk), field)
        if offered:
            assert posted.status_code == 302, (role, errors(posted))
            assert value == f"改动{role}"
        else:
            assert posted.status_code == 403, role
            assert value != f"改动{role}"
    assert got == dict(zip(ROLES, expected, strict=True))
