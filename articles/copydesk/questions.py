"""The report's questions, about the draft as it stands: what the reporter or the editor
must look at (a role outside the vocabulary, a testimony with no speaker title, a caption
with no credit, a paragraph that stops mid-sentence with nothing to join, a line not
understood, the genre guessed). Nothing here changes the text; the fixes are `report`'s.
"""

from .draft import ArticleDraft, Manuscript, PhotoSlot, Testimony, TimelineDraft
from .lines import Line
from .report import (
    BYLINE,
    CREDIT,
    CUT_OFF,
    GENRE,
    ROLE,
    SPEAKER,
    UNPLACED,
    Finding,
    continues,
    open_ended,
    paragraph_like,
)
from .shapes import shape
from .vocabulary import ALLIANCE, KINDS, ROLES


def questions(lines: list[Line], page: Manuscript) -> list[Finding]:
    """What the reporter or the editor must look at; nothing here changes the text."""
    found = []
    text_lines = [line for line in lines if line.text]
    shapes = [shape(line.text) for line in text_lines]
    for line, here in zip(text_lines, shapes, strict=True):
        if here.credits is not None and here.credits.unknown_roles:
            roles = "、".join(f"“{role}”" for role in here.credits.unknown_roles)
            found.append(
                Finding(
                    f"role-{line.number}",
                    ROLE,
                    line.number,
                    f"署名身份{roles}不在署名词表中（{known_roles()}）：按原样印出，请核实",
                )
            )
    for n, line in enumerate(text_lines):
        if paragraph_like(shapes, n) and open_ended(line.text) and not continues(text_lines, shapes, n):
            found.append(
                Finding(
                    f"cut-{line.number}",
                    CUT_OFF,
                    line.number,
                    f"段落停在句中（“…{line.text[-10:]}”），后面没有可接的文字：请记者核实是否缺文",
                )
            )
    for index, part in enumerate(page.parts):
        found += _part_questions(part, index)
    for unplaced in page.unplaced:
        found.append(
            Finding(f"unplaced-{unplaced.number}", UNPLACED, unplaced.number, f"未能识别：{unplaced.reason}")
        )
    return sorted(found, key=lambda f: (f.line, f.category))


def _part_questions(part, index: int) -> list[Finding]:
    found = []
    if isinstance(part, ArticleDraft):
        first = part.lines[0] if part.lines else 0
        if not part.bylines:
            found.append(Finding(f"byline-{first}", BYLINE, first, f"《{part.headline}》没有署名"))
        found.append(
            Finding(
                f"kind-{first}",
                GENRE,
                first,
                f"《{part.headline}》按“{kind_label(part.kind)}”处理：{part.kind_reason}。"
                "如不对，可在标题下加一行【体裁】评论 / 通讯 / 消息 / 报道 / 访谈",
            )
        )
        for _, block in part.blocks():
            if isinstance(block, PhotoSlot):
                found += _photo_questions(block)
        for node in part.body:
            if isinstance(node, Testimony):
                found += _testimony_questions(node)
    elif isinstance(part, PhotoSlot):
        found += _photo_questions(part)
    elif isinstance(part, TimelineDraft) and not part.credits:
        first = part.lines[0]
        found.append(Finding(f"compiled-{first}", BYLINE, first, f"大事记“{part.title}”没有整理署名"))
    return found


def _photo_questions(photo: PhotoSlot) -> list[Finding]:
    if not photo.uncredited:
        return []
    first = photo.lines[0] if photo.lines else 0
    if photo.file_photo:
        message = "资料图片没有注明来源：请补上摄影者或供图单位"
    else:
        message = f"图片“{photo.caption[:16]}…”没有署名（…摄 / …供图）：请记者补上"
    return [Finding(f"credit-{first}", CREDIT, first, message)]


def _testimony_questions(testimony: Testimony) -> list[Finding]:
    first = testimony.lines[0] if testimony.lines else 0
    found = []
    if not testimony.speaker_title:
        found.append(
            Finding(
                f"speaker-{first}",
                SPEAKER,
                first,
                f"讲述人“{testimony.speaker_name}”没有身份（如“…村党委书记”）：请记者补上",
            )
        )
    elif testimony.split_guessed:
        found.append(
            Finding(
                f"speaker-{first}",
                SPEAKER,
                first,
                f"讲述人的身份和姓名是猜着分开的（“{testimony.speaker_title}”/“{testimony.speaker_name}”）："
                "请核对，可在姓名前加空格",
            )
        )
    if not testimony.body:
        found.append(Finding(f"empty-{first}", SPEAKER, first, "讲述下面没有内容"))
    return found


def known_roles() -> str:
    return "、".join(f"{label}·X" if label == ALLIANCE else label for label in ROLES)


def kind_label(kind: str) -> str:
    return {value: label for label, value in KINDS.items()}.get(kind, kind)
