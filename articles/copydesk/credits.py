"""Byline and credit lines, read into who did what in which role.

"本报记者 沈吟 黄珍珍 通讯员 吴丽珍 共享联盟·福明街道 褚燕玲", "本报记者 吕之暹 拍友 周晨磊 摄",
"小古城村供图", "（本报记者 沈吟 整理）", "（图片由浙江省文旅厅提供）", "新华社记者 张三 摄":
a role applies to the names after it until the next role; 摄 / 供图 / 整理 close the line.
A role-like word outside the vocabulary (新华社记者) is kept exactly as printed, as the
credit's organisation with no role, so the printed line reads the same, and it is named
in `unknown_roles` for the report.
"""

import re
from dataclasses import dataclass, field

from . import vocabulary as v

_SEPARATORS = re.compile(r"[\s\u3000、，,]+")
_BRACKETS = (("（", "）"), ("(", ")"), ("【", "】"), ("[", "]"))
PERSON = "person"
ORGANISATION = "organisation"


@dataclass(frozen=True)
class CreditDraft:
    """One contributor credited in a role: what becomes a Byline or a PhotoCredit."""

    name: str
    role: str = ""  # a CreditRole value, "" for none (or an unknown role kept as organisation)
    organisation: str = ""
    kind: str = PERSON


@dataclass(frozen=True)
class Credits:
    """A whole credit line read: the action (""=byline, photographed, courtesy, compiled)."""

    action: str
    credits: tuple[CreditDraft, ...]
    unknown_roles: tuple[str, ...] = ()
    bracketed: bool = False
    file_photo: bool = False  # （资料图片）: a file photo, source not named
    printed: str = field(default="", compare=False)


def unbracket(text: str) -> tuple[str, bool]:
    text = text.strip()
    for opening, closing in _BRACKETS:
        if text.startswith(opening) and text.endswith(closing) and len(text) > 2:
            return text[1:-1].strip(), True
    return text, False


def read_credits(text: str) -> Credits | None:
    """The credit line `text` read, or None when it is not a credit line at all.

    A byline (no action word) must open with a role, or it could be any short text.
    """
    inner, bracketed = unbracket(text)
    inner = inner.strip()
    if not inner:
        return None
    if inner in v.FILE_PHOTO:
        return Credits(v.ACTIONS[v.COURTESY], (), bracketed=bracketed, file_photo=True, printed=text)
    courtesy = v.COURTESY_OF.match(inner)
    if courtesy:
        return _organisations(courtesy["names"], text, bracketed)
    if inner.endswith(v.COURTESY) and len(inner) > len(v.COURTESY):
        return _organisations(inner[: -len(v.COURTESY)], text, bracketed)
    action = ""
    for word in (v.PHOTOGRAPHED, v.COMPILED):
        if inner.endswith(word):
            action, inner = v.ACTIONS[word], inner[: -len(word)].strip()
            break
    tokens = _tokens(inner)
    if not tokens:
        return None
    if not action and _role(tokens[0]) is None:
        return None
    return _people(tokens, action, text, bracketed)


def _organisations(names: str, printed: str, bracketed: bool) -> Credits | None:
    parts = [part for part in re.split(r"[、，,]|和|与", names.strip()) if part.strip()]
    if not parts or not all(v.ORGANISATION_NAME.match(part.strip()) for part in parts):
        return None
    credits = tuple(CreditDraft(name=part.strip(), kind=ORGANISATION) for part in parts)
    return Credits(v.ACTIONS[v.COURTESY], credits, bracketed=bracketed, printed=printed)


def _tokens(text: str) -> list[str]:
    """Words of the line, a role glued to a name split off it ("记者张三" → 记者, 张三)."""
    tokens = []
    for word in _SEPARATORS.split(text.strip()):
        if not word:
            continue
        tokens += _split_glued(word)
    return tokens


def _split_glued(word: str) -> list[str]:
    """ "记者张三" → ["记者", "张三"]; "新华社记者张三" → ["新华社记者", "张三"]."""
    for label in sorted(v.ROLES, key=len, reverse=True):
        rest = word[len(label) :]
        if word.startswith(label) and rest and not rest.startswith(tuple(v.ORGANISATION_SEPARATORS)):
            return [label, rest]
    for ending in v.ROLE_ENDINGS:
        index = word.find(ending)
        rest = word[index + len(ending) :] if index >= 0 else ""
        if rest and v.PERSON_NAME.match(rest) and not rest.endswith(v.ROLE_ENDINGS):
            return [word[: index + len(ending)], rest]
    return [word]


def _role(token: str) -> tuple[str, str, str | None] | None:
    """(role value, organisation, unknown label) for a role token, None for a name."""
    if token in v.ROLES:
        return v.ROLES[token], "", None
    for separator in v.ORGANISATION_SEPARATORS:
        label, found, organisation = token.partition(separator)
        if found and label == v.ALLIANCE and organisation:
            return v.ROLES[v.ALLIANCE], organisation, None
    if token.endswith(v.ROLE_ENDINGS):
        return "", token, token  # 新华社记者, 本报评论员: printed as is, reported
    return None


def _people(tokens: list[str], action: str, printed: str, bracketed: bool) -> Credits | None:
    credits, unknown = [], []
    role, organisation = "", ""
    for token in tokens:
        found = _role(token)
        if found is not None:
            role, organisation, label = found
            if label and label not in unknown:
                unknown.append(label)
            continue
        if not v.PERSON_NAME.match(token):
            return None
        credits.append(CreditDraft(name=token, role=role, organisation=organisation))
    if not credits and len(tokens) == 1 and not action and unknown:
        # 本报评论员: the byline is the role itself, credited in its own name.
        credits.append(CreditDraft(name=tokens[0], kind=ORGANISATION))
    if not credits:
        return None
    return Credits(action, tuple(credits), tuple(unknown), bracketed=bracketed, printed=printed)


def trailing_credit(text: str) -> tuple[str, Credits] | None:
    """A caption with its credit printed on the same line: "…发展。（新华社记者 张三 摄）",
    "…发展。 记者 张三 摄", "…发展。（资料图片）", "…发展。小古城村供图". Returns
    (caption, credits) or None."""
    text = text.rstrip()
    for opening, closing in (("（", "）"), ("(", ")")):
        if text.endswith(closing) and opening in text:
            start = text.rindex(opening)
            caption, credit = text[:start].rstrip(), text[start:]
            found = read_credits(credit)
            if caption and found and (found.action or found.file_photo):
                return caption, found
    # After the caption's last full stop, unbracketed: "… 发展。 记者 张三 摄"
    match = re.match(r"^(?P<caption>.*[。！？!?])\s*(?P<credit>[^。！？!?]+)$", text)
    if match:
        found = read_credits(match["credit"])
        if found and found.action in (v.ACTIONS[v.PHOTOGRAPHED], v.ACTIONS[v.COURTESY]):
            return match["caption"], found
    return None
