"""What changed, in words an editor reads: rendered issues and articles turned into labelled
text lines, and the lines compared. Pure functions over the public JSON shape, so the same
comparison serves unpublished changes, corrections and revisions."""

import difflib

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
