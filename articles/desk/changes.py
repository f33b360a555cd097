"""What changed, in words an editor reads: rendered issues and articles turned into labelled
text lines, and the lines compared. Pure functions over the public JSON shape, so the same
comparison serves unpublished changes, corrections and revisions."""

import difflib

from media.published import photo_nodes

NODE_LABELS = {"paragraph": "段落", "subheading": "小标题"}


def article_lines(article: dict) -> list[str]:
    """An article (API shape) as one labelled line per thing a reader reads."""
    lines = [
        f"引题：{article.get('kicker', '')}",
        f"主题：{article.get('headline', '')}",
        f"副题：{article.get('subheadline', '')}",
        f"署名：{article.get('byline_line', '')}",
    ]
    for node in article.get("body", []):
        lines += _node_lines(node)
    lines += [f"更正（{c['date']}）：{c['text']}" for c in article.get("corrections", [])]
    return [line for line in lines if not line.endswith("：")]


def _node_lines(node: dict, indent: str = "") -> list[str]:
    kind = node["type"]
    if kind in NODE_LABELS:
        return [f"{indent}{NODE_LABELS[kind]}：{node['text']}"]
    if kind == "photo":
        return [f"{indent}{photo_line(node['photo'])}"]
    if kind == "video":
        return [f"{indent}视频：{node.get('label', '')} {node.get('url') or '（无地址）'}"]
    speaker = f"{node.get('speaker_title', '')}{node.get('speaker_name', '')}"
    lines = [f"{indent}讲述：{speaker}：{node.get('headline', '')}"]
    for inner in node.get("body", []):
        lines += _node_lines(inner, indent="　　")
    return lines


def photo_line(photo: dict) -> str:
    credit = photo.get("credit", {}).get("line", "")
    return f"图片：{photo.get('caption', '')}（{credit or '无署名'}）#{photo.get('id')}"


def issue_lines(issue: dict) -> list[str]:
    """The issue's own fields and the order of its parts (articles by headline)."""
    lines = [f"专题名称：{issue.get('title', '')}", f"副标题：{issue.get('subtitle', '')}"]
    lines += [f"简介：{issue.get('description', '')}", f"刊发日期：{issue.get('issue_date', '')}"]
    for part in issue.get("parts", []):
        if part["type"] == "article":
            lines.append(f"稿件：{part['article']['headline']}")
        elif part["type"] == "photo":
            lines.append(photo_line(part["photo"]))
        else:
            timeline = part["timeline"]
            lines.append(f"大事记：{timeline['title']}（{timeline['credit']['line']}）")
            lines += [f"　　{item['label']} {item['text']}" for item in timeline["items"]]
    return [line for line in lines if not line.endswith("：")]


def diff_lines(before: list[str], after: list[str]) -> list[str]:
    """Only what differs, each line marked 删 (no longer there) or 增 (new)."""
    changes = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        changes += [f"删　{line}" for line in before[i1:i2]]
        changes += [f"增　{line}" for line in after[j1:j2]]
    return changes


def text_changed(before: dict, after: dict) -> bool:
    """Has anything a reader reads in the article changed, corrections aside?"""
    strip = lambda article: {**article, "corrections": []}  # noqa: E731
    return article_lines(strip(before)) != article_lines(strip(after))


# Photos field by field: the body lines above say where a photo sits (with its caption and
# credit); these say what changed in a photo both versions show, in every issue and article
# that uses it, including what a line of text cannot show (the file, alt text, focal point,
# the renditions readers are sent).

RENDITIONS_FOLDER = "renditions/"


def photo_changes(before: dict, after: dict) -> list[str]:
    """ "图片 #12 替代文字：旧 → 新", "图片 #12 换了图片文件", … for each photo in both
    documents (an issue, an article or any part of one), in the order `after` shows them."""
    old = photos_in(before)
    lines = []
    for pk, now in photos_in(after).items():
        if pk in old:
            lines += _photo_field_changes(pk, old[pk], now)
    return lines


def page_photo_changes(before: dict, after: dict) -> list[str]:
    """photo_changes() for the issue's own page photos (articles' photos are listed under
    each article)."""

    def pages(issue: dict) -> dict:
        return {"parts": [part for part in issue.get("parts", []) if part["type"] == "photo"]}

    return photo_changes(pages(before), pages(after))


def photos_in(document) -> dict[int, dict]:
    """{id: photo} of every photo node in a document of the public JSON shape."""
    found: dict[int, dict] = {}
    for photo in photo_nodes(document):
        if "id" in photo:
            found.setdefault(photo["id"], photo)
    return found


def _photo_field_changes(pk: int, was: dict, now: dict) -> list[str]:
    label = f"图片 #{pk}"
    lines = []
    file_was, file_now = _file_of(was), _file_of(now)
    # A version without renditions names no file; a new size always means a new file
    # (also while the new file's renditions are still being made).
    known = file_was is not None and file_now is not None
    if (known and file_was != file_now) or not _same_size(was, now):
        lines.append(f"{label} 换了图片文件")
    for key, name in (("caption", "图片说明"), ("alt_text", "替代文字")):
        if was.get(key, "") != now.get(key, ""):
            lines.append(f"{label} {name}：{was.get(key) or '（空）'} → {now.get(key) or '（空）'}")
    credit_was, credit_now = was.get("credit", {}), now.get("credit", {})
    if credit_was.get("line", "") != credit_now.get("line", ""):
        lines.append(
            f"{label} 署名：{credit_was.get('line') or '（无）'} → {credit_now.get('line') or '（无）'}"
        )
    elif _credited(credit_was) != _credited(credit_now):
        lines.append(f"{label} 署名人员：{_credited(credit_was)} → {_credited(credit_now)}")
    if was.get("focal_point") != now.get("focal_point"):
        lines.append(f"{label} 焦点：{_focal(was)} → {_focal(now)}")
    if (was.get("width"), was.get("height")) != (now.get("width"), now.get("height")):
        lines.append(
            f"{label} 尺寸：{was.get('width')}×{was.get('height')} → {now.get('width')}×{now.get('height')}"
        )
    if _rendition_set(was) != _rendition_set(now):
        lines.append(f"{label} 衍生图：{_rendition_summary(was)} → {_rendition_summary(now)}")
    return lines


def _file_of(photo: dict) -> str | None:
    """Which uploaded file the photo's links come from: renditions live under
    renditions/<the original's random name>/, and before readers got renditions only, `url`
    was the original itself (photos/…/<that name>.jpg). None: no file delivered."""
    for link in [photo.get("url"), *(r.get("url") for r in photo.get("renditions", []))]:
        if not link:
            continue
        path = link.split("?", 1)[0]
        if RENDITIONS_FOLDER in path:
            return path.split(RENDITIONS_FOLDER, 1)[1].split("/", 1)[0]
        return path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return None


def _same_size(was: dict, now: dict) -> bool:
    return (was.get("width"), was.get("height")) == (now.get("width"), now.get("height"))


def _credited(credit: dict) -> str:
    people = [
        f"{c.get('role_label', '')}{c.get('name', '')}#{c.get('contributor_id')}"
        for c in credit.get("credits", [])
    ]
    return "、".join(people) or "（无）"


def _focal(photo: dict) -> str:
    point = photo.get("focal_point") or {}
    return f"({point.get('x', 0.5):.2f}, {point.get('y', 0.5):.2f})"


def _rendition_set(photo: dict) -> set[tuple]:
    """What renditions readers are sent: ratio, format and size (a remade file of the same
    size under a new name is no change to review)."""
    return {(r["ratio"], r["format"], r["width"], r["height"]) for r in photo.get("renditions", [])}


def _rendition_summary(photo: dict) -> str:
    rows = photo.get("renditions", [])
    if not rows:
        return "尚未生成（读者看不到这幅图片）"
    widths: dict[str, set[int]] = {}
    for r in rows:
        widths.setdefault("原图比例" if r["ratio"] == "original" else r["ratio"], set()).add(r["width"])
    formats = "、".join(dict.fromkeys(r["format"] for r in rows))
    sizes = "；".join(f"{ratio} {'/'.join(map(str, sorted(w)))}" for ratio, w in widths.items())
    return f"{len(rows)} 个（{sizes}；{formats}）"
