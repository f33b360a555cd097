"""The body-node vocabulary: what an article body is made of, once for every reader of it.

An article body is a list of nodes in reading order, in the public JSON shape the API
delivers, the export writes and the copy desk previews: paragraphs, subheadings, photos and
video links, and first-person testimonies (口述) that hold their own list of those four. The
rows behind it are `Block` (kind = one of BLOCK_KINDS) and `Section` (a testimony).

Code that needs the photos, videos or text of a body walks it here, rather than spelling
out again which node holds what and that a testimony nests.
"""

from collections.abc import Iterable, Iterator

from . import typesetting

PARAGRAPH = "paragraph"
SUBHEADING = "subheading"
PHOTO = "photo"
VIDEO = "video"
TESTIMONY = "testimony"

# What a block may be (a testimony is a section, never a block), with the desk's names.
BLOCK_KINDS = {PARAGRAPH: "段落", SUBHEADING: "小标题", PHOTO: "图片", VIDEO: "视频链接"}
TEXT_KINDS = (PARAGRAPH, SUBHEADING)
NODE_KINDS = (*BLOCK_KINDS, TESTIMONY)


def walk(nodes: Iterable[dict]) -> Iterator[tuple[dict, dict | None]]:
    """Every node in reading order with the testimony it sits in (None at the top): a
    testimony comes first, then each of its own nodes."""
    for node in nodes:
        yield node, None
        if node.get("type") == TESTIMONY:
            for inner in node.get("body", ()):
                yield inner, node


def of_kind(nodes: Iterable[dict], kind: str) -> list[dict]:
    """The nodes of one kind, in reading order, inside testimonies too."""
    return [node for node, _ in walk(nodes) if node.get("type") == kind]


def photos(nodes: Iterable[dict]) -> list[dict]:
    """The photo of every photo node, in reading order."""
    return [node["photo"] for node in of_kind(nodes, PHOTO)]


def counted_texts(nodes: Iterable[dict]) -> list[str]:
    """The texts 字数 counts: paragraphs, subheadings and testimony headlines (never
    captions, bylines or the speaker's name), in reading order."""
    texts = []
    for node, _ in walk(nodes):
        kind = node.get("type")
        if kind in TEXT_KINDS:
            texts.append(node.get("text", ""))
        elif kind == TESTIMONY:
            texts.append(node.get("headline", ""))
    return texts


def character_count(texts: Iterable[str]) -> int:
    """字数 of a body's counted texts (`counted_texts`, or the rows' own texts)."""
    # One count over all of them: a line break ends every run a count could join.
    return typesetting.count_characters("\n".join(texts))
