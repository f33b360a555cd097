"""The article body edited as text: the blocks and testimony sections written as the
editor's text, the text read and checked against the database, and saved back into the
rows, changing only what changed (so the revision shows the edit, not a rewrite)."""

import difflib
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Prefetch

from articles.models import Article, Block, Contributor, Section
from media.models import Photo, PhotoCredit

from . import body as body_grammar
from .contributors import ContributorMatch, contributors_for, match_contributors
from .desk import body_too_long
from .draft import Paragraph, PhotoSlot, Subheading, Testimony, Video, blocks_of
from .photo_slots import awaiting_photo
from .rows import block_fields, saved, section_fields


def body_nodes(article: Article) -> list:
    """The article's body as copy-desk nodes, in reading order (3 queries)."""
    blocks = list(article.blocks.select_related("photo", "section").order_by("position", "id"))
    sections = list(article.sections.order_by("id"))
    nodes: list = []
    current: tuple | None = None
    for block in blocks:
        node = _node(block)
        if block.section_id is None:
            current = None
            nodes.append(node)
            continue
        if current is None or current[0] != block.section_id:
            testimony = _testimony(block.section)
            current = (block.section_id, testimony)
            nodes.append(testimony)
        current[1].body.append(node)
    shown = {block.section_id for block in blocks if block.section_id}
    nodes += [_testimony(section) for section in sections if section.pk not in shown]
    return nodes


def _testimony(section: Section) -> Testimony:
    return Testimony(section.speaker_name, section.speaker_title, section.headline)


def _node(block: Block):
    if block.kind == Block.Kind.PHOTO:
        return PhotoSlot(caption=block.photo.caption if block.photo else "", photo_id=block.photo_id)
    if block.kind == Block.Kind.VIDEO:
        return Video(block.text, block.url)
    if block.kind == Block.Kind.SUBHEADING:
        return Subheading(block.text)
    return Paragraph(block.text)


def body_text(article: Article) -> str | None:
    """The body as the editor's text, or None when text cannot hold it exactly (a
    paragraph with a line break in it, say): then the block inlines are the way."""
    if article.pk is None:
        return ""
    nodes = body_nodes(article)
    if not body_grammar.round_trips(nodes):
        return None
    return body_grammar.write_body(nodes)


# --- Checking a body text ------------------------------------------------------------------


@dataclass
class BodyPlan:
    """A body text read and checked against the database, ready to save."""

    nodes: list
    errors: list[str]
    photos: dict[int, Photo]
    contributors: dict[str, ContributorMatch]


def check_body(text: str) -> BodyPlan:
    """Read a body text; every line that cannot be placed, every photo that does not exist
    and every caption changed here (it belongs to the photo) is an error with its line, as
    is any text the models would refuse (markup, invisible characters, a paragraph too long):
    found here, it is a form error, not a failed save."""
    too_long = body_too_long(text)
    if too_long:
        return BodyPlan([], [too_long], {}, {})
    result = body_grammar.read_body(text)
    errors = [f"第 {u.number} 行：{u.reason}（“{_short(u.text)}”）" for u in result.unplaced]
    errors += _refused_texts(result.nodes)
    slots = [block for _, block in blocks_of(result.nodes) if isinstance(block, PhotoSlot)]
    photos, photo_errors = _library_photos(slots)
    drafts = [credit for slot in slots if slot.photo_id is None for credit in slot.credits]
    contributors = match_contributors(drafts)
    for match in contributors.values():
        if match.problem:
            line = next(s.lines[0] for s in slots if any(c.name == match.name for c in s.credits))
            photo_errors.append(f"第 {line} 行：{match.problem.rstrip('。')}（请在图片页选择署名）。")
    return BodyPlan(result.nodes, errors + photo_errors, photos, contributors)


def _library_photos(slots: list[PhotoSlot]) -> tuple[dict[int, Photo], list[str]]:
    """The library photos the text names (one query), and what is wrong with the naming."""
    ids = {slot.photo_id for slot in slots if slot.photo_id is not None}
    photos = {
        photo.pk: photo
        for photo in Photo.objects.filter(pk__in=ids).prefetch_related(
            Prefetch("credits", queryset=PhotoCredit.objects.select_related("contributor"))
        )
    }
    errors = []
    for slot in slots:
        line = slot.lines[0] if slot.lines else "?"
        if slot.photo_id is None:
            continue
        photo = photos.get(slot.photo_id)
        if photo is None:
            errors.append(f"第 {line} 行：图库里没有编号为 {slot.photo_id} 的图片。")
        elif slot.caption and slot.caption != photo.caption.strip():
            errors.append(
                f"第 {line} 行：图片说明要在图片页修改（图片 #{slot.photo_id}），"
                "这里只显示它；可以只保留【图片#编号】。"
            )
    return photos, errors


def _refused_texts(nodes) -> list[str]:
    """What the models' own validators say about each text of a body read from text, by
    line: the same checks `apply_body` makes when it saves, made before anything is."""
    checks = []  # (line, model, field, value)
    for _, block in blocks_of(nodes):
        line = block.lines[0] if block.lines else "?"
        if isinstance(block, PhotoSlot):
            if block.photo_id is None:
                checks.append((line, Photo, "caption", block.caption))
                for credit in block.credits:
                    checks.append((line, Contributor, "name", credit.name))
                    checks.append((line, PhotoCredit, "organisation", credit.organisation))
        else:
            checks.append((line, Block, "text", block.text))
            if isinstance(block, Video):
                checks.append((line, Block, "url", block.url))
    for testimony in (node for node in nodes if isinstance(node, Testimony)):
        line = testimony.lines[0] if testimony.lines else "?"
        for name, value in section_fields(testimony).items():
            checks.append((line, Section, name, value))
    errors = []
    for line, model, name, value in checks:
        try:
            model._meta.get_field(name).run_validators(value)
        except ValidationError as error:
            errors += [f"第 {line} 行：{message}" for message in error.messages]
    return list(dict.fromkeys(errors))


def _short(text: str) -> str:
    return text if len(text) <= 24 else text[:24] + "…"


# --- Saving it back ------------------------------------------------------------------------


def apply_body(article: Article, plan: BodyPlan, *, user=None) -> bool:
    """Make the article's blocks and sections what `plan` says, touching only rows that
    change; every row is saved through the model (so the revision keeps it). Returns
    whether anything changed. Call inside the save's transaction."""
    if plan.errors:
        raise ValidationError(plan.errors)
    contributors = contributors_for(plan.contributors, user)
    testimonies = [node for node in plan.nodes if isinstance(node, Testimony)]
    sections = _sections_in_order(article)
    section_for, changed = _apply_sections(article, testimonies, sections)
    wanted = list(blocks_of(plan.nodes))
    existing = list(article.blocks.order_by("position", "id"))
    pairs = _pair_blocks(existing, [block for _, block in wanted])
    for position, ((testimony, node), block) in enumerate(zip(wanted, pairs, strict=True), start=1):
        kind, fields = block_fields(node)
        if kind == Block.Kind.PHOTO:
            fields["photo"] = (
                plan.photos[node.photo_id] if node.photo_id else awaiting_photo(node, contributors, user)
            )
        section = section_for[id(testimony)] if testimony is not None else None
        values = {"text": "", "url": "", "photo": None, **fields, "kind": kind, "position": position}
        values["section"] = section
        if block is None:
            saved(Block(article=article, **values), node.lines)
            changed = True
        elif _updated(block, values, node.lines):
            changed = True
    kept = {block.pk for block in pairs if block is not None}
    for block in existing:
        if block.pk not in kept:
            block.delete()
            changed = True
    for section in sections[len(testimonies) :]:
        section.delete()
        changed = True
    return changed


def _apply_sections(article: Article, testimonies: list, sections: list[Section]) -> tuple[dict, bool]:
    """The testimonies' sections, the existing ones reused in reading order: {id(testimony):
    section}, and whether any row changed."""
    changed = False
    section_for = {}
    for n, testimony in enumerate(testimonies):
        values = section_fields(testimony)
        if n < len(sections):
            section = sections[n]
            changed |= _updated(section, values, testimony.lines)
        else:
            section = saved(Section(article=article, **values), testimony.lines)
            changed = True
        section_for[id(testimony)] = section
    return section_for, changed


def _updated(row, values: dict, lines) -> bool:
    """Set `values` on the row and save it, only if one of them differs."""
    if all(_value(row, key) == _value_of(value) for key, value in values.items()):
        return False
    for key, value in values.items():
        setattr(row, key, value)
    saved(row, lines)
    return True


def _value(row, key: str):
    if key in ("photo", "section"):
        return getattr(row, f"{key}_id")
    return getattr(row, key)


def _value_of(value):
    return value.pk if hasattr(value, "pk") else value


def _sections_in_order(article: Article) -> list[Section]:
    """Sections in reading order: by their first block, empty ones last."""
    sections = list(article.sections.order_by("id"))
    first = {}
    for position, section_id in (
        article.blocks.exclude(section=None).order_by("position", "id").values_list("position", "section_id")
    ):
        first.setdefault(section_id, position)
    return sorted(sections, key=lambda s: (s.pk not in first, first.get(s.pk, 0), s.pk))


def _pair_blocks(existing: list[Block], nodes: list) -> list[Block | None]:
    """For each wanted node, the existing block it keeps (same kind and content first,
    then the same kind in order), or None for a new one."""

    def key(block_or_node):
        if isinstance(block_or_node, Block):
            return (block_or_node.kind, block_or_node.text, block_or_node.photo_id, block_or_node.url)
        kind, fields = block_fields(block_or_node)
        return (kind, fields.get("text", ""), getattr(block_or_node, "photo_id", None), fields.get("url", ""))

    old, new = [key(b) for b in existing], [key(n) for n in nodes]
    pairs: list[Block | None] = [None] * len(nodes)
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, a1, a2, b1, b2 in matcher.get_opcodes():
        if tag == "equal":
            for offset in range(a2 - a1):
                pairs[b1 + offset] = existing[a1 + offset]
        elif tag == "replace":
            spare = list(existing[a1:a2])
            for index in range(b1, b2):
                same_kind = next((b for b in spare if b.kind == new[index][0]), None)
                if same_kind is not None:
                    spare.remove(same_kind)
                    pairs[index] = same_kind
    return pairs
