"""The static edition: index.html and one page per article, readable and printable straight
from the unpacked folder (relative links, no server, no network, no external CSS or JS).

Each article page carries schema.org `NewsArticle` JSON-LD. Templates live in
`articles/templates/exporting/`.
"""

import json

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from articles.body import photos as body_photos
from articles.exchange.formats import LANGUAGE
from articles.exchange.formats.edition import INDEX_PAGE, Edition, article_page
from articles.exchange.formats.html import body_html, body_text, photo_figure, timeline_html


def _json_ld(data: dict) -> str:
    """JSON for a <script> element: "<", ">" and "&" escaped so the text can never close it."""
    text = json.dumps(data, ensure_ascii=False, indent=2)
    return mark_safe(  # noqa: S308 - escaped for <script> just above
        text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    )


def _relative(path: str, depth: int) -> str:
    return "../" * depth + path


def _photo_src(edition: Edition, depth: int):
    return lambda photo: _relative(edition.original(photo).path, depth)


def news_article(article: dict, edition: Edition) -> dict:
    """schema.org NewsArticle for the article page (paths relative to that page)."""
    issue = edition.issue
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article["headline"],
    }
    alternatives = [text for text in (article["kicker"], article["subheadline"]) if text]
    if alternatives:
        data["alternativeHeadline"] = alternatives
    authors = [
        {
            "@type": "Organization" if credit["contributor_kind"] == "organisation" else "Person",
            "name": credit["name"],
            **({"jobTitle": credit["role_label"]} if credit["role_label"] else {}),
        }
        for credit in article["bylines"]
    ]
    if authors:
        data["author"] = authors
    if article["byline_line"]:
        data["creditText"] = article["byline_line"]
    if not edition.draft:
        data["datePublished"] = edition.version_created
    if article["id"] in edition.first_created:
        data["dateCreated"] = edition.first_created[article["id"]]
    data["inLanguage"] = LANGUAGE
    data["articleSection"] = article["kind_label"]
    data["wordCount"] = article["character_count"]
    data["identifier"] = article["slug"]
    data["url"] = article["url"]
    data["isPartOf"] = {"@type": "CreativeWork", "name": issue["title"], "url": issue["url"]}
    images = []
    src = _photo_src(edition, 1)
    for photo in body_photos(article["body"]):
        image = {"@type": "ImageObject", "contentUrl": src(photo), "caption": photo["caption"]}
        if photo["credit"]["line"]:
            image["creditText"] = photo["credit"]["line"]
        if photo.get("width") and photo.get("height"):
            image["width"], image["height"] = photo["width"], photo["height"]
        images.append(image)
    if images:
        data["image"] = images
    data["articleBody"] = body_text(article["body"])
    return data


def index_html(edition: Edition, timeline_ids: dict[int, str]) -> str:
    issue = edition.issue
    parts = []
    for part in issue["parts"]:
        if part["type"] == "article":
            article = part["article"]
            parts.append({"type": "article", "article": article, "href": article_page(article)})
        elif part["type"] == "photo":
            figure = photo_figure(part["photo"], _photo_src(edition, 0)(part["photo"]), "photo page-photo")
            parts.append({"type": "photo", "html": mark_safe(figure)})  # noqa: S308 - escaped in html.py
        else:
            timeline = part["timeline"]
            parts.append(
                {
                    "type": "timeline",
                    "timeline": timeline,
                    "anchor": timeline_ids.get(timeline["id"], f"timeline-{timeline['id']}"),
                    "html": mark_safe(timeline_html(timeline)),  # noqa: S308 - escaped in html.py
                }
            )
    return render_to_string(
        "exporting/index.html",
        {"issue": issue, "parts": parts, "edition": edition, "language": LANGUAGE},
    )


def article_html(article: dict, edition: Edition, previous: dict | None, following: dict | None) -> str:
    body = body_html(article["body"], _photo_src(edition, 1))
    return render_to_string(
        "exporting/article.html",
        {
            "issue": edition.issue,
            "article": article,
            "edition": edition,
            "language": LANGUAGE,
            "body": mark_safe(body),  # noqa: S308 - escaped in html.py
            "json_ld": _json_ld(news_article(article, edition)),
            "index_href": _relative(INDEX_PAGE, 1),
            "previous": previous and {"article": previous, "href": _relative(article_page(previous), 1)},
            "following": following and {"article": following, "href": _relative(article_page(following), 1)},
        },
    )
