"""Exporting an issue as a package: layout, manifest, determinism, ninjs validity, the
static edition, which issues may export, and the command, admin and API that offer it."""

import copy
import datetime as dt
import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.demo.loader import load_demo_issue
from articles.exchange import export
from articles.exchange.formats import issue_format, ninjs
from articles.exchange.formats.ninjs import STANDARD_DIR
from articles.models import Article, Block, Issue, Publication
from articles.publications.publishing import publish_issue, withdraw_issue
from articles.workflow import ArticleStatus
from media.credits import CreditAction, CreditRole
from tests.conftest import logged_in
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
from tests.seed import corrected_seed_texts

pytestmark = pytest.mark.django_db


DEMO_SLUG = "wo-men-zhe-shi-nian"


def package_of(issue, **kwargs) -> zipfile.ZipFile:
    out = io.BytesIO()
    export.export_issue(issue, out, **kwargs)
    return zipfile.ZipFile(io.BytesIO(out.getvalue()))


def package_bytes(issue, **kwargs) -> bytes:
    out = io.BytesIO()
    export.export_issue(issue, out, **kwargs)
    return out.getvalue()


def read_json(package: zipfile.ZipFile, name: str):
    return json.loads(package.read(name).decode("utf-8"))


@pytest.fixture
def demo():
    issue, _ = load_demo_issue()
    return issue


@pytest.fixture
def demo_package(demo):
    return package_of(demo)


def small_issue(articles: int = 1) -> Issue:
    """A published issue with `articles` articles, each with a byline, a testimony, a photo,
    plus a page photo and a timeline."""
    issue = IssueFactory()
    for _ in range(articles):
        article = ArticleFactory(issue=issue)
        BylineFactory(article=article)
        section = SectionFactory(article=article)
        BlockFactory(article=article, position=1)
        photo = PhotoCreditFactory().photo
        BlockFactory(
            article=article, section=section, position=2, kind=Block.Kind.PHOTO, text="", photo=photo
        )
    IssuePhotoFactory(issue=issue, photo=PhotoCreditFactory().photo, position=90)
    timeline = TimelineFactory(issue=issue, position=99)
    BylineFactory(article=None, timeline=timeline)
    TimelineItemFactory(timeline=timeline)
    return published(issue)


# The package


def test_demo_package_layout(demo, demo_package):
    names = set(demo_package.namelist())
    slugs = list(demo.articles.order_by("position").values_list("slug", flat=True))
    assert {"manifest.json", "issue.json", "publication.json", "index.html", "ninjs/issue.json"} <= names
    assert {f"articles/{slug}.html" for slug in slugs} <= names
    assert {f"ninjs/articles/{slug}.json" for slug in slugs} <= names
    document = read_json(demo_package, "issue.json")
    for photo in document["photos"]:
        assert photo["file"] in names
    assert len(document["photos"]) == 6  # 南湖, three testimony photos, two page photos
    # Nothing but these: no folders, no stray files.
    expected_prefixes = ("articles/", "media/", "ninjs/")
    assert all(
        n in {"manifest.json", "issue.json", "publication.json", "index.html"}
        or n.startswith(expected_prefixes)
        for n in names
    )


def test_manifest_lists_every_file_with_size_and_sha256(demo, demo_package):
    manifest = read_json(demo_package, "manifest.json")
    assert manifest["format"] == "newsroom-issue-package"
    assert manifest["version"] == "1.0"
    assert manifest["draft"] is False
    assert manifest["issue"] == {"slug": DEMO_SLUG, "title": demo.title, "issue_date": "2022-06-20"}
    assert manifest["software"]["name"] == "newsroom" and manifest["software"]["version"]
    listed = {entry["path"]: entry for entry in manifest["files"]}
    assert set(listed) == set(demo_package.namelist()) - {"manifest.json"}
    for name, entry in listed.items():
        data = demo_package.read(name)
        assert entry["size"] == len(data), name
        assert entry["sha256"] == hashlib.sha256(data).hexdigest(), name
    publication = demo.publications.get()
    assert manifest["source"]["publication"] == {
        "number": 1,
        "visible_from": "2022-06-20T08:00:00+08:00",
        "sha256": publication.sha256,
    }


def test_publication_json_is_the_exact_bytes_readers_got(demo, demo_package):
    publication = demo.publications.get()
    data = demo_package.read("publication.json")
    assert data == publication.body.encode("utf-8")
    assert hashlib.sha256(data).hexdigest() == publication.sha256
    assert read_json(demo_package, "issue.json")["publication"]["number"] == publication.number


def test_media_holds_the_original_files(demo, demo_package):
    document = read_json(demo_package, "issue.json")
    stored = {}
    for article in demo.articles.all():
        for block in article.blocks.filter(kind=Block.Kind.PHOTO).select_related("photo"):
            stored[block.photo.caption] = block.photo
    for placement in demo.issue_photos.select_related("photo"):
        stored[placement.photo.caption] = placement.photo
    for entry in document["photos"]:
        photo = stored[entry["caption"]]
        with photo.image.open("rb") as original:
            assert demo_package.read(entry["file"]) == original.read()
        assert (entry["width"], entry["height"]) == (photo.width, photo.height)


@pytest.mark.storage
def test_renditions_are_in_media_and_in_ninjs(demo, demo_package):
    from media.models import Rendition

    rows = list(Rendition.objects.filter(photo__blocks__article__issue=demo).distinct())
    assert rows, "the demo makes renditions"
    names = demo_package.namelist()
    media = [n for n in names if n.startswith("media/")]
    assert (
        len(media)
        == 6
        + Rendition.objects.filter(
            photo__in=[*{r.photo_id for r in rows}, *demo.issue_photos.values_list("photo_id", flat=True)]
        ).count()
    )
    lead = Article.objects.get(issue=demo, position=1)
    document = read_json(demo_package, f"ninjs/articles/{lead.slug}.json")
    photo = document["associations"][0]
    assert photo["renditions"][0]["name"] == "original"
    assert len(photo["renditions"]) > 1
    for rendition in photo["renditions"]:
        assert rendition["href"].startswith("http")
    package_paths = [alt["value"] for alt in photo["altIds"]]
    assert all(path in names for path in package_paths)
    sizes = {r["name"]: r["sizeInBytes"] for r in photo["renditions"]}
    for alt in photo["altIds"]:
        assert sizes[alt["role"].removeprefix("package-file:")] == len(demo_package.read(alt["value"]))


# Determinism


def test_same_issue_gives_byte_identical_zips_whatever_the_clock(demo):
    first = package_bytes(demo)
    with time_machine.travel("2031-01-01 12:00 +0800", tick=False):
        later = package_bytes(Issue.objects.get(pk=demo.pk))
    assert first == later
    package = zipfile.ZipFile(io.BytesIO(first))
    names = [info.filename for info in package.infolist()]
    assert names[:-1] == sorted(names[:-1]) and names[-1] == "manifest.json"
    assert len({info.date_time for info in package.infolist()}) == 1
    manifest = read_json(package, "manifest.json")
    # The export time is the issue's latest change, not the clock.
    assert not manifest["exported_at"].startswith("2031")


def test_a_change_changes_the_package(demo):
    before = package_bytes(demo)
    article = demo.articles.first()
    Article.objects.filter(pk=article.pk).update(kicker="新的引题")
    assert package_bytes(demo) != before


# issue.json


def test_issue_json_carries_the_whole_working_copy(demo, demo_package):
    document = read_json(demo_package, "issue.json")
    assert issue_format.problems(document) == []
    assert document["issue"]["slug"] == DEMO_SLUG
    assert [part["type"] for part in document["parts"]] == [
        "article",
        "photo",
        "photo",
        "article",
        "article",
        "timeline",
    ]
    assert [part["position"] for part in document["parts"]] == sorted(
        part["position"] for part in document["parts"]
    )
    lead = document["parts"][0]["article"]
    assert lead["status"] == ArticleStatus.PUBLISHED
    assert [b["contributor"] for b in lead["bylines"]]
    assert len(lead["sections"]) == 3
    assert {b["section"] for b in lead["blocks"]} >= {"section-1", "section-2", "section-3", None}
    contributors = {c["id"]: c for c in document["contributors"]}
    assert contributors[lead["bylines"][-1]["contributor"]]["name"] == "褚燕玲"
    assert lead["bylines"][-1]["organisation"] == "福明街道"
    timeline = document["parts"][-1]["timeline"]
    assert timeline["title"] == "浙江党建工作大事记"
    assert timeline["items"][0]["date"].startswith("2012")
    names = [(c["name"], c["disambiguation"]) for c in document["contributors"]]
    assert names == sorted(names) and len(set(names)) == len(names)


def test_issue_json_says_which_version_of_each_row_it_was_exported_from(demo, demo_package):
    """What an import with --replace compares the site's rows with: every edited row's edit
    counter and last save as they were at the export."""
    document = read_json(demo_package, "issue.json")
    timeline = demo.timelines.get()
    entry = document["parts"][-1]["timeline"]
    assert (entry["version"], entry["updated_at"]) == (timeline.version, export.iso(timeline.updated_at))
    assert document["photos"] and all("version" in p and "updated_at" in p for p in document["photos"])
    for part in document["parts"]:
        if part["type"] == "article":
            article = Article.objects.get(slug=part["article"]["slug"])
            assert part["article"]["version"] == article.version
            assert part["article"]["updated_at"] == export.iso(article.updated_at)
    assert issue_format.problems(document) == []


def test_schema_catches_a_broken_issue_json(demo_package):
    document = read_json(demo_package, "issue.json")
    broken = copy.deepcopy(document)
    del broken["parts"][0]["article"]["headline"]
    broken["photos"][0]["credit_action"] = "painted"
    found = issue_format.problems(broken)
    assert any("headline" in line for line in found)
    assert any("painted" in line for line in found)
    assert issue_format.problems({**document, "version": "9.9"})


def test_schema_role_enum_follows_the_model():
    schema = json.loads(issue_format.SCHEMA_FILE.read_text(encoding="utf-8"))
    assert set(schema["$defs"]["credit"]["properties"]["role"]["enum"]) == set(CreditRole.values)
    assert set(schema["$defs"]["article"]["properties"]["status"]["enum"]) == set(ArticleStatus.values)
    assert set(schema["$defs"]["article"]["properties"]["kind"]["enum"]) == set(Article.Kind.values)


# ninjs


def test_every_ninjs_document_is_valid_ninjs_3_1(demo_package):
    documents = [n for n in demo_package.namelist() if n.startswith("ninjs/")]
    assert len(documents) == 4
    for name in documents:
        assert ninjs.errors(read_json(demo_package, name)) == [], name


def test_the_validator_fails_a_broken_document(demo, demo_package):
    lead = demo.articles.get(position=1)
    document = read_json(demo_package, f"ninjs/articles/{lead.slug}.json")
    for breakage in (
        lambda d: d.pop("uri"),
        lambda d: d.update(type="article"),  # not a ninjs news type
        lambda d: d.update(headline="主题"),  # unknown key (3.x says headlines)
        lambda d: d.update(versionCreated="2022年6月20日"),  # not a date-time
        lambda d: d.update(uri="不是 URI"),
        lambda d: d["associations"][0].pop("name"),
    ):
        broken = copy.deepcopy(document)
        breakage(broken)
        assert ninjs.errors(broken), breakage
        with pytest.raises(ninjs.NinjsInvalid):
            ninjs.validate(broken)


def test_the_validator_accepts_iptcs_own_examples():
    examples = sorted((STANDARD_DIR / "examples").glob("*.json"))
    assert len(examples) == 3
    for path in examples:
        assert ninjs.errors(json.loads(path.read_text(encoding="utf-8"))) == [], path.name


def test_standards_copy_is_iptcs_byte_for_byte():
    digests = {
        "ninjs-schema_3.1.json": "404f578a299bf34e76e98f2de26ad9989882ebd7abf3a4d3cf3aa689b70a8744",
        "GeoJSON-schema.json": "e52886cce1429941ab3725a055a61d6bf8b6f5429837ff7dbca32f809e3500c2",
    }
    for name, digest in digests.items():
        assert hashlib.sha256((STANDARD_DIR / name).read_bytes()).hexdigest() == digest


def test_article_ninjs_mapping(demo, demo_package):
    feature = demo.articles.get(kicker="百姓心中的这十年")
    document = read_json(demo_package, f"ninjs/articles/{feature.slug}.json")
    assert document["type"] == "text" and document["language"] == "zh-Hans"
    assert document["pubStatus"] == "usable" and document["version"] == "1"
    assert document["versionCreated"] == "2022-06-20T08:00:00+08:00"
    assert "embargoedUntil" not in document
    roles = {h["role"]: h["value"] for h in document["headlines"]}
    assert roles == {"main": feature.headline, "kicker": "百姓心中的这十年"}
    assert document["by"] == feature.byline_line
    assert {p["name"] for p in document["people"]} <= {b.contributor.name for b in feature.bylines.all()}
    assert all(p["rel"] in CreditRole.values or p["rel"] == "author" for p in document["people"])
    text, html = document["bodies"]
    assert text["contentType"] == "text/plain" and html["contentType"] == "text/html"
    first = feature.blocks.filter(kind=Block.Kind.PARAGRAPH).first().text
    assert first in text["value"] and f"<p>{first}</p>" in html["value"]
    assert (
        text["charCount"]
        == read_json(demo_package, "publication.json")["parts"][-2]["article"]["character_count"]
    )

    lead = demo.articles.get(position=1)
    document = read_json(demo_package, f"ninjs/articles/{lead.slug}.json")
    assert "organisations" not in document  # the lead's bylines are people; the alliance is in `by`
    assert "共享联盟·福明街道 褚燕玲" in document["by"]
    photo = document["associations"][0]
    assert photo["type"] == "picture" and photo["rel"] == "photo"
    captions = {d["role"]: d["value"] for d in photo["descriptions"]}
    assert "嘉兴南湖" in captions["caption"]
    assert photo["by"] == photo["copyrightNotice"]
    assert photo["by"].endswith("摄")


def test_issue_ninjs_is_a_composite_in_reading_order_with_the_timeline(demo_package):
    document = read_json(demo_package, "ninjs/issue.json")
    assert document["type"] == "composite"
    rels = [a["rel"] for a in document["associations"]]
    assert rels == ["article", "page-photo", "page-photo", "article", "article", "timeline"]
    timeline = document["associations"][-1]
    assert timeline["headlines"][0]["value"] == "浙江党建工作大事记"
    assert timeline["by"] == "本报记者 沈吟 整理"
    assert "2012年" in timeline["bodies"][0]["value"]
    assert timeline["uri"].endswith("#timeline-1")


# The static edition


def edition_text(package: zipfile.ZipFile) -> str:
    pages = [n for n in package.namelist() if n.endswith(".html")]
    return "\n".join(
        BeautifulSoup(package.read(n).decode("utf-8"), "html.parser").get_text(" ") for n in pages
    )


def test_static_edition_contains_every_seed_text(demo_package):
    text = edition_text(demo_package)
    texts = corrected_seed_texts()
    assert len(texts) == 71
    missing = [t for t in texts if t not in text]
    assert missing == []


def test_static_edition_opens_from_the_file_system(demo, demo_package):
    names = set(demo_package.namelist())
    for name in [n for n in names if n.endswith(".html")]:
        page = BeautifulSoup(demo_package.read(name).decode("utf-8"), "html.parser")
        assert page.find("meta", charset="utf-8") is not None
        assert page.html["lang"] == "zh-Hans"
        assert not page.find("link", rel="stylesheet") and not page.find("script", src=True)
        folder = Path(name).parent
        for img in page.find_all("img"):
            target = (folder / img["src"]).as_posix().replace("articles/../", "")
            assert target in names, (name, img["src"])
            assert img["alt"]
        for link in page.find_all("a", href=True):
            if link["href"].startswith(("http://", "https://")):
                continue  # a video link: the reader's choice, not needed to read the page
            target = (folder / link["href"].split("#")[0]).as_posix().replace("articles/../", "")
            assert target in names, (name, link["href"])


def test_article_pages_carry_news_article_json_ld(demo, demo_package):
    for article in demo.articles.all():
        page = BeautifulSoup(
            demo_package.read(f"articles/{article.slug}.html").decode("utf-8"), "html.parser"
        )
        data = json.loads(page.find("script", type="application/ld+json").string)
        assert data["@type"] == "NewsArticle" and data["@context"] == "https://schema.org"
        assert data["headline"] == article.headline
        assert data["inLanguage"] == "zh-Hans"
        assert data["datePublished"] == "2022-06-20T08:00:00+08:00"
        assert data["isPartOf"]["name"] == demo.title
        assert {a["name"] for a in data["author"]} == {b.contributor.name for b in article.bylines.all()}
        for image in data.get("image", []):
            assert image["contentUrl"].startswith("../media/")


def test_static_pages_show_testimonies_captions_credits_and_the_timeline(demo, demo_package):
    lead = demo.articles.get(position=1)
    page = BeautifulSoup(demo_package.read(f"articles/{lead.slug}.html").decode("utf-8"), "html.parser")
    testimonies = page.select("section.testimony")
    assert len(testimonies) == 3
    assert "林国荣" in testimonies[0].select_one(".speaker").get_text()
    credits = [c.get_text() for c in page.select("figcaption .credit")]
    assert "本报记者 吕之暹 拍友 周晨磊 摄" in credits
    index = BeautifulSoup(demo_package.read("index.html").decode("utf-8"), "html.parser")
    assert index.select_one("section.timeline-part h2").get_text() == "浙江党建工作大事记"
    assert len(index.select("ol.timeline li")) == demo.timelines.get().items.count()
    assert [a["href"] for a in index.select("ol.toc a")] == [
        f"articles/{slug}.html" for slug in demo.articles.order_by("position").values_list("slug", flat=True)
    ]


def test_text_is_escaped_everywhere():
    issue = IssueFactory(title="专题")
    article = ArticleFactory(issue=issue, headline="主题 & 副题")
    BlockFactory(article=article, text="他说：“1 < 2 & 3 > 2”</script>")
    published(issue)
    package = package_of(issue)
    page = package.read(f"articles/{article.slug}.html").decode("utf-8")
    assert "1 &lt; 2 &amp; 3 &gt; 2" in page
    assert "</script>”" not in page
    data = read_json(package, f"ninjs/articles/{article.slug}.json")
    assert "<p>他说：“1 &lt; 2 &amp; 3 &gt; 2”&lt;/script&gt;</p>" in data["bodies"][1]["value"]


# Which issues export


def test_published_edits_stay_out_of_ninjs_and_pages_but_in_issue_json(demo):
    lead = demo.articles.get(position=1)
    block = lead.blocks.filter(kind=Block.Kind.PARAGRAPH).first()
    Block.objects.filter(pk=block.pk).update(text="未发布的修改。")
    package = package_of(demo)
    assert "未发布的修改。" not in edition_text(package)
    assert "未发布的修改。" not in package.read(f"ninjs/articles/{lead.slug}.json").decode("utf-8")
    assert "未发布的修改。" in package.read("issue.json").decode("utf-8")


def test_unfinished_issue_is_refused_unless_allowed_as_draft():
    issue = IssueFactory()
    ArticleFactory(issue=issue, status=ArticleStatus.APPROVED)
    ArticleFactory(issue=issue, status=ArticleStatus.DRAFT, headline="写到一半")
    with pytest.raises(export.ExportRefused, match="写到一半") as refusal:
        package_bytes(issue)
    assert refusal.value.unfinished
    package = package_of(issue, allow_draft=True)
    manifest = read_json(package, "manifest.json")
    assert manifest["draft"] is True and manifest["source"]["publication"] is None
    assert "publication.json" not in package.namelist()
    assert read_json(package, "issue.json")["publication"] is None
    for name in [n for n in package.namelist() if n.startswith("ninjs/")]:
        document = read_json(package, name)
        assert document["pubStatus"] == "withheld"
        assert ninjs.errors(document) == []
    assert "草稿导出" in package.read("index.html").decode("utf-8")
    assert "写到一半" in edition_text(package)


def test_approved_but_unpublished_issue_exports_from_the_working_copy():
    issue = IssueFactory()
    article = ArticleFactory(issue=issue, status=ArticleStatus.APPROVED)
    BlockFactory(article=article, text="已审未发的正文。")
    package = package_of(issue)
    assert read_json(package, "manifest.json")["draft"] is False
    assert "已审未发的正文。" in edition_text(package)
    assert read_json(package, f"ninjs/articles/{article.slug}.json")["pubStatus"] == "usable"


def test_withdrawn_and_scheduled_issues_are_not_finished():
    withdrawn = IssueFactory(slug="withdrawn")
    ArticleFactory(issue=withdrawn)
    withdraw_issue(published(withdrawn), note="撤回")
    with pytest.raises(export.ExportRefused, match="已撤回"):
        package_bytes(withdrawn)

    scheduled = IssueFactory(slug="scheduled")
    ArticleFactory(issue=scheduled)
    with time_machine.travel("2026-01-01 08:00 +0800", tick=False):
        publish_issue(scheduled, at=dt.datetime.fromisoformat("2026-02-01T08:00+08:00"))
        with pytest.raises(export.ExportRefused, match="定时"):
            package_bytes(scheduled)
        package = package_of(scheduled, allow_draft=True)
    lead = scheduled.articles.get()
    document = read_json(package, f"ninjs/articles/{lead.slug}.json")
    assert document["embargoedUntil"] == "2026-02-01T08:00:00+08:00"
    assert ninjs.errors(document) == []


def test_export_reads_in_constant_queries():
    def queries(issue) -> int:
        with CaptureQueriesContext(connection) as captured:
            package_bytes(issue)
        return len(captured)

    assert queries(small_issue(1)) == queries(small_issue(4))


# The command


def test_command_writes_the_package(demo, tmp_path):
    target = tmp_path / "out" / "demo.zip"
    out = io.StringIO()
    call_command("export_issue", DEMO_SLUG, output=str(target), stdout=out)
    assert "已导出" in out.getvalue()
    assert "[1/3]" not in out.getvalue()  # not a terminal: no progress lines
    assert target.read_bytes() == package_bytes(demo)
    assert [p.name for p in target.parent.iterdir()] == ["demo.zip"]


def test_command_prints_progress_on_a_terminal(demo, tmp_path):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    out = Terminal()
    call_command("export_issue", DEMO_SLUG, output=str(tmp_path / "demo.zip"), stdout=out)
    lines = out.getvalue().splitlines()
    assert [line.split("]")[0] for line in lines[:3]] == ["[1/3", "[2/3", "[3/3"]
    headlines = set(demo.articles.values_list("headline", flat=True))
    assert {line.split("] ", 1)[1] for line in lines[:3]} == headlines


def test_command_refuses_a_draft_and_leaves_no_file(tmp_path):
    issue = IssueFactory(slug="draft-issue")
    ArticleFactory(issue=issue, status=ArticleStatus.IN_REVIEW)
    with pytest.raises(CommandError, match="--allow-draft"):
        call_command("export_issue", "draft-issue", output=str(tmp_path / "x.zip"))
    assert list(tmp_path.iterdir()) == []
    call_command(
        "export_issue", "draft-issue", output=str(tmp_path / "x.zip"), allow_draft=True, stdout=io.StringIO()
    )
    assert read_json(zipfile.ZipFile(tmp_path / "x.zip"), "manifest.json")["draft"] is True
    with pytest.raises(CommandError, match="没有网址标识"):
        call_command("export_issue", "nope", output=str(tmp_path / "y.zip"))


# API: GET streams the package (tests/exchange/test_export_jobs.py has the admin and the job)


def test_api_export_for_staff_only(demo, client, editor, reporter):
    url = f"/api/v1/issues/{DEMO_SLUG}/export/"
    anonymous = client.get(url)
    assert anonymous.status_code in (401, 403)
    assert anonymous.json()["code"] == "not_authenticated"
    assert anonymous["Cache-Control"] == "private, no-store"
    denied = logged_in(reporter).get(url)
    assert denied.status_code == 403 and denied.json()["code"] == "permission_denied"
    response = logged_in(editor).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content) == package_bytes(demo)
    missing = logged_in(editor).get("/api/v1/issues/nope/export/")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"


def test_api_refuses_an_unfinished_issue(editor):
    issue = IssueFactory(slug="unfinished")
    ArticleFactory(issue=issue, status=ArticleStatus.IN_REVIEW)
    response = logged_in(editor).get("/api/v1/issues/unfinished/export/")
    assert response.status_code == 409
    assert response.json()["code"] == "not_finished"
    assert "未经审核" in response.json()["detail"]


def test_public_issue_endpoint_is_unaffected(demo, client):
    assert client.get(f"/api/v1/issues/{DEMO_SLUG}/").status_code == 200
    assert Publication.objects.count() == 1


def test_photo_credit_line_and_courtesy_in_ninjs():
    issue = IssueFactory()
    article = ArticleFactory(issue=issue)
    photo = PhotoFactory(credit_action=CreditAction.COURTESY)
    from articles.models import Contributor

    village = Contributor.objects.create(name="小古城村", kind=Contributor.Kind.ORGANISATION)
    PhotoCreditFactory(photo=photo, contributor=village, role="")
    BlockFactory(article=article, kind=Block.Kind.PHOTO, text="", photo=photo)
    published(issue)
    document = read_json(package_of(issue), f"ninjs/articles/{article.slug}.json")
    association = document["associations"][0]
    assert association["by"] == "小古城村供图"
    assert association["organisations"] == [{"name": "小古城村", "rel": "author", "literal": "contributor-1"}]
