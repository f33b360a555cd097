"""Importing a package: the round trip, contributors matched, --replace, and every kind of
bad package refused with the database and storage exactly as they were."""

import hashlib
import io
import json
import stat
import zipfile
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from reversion.models import Version

from articles.models import Article, Contributor, Issue, Publication, PublishedArticle
from articles.services import export, import_package
from articles.services.demo import load_demo_issue
from articles.services.import_package import PackageRefused, reader_view
from articles.workflow import ArticleStatus, IssueStatus
from media.models import Photo

from .factories import ArticleFactory, BlockFactory, IssueFactory, published
from .test_export import few_renditions  # noqa: F401 - the same fast renditions here

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
    root = Path(django_settings.MEDIA_ROOT)
    return (
        sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
        if root.exists()
        else []
    )


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
    result = import_bytes(demo_package, replace=True, discard_publications=True)
    assert Contributor.objects.count() == contributors
    assert result.contributors_created == 0 and result.contributors_matched == contributors
    # The replaced issue's photos went with it; the package's came in.
    assert Photo.objects.count() == 6 and not set(Photo.objects.values_list("pk", flat=True)) & issue_photos


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


def test_replace_does_not_silently_delete_publications(demo, demo_package):
    before = state()
    with pytest.raises(PackageRefused, match="--discard-publications") as refusal:
        import_bytes(demo_package, replace=True)
    assert "1 条发布记录" in str(refusal.value)
    assert state() == before


def test_replace_of_an_unpublished_issue(demo_package):
    delete_everything()
    issue = IssueFactory(slug=DEMO_SLUG, title="旧的草稿")
    ArticleFactory(issue=issue, status=ArticleStatus.DRAFT)
    result = import_bytes(demo_package, replace=True)
    assert Issue.objects.get(slug=DEMO_SLUG).title == "我们这十年·来自浙江基层的报告"
    assert any("已删除原有的专题《旧的草稿》" in note for note in result.notes)


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
        call_command("import_issue", str(path), discard_publications=True)
    out = io.StringIO()
    call_command("import_issue", str(path), replace=True, discard_publications=True, stdout=out)
    assert "1 条发布记录" in out.getvalue()
    with pytest.raises(CommandError, match="找不到文件"):
        call_command("import_issue", str(tmp_path / "missing.zip"))
