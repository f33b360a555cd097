"""What a manuscript is read into: plain data shaped like the content model, no rows.

Each piece remembers the line numbers it came from (`lines`, left out of comparisons), so
the review can say which line became what. Two drafts compare equal when a reader would
see the same thing.
"""

import datetime as dt
from dataclasses import dataclass, field

from ..body import PARAGRAPH, PHOTO, SUBHEADING, TESTIMONY, VIDEO
from .credits import CreditDraft


def _lines():
    return field(default_factory=list, compare=False, repr=False)


@dataclass
class Paragraph:
    text: str
    lines: list[int] = _lines()
    type = PARAGRAPH


@dataclass
class Subheading:
    text: str
    lines: list[int] = _lines()
    type = SUBHEADING


@dataclass
class PhotoSlot:
    """A photo in the body or on the page. `photo_id` names an existing photo (the body
    editor's 【图片#12】); without it the slot awaits its image."""

    caption: str = ""
    credit_action: str = "photographed"
    credits: tuple[CreditDraft, ...] = ()
    photo_id: int | None = None
    page: bool = False  # a page photo (版面图片), not part of the article
    credit_printed: str = field(default="", compare=False)
    file_photo: bool = field(default=False, compare=False)
    lines: list[int] = _lines()
    type = PHOTO

    @property
    def uncredited(self) -> bool:
        return self.photo_id is None and not self.credits


@dataclass
class Video:
    text: str = ""
    url: str = ""
    lines: list[int] = _lines()
    type = VIDEO


@dataclass
class Testimony:
    """A first-person section: the speaker line, then its blocks."""

    speaker_name: str
    speaker_title: str = ""
    headline: str = ""
    body: list = field(default_factory=list)
    split_guessed: bool = field(default=False, compare=False)
    lines: list[int] = _lines()
    type = TESTIMONY


Block = Paragraph | Subheading | PhotoSlot | Video


def blocks_of(nodes: list):
    """Every block of a body in reading order, with the testimony it sits in (or None)."""
    for node in nodes:
        if isinstance(node, Testimony):
            for block in node.body:
                yield node, block
        else:
            yield None, node


@dataclass
class ArticleDraft:
    headline: str
    kicker: str = ""
    subheadline: str = ""
    kind: str = "report"
    bylines: tuple[CreditDraft, ...] = ()
    body: list = field(default_factory=list)  # Blocks and Testimonies, in reading order
    kind_reason: str = field(default="", compare=False)
    byline_lines: list[int] = _lines()
    lines: list[int] = _lines()
    type = "article"

    def blocks(self):
        return blocks_of(self.body)


@dataclass
class TimelineItemDraft:
    date: dt.date
    precision: str
    text: str = ""
    lines: list[int] = _lines()


@dataclass
class TimelineDraft:
    title: str
    credit_action: str = "compiled"
    credits: tuple[CreditDraft, ...] = ()
    items: list[TimelineItemDraft] = field(default_factory=list)
    lines: list[int] = _lines()
    type = "timeline"


Part = ArticleDraft | PhotoSlot | TimelineDraft


@dataclass(frozen=True)
class Unplaced:
    """A line the grammar could not place, and why, in the desk's words."""

    number: int
    text: str
    reason: str


@dataclass
class Manuscript:
    title: str = ""  # the running series title: the name
    parts: list = field(default_factory=list)
    elements: dict[int, tuple[str, int | None]] = field(default_factory=dict)  # line → (element, part)
    unplaced: list[Unplaced] = field(default_factory=list)
    title_line: int | None = None

    def articles(self) -> list[ArticleDraft]:
        return [part for part in self.parts if isinstance(part, ArticleDraft)]

    def contributors(self) -> list[CreditDraft]:
        """Every credited name once, in order of first appearance, with its kind."""
        seen: dict[str, CreditDraft] = {}
        for credit in self.credits():
            seen.setdefault(credit.name, credit)
        return list(seen.values())

    def credits(self):
        for part in self.parts:
            if isinstance(part, ArticleDraft):
                yield from part.bylines
                for _, block in part.blocks():
                    if isinstance(block, PhotoSlot):
                        yield from block.credits
            elif isinstance(part, PhotoSlot):
                yield from part.credits
            else:
                yield from part.credits
