"""The trail in the admin: superusers list, search and filter it, and read an entry; nobody
adds, changes or deletes one there, and nobody else sees it."""

import pytest
from auditlog.models import LogEntry
from django.urls import NoReverseMatch, reverse

from audit.events import record
from tests.admin_forms import page
from tests.conftest import logged_in
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:audit_auditentry_changelist")


def change_url(entry) -> str:
    return reverse("admin:audit_auditentry_change", args=[entry.pk])


def rows(response) -> list[str]:
    return [row.get_text(" ", strip=True) for row in page(response).select("#result_list tbody tr")]


@pytest.fixture
def trail(editor, reporter):
    ArticleFactory(headline="山海协作十年")
    record("login", editor, actor=editor)
    record("login_failed", reporter, username="reporter")
    return LogEntry.objects.order_by("pk")


def test_superusers_list_the_trail_in_chinese(superuser, trail):
    response = logged_in(superuser).get(CHANGELIST)

    assert response.status_code == 200
    listed = rows(response)
    assert len(listed) == trail.count()
    assert any("登录失败" in row and "reporter" in row for row in listed)
    assert any("新建" in row and "稿件：山海协作十年" in row for row in listed)
    assert "审计记录" in page(logged_in(superuser).get(reverse("admin:index"))).get_text()


@pytest.mark.parametrize("role", ["reporter", "editor", "chief"])
def test_no_one_else_sees_it_even_with_auditlogs_permission(role, request, trail):
    from django.contrib.auth.models import Permission

    user = request.getfixturevalue(role)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label__in=["audit", "auditlog"]))
    browser = logged_in(user)

    assert browser.get(CHANGELIST).status_code == 403
    assert browser.get(change_url(trail.first())).status_code == 403
    assert "审计记录" not in page(browser.get(reverse("admin:index"))).get_text()


def test_auditlogs_own_admin_page_is_gone():
    with pytest.raises(NoReverseMatch):
        reverse("admin:auditlog_logentry_changelist")


def test_an_entry_reads_but_cannot_be_added_changed_or_deleted(superuser, trail):
    entry = trail.get(object_repr="山海协作十年")
    browser = logged_in(superuser)

    detail = browser.get(change_url(entry))

    assert detail.status_code == 200
    assert page(detail).select_one('input[name="_save"]') is None
    assert "稿件：山海协作十年" in page(detail).get_text()
    assert browser.post(change_url(entry), {"object_repr": "改过"}).status_code == 403
    assert browser.get(reverse("admin:audit_auditentry_add")).status_code == 403
    assert (
        browser.post(reverse("admin:audit_auditentry_delete", args=[entry.pk]), {"post": "yes"}).status_code
        == 403
    )
    actions = browser.post(
        CHANGELIST, {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"}
    )
    assert actions.status_code in (200, 302)
    assert LogEntry.objects.filter(pk=entry.pk, object_repr=entry.object_repr).exists()


def test_search_finds_by_actor_name_tried_and_object(superuser, trail):
    browser = logged_in(superuser)

    def found(**query) -> list[str]:
        return rows(browser.get(CHANGELIST, query))

    assert found(q="editor") and all("editor" in row for row in found(q="editor"))
    tried = found(q="reporter")
    assert any("登录失败" in row for row in tried) and all("reporter" in row for row in tried)
    assert len(found(q="山海协作")) == 1
    assert found(q="没有这个人") == []


def test_filters_by_event_and_date(superuser, trail):
    browser = logged_in(superuser)

    logins = rows(browser.get(CHANGELIST, {"event": "login"}))
    created = rows(browser.get(CHANGELIST, {"event": str(LogEntry.Action.CREATE)}))
    today = rows(browser.get(CHANGELIST, {"timestamp__gte": "2000-01-01 00:00:00+08:00"}))
    long_ago = rows(browser.get(CHANGELIST, {"timestamp__lt": "2000-01-01 00:00:00+08:00"}))

    assert any("editor" in row for row in logins) and all("登录" in row for row in logins)
    assert not any("登录失败" in row for row in logins)
    assert created and all("新建" in row for row in created)
    assert len(today) == LogEntry.objects.count()
    assert long_ago == []


def test_an_entry_shows_each_field_before_and_after_and_roles_added(superuser, editor):
    article = ArticleFactory(headline="旧标题")
    article.headline = "新标题"
    article.save()
    browser = logged_in(superuser)
    updates = LogEntry.objects.filter(action=LogEntry.Action.UPDATE).order_by("pk")

    headline = page(browser.get(change_url(updates.get(object_repr="新标题"))))
    roles = page(browser.get(change_url(updates.get(object_repr="editor", changes__has_key="groups"))))

    assert [td.get_text() for td in headline.select(".field-changed_fields td")] == [
        "主题",
        "旧标题",
        "新标题",
    ]
    assert [td.get_text() for td in roles.select(".field-changed_fields td")] == ["组", "", "编辑"]
