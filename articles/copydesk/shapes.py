"""What one line of a manuscript is by itself, before its neighbours are looked at: a
marker, a date, a video prompt, a byline or a credit, a dateline, a speaker line, a caption
with its credit at its end, a heading or running text (`shape()`). Pure.
"""

import re
from dataclasses import dataclass

from .. import typesetting
from . import vocabulary as v
from .credits import Credits, read_credits, trailing_credit

# A heading is short and has no sentence punctuation in it.
HEADING_MAX = 30
_SENTENCE_PUNCTUATION = re.compile(r"[。！？!?；;]")
# A paragraph ends in one of these; anything else ends mid-sentence.
CLOSING = tuple("。！？!?…；;：:”’」』）)》]】") + ("——",)

_MARKER = re.compile(
    r"^【(?P<name>专题|引题|主题|标题|副题|体裁|小标题|讲述结束|讲述|版面图片|图片|视频|大事记|段落)"
    r"(?:\s*[#＃]\s*(?P<id>\d+))?】\s*(?P<rest>.*)$"
)
_SPEAKER = re.compile(
    r"^(?P<head>[^。！？!?，,；;：:“”\"（）()【】]{2,40}?)\s*[:：]\s*(?P<headline>[^。！？!?：:]{2,40})$"
)
_SPEAKER_LOOSE = re.compile(r"^(?P<head>[^：:]{1,60}?)\s*(?:[:：]\s*(?P<headline>.*))?$")
_NOT_IN_NAMES = set("了的着过们说到这那么吗呢吧是在")
_DATE_WITH_TEXT = re.compile(
    r"^(?P<date>\d{4}(?:年(?:\d{1,2}月(?:\d{1,2}日)?)?|[-./]\d{1,2}(?:[-./]\d{1,2})?)?)[\s\u3000]*[:：\s\u3000]\s*(?P<text>\S.*)$"
)
_URL_AT_END = re.compile(r"\s*(?P<url>https?://\S+)$")


@dataclass(frozen=True)
class Speaker:
    title: str
    name: str
    headline: str
    guessed: bool = False  # title and name told apart by a guess


@dataclass(frozen=True)
class Shape:
    """What one line is on its own, before its neighbours are looked at."""

    kind: str
    text: str
    marker: str = ""
    photo_id: int | None = None
    credits: Credits | None = None
    date: tuple | None = None
    speaker: Speaker | None = None
    video: tuple[str, str] | None = None
    caption: str = ""  # a caption with its credit at its end


# Line kinds
MARKER, DATE, VIDEO_LINE, CREDIT_LINE, COMPILED_LINE, BYLINE_LINE = (
    "marker",
    "date",
    "video",
    "credit",
    "compiled",
    "byline",
)
DATELINE_LINE, SPEAKER_LINE, CAPTIONED, HEADING, TEXT = "dateline", "speaker", "captioned", "heading", "text"


# A heading does not stop on a word that needs more after it (…修到了家门口，可是): a short
# line ending so is running text cut off, not a subheading.
_OPEN_ENDINGS = tuple(
    "的了在和与及是要把被对从向为而并或着地得就都也还又再才更最很将让使给但却则以于之其等由该这那每各，、,"
)


def is_heading(text: str) -> bool:
    return (
        len(text) <= HEADING_MAX
        and not _SENTENCE_PUNCTUATION.search(text)
        and not text.endswith(_OPEN_ENDINGS)
    )


def ends_sentence(text: str) -> bool:
    return text.rstrip().endswith(CLOSING)


def shape(text: str) -> Shape:
    """What the line `text` is by itself."""
    marker = _MARKER.match(text)
    if marker:
        photo_id = int(marker["id"]) if marker["id"] else None
        return Shape(MARKER, text, marker=marker["name"], photo_id=photo_id, caption=marker["rest"].strip())
    date = _date_line(text)
    if date:
        return Shape(DATE, text, date=date[:2], caption=date[2])
    video = v.VIDEO_PROMPT.match(text)
    if video:
        return Shape(VIDEO_LINE, text, video=split_url(text))
    credits = read_credits(text)
    if credits is not None:
        kind = {"": BYLINE_LINE, "compiled": COMPILED_LINE}.get(credits.action, CREDIT_LINE)
        return Shape(kind, text, credits=credits)
    dateline = v.DATELINE.match(text)
    if dateline:
        rest = dateline["rest"].strip()
        credits = read_credits(rest) if rest else None
        if not rest or (credits is not None and credits.bracketed and not credits.action):
            return Shape(DATELINE_LINE, text, caption=dateline["dateline"], credits=credits)
    speaker = read_speaker(text)
    if speaker:
        return Shape(SPEAKER_LINE, text, speaker=speaker)
    captioned = trailing_credit(text)
    if captioned:
        return Shape(CAPTIONED, text, caption=captioned[0], credits=captioned[1])
    return Shape(HEADING if is_heading(text) else TEXT, text)


def _date_line(text: str):
    """(date, precision, text after the date) for a timeline date line, else None."""
    found = typesetting.parse_printed_date(text)
    if found:
        return (*found, "")
    match = _DATE_WITH_TEXT.match(text)
    if match:
        found = typesetting.parse_printed_date(match["date"])
        if found:
            return (*found, match["text"].strip())
    return None


def split_url(text: str) -> tuple[str, str]:
    """ "扫一扫 看视频 https://v.example.cn/1" → ("扫一扫 看视频", "https://v.example.cn/1")."""
    match = _URL_AT_END.search(text)
    if match:
        return text[: match.start()].strip(), match["url"]
    return text.strip(), ""


def read_speaker(text: str, *, marked: bool = False) -> Speaker | None:
    """ "余杭区…主任林国荣: 党建统领,乡村焕发新活力" → title, name, headline.

    Unmarked lines must look like a speaker line throughout; after 【讲述】 the headline may
    be empty and the line is taken as it comes.
    """
    match = (_SPEAKER_LOOSE if marked else _SPEAKER).match(text.strip())
    if not match:
        return None
    head, headline = match["head"].strip(), (match["headline"] or "").strip()
    split = split_speaker(head)
    if split is None:
        if not marked:
            return None
        split = ("", head, True)
    title, name, guessed = split
    return Speaker(title, name, headline, guessed)


def split_speaker(head: str) -> tuple[str, str, bool] | None:
    """(title, name, guessed) from "TITLE NAME": at the last space, else after the last post
    the title ends with (…党委书记|吴华), else a bare two- or three-character name."""
    if re.search(r"\s", head):
        title, name = head.rsplit(None, 1)
        if v.PERSON_NAME.match(name):
            return title.strip(), name, False
    best = None
    for post in v.POSTS:
        index = head.rfind(post)
        while index > 0:
            name = head[index + len(post) :]
            if (
                2 <= len(name) <= 4
                and re.fullmatch(r"[\u4e00-\u9fff]+", name)
                and not _NOT_IN_NAMES & set(name)
            ):
                end = index + len(post)
                if best is None or end > best[0]:
                    best = (end, head[:end], name)
                break
            index = head.rfind(post, 0, index)
    if best:
        return best[1], best[2], False
    if 2 <= len(head) <= 3 and re.fullmatch(r"[\u4e00-\u9fff]+", head) and not _NOT_IN_NAMES & set(head):
        return "", head, False
    return None
