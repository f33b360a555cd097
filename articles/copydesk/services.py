"""The copy desk's work on the database: importing a manuscript as draft articles, and the
article body edited as text.

The reading itself is pure (`articles.copydesk`); here contributors are matched to the
people already credited, a reading is saved in one transaction as drafts through the
same models and validation as the admin, and a body written as text is saved back into
the article's blocks and testimony sections, changing only what changed.

Photo slots. A photo block needs a `Photo`, and a Photo needs an image file. A slot the
manuscript describes (caption and credit, no picture yet) is a Photo whose file is one
shared placeholder, `AWAITING_IMAGE`, with its caption and credits filled in and no alt
text. Uploading the real image on the photo's page replaces the file; until then
`awaits_image()` is true, the admin lists the slot under the issue's checks, and
`issue_problems()` already refuses to publish it (no alt text). The placeholder is made once
and never deleted, so a rolled-back import leaves nothing in storage.
"""

import io
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max, Prefetch, Q
from django.templatetags.static import static
from PIL import Image, ImageDraw

from articles import typesetting
from articles.copydesk import body as body_text_grammar
from articles.copydesk.credits import CreditDraft
from articles.copydesk.desk import Reading, body_too_long, manuscript_too_long, read_manuscript
from articles.copydesk.draft import (
    ArticleDraft,
    Paragraph,
    PhotoSlot,
    Subheading,
    Testimony,
    TimelineDraft,
    Video,
)
from articles.copydesk.report import invisible_problems
from articles.desk.revisions import record_revision
from articles.models import (
    Article,
    Block,
    Byline,
    Contributor,
    Issue,
    IssuePhoto,
    Section,
    Timeline,
    TimelineItem,
)
from articles.workflow import ArticleStatus
from media.credits import CreditAction, credit_line
from media.models import Photo, PhotoCredit

AWAITING_IMAGE = "copydesk/awaiting-image.png"
AWAITING_SIZE = (1200, 800)
AWAITING_PREVIEW = "articles/copydesk/awaiting-image.svg"  # static, for pages that show a slot
NEW = "new"


# --- Photo slots -------------------------------------------------------------------------


def awaiting_image_name(storage=default_storage) -> str:
    """The shared placeholder file, made on first use."""
    if not storage.exists(AWAITING_IMAGE):
        storage.save(AWAITING_IMAGE, ContentFile(_placeholder_png()))
    return AWAITING_IMAGE


def _placeholder_png() -> bytes:
    """A quiet grey card with a camera outline: no text, so no font is needed."""
    width, height = AWAITING_SIZE
    image = Image.new("RGB", AWAITING_SIZE, (236, 236, 232))
    draw = ImageDraw.Draw(image)
    for x in range(-height, width, 40):
        draw.line([(x, height), (x + height, 0)], fill=(226, 226, 221), width=6)
    cx, cy, line = width // 2, height // 2, (150, 150, 146)
    draw.rounded_rectangle((cx - 150, cy - 90, cx + 150, cy + 110), radius=24, outline=line, width=10)
    draw.rectangle((cx - 60, cy - 125, cx + 60, cy - 90), outline=line, width=10)
    draw.ellipse((cx - 65, cy - 45, cx + 65, cy + 85), outline=line, width=10)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def awaits_image(photo: Photo) -> bool:
    return photo.image.name == AWAITING_IMAGE


def awaiting_problems(issue: Issue) -> list[str]:
    """The issue's photo slots still waiting for their image, in words."""
    photos = Photo.objects.filter(
        Q(blocks__article__issue=issue) | Q(issue_placements__issue=issue), image=AWAITING_IMAGE
    ).distinct()
    return [
        f"图片“{photo.caption[:24] or photo.pk}”还没有上传图片文件（待配图）。"
        for photo in photos.order_by("pk")
    ]


def _awaiting_photo(slot: PhotoSlot, contributors: dict, user=None) -> Photo:
    photo = Photo(
        caption=slot.caption,
        alt_text="",
        credit_action=slot.credit_action or CreditAction.PHOTOGRAPHED,
        uploaded_by=user,  # the slot is the importer's, so they may upload its picture
    )
    photo.image.name = awaiting_image_name()
    photo.width, photo.height = AWAITING_SIZE
    photo.full_clean(exclude=["image"])
    photo.save()
    for n, credit in enumerate(slot.credits, start=1):
        _saved(PhotoCredit(photo=photo, position=n, **_credit_fields(credit, contributors)))
    return photo


# --- Contributors ------------------------------------------------------------------------


@dataclass
class ContributorMatch:
    """A name in the manuscript and who it is in the database."""

    name: str
    kind: str
    candidates: list[Contributor]
    chosen: Contributor | None = None  # None: a new contributor
    disambiguation: str = ""  # for a new one sharing an existing name

    @property
    def state(self) -> str:
        if self.chosen is not None:
            return "已有" if len(self.candidates) == 1 else "同名多位，已选"
        return "新建" if not self.candidates or self.disambiguation else "同名多位，待选"

    @property
    def problem(self) -> str:
        if self.chosen is None and self.candidates and not self.disambiguation:
            return f"“{self.name}”与已有作者同名：请选择是哪一位，或新建并填写区分说明。"
        return ""


def match_contributors(drafts: list[CreditDraft], choices: dict | None = None) -> dict[str, ContributorMatch]:
    """Match credited names to contributors: by name; among namesakes, the one without a
    disambiguation unless the editor chose; a name not found is new. One query."""
    choices = choices or {}
    names = {draft.name: draft.kind for draft in drafts}
    found: dict[str, list[Contributor]] = {}
    for contributor in Contributor.objects.filter(name__in=names).order_by("name", "disambiguation", "id"):
        found.setdefault(contributor.name, []).append(contributor)
    matches = {}
    for name, kind in names.items():
        candidates = found.get(name, [])
        match = ContributorMatch(name, kind, candidates)
        choice = str(choices.get(name, "") or "")
        by_id = {str(c.pk): c for c in candidates}
        if choice in by_id:
            match.chosen = by_id[choice]
        elif choice.startswith(NEW) and candidates:
            match.disambiguation = choice[len(NEW) :].lstrip(":").strip()
        elif len(candidates) == 1:
            match.chosen = candidates[0]
        else:
            match.chosen = next((c for c in candidates if not c.disambiguation), None)
        matches[name] = match
    return matches


def _contributor(match: ContributorMatch, user=None) -> Contributor:
    if match.chosen is not None:
        return match.chosen
    existing = Contributor.objects.filter(name=match.name, disambiguation=match.disambiguation).first()
    if existing:  # made since the page was read: never two rows for one person
        return existing
    return _saved(
        Contributor(name=match.name, kind=match.kind, disambiguation=match.disambiguation, created_by=user)
    )


def _credit_fields(credit: CreditDraft, contributors: dict) -> dict:
    return {
        "contributor": contributors[credit.name],
        "role": credit.role,
        "organisation": credit.organisation,
    }


# --- Import ------------------------------------------------------------------------------


@dataclass
class Proposal:
    """A manuscript read for saving: the reading, the target issue, who is who, and what
    stops it from being saved."""

    reading: Reading
    issue: Issue | None
    contributors: dict[str, ContributorMatch]
    problems: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        return self.issue.title if self.issue else self.reading.page.title

    @property
    def savable(self) -> bool:
        return not self.problems


def propose(
    text: str, *, user=None, issue: Issue | None = None, accepted=(), accept_all=False, choices=None
) -> Proposal:
    too_long = manuscript_too_long(text)
    if too_long:
        raise ValidationError(too_long, code="manuscript_too_long")
    reading = read_manuscript(text, accepted, accept_all=accept_all)
    page = reading.page
    contributors = match_contributors(page.contributors(), choices)
    problems = invisible_problems(reading.lines)
    problems += [match.problem for match in contributors.values() if match.problem]
    if not page.parts:
        problems.append("没有识别出可以保存的稿件、图片或大事记。")
    problems += _permission_problems(user, page, issue)
    return Proposal(reading, issue, contributors, problems)


def _permission_problems(user, page, issue) -> list[str]:
    if user is None:
        return []  # the operator, from the command line
    needed = []
    if issue is None:
        needed.append(("articles.add_issue", "新建专题"))
    kinds = {type(part) for part in page.parts}
    if ArticleDraft in kinds:
        needed.append(("articles.add_article", "新建稿件"))
    if PhotoSlot in kinds:
        needed.append(("articles.add_issuephoto", "添加专题图片"))
    if TimelineDraft in kinds:
        needed.append(("articles.add_timeline", "添加大事记"))
    if (
        any(isinstance(block, PhotoSlot) for a in page.articles() for _, block in a.blocks())
        or PhotoSlot in kinds
    ):
        needed.append(("media.add_photo", "添加图片"))
    return [f"您没有{label}的权限。" for perm, label in needed if not user.has_perm(perm)]


@dataclass
class Imported:
    issue: Issue
    articles: list[Article]
    page_photos: int
    timelines: int
    awaiting: int
    created_issue: bool


def save_proposal(proposal: Proposal, *, user=None, title: str = "", issue_date=None) -> Imported:
    """Save the proposal as drafts, all or nothing. New articles are drafts created by
    `user`; photo slots await their images. Refused in words (ValidationError or
    PermissionDenied) without writing anything."""
    if proposal.problems:
        errors = [p for p in proposal.problems if "权限" not in p]
        if len(errors) < len(proposal.problems):
            raise PermissionDenied("；".join(proposal.problems))
        raise ValidationError(errors)
    with transaction.atomic():
        return _Saver(proposal, user).save(title=title, issue_date=issue_date)


class _Saver:
    def __init__(self, proposal: Proposal, user):
        self.proposal = proposal
        self.user = user
        self.awaiting = 0

    def save(self, *, title: str, issue_date) -> Imported:
        page = self.proposal.reading.page
        created = self.proposal.issue is None
        issue = self.proposal.issue or self.new_issue(title or page.title, issue_date)
        self.contributors = {
            name: _contributor(match, self.user) for name, match in self.proposal.contributors.items()
        }
        position = next_position(issue)
        articles, page_photos, timelines = [], 0, 0
        for part in page.parts:
            position += 1
            if isinstance(part, ArticleDraft):
                articles.append(self.article(issue, position, part))
            elif isinstance(part, PhotoSlot):
                _saved(IssuePhoto(issue=issue, position=position, photo=self.photo(part)))
                page_photos += 1
            else:
                self.timeline(issue, position, part)
                timelines += 1
        for article in articles:
            record_revision(article, self.user, "从稿件导入")
        return Imported(issue, articles, page_photos, timelines, self.awaiting, created)

    def new_issue(self, title: str, issue_date) -> Issue:
        if not title.strip():
            raise ValidationError("请填写专题名称：稿件里没有识别出专题名称。")
        if issue_date is None:
            raise ValidationError("请填写刊发日期。")
        return _saved(Issue(title=title.strip(), issue_date=issue_date, updated_by=self.user))

    def article(self, issue: Issue, position: int, draft: ArticleDraft) -> Article:
        article = _saved(
            Article(
                issue=issue,
                position=position,
                kind=draft.kind,
                kicker=draft.kicker,
                headline=draft.headline,
                subheadline=draft.subheadline,
                status=ArticleStatus.DRAFT,
                created_by=self.user,
                updated_by=self.user,
            ),
            draft.lines,
        )
        for n, credit in enumerate(draft.bylines, start=1):
            _saved(Byline(article=article, position=n, **_credit_fields(credit, self.contributors)))
        n = 0
        for node in draft.body:
            if isinstance(node, Testimony):
                section = _saved(
                    Section(
                        article=article,
                        speaker_name=node.speaker_name,
                        speaker_title=node.speaker_title,
                        headline=node.headline,
                    ),
                    node.lines,
                )
                for block in node.body:
                    n += 1
                    self.block(article, n, block, section)
            else:
                n += 1
                self.block(article, n, node, None)
        return article

    def block(self, article: Article, position: int, node, section) -> Block:
        kind, fields = _block_fields(node)
        if kind == Block.Kind.PHOTO:
            fields["photo"] = self.photo(node)
        return _saved(
            Block(article=article, position=position, section=section, kind=kind, **fields), node.lines
        )

    def photo(self, slot: PhotoSlot) -> Photo:
        if slot.photo_id is not None:
            return Photo.objects.get(pk=slot.photo_id)
        self.awaiting += 1
        return _awaiting_photo(slot, self.contributors, self.user)

    def timeline(self, issue: Issue, position: int, draft: TimelineDraft) -> None:
        timeline = _saved(
            Timeline(issue=issue, position=position, title=draft.title, credit_action=draft.credit_action),
            draft.lines,
        )
        for n, credit in enumerate(draft.credits, start=1):
            _saved(Byline(timeline=timeline, position=n, **_credit_fields(credit, self.contributors)))
        for n, item in enumerate(draft.items, start=1):
            _saved(
                TimelineItem(
                    timeline=timeline,
                    position=n,
                    date=item.date,
                    date_precision=item.precision,
                    text=item.text,
                ),
                item.lines,
            )


def next_position(issue: Issue) -> int:
    """The last reading position used by any part of the issue (0 when empty)."""
    positions = [
        issue.articles.aggregate(top=Max("position"))["top"],
        issue.issue_photos.aggregate(top=Max("position"))["top"],
        issue.timelines.aggregate(top=Max("position"))["top"],
    ]
    return max([p for p in positions if p is not None], default=0)


def _block_fields(node) -> tuple[str, dict]:
    if isinstance(node, Paragraph):
        return Block.Kind.PARAGRAPH, {"text": node.text}
    if isinstance(node, Subheading):
        return Block.Kind.SUBHEADING, {"text": node.text}
    if isinstance(node, Video):
        return Block.Kind.VIDEO, {"text": node.text, "url": node.url}
    return Block.Kind.PHOTO, {}


def _saved(obj, lines=()):
    """full_clean() and save, as the admin would; a refusal names the manuscript line."""
    try:
        obj.full_clean()
    except ValidationError as error:
        if lines:
            where = f"第 {lines[0]} 行"
            raise ValidationError([f"{where}：{message}" for message in error.messages]) from error
        raise
    obj.save()
    return obj


# --- The body editor ---------------------------------------------------------------------


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
    if not body_text_grammar.round_trips(nodes):
        return None
    return body_text_grammar.write_body(nodes)


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
    result = body_text_grammar.read_body(text)
    errors = [f"第 {u.number} 行：{u.reason}（“{_short(u.text)}”）" for u in result.unplaced]
    errors += _refused_texts(result.nodes)
    slots = [block for _, block in _all_blocks(result.nodes) if isinstance(block, PhotoSlot)]
    ids = {slot.photo_id for slot in slots if slot.photo_id is not None}
    photos = {
        photo.pk: photo
        for photo in Photo.objects.filter(pk__in=ids).prefetch_related(
            Prefetch("credits", queryset=PhotoCredit.objects.select_related("contributor"))
        )
    }
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
    drafts = [credit for slot in slots if slot.photo_id is None for credit in slot.credits]
    contributors = match_contributors(drafts)
    for match in contributors.values():
        if match.problem:
            line = next(s.lines[0] for s in slots if any(c.name == match.name for c in s.credits))
            errors.append(f"第 {line} 行：{match.problem.rstrip('。')}（请在图片页选择署名）。")
    return BodyPlan(result.nodes, errors, photos, contributors)


def _refused_texts(nodes) -> list[str]:
    """What the models' own validators say about each text of a body read from text, by
    line: the same checks `apply_body` makes when it saves, made before anything is."""
    checks = []  # (line, model, field, value)
    for _, block in _all_blocks(nodes):
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
        for name in ("speaker_name", "speaker_title", "headline"):
            checks.append((line, Section, name, getattr(testimony, name)))
    errors = []
    for line, model, name, value in checks:
        try:
            model._meta.get_field(name).run_validators(value)
        except ValidationError as error:
            errors += [f"第 {line} 行：{message}" for message in error.messages]
    return list(dict.fromkeys(errors))


def _all_blocks(nodes):
    for node in nodes:
        if isinstance(node, Testimony):
            for block in node.body:
                yield node, block
        else:
            yield None, node


def _short(text: str) -> str:
    return text if len(text) <= 24 else text[:24] + "…"


def apply_body(article: Article, plan: BodyPlan, *, user=None) -> bool:
    """Make the article's blocks and sections what `plan` says, touching only rows that
    change; every row is saved through the model (so the revision keeps it). Returns
    whether anything changed. Call inside the save's transaction."""
    if plan.errors:
        raise ValidationError(plan.errors)
    contributors = {name: _contributor(match, user) for name, match in plan.contributors.items()}
    wanted = list(_all_blocks(plan.nodes))
    testimonies = [node for node in plan.nodes if isinstance(node, Testimony)]
    sections = _sections_in_order(article)
    changed = False
    section_for = {}
    for n, testimony in enumerate(testimonies):
        values = {
            "speaker_name": testimony.speaker_name,
            "speaker_title": testimony.speaker_title,
            "headline": testimony.headline,
        }
        if n < len(sections):
            section = sections[n]
            if any(getattr(section, key) != value for key, value in values.items()):
                for key, value in values.items():
                    setattr(section, key, value)
                _saved(section, testimony.lines)
                changed = True
        else:
            section = _saved(Section(article=article, **values), testimony.lines)
            changed = True
        section_for[id(testimony)] = section
    existing = list(article.blocks.order_by("position", "id"))
    pairs = _pair_blocks(existing, [block for _, block in wanted])
    kept = set()
    for position, ((testimony, node), block) in enumerate(zip(wanted, pairs, strict=True), start=1):
        kind, fields = _block_fields(node)
        if kind == Block.Kind.PHOTO:
            fields["photo"] = (
                plan.photos[node.photo_id] if node.photo_id else _awaiting_photo(node, contributors, user)
            )
        section = section_for[id(testimony)] if testimony is not None else None
        fields |= {"kind": kind, "position": position, "section": section}
        defaults = {"text": "", "url": "", "photo": None}
        if block is None:
            _saved(Block(article=article, **{**defaults, **fields}), node.lines)
            changed = True
            continue
        kept.add(block.pk)
        new_values = {**defaults, **fields}
        if any(_value(block, key) != _value_of(value) for key, value in new_values.items()):
            for key, value in new_values.items():
                setattr(block, key, value)
            _saved(block, node.lines)
            changed = True
    for block in existing:
        if block.pk not in kept:
            block.delete()
            changed = True
    for section in sections[len(testimonies) :]:
        section.delete()
        changed = True
    return changed


def _value(block: Block, key: str):
    if key in ("photo", "section"):
        return getattr(block, f"{key}_id")
    return getattr(block, key)


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
    import difflib

    def key(block_or_node):
        if isinstance(block_or_node, Block):
            return (block_or_node.kind, block_or_node.text, block_or_node.photo_id, block_or_node.url)
        kind, fields = _block_fields(block_or_node)
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


# --- Rendering for the editor's side-by-side view ----------------------------------------


def preview(text: str) -> dict:
    """The body text as readers will see it: nodes in the API's shape, 字数, and errors."""
    plan = check_body(text)
    nodes = [draft_node(node, plan.photos) for node in plan.nodes]
    return {"nodes": nodes, "characters": characters(plan.nodes), "errors": plan.errors}


def characters(nodes: list) -> int:
    """字数 as `Article.character_count` counts it: paragraphs, subheadings, testimony
    headlines."""
    texts = []
    for node in nodes:
        if isinstance(node, Testimony):
            texts.append(node.headline)
            texts += [b.text for b in node.body if isinstance(b, Paragraph | Subheading)]
        elif isinstance(node, Paragraph | Subheading):
            texts.append(node.text)
    return sum(typesetting.count_characters(text) for text in texts)


def draft_node(node, photos: dict | None = None) -> dict:
    """A draft node in the shape the admin's reader view draws (the API's body nodes, with
    `awaiting` on photo slots). `photos` are library photos by id."""
    photos = photos or {}
    if isinstance(node, Testimony):
        return {
            "type": "testimony",
            "speaker_name": node.speaker_name,
            "speaker_title": node.speaker_title,
            "headline": node.headline,
            "body": [draft_node(block, photos) for block in node.body],
        }
    if isinstance(node, Video):
        return {"type": "video", "label": node.text, "url": node.url}
    if isinstance(node, PhotoSlot):
        return {"type": "photo", "photo": _draft_photo(node, photos)}
    return {"type": node.type, "text": node.text}


def credits_line(credits, action: str = "") -> str:
    """A draft's credits printed as the page prints them (media.credits.credit_line)."""
    rows = [
        SimpleNamespace(role=c.role, organisation=c.organisation, contributor=SimpleNamespace(name=c.name))
        for c in credits
    ]
    return credit_line(rows, action) if rows else ""


def _draft_photo(slot: PhotoSlot, photos: dict) -> dict:
    photo = photos.get(slot.photo_id) if slot.photo_id else None
    if photo is not None:
        awaiting = awaits_image(photo)
        return {
            "id": photo.pk,
            "url": static(AWAITING_PREVIEW) if awaiting else photo.image.url,
            "alt_text": photo.alt_text or photo.caption,
            "width": photo.width,
            "height": photo.height,
            "caption": photo.caption,
            "credit": {"line": photo.credit_line},
            "awaiting": awaiting,
        }
    return {
        "id": slot.photo_id,
        "url": static(AWAITING_PREVIEW),
        "alt_text": slot.caption,
        "width": AWAITING_SIZE[0],
        "height": AWAITING_SIZE[1],
        "caption": slot.caption,
        "credit": {"line": credits_line(slot.credits, slot.credit_action)},
        "awaiting": True,
        "missing": slot.photo_id is not None,
        "uncredited": slot.uncredited,
    }
