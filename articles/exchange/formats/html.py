"""Article bodies and timelines as HTML and as plain text, from the public JSON nodes.

One renderer for both uses: ninjs `bodies` (photos by their public URL) and the static
edition's pages (photos by their path in the package). Every text is escaped here; the
callers mark the result safe.
"""

from collections.abc import Callable
from html import escape

PhotoSource = Callable[[dict], str]  # a public photo dict -> the src to print


def _e(text) -> str:
    return escape(str(text), quote=True)


def photo_figure(photo: dict, src: str, css_class: str = "photo") -> str:
    """<figure> with the caption and, after it, the credit as printed."""
    credit = photo["credit"]["line"]
    caption = photo.get("caption", "")
    alt = photo.get("alt_text") or caption
    size = ""
    if photo.get("width") and photo.get("height"):
        size = f' width="{int(photo["width"])}" height="{int(photo["height"])}"'
    figcaption = ""
    if caption or credit:
        parts = []
        if caption:
            parts.append(f'<span class="caption">{_e(caption)}</span>')
        if credit:
            parts.append(f'<span class="credit">{_e(credit)}</span>')
        figcaption = f"<figcaption>{' '.join(parts)}</figcaption>"
    return f'<figure class="{css_class}"><img src="{_e(src)}" alt="{_e(alt)}"{size} loading="lazy">{figcaption}</figure>'


def _node_html(node: dict, photo_src: PhotoSource) -> str:
    kind = node["type"]
    if kind == "paragraph":
        return f"<p>{_e(node['text'])}</p>"
    if kind == "subheading":
        return f"<h3>{_e(node['text'])}</h3>"
    if kind == "photo":
        return photo_figure(node["photo"], photo_src(node["photo"]))
    if kind == "video":
        label = _e(node.get("label") or "视频")
        if node.get("url"):
            return f'<p class="video"><a href="{_e(node["url"])}">{label}</a></p>'
        return f'<p class="video">{label}</p>'
    if kind == "testimony":
        speaker = " ".join(filter(None, [node.get("speaker_title", ""), node.get("speaker_name", "")]))
        inner = "".join(_node_html(child, photo_src) for child in node["body"])
        headline = f"<h2>{_e(node['headline'])}</h2>" if node.get("headline") else ""
        return (
            f'<section class="testimony"><header><p class="speaker">{_e(speaker)}</p>{headline}</header>'
            f"{inner}</section>"
        )
    raise ValueError(f"unknown body node type {kind!r}")


def body_html(nodes: list[dict], photo_src: PhotoSource) -> str:
    return "\n".join(_node_html(node, photo_src) for node in nodes)


def body_text(nodes: list[dict]) -> str:
    """The readable text, one paragraph a line: paragraphs, subheadings, each testimony's
    speaker and headline. Captions and credits are metadata, not body text."""
    lines: list[str] = []
    for node in nodes:
        kind = node["type"]
        if kind in ("paragraph", "subheading"):
            lines.append(node["text"])
        elif kind == "testimony":
            speaker = " ".join(filter(None, [node.get("speaker_title", ""), node.get("speaker_name", "")]))
            lines.append(f"{speaker}：{node['headline']}" if node.get("headline") else speaker)
            lines.append(body_text(node["body"]))
    return "\n".join(line for line in lines if line)


def timeline_html(timeline: dict) -> str:
    items = "".join(
        f'<li><time datetime="{_e(item["date"])}">{_e(item["label"])}</time> <span>{_e(item["text"])}</span></li>'
        for item in timeline["items"]
    )
    credit = timeline["credit"]["line"]
    credit_html = f'<p class="credit">（{_e(credit)}）</p>' if credit else ""
    return f'<ol class="timeline">{items}</ol>{credit_html}'


def timeline_text(timeline: dict) -> str:
    return "\n".join(f"{item['label']}　{item['text']}" for item in timeline["items"])
