"""Every object readers see has a history like an article's: each admin save is a revision,
the desk compares any two in Chinese and restores one (itself a new revision), and a restore
that would break a rule is refused in words with nothing changed. Photos, contributors,
timelines and issues."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from reversion.models import Version

from articles.models import Contributor, Timeline, TimelineItem
from media.models import Photo, PhotoCredit
from tests.admin.test_admin import jpeg_bytes
from tests.admin_forms import errors, extra_index, form_data, inline_index, page
from tests.conftest import logged_in
from tests.factories import (
    ArticleFactory,
    BlockFactory,
    ContributorFactory,
    IssueFactory,
    PhotoCreditFactory,
    PhotoFactory,
    TimelineFactory,
    TimelineItemFactory,
    published,
)

pytestmark = pytest.mark.django_db


def url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def save(browser, obj, **changes):
    """Open the object's page, change fields, save; the page must accept it."""
    target = url(type(obj), "change", obj.pk)
    data = form_data(browser.get(target))
    data.update(changes)
    response = browser.post(target, data)
    assert response.status_code == 302, response.content.decode()[:2000]


def versions(obj) -> list[int]:
    """Every revision, oldest first: an object made outside the admin (factories, like a
    command) gets the state it had kept as its first when the admin first saves it."""
    return list(Version.objects.get_for_object(obj).order_by("pk").values_list("pk", flat=True))


def compare(browser, obj, older, newer) -> tuple[list[str], list[str]]:
    response = browser.get(url(type(obj), "revision_compare", obj.pk), {"from": older, "to": newer})
    assert response.status_code == 200
    soup = page(response)
    return (
        [div.get_text() for div in soup.select(".revision-lines .revision-deleted")],
        [div.get_text() for div in soup.select(".revision-lines .revision-inserted")],
    )


def restore(browser, obj, version_id, *, follow=False):
    """Confirm a restore the way the page does: GET the confirmation, post its form."""
    target = url(type(obj), "revision_restore", obj.pk, version_id)
    confirm = browser.get(target)
    assert confirm.status_code == 200
    opened = page(confirm).find("input", attrs={"name": "opened_version"})
    data = {"comment": "", "opened_version": opened["value"]}
    return browser.post(target, data, follow=follow)


def restore_anyway(browser, obj, version_id) -> tuple[list[str], str]:
    """The confirmation page's problems (it offers no button then), and the messages of a
    restore posted anyway at the current version."""
    target = url(type(obj), "revision_restore", obj.pk, version_id)
    confirm = browser.get(target)
    problems = [li.get_text() for li in page(confirm).select("ul.errorlist li")]
    assert page(confirm).find("input", attrs={"name": "opened_version"}) is None
    current = type(obj).objects.get(pk=obj.pk).version
    response = browser.post(target, {"comment": "", "opened_version": str(current)}, follow=True)
    return problems, " ".join(str(m) for m in response.context["messages"])


def test_a_photos_caption_alt_text_credits_and_focal_point_are_revisions(chief):
    browser = logged_in(chief)
    credit = PhotoCreditFactory(
        photo=PhotoFactory(caption="清晨的村口", alt_text="村口"), contributor__name="周晨磊"
    )
    photo = credit.photo
    save(browser, photo, caption="第一次保存")
    other = ContributorFactory(name="吕之暹")
    data_key = f"credits-{0}-contributor"
    save(browser, photo, caption="傍晚的村口", alt_text="傍晚", focal_x="0.25", **{data_key: str(other.pk)})
    kept, first, second = versions(photo)
    # Made outside the admin, it had no revision: its first save kept it as it was first.
    deleted, inserted = compare(browser, photo, kept, first)
    assert deleted == ["删　图片说明：清晨的村口"] and inserted == ["增　图片说明：第一次保存"]

    deleted, inserted = compare(browser, photo, first, second)
    assert "删　图片说明：第一次保存" in deleted and "增　图片说明：傍晚的村口" in inserted
    assert "删　替代文字：村口" in deleted and "增　替代文字：傍晚" in inserted
    assert "删　焦点横坐标：0.5" in deleted and "增　焦点横坐标：0.25" in inserted
    assert any("周晨磊" in line for line in deleted) and any("吕之暹" in line for line in inserted)

    listing = browser.get(url(Photo, "revisions", photo.pk))
    assert "第3版" in listing.content.decode() and "chief" in listing.content.decode()
    before = Photo.objects.get(pk=photo.pk).version
    assert restore(browser, photo, first).status_code == 302

    photo.refresh_from_db()
    assert (photo.caption, photo.alt_text, photo.focal_x) == ("第一次保存", "村口", 0.5)
    assert list(photo.credits.values_list("contributor__name", flat=True)) == ["周晨磊"]
    assert photo.version == before + 1 and photo.updated_by == chief
    assert len(versions(photo)) == 4  # the restore is a revision of its own


def test_the_photo_page_links_to_its_revisions(chief):
    photo = PhotoFactory()
    browser = logged_in(chief)
    save(browser, photo, caption="改过")
    response = browser.get(url(Photo, "change", photo.pk))
    assert "修订记录（2 版）" in response.content.decode()
    assert url(Photo, "revisions", photo.pk) in response.content.decode()


def test_a_contributor_rename_is_a_revision_and_can_be_restored(editor):
    browser = logged_in(editor)
    contributor = ContributorFactory(name="沈吟")
    save(browser, contributor, name="沈银")
    save(browser, contributor, name="沈吟", disambiguation="本报杭州记者站")
    _, first, second = versions(contributor)
    deleted, inserted = compare(browser, contributor, first, second)
    assert deleted == ["删　姓名或名称：沈银", "删　区分说明：（空）"]
    assert inserted == ["增　姓名或名称：沈吟", "增　区分说明：本报杭州记者站"]
    assert restore(browser, contributor, first).status_code == 302
    contributor.refresh_from_db()
    assert (contributor.name, contributor.disambiguation) == ("沈银", "")


def test_a_restore_that_would_break_a_rule_is_refused_in_words_and_changes_nothing(editor):
    browser = logged_in(editor)
    contributor = ContributorFactory(name="沈吟")
    save(browser, contributor, name="沈银")
    save(browser, contributor, name="沈音")
    first = versions(contributor)[1]
    ContributorFactory(name="沈银")  # someone else has that name now: names are unique
    before = Contributor.objects.filter(pk=contributor.pk).values().get()

    problems, message = restore_anyway(browser, contributor, first)

    assert any("无法恢复到第2版" in p and "已经存在" in p for p in problems), problems
    assert "无法恢复到第2版" in message and "已经存在" in message, message
    assert Contributor.objects.filter(pk=contributor.pk).values().get() == before
    assert len(versions(contributor)) == 3


def test_a_photo_restore_whose_credited_contributor_was_deleted_is_refused(chief):
    browser = logged_in(chief)
    credit = PhotoCreditFactory(contributor__name="周晨磊")
    photo = credit.photo
    save(browser, photo, caption="第一版")
    n = 0
    replacement = ContributorFactory(name="吕之暹")
    save(browser, photo, **{f"credits-{n}-contributor": str(replacement.pk)})
    Contributor.objects.filter(name="周晨磊").delete()

    problems, message = restore_anyway(browser, photo, versions(photo)[1])

    assert any("已被删除" in p for p in problems), problems
    assert "无法恢复到第2版" in message and "已被删除" in message, message
    assert list(PhotoCredit.objects.filter(photo=photo).values_list("contributor__name", flat=True)) == [
        "吕之暹"
    ]


def test_a_timelines_items_and_title_are_revisions_and_a_restore_brings_them_back(editor):
    browser = logged_in(editor)
    timeline = TimelineFactory(title="大事记")
    item = TimelineItemFactory(timeline=timeline, position=1, date=dt.date(2012, 1, 1), text="第一件大事。")
    save(browser, timeline, title="十年大事记")
    target = url(Timeline, "change", timeline.pk)
    data = form_data(browser.get(target))
    data[f"items-{inline_index(data, 'items', item.pk)}-text"] = "改写的第一件大事。"
    n = extra_index(data, "items")
    data |= {f"items-{n}-position": "2", f"items-{n}-date": "2015年3月", f"items-{n}-text": "新加的大事。"}
    assert browser.post(target, data).status_code == 302
    _, first, second = versions(timeline)

    deleted, inserted = compare(browser, timeline, first, second)
    assert deleted == ["删　大事记条目：2012年 第一件大事。"]
    assert inserted == ["增　大事记条目：2012年 改写的第一件大事。", "增　大事记条目：2015年3月 新加的大事。"]

    assert restore(browser, timeline, first).status_code == 302
    assert list(TimelineItem.objects.filter(timeline=timeline).values_list("pk", "text")) == [
        (item.pk, "第一件大事。")
    ]
    assert Timeline.objects.get(pk=timeline.pk).title == "十年大事记"


def test_an_issues_fields_are_revisions_and_can_be_restored(editor):
    browser = logged_in(editor)
    issue = IssueFactory(title="我们这十年")
    save(browser, issue, subtitle="来自浙江基层的报告")
    save(browser, issue, title="我们这十年（修订）", subtitle="")
    _, first, second = versions(issue)
    deleted, inserted = compare(browser, issue, first, second)
    assert "删　专题名称：我们这十年" in deleted and "增　专题名称：我们这十年（修订）" in inserted
    assert restore(browser, issue, first).status_code == 302
    issue.refresh_from_db()
    assert (issue.title, issue.subtitle) == ("我们这十年", "来自浙江基层的报告")


def test_someone_who_may_not_change_a_photo_cannot_restore_it(chief, reporter):
    photo = PhotoFactory(uploaded_by=chief)
    save(logged_in(chief), photo, caption="主任改的")
    browser = logged_in(reporter)
    listing = browser.get(url(Photo, "revisions", photo.pk))
    assert listing.status_code == 200 and "恢复此版本" not in listing.content.decode()
    first = versions(photo)[0]
    response = browser.post(url(Photo, "revision_restore", photo.pk, first), {"opened_version": "2"})
    assert response.status_code == 403
    assert len(versions(photo)) == 2


def test_an_upload_records_who_uploaded_it_and_a_contributor_who_added_it(reporter):
    browser = logged_in(reporter)
    data = form_data(browser.get(url(Photo, "add")))
    data["caption"] = "记者上传"
    data["image"] = SimpleUploadedFile("IMG_0001.jpg", jpeg_bytes(), content_type="image/jpeg")
    assert browser.post(url(Photo, "add"), data).status_code == 302
    assert Photo.objects.get(caption="记者上传").uploaded_by == reporter

    data = form_data(browser.get(url(Contributor, "add")))
    data["name"] = "新作者"
    assert browser.post(url(Contributor, "add"), data).status_code == 302
    assert Contributor.objects.get(name="新作者").created_by == reporter


def test_a_reporter_can_neither_rename_a_contributor_nor_replace_a_published_photo(reporter, chief):
    contributor = ContributorFactory(name="沈吟")  # nobody's: added before it was recorded
    photo = PhotoCreditFactory(photo=PhotoFactory(caption="读者看到的说明")).photo
    article = ArticleFactory(issue=IssueFactory())
    BlockFactory(article=article, kind="photo", text="", photo=photo)
    published(article.issue)
    browser = logged_in(reporter)
    for obj, field in ((contributor, "name"), (photo, "caption")):
        target = url(type(obj), "change", obj.pk)
        shown = browser.get(target)
        assert shown.status_code == 200
        assert page(shown).find("input", attrs={"name": "_save"}) is None  # read-only page
        data = form_data(logged_in(chief).get(target))
        data[field] = "记者改的"
        assert browser.post(target, data).status_code == 403
        assert getattr(type(obj).objects.get(pk=obj.pk), field) != "记者改的"


def test_an_editor_cannot_add_a_timeline_to_an_issue_once_published(editor, chief):
    live = IssueFactory(title="已发布的专题")
    BlockFactory(article=ArticleFactory(issue=live))
    published(live)
    draft = IssueFactory(title="草稿专题")
    for user, issue, accepted in ((editor, live, False), (editor, draft, True), (chief, live, True)):
        browser = logged_in(user)
        data = form_data(browser.get(url(Timeline, "add")))
        data |= {"issue": str(issue.pk), "position": "50", "title": f"{user.username}的大事记"}
        response = browser.post(url(Timeline, "add"), data)
        made = Timeline.objects.filter(title=f"{user.username}的大事记", issue=issue).exists()
        assert made == accepted, (user, issue)
        if not accepted:
            assert response.status_code == 200
            assert any("值班主任" in error for error in errors(response)), errors(response)


def test_imported_photo_slots_and_new_contributors_are_the_importers(editor):
    # A reporter may complete what they imported (upload the slot's picture, fix a name).
    from articles.copydesk import importing
    from tests.seed import SEED_PATH

    seed = SEED_PATH.read_text(encoding="utf-8")
    proposal = importing.propose(seed, user=editor, accept_all=True)
    importing.save_proposal(proposal, user=editor, issue_date="2022-06-20")

    slots, added = Photo.objects.all(), Contributor.objects.all()
    assert slots.count() == 6 and added.count() > 0
    assert {p.uploaded_by for p in slots} == {editor} and {c.created_by for c in added} == {editor}


def test_an_object_with_no_history_keeps_what_its_first_edit_replaced(chief):
    """Rows loaded by a command or older than the history: the first edit must not be the
    only revision, or what it replaced could never be restored."""
    photo = PhotoFactory(caption="原来的说明", alt_text="原来的替代文字")
    assert versions(photo) == []
    browser = logged_in(chief)
    save(browser, photo, alt_text="改坏的替代文字")
    kept, edited = versions(photo)
    assert Version.objects.get(pk=kept).revision.comment.startswith("修改前的版本")
    assert restore(browser, photo, kept).status_code == 302
    photo.refresh_from_db()
    assert (photo.caption, photo.alt_text) == ("原来的说明", "原来的替代文字")
