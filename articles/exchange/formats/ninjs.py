"""IPTC ninjs 3.1 documents for a package: one per article, and one composite for the issue
(its reading order, page photos and timelines). The field-by-field mapping is the table in
docs/export-format.md; this module is that table in code.

Every document is validated against the repository's copy of IPTC's schema
(`standards/ninjs/`), offline, before it is written.
"""

import datetime as dt
import json
import re
from functools import lru_cache
from urllib.parse import urlsplit

import jsonschema
import referencing

from articles.body import VIDEO, of_kind
from articles.body import photos as body_photos
from articles.exchange.formats import HERE, LANGUAGE
from articles.exchange.formats.edition import Edition, MediaFile
from articles.exchange.formats.html import body_html, body_text, timeline_html, timeline_text

STANDARD_DIR = HERE / "standards" / "ninjs"
SCHEMA_FILE = STANDARD_DIR / "ninjs-schema_3.1.json"
GEOJSON_FILE = STANDARD_DIR / "GeoJSON-schema.json"
STANDARD = {
    "name": "ninjs",
    "version": "3.1",
    "schema": "http://www.iptc.org/std/ninjs/ninjs-schema_3.1.json#",
}
ARTICLE_PROFILE = "newsroom-special-report-article"
ISSUE_PROFILE = "newsroom-special-report"


class NinjsInvalid(ValueError):
    """A document the export made does not conform to ninjs 3.1 (a bug, never user input)."""


# Format checkers for the two formats jsonschema checks only with optional packages.
RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$",
)
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*$")


def _is_date_time(value) -> bool:
    if not isinstance(value, str):
        return True
    if not RFC3339.match(value):
        return False
    try:
        dt.datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _is_uri(value) -> bool:
    """An absolute URI (RFC 3986): a scheme, and no spaces or control characters."""
    if not isinstance(value, str):
        return True
    if any(ch.isspace() or ord(ch) < 0x20 for ch in value):
        return False
    scheme = urlsplit(value).scheme
    return bool(scheme) and bool(SCHEME.match(scheme)) and value.startswith(scheme + ":")


def format_checker() -> jsonschema.FormatChecker:
    checker = jsonschema.FormatChecker()
    checker.checks("date-time")(_is_date_time)
    checker.checks("uri")(_is_uri)
    return checker


@lru_cache(maxsize=1)
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    geojson = json.loads(GEOJSON_FILE.read_text(encoding="utf-8"))
    registry = referencing.Registry().with_resource(
        geojson["$id"], referencing.Resource.from_contents(geojson)
    )
    return jsonschema.Draft202012Validator(schema, registry=registry, format_checker=format_checker())


def errors(document: dict) -> list[str]:
    """Every way `document` fails ninjs 3.1, as "path: message" lines; empty when valid."""
    found = sorted(validator().iter_errors(document), key=lambda e: list(map(str, e.absolute_path)))
    return [f"/{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in found]


def validate(document: dict) -> dict:
    problems = errors(document)
    if problems:
        raise NinjsInvalid("ninjs 3.1 校验未通过：" + "；".join(problems[:5]))
    return document


# The mapping


def _credit_entities(credits: list[dict], contributor_ids: dict[int, str]) -> dict:
    """Credits as ninjs people and organisations: `rel` is the newsroom's role code
    ("staff_reporter"…, "author" when the credit has none), `literal` the contributor's id in
    issue.json, so the two files can be joined."""
    people, organisations = [], []
    for credit in credits:
        entity = {"name": credit["name"], "rel": credit["role"] or "author"}
        literal = contributor_ids.get(credit["contributor_id"])
        if literal:
            entity["literal"] = literal
        (organisations if credit["contributor_kind"] == "organisation" else people).append(entity)
    return {key: value for key, value in (("people", people), ("organisations", organisations)) if value}


def _rendition(file: MediaFile) -> dict:
    rendition = {"name": file.name, "href": file.href, "contentType": file.content_type}
    if file.width and file.height:
        rendition["width"], rendition["height"] = file.width, file.height
    rendition["sizeInBytes"] = file.size
    return rendition


def photo_association(photo: dict, edition: Edition, rel: str) -> dict:
    files = edition.media[photo["id"]]
    credit = photo["credit"]
    association = {
        "name": edition.photo_ids[photo["id"]],
        "rel": rel,
        # Readers' cleaned file; a photo still without renditions is named by its original
        # (files[0], the archive's copy; a staff-only URL on the site).
        "uri": photo["url"] or files[0].href,
        "type": "picture",
        "representationType": "full",
        "language": LANGUAGE,
    }
    descriptions = []
    if photo.get("caption"):
        descriptions.append({"role": "caption", "contentType": "text/plain", "value": photo["caption"]})
    if photo.get("alt_text"):
        descriptions.append({"role": "alt", "contentType": "text/plain", "value": photo["alt_text"]})
    if descriptions:
        association["descriptions"] = descriptions
    if credit["line"]:
        # ninjs has no credit-line field for pictures: the line goes in `by` and the notice.
        association["by"] = credit["line"]
        association["copyrightNotice"] = credit["line"]
    association.update(_credit_entities(credit["credits"], edition.contributor_ids))
    association["renditions"] = [_rendition(file) for file in files]
    association["altIds"] = [{"role": f"package-file:{file.name}", "value": file.path} for file in files]
    return association


def _body_videos(nodes: list[dict]) -> list[dict]:
    return [node for node in of_kind(nodes, VIDEO) if node.get("url")]


def _common(edition: Edition) -> dict:
    common = {
        "version": edition.version,
        "versionCreated": edition.version_created,
    }
    if edition.embargoed_until:
        common["embargoedUntil"] = edition.embargoed_until
    # A draft package's documents must not be used as published news.
    common["pubStatus"] = "withheld" if edition.draft else "usable"
    common["language"] = LANGUAGE
    return common


def _headlines(main: str, kicker: str = "", subheadline: str = "") -> list[dict]:
    headlines = [{"role": "main", "contentType": "text/plain", "value": main}]
    if kicker:
        headlines.append({"role": "kicker", "contentType": "text/plain", "value": kicker})
    if subheadline:
        headlines.append({"role": "subheadline", "contentType": "text/plain", "value": subheadline})
    return headlines


def _head(uri: str, kind: str, profile: str) -> dict:
    return {"uri": uri, "type": kind, "representationType": "full", "profile": profile, "standard": STANDARD}


def article_document(article: dict, edition: Edition) -> dict:
    """One article in ninjs 3.1 (validated)."""
    issue = edition.issue
    document = _head(article["url"], "text", ARTICLE_PROFILE)
    if article["id"] in edition.first_created:
        document["firstCreated"] = edition.first_created[article["id"]]
    document.update(_common(edition))
    document["slugline"] = article["slug"]
    document["headlines"] = _headlines(article["headline"], article["kicker"], article["subheadline"])
    if article["byline_line"]:
        document["by"] = article["byline_line"]
    document.update(_credit_entities(article["bylines"], edition.contributor_ids))
    document["genres"] = [{"name": article["kind_label"], "literal": article["kind"]}]
    body = article["body"]
    document["bodies"] = [
        {
            "role": "main",
            "contentType": "text/plain",
            "charCount": article["character_count"],
            "value": body_text(body),
        },
        {
            "role": "main",
            "contentType": "text/html",
            "charCount": article["character_count"],
            "value": body_html(body, lambda photo: photo["url"]),
        },
    ]
    if article["corrections"]:
        document["descriptions"] = [
            {"role": "correction", "contentType": "text/plain", "value": f"{c['date']} 更正：{c['text']}"}
            for c in article["corrections"]
        ]
    associations = [photo_association(photo, edition, "photo") for photo in body_photos(body)]
    associations += [
        {
            "name": f"video-{n}",
            "rel": "video",
            "uri": video["url"],
            "type": "video",
            "headlines": [{"role": "main", "contentType": "text/plain", "value": video["label"]}],
        }
        for n, video in enumerate(_body_videos(body), start=1)
    ]
    if associations:
        document["associations"] = associations
    document["altIds"] = [
        {"role": "newsroom:article-slug", "value": article["slug"]},
        {"role": "newsroom:issue-slug", "value": issue["slug"]},
    ]
    return validate(document)


def timeline_uri(issue: dict, timeline_id: str) -> str:
    return f"{issue['url']}#{timeline_id}"


def issue_document(edition: Edition, timeline_ids: dict[int, str]) -> dict:
    """The issue as a ninjs composite: its parts, in reading order, as associations (articles
    by reference, page photos and timelines in full)."""
    issue = edition.issue
    document = _head(issue["url"], "composite", ISSUE_PROFILE)
    document.update(_common(edition))
    document["slugline"] = issue["slug"]
    document["headlines"] = _headlines(issue["title"], subheadline=issue.get("subtitle", ""))
    if issue.get("description"):
        document["descriptions"] = [
            {"role": "summary", "contentType": "text/plain", "value": issue["description"]}
        ]
    associations = []
    for part in issue["parts"]:
        if part["type"] == "article":
            article = part["article"]
            associations.append(
                {
                    "name": article["slug"],
                    "rel": "article",
                    "uri": article["url"],
                    "type": "text",
                    "headlines": _headlines(article["headline"], article["kicker"], article["subheadline"]),
                    "representationType": "partial",
                }
            )
        elif part["type"] == "photo":
            associations.append(photo_association(part["photo"], edition, "page-photo"))
        else:
            associations.append(timeline_association(part["timeline"], edition, timeline_ids))
    if associations:
        document["associations"] = associations
    document["altIds"] = [{"role": "newsroom:issue-slug", "value": issue["slug"]}]
    return validate(document)


def timeline_association(timeline: dict, edition: Edition, timeline_ids: dict[int, str]) -> dict:
    """A timeline (大事记) in full: its items as text and HTML bodies, the compiler in `by`."""
    name = timeline_ids.get(timeline["id"], f"timeline-{timeline['id']}")
    association = {
        "name": name,
        "rel": "timeline",
        "uri": timeline_uri(edition.issue, name),
        "type": "text",
        "representationType": "full",
        "language": LANGUAGE,
        "headlines": _headlines(timeline["title"]),
    }
    credit = timeline["credit"]
    if credit["line"]:
        association["by"] = credit["line"]
    association.update(_credit_entities(credit["credits"], edition.contributor_ids))
    association["bodies"] = [
        {"role": "main", "contentType": "text/plain", "value": timeline_text(timeline)},
        {"role": "main", "contentType": "text/html", "value": timeline_html(timeline)},
    ]
    return association
