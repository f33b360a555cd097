"""Importing a package: the round trip, contributors matched, --replace, and every kind of
bad package refused with the database and storage exactly as they were."""

import hashlib
import io
import json
import stat
import zipfile

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db.models import F
from django.utils import timezone
from reversion.models import Version

from articles.demo.loader import load_demo_issue
from articles.exchange import export
from articles.exchange import importing as import_package
from articles.exchange.package import PackageRefused
from articles.exchange.writing import reader_view
from articles.models import (
    Article,
    Block,
    Contributor,
    Issue,
    Publication,
    PublishedArticle,
    Section,
    TimelineItem,
    TransitionRecord,
)
from articles.workflow import ArticleStatus, IssueStatus
from media.models import Photo
from tests.factories import ArticleFactory, BlockFactory, IssueFactory, published
from tests.object_storage import stored_names

pytestmark = pytest.mark.django_db

DEMO_SLUG = "wo-men-zhe-shi-nian"


def package_bytes(issue, **kwargs) -> bytes:
    out = io.BytesIO()
    export.export_issue(issue, out, **kwargs)
    return out.getvalue()


def member(package: bytes, name: str) -> bytes:
    return zipfile.ZipFile(io.BytesIO(package)).read(name)


def import_bytes(package: bytes, **kwargs):
    return import_package.import_package(io.BytesIO(package), **kwargs)


def stored_files() -> list[str]:
    return sorted(stored_names())


def state() -> tuple[dict, list[str]]:
    """Every table's row count, and every file in storage."""
    rows = {model._meta.label: model.objects.count() for model in apps.get_models()}
    return rows, stored_files()


def delete_everything() -> None:
    """An empty newsroom: no publications, issues, photos (nor their files), contributors or
    revisions; user accounts stay."""
    PublishedArticle.objects.all().delete()
    Publication.objects.all().delete()
    Issue.objects.all().delete()
    for photo in Photo.objects.all():
        photo.image.storage.delete(photo.image.name)
        for rendition in getattr(photo, "renditions", Photo.objects.none()).all():
            rendition.file.storage.delete(rendition.file.name)
    Photo.objects.all().delete()
    Contributor.objects.all().delete()
    Version.objects.all().delete()


def rebuild(package: bytes, *, change=None, drop=(), add=None, rehash=True, raw=None) -> bytes:
    """A copy of `package` with entries changed, dropped or added; the manifest rewritten to
    match (`rehash`) or left as it was (a tampered package)."""
    source = zipfile.ZipFile(io.BytesIO(package))
    files = {name: source.read(name) for name in source.namelist()}
    manifest = json.loads(files.pop("manifest.json"))
    for name, edit in (change or {}).items():
        files[name] = edit(files[name])
    for name in drop:
        files.pop(name)
    files.update(add or {})
    if rehash:
        listed = {e["path"] for e in manifest["files"]}
        manifest["files"] = [
            {"path": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
            for name, data in sorted(files.items())
            if name in listed or name in (add or {})
        ]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in files.items():
            target.writestr(name, data)
        target.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False))
        for info, data in raw or []:
            target.writestr(info, data)
    return out.getvalue()


def edit_json(edit):
    def change(data: bytes) -> bytes:
        document = json.loads(data)
        edit(document)
        return json.dumps(document, ensure_ascii=False, indent=2).encode()

    return change


@pytest.fixture
def demo():
    issue, _ = load_demo_issue()
    return issue


@pytest.fixture
def demo_package(demo) -> bytes:
    return package_bytes(demo)


# The round trip


@pytest.mark.storage
def test_round_trip_into_an_empty_database_gives_the_same_issue_json(demo, demo_package):
    publication_before = json.loads(demo.publications.get().body)
    delete_everything()
    assert Issue.objects.count() == Photo.objects.count() == Contributor.objects.count() == 0
    assert stored_files() == []

    result = import_bytes(demo_package)

    issue = Issue.objects.get(slug=DEMO_SLUG)
    assert result.issue == issue and result.articles == 3 and result.photos == 6
    again = package_bytes(issue)
    assert member(again, "issue.json") == member(demo_package, "issue.json")
    # Readers of this database get the same report, under this database's ids.
    publication = issue.publications.get()
    assert publication.number == 1 and publication == result.publication
    assert reader_view(json.loads(publication.body)) == reader_view(publication_before)
    assert publication.articles.count() == 3


def test_round_trip_keeps_states_order_and_timestamps(demo, demo_package):
    articles = list(
        demo.articles.order_by("position").values("slug", "status", "created_at", "updated_at", "version")
    )
    delete_everything()
    import_bytes(demo_package)
    assert (
        list(
            Article.objects.order_by("position").values(
                "slug", "status", "created_at", "updated_at", "version"
            )
        )
        == articles
    )
    issue = Issue.objects.get()
    assert issue.status == IssueStatus.PUBLISHED
    response = json.loads(member(demo_package, "publication.json"))
    served = issue.publications.get()
    assert [p["type"] for p in json.loads(served.body)["parts"]] == [p["type"] for p in response["parts"]]


def test_public_api_serves_the_imported_issue(demo, demo_package, client):
    delete_everything()
    import_bytes(demo_package)
    response = client.get(f"/api/v1/issues/{DEMO_SLUG}/")
    assert response.status_code == 200
    assert response.json()["title"] == "我们这十年·来自浙江基层的报告"


def test_users_are_linked_by_username(django_user_model, editor):
    issue = IssueFactory(slug="with-users")
    article = ArticleFactory(issue=issue, created_by=editor)
    BlockFactory(article=article)
    published(issue)
    package = package_bytes(issue)
    assert json.loads(member(package, "issue.json"))["parts"][0]["article"]["created_by"] == "editor"
    delete_everything()
    import_bytes(package)
    assert Article.objects.get().created_by == editor
    assert member(package_bytes(Issue.objects.get()), "issue.json") == member(package, "issue.json")


def test_contributors_are_matched_not_duplicated(demo, demo_package):
    contributors = Contributor.objects.count()
    issue_photos = set(Photo.objects.values_list("pk", flat=True))
    result = import_bytes(demo_package, replace=True)
    assert Contributor.objects.count() == contributors
    assert result.contributors_created == 0 and result.contributors_matched == contributors
    # The replaced issue keeps its photos (the same files): ids, and so links, stay.
    assert set(Photo.objects.values_list("pk", flat=True)) == issue_photos


def test_same_name_with_another_disambiguation_is_someone_else(demo, demo_package):
    delete_everything()
    Contributor.objects.create(name="沈吟", disambiguation="本报杭州记者站")
    import_bytes(demo_package)
    assert Contributor.objects.filter(name="沈吟").count() == 2


def test_unpublished_edits_do_not_become_a_publication(demo):
    article = demo.articles.get(position=1)
    block = article.blocks.filter(kind="paragraph").first()
    type(block).objects.filter(pk=block.pk).update(text="尚未发布的修改。")
    package = package_bytes(demo)
    delete_everything()
    result = import_bytes(package)
    assert result.publication is None
    assert any("未恢复发布记录" in note for note in result.notes)
    assert Article.objects.get(slug=article.slug).status == ArticleStatus.PUBLISHED


def test_draft_package_imports_without_a_publication():
    issue = IssueFactory(slug="draft-only")
    ArticleFactory(issue=issue, status=ArticleStatus.DRAFT, headline="草稿")
    package = package_bytes(issue, allow_draft=True)
    delete_everything()
    result = import_bytes(package)
    assert result.publication is None and result.notes == []
    assert Article.objects.get().status == ArticleStatus.DRAFT


def test_imported_articles_start_their_revision_history(demo, demo_package):
    delete_everything()
    import_bytes(demo_package)
    for article in Article.objects.all():
        assert Version.objects.get_for_object(article).count() == 1


# Existing slugs


def test_existing_slug_is_refused_without_replace(demo, demo_package):
    before = state()
    with pytest.raises(PackageRefused, match="--replace"):
        import_bytes(demo_package)
    assert state() == before


def test_replace_keeps_the_publication_records(demo, demo_package):
    """What readers were shown is on record for good: a replace updates the working copy
    and never deletes a publication (the --discard-publications of old is gone)."""
    publications = list(Publication.objects.values_list("pk", "number", "sha256"))
    published_articles = list(PublishedArticle.objects.values_list("pk", "article_id"))

    def edit(document):
        document["issue"]["description"] = "源站点后来改过的简介。"
        document["issue"]["version"] += 1
        document["issue"]["updated_at"] = "2030-01-01T08:00:00+08:00"

    import_bytes(newer_in_package(demo_package, edit), replace=True)
    assert list(Publication.objects.values_list("pk", "number", "sha256")) == publications
    assert list(PublishedArticle.objects.values_list("pk", "article_id")) == published_articles
    assert Issue.objects.get(pk=demo.pk).description == "源站点后来改过的简介。"


def test_replace_of_an_unpublished_issue(demo_package):
    delete_everything()
    issue = IssueFactory(slug=DEMO_SLUG, title="旧的草稿")
    draft = ArticleFactory(issue=issue, status=ArticleStatus.DRAFT, headline="旧草稿里的稿件")
    before = database_dump()
    # The old draft was saved after the package was made: refused unless told to discard it.
    with pytest.raises(PackageRefused, match="旧草稿里的稿件"):
        import_bytes(demo_package, replace=True)
    assert database_dump() == before

    result = import_bytes(demo_package, replace=True, discard_newer=True)
    replaced = Issue.objects.get(slug=DEMO_SLUG)
    assert replaced.pk == issue.pk and replaced.title == "我们这十年·来自浙江基层的报告"
    assert not Article.objects.filter(pk=draft.pk).exists()
    assert any("旧草稿里的稿件" in note and "删除" in note for note in result.notes)


def test_article_slug_used_by_another_issue_is_refused(demo, demo_package):
    lead = demo.articles.get(position=1)
    delete_everything()
    other = IssueFactory(slug="other")
    ArticleFactory(issue=other, slug=lead.slug)
    before = state()
    with pytest.raises(PackageRefused, match=lead.slug):
        import_bytes(demo_package)
    assert state() == before


# Bad packages: refused, nothing changed


def first_media(package: bytes) -> str:
    return next(n for n in zipfile.ZipFile(io.BytesIO(package)).namelist() if n.startswith("media/"))


def flip_byte(data: bytes) -> bytes:
    return data[:100] + bytes([data[100] ^ 0xFF]) + data[101:]


def symlink_entry(name: str, target: str) -> tuple[zipfile.ZipInfo, bytes]:
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info, target.encode()


BAD_PACKAGES = {
    "tampered photo": (
        lambda p: rebuild(p, change={first_media(p): flip_byte}, rehash=False),
        "校验和与清单不符",
    ),
    "tampered text": (
        lambda p: rebuild(
            p,
            change={"issue.json": lambda d: d.replace("勇担使命".encode(), "勇担重任".encode())},
            rehash=False,
        ),
        "校验和与清单不符",
    ),
    "absolute path": (lambda p: rebuild(p, add={"/etc/cron.d/evil": b"x"}), "绝对路径"),
    "dot-dot path": (lambda p: rebuild(p, add={"media/../../evil.jpg": b"x"}), "“..”"),
    "symlink": (lambda p: rebuild(p, raw=[symlink_entry("media/link.jpg", "/etc/passwd")]), "链接"),
    "zip bomb": (
        lambda p: rebuild(p, change={first_media(p): lambda d: d + b"\0" * 50_000_000}, rehash=False),
        "与清单所记",
    ),
    "file missing": (lambda p: rebuild(p, drop=[first_media(p)], rehash=False), "不完整"),
    "issue.json missing": (lambda p: rebuild(p, drop=["issue.json"]), "不完整"),
    "manifest missing": (lambda p: _without(p, "manifest.json"), "缺少 manifest.json"),
    "unknown version": (
        lambda p: _with_manifest(p, lambda m: m.update(version="2.0")),
        "格式版本“2.0”不受支持",
    ),
    "not a package": (lambda p: _with_manifest(p, lambda m: m.update(format="epub")), "不是专题导出包"),
    "export time missing": (
        lambda p: _with_manifest(p, lambda m: m.update(exported_at="yesterday")),
        "exported_at",
    ),
    "schema violation": (
        lambda p: rebuild(
            p, change={"issue.json": edit_json(lambda d: d["parts"][0]["article"].pop("headline"))}
        ),
        "不符合格式说明",
    ),
    "dangling reference": (
        lambda p: rebuild(
            p,
            change={"issue.json": edit_json(lambda d: d["parts"][1].update(photo="photo-99"))},
        ),
        "photo-99",
    ),
    "not a zip": (lambda p: b"PK\x03\x04 this is not really a zip", "不是有效的 ZIP"),
}


def _without(package: bytes, name: str) -> bytes:
    source, out = zipfile.ZipFile(io.BytesIO(package)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            if info.filename != name:
                target.writestr(info, source.read(info))
    return out.getvalue()


def _with_manifest(package: bytes, edit) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(package))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "manifest.json":
                manifest = json.loads(data)
                edit(manifest)
                data = json.dumps(manifest).encode()
            target.writestr(info, data)
    return out.getvalue()


@pytest.mark.parametrize("kind", list(BAD_PACKAGES))
def test_bad_package_is_refused_and_nothing_changes(demo_package, kind):
    make, message = BAD_PACKAGES[kind]
    bad = make(demo_package)
    delete_everything()
    before = state()
    with pytest.raises(PackageRefused, match=message):
        import_bytes(bad)
    assert state() == before


def test_total_size_and_ratio_caps(demo_package, settings):
    delete_everything()
    before = state()
    settings.IMPORT_MAX_BYTES = 1000
    with pytest.raises(PackageRefused, match="超过上限"):
        import_bytes(demo_package)
    settings.IMPORT_MAX_BYTES = 4 * 1024**3
    zeros = b"\0" * (3 * 1024 * 1024)  # consistent with its manifest, but compresses 1000:1
    with pytest.raises(PackageRefused, match="压缩比异常"):
        import_bytes(rebuild(demo_package, add={"media/zeros.jpg": zeros}))
    assert state() == before


@pytest.mark.storage
def test_failure_half_way_deletes_the_files_already_stored(demo_package):
    """A photo that passes every checksum but is not an image: the photos before it were
    stored already; the database rolls back, and their files are deleted again."""
    document = json.loads(member(demo_package, "issue.json"))
    last = document["photos"][-1]["file"]
    bad = rebuild(demo_package, change={last: lambda d: b"GIF89a not an image at all" * 10})
    delete_everything()
    before = state()
    with pytest.raises(PackageRefused, match="图片"):
        import_bytes(bad)
    assert state() == before


# The command


def test_import_command(demo, demo_package, tmp_path):
    path = tmp_path / "demo.zip"
    path.write_bytes(demo_package)
    delete_everything()
    out = io.StringIO()
    call_command("import_issue", str(path), stdout=out)
    assert "已导入《我们这十年·来自浙江基层的报告》" in out.getvalue()
    assert "已恢复第 1 次发布" in out.getvalue()
    with pytest.raises(CommandError, match="未导入，数据库和存储均未改动.*--replace"):
        call_command("import_issue", str(path))
    with pytest.raises(CommandError, match="只能与 --replace 一起使用"):
        call_command("import_issue", str(path), discard_newer=True)
    out = io.StringIO()
    call_command("import_issue", str(path), replace=True, stdout=out)
    assert "已以导出包替换本站的专题" in out.getvalue()
    with pytest.raises(CommandError, match="找不到文件"):
        call_command("import_issue", str(tmp_path / "missing.zip"))


# --replace never discards newer work, and keeps ids (issue 16, finding 3)


def database_dump() -> dict:
    """Every row of every table, field by field, and every stored file: a refused import
    must leave all of it exactly as it was, not merely the same number of rows."""
    dump = {}
    for model in apps.get_models():
        rows = []
        for row in model.objects.order_by("pk").values():
            rows.append({k: bytes(v) if isinstance(v, memoryview) else v for k, v in row.items()})
        dump[model._meta.label] = rows
    dump["files"] = stored_files()
    return dump


def saved_by(user, obj, **changes) -> None:
    """What a save on the site does to a row: new values, a new version, who and when."""
    type(obj).objects.filter(pk=obj.pk).update(**changes)
    bump_version(obj, user)


def bump_version(obj, user) -> None:
    type(obj).objects.filter(pk=obj.pk).update(
        version=F("version") + 1, updated_by=user, updated_at=timezone.now()
    )
    obj.refresh_from_db()


def newer_in_package(package: bytes, edit) -> bytes:
    """The package as the source site would export it after more work: `edit(document)`
    changes issue.json; the edited rows should also carry a later version and time."""
    return rebuild(package, change={"issue.json": edit_json(edit)})


def approved_issue() -> Issue:
    """A finished issue that was never published: every article approved."""
    issue = IssueFactory(slug="approved-only", title="审完未发")
    for n in (1, 2):
        article = ArticleFactory(issue=issue, status=ArticleStatus.APPROVED, headline=f"第{n}篇", position=n)
        BlockFactory(article=article, text=f"第{n}篇的正文。")
    return issue


def ids_of(issue: Issue) -> dict:
    return {
        "issue": issue.pk,
        "articles": sorted(issue.articles.values_list("slug", "pk")),
        "blocks": sorted(Block.objects.filter(article__issue=issue).values_list("pk", flat=True)),
        "sections": sorted(Section.objects.filter(article__issue=issue).values_list("pk", flat=True)),
        "timelines": sorted(issue.timelines.values_list("pk", flat=True)),
        "items": sorted(TimelineItem.objects.filter(timeline__issue=issue).values_list("pk", flat=True)),
        "page photos": sorted(issue.issue_photos.values_list("pk", "photo_id")),
        "photos": sorted(
            Block.objects.filter(article__issue=issue).exclude(photo=None).values_list("photo_id", flat=True)
        ),
        "transitions": sorted(TransitionRecord.objects.values_list("pk", flat=True)),
        "publications": sorted(Publication.objects.values_list("pk", flat=True)),
    }


def test_replace_refuses_edits_made_on_the_site_after_the_export(editor):
    issue = approved_issue()
    package = package_bytes(issue)
    article = issue.articles.get(position=2)
    saved_by(editor, article, headline="本站导出之后改过的主题")
    before = database_dump()

    with pytest.raises(PackageRefused) as refusal:
        import_bytes(package, replace=True)

    message = str(refusal.value)
    assert "本站导出之后改过的主题" in message and "editor" in message and "--discard-newer" in message
    assert "第1篇" not in message  # only what changed is listed
    assert database_dump() == before


def test_replace_refuses_an_article_added_on_the_site_after_the_export(demo, demo_package):
    ArticleFactory(issue=demo, headline="导出之后新写的稿件", position=50)
    before = database_dump()
    with pytest.raises(PackageRefused, match="导出之后新写的稿件"):
        import_bytes(demo_package, replace=True)
    assert database_dump() == before


def test_replace_refuses_a_timeline_edited_on_the_site_after_the_export(demo, demo_package, editor):
    timeline = demo.timelines.get()
    item = timeline.items.order_by("position").first()
    type(item).objects.filter(pk=item.pk).update(text="本站补充的大事记条目。")
    bump_version(timeline, editor)
    before = database_dump()
    with pytest.raises(PackageRefused, match=timeline.title):
        import_bytes(demo_package, replace=True)
    assert database_dump() == before


def test_replace_of_an_unchanged_site_copy_keeps_every_id_and_publication(demo, demo_package, client):
    before = ids_of(demo)
    revisions = Version.objects.count()
    lead = demo.articles.get(position=1)

    result = import_bytes(demo_package, replace=True)

    assert result.issue.pk == demo.pk
    assert ids_of(demo) == before
    assert Version.objects.count() == revisions  # nothing changed, nothing recorded
    assert client.get(f"/api/v1/articles/{lead.pk}/").status_code == 200


def test_replace_with_a_newer_package_updates_rows_in_place_and_records_it(demo, demo_package, client):
    lead = demo.articles.get(position=1)
    block = lead.blocks.filter(kind="paragraph").order_by("position").first()
    index = list(lead.blocks.order_by("position", "id").values_list("pk", flat=True)).index(block.pk)
    before = ids_of(demo)

    def edit(document):
        article = next(p["article"] for p in document["parts"] if p["type"] == "article")
        article["headline"] = "源站点后来改过的主题"
        article["blocks"][index]["text"] = "源站点后来改过的段落。"
        article["version"] += 3
        article["updated_at"] = "2030-01-01T08:00:00+08:00"

    result = import_bytes(newer_in_package(demo_package, edit), replace=True)

    lead.refresh_from_db()
    block.refresh_from_db()
    assert ids_of(demo) == before  # same article, same blocks, history and URLs kept
    assert lead.headline == "源站点后来改过的主题" and block.text == "源站点后来改过的段落。"
    assert (
        lead.version >= json.loads(member(demo_package, "issue.json"))["parts"][0]["article"]["version"] + 3
    )
    comments = [v.revision.get_comment() for v in Version.objects.get_for_object(lead)]
    assert any("以导出包" in c and "替换" in c for c in comments)
    others = demo.articles.exclude(pk=lead.pk)
    assert all(Version.objects.get_for_object(a).count() == 1 for a in others)  # unchanged: no revision
    # Readers keep the publication until the duty chief publishes the replaced text.
    assert result.publication is None
    assert client.get(f"/api/v1/articles/{lead.pk}/").json()["headline"] != "源站点后来改过的主题"


def test_discard_newer_replaces_the_site_copy_and_says_what_it_discarded(demo, demo_package, editor):
    lead = demo.articles.get(position=1)
    headline = lead.headline
    saved_by(editor, lead, headline="本站导出之后改过的主题")
    before = ids_of(demo)

    result = import_bytes(demo_package, replace=True, discard_newer=True)

    lead.refresh_from_db()
    assert lead.headline == headline and ids_of(demo) == before
    assert any("本站导出之后改过的主题" in note for note in result.notes)
    # The discarded text stays in the article's revisions: nothing is lost for good.
    assert Version.objects.get_for_object(lead).count() >= 2


def test_an_article_on_record_is_never_deleted_by_a_replace(demo, demo_package):
    lead = demo.articles.get(position=1)

    def drop_lead(document):
        document["parts"] = [
            p for p in document["parts"] if p["type"] != "article" or p["article"]["slug"] != lead.slug
        ]

    result = import_bytes(newer_in_package(demo_package, drop_lead), replace=True)
    assert Article.objects.filter(pk=lead.pk, issue=demo).exists()
    assert any(lead.headline in note and "保留" in note for note in result.notes)


def test_import_command_refuses_newer_site_work_and_names_the_flag(demo, demo_package, editor, tmp_path):
    path = tmp_path / "demo.zip"
    path.write_bytes(demo_package)
    saved_by(editor, demo.articles.get(position=1), headline="本站导出之后改过的主题")
    with pytest.raises(CommandError, match="(?s)未导入.*本站导出之后改过的主题.*--discard-newer"):
        call_command("import_issue", str(path), replace=True)
    out = io.StringIO()
    call_command("import_issue", str(path), replace=True, discard_newer=True, stdout=out)
    assert "已导入" in out.getvalue()
    with pytest.raises(CommandError, match="只能与 --replace 一起使用"):
        call_command("import_issue", str(path), discard_newer=True)


# Malformed archives: a Chinese refusal naming the entry, never a traceback (finding 9)


MALFORMED = {
    "file, then a folder of the same name": ({"media/x.jpg": b"x", "media/x.jpg/y": b"y"}, "media/x.jpg"),
    "folder, then a file of the same name": ({"media/a/b": b"x", "media/a": b"y"}, "media/a"),
    "manifest as a folder": ({"manifest.json/x": b"x"}, "manifest.json"),
    "names that differ only in case": ({"media/Photo.jpg": b"x", "media/photo.JPG": b"y"}, "photo"),
    "a name too long to unpack": ({"media/" + "长" * 200 + ".jpg": b"x"}, "过长"),
    "a control character in a name": ({"media/x\n.jpg": b"x"}, "非法字符"),
}


@pytest.mark.parametrize("kind", list(MALFORMED))
def test_malformed_archive_is_refused_naming_the_entry(demo_package, kind):
    entries, named = MALFORMED[kind]
    bad = rebuild(demo_package, add=entries)
    delete_everything()
    before = database_dump()
    with pytest.raises(PackageRefused, match=named) as refusal:
        import_bytes(bad)
    assert "已拒绝导入" in str(refusal.value)
    assert database_dump() == before


def test_duplicate_entries_are_refused_naming_the_entry(demo_package):
    media = first_media(demo_package)
    bad = rebuild(demo_package, raw=[(zipfile.ZipInfo(media), b"second copy")])
    delete_everything()
    before = database_dump()
    with pytest.raises(PackageRefused, match=f"{media}.*重名"):
        import_bytes(bad)
    assert database_dump() == before


def test_encrypted_entry_is_refused_naming_the_entry(demo_package):
    media = first_media(demo_package)
    source = zipfile.ZipFile(io.BytesIO(demo_package))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            target.writestr(info, source.read(info))
    data = bytearray(out.getvalue())
    # Set the "encrypted" bit of the entry in its local header and the central directory.
    name = media.encode()
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (found := data.find(signature, start)) != -1:
            name_at = found + (30 if signature == b"PK\x03\x04" else 46)
            if data[name_at : name_at + len(name)] == name:
                data[found + offset] |= 0x01
            start = found + 4
    delete_everything()
    before = database_dump()
    with pytest.raises(PackageRefused, match=f"{media}.*加密"):
        import_bytes(bytes(data))
    assert database_dump() == before


def test_newer_package_updates_timelines_page_photos_and_photos_in_place(demo, demo_package):
    before = ids_of(demo)
    timeline = demo.timelines.get()
    first_item = timeline.items.order_by("position", "date", "id").first()
    page_photo = demo.issue_photos.order_by("position", "id").first()
    later = "2030-01-01T08:00:00+08:00"

    def edit(document):
        entry = next(p["timeline"] for p in document["parts"] if p["type"] == "timeline")
        entry["items"][0]["text"] = "源站点后来改过的大事记条目。"
        entry["version"] += 1
        entry["updated_at"] = later
        page = next(p["photo"] for p in document["parts"] if p["type"] == "photo")
        photo = next(p for p in document["photos"] if p["id"] == page)
        photo["caption"] = "源站点后来改过的图片说明。"
        photo["version"] += 1
        photo["updated_at"] = later

    import_bytes(newer_in_package(demo_package, edit), replace=True)

    assert ids_of(demo) == before
    first_item.refresh_from_db()
    assert first_item.text == "源站点后来改过的大事记条目。"
    assert Photo.objects.get(pk=page_photo.photo_id).caption == "源站点后来改过的图片说明。"


def test_a_replace_that_fails_half_way_changes_nothing(demo, demo_package):
    """The last article's text is refused by this site's rules after the first articles were
    already rewritten in place: the whole replace rolls back."""

    def edit(document):
        articles = [p["article"] for p in document["parts"] if p["type"] == "article"]
        articles[0]["headline"] = "先写进去的主题"
        articles[-1]["blocks"][0]["text"] = "带有从右向左覆盖\u202e的段落。"
        for article in (articles[0], articles[-1]):
            article["version"] += 1
            article["updated_at"] = "2030-01-01T08:00:00+08:00"

    bad = newer_in_package(demo_package, edit)
    before = database_dump()
    with pytest.raises(PackageRefused, match="U\\+202E"):
        import_bytes(bad, replace=True)
    assert database_dump() == before


def test_a_page_photo_with_another_picture_comes_in_as_a_new_photo(demo, demo_package):
    """The source put another picture in the slot: the site's photo, a library item other
    issues may use, is left as it is, and the slot (same row) shows the package's picture."""
    document = json.loads(member(demo_package, "issue.json"))
    page = next(p["photo"] for p in document["parts"] if p["type"] == "photo")
    files = {p["id"]: p["file"] for p in document["photos"]}
    other = next(f for pid, f in files.items() if pid != page)
    slot = demo.issue_photos.order_by("position", "id").first()
    old_photo = slot.photo

    changed = rebuild(demo_package, change={files[page]: lambda _: member(demo_package, other)})
    import_bytes(changed, replace=True)

    slot.refresh_from_db()
    assert slot.photo_id != old_photo.pk
    assert Photo.objects.filter(pk=old_photo.pk, caption=old_photo.caption).exists()
