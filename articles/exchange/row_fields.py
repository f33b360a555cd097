"""The row fields each issue.json entry gives (`row_fields.article(entry)`), read the same
way whether the import creates the row or the site's own row takes them in place.
"""

import datetime as dt


def package_time(value: str | None):
    return dt.datetime.fromisoformat(value) if value else None


def issue(entry: dict) -> dict:
    return {
        "title": entry["title"],
        "subtitle": entry["subtitle"],
        "description": entry["description"],
        "issue_date": dt.date.fromisoformat(entry["issue_date"]),
        "status": entry["status"],
        "published_at": package_time(entry["published_at"]),
    }


def article(entry: dict) -> dict:
    return {k: entry[k] for k in ("kind", "kicker", "headline", "subheadline", "status")}


def section(entry: dict) -> dict:
    return {k: entry[k] for k in ("speaker_name", "speaker_title", "headline")}


def block(entry: dict, **links) -> dict:
    """`links`: the block's section and photo, as rows or as ids."""
    return {k: entry[k] for k in ("position", "kind", "text", "url")} | links


def item(entry: dict) -> dict:
    return {
        "position": entry["position"],
        "date": dt.date.fromisoformat(entry["date"]),
        "date_precision": entry["precision"],
        "text": entry["text"],
    }
