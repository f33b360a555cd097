"""Revisions (修订记录): every save of an article keeps what it was, so the desk sees who
changed what, when, and can put an older version back.

django-reversion stores the rows (what is kept: `articles/desk/registration.py`). An old version is
read by putting it back inside a transaction that is always rolled back and rendering the
article as readers would get it, so a revision reads exactly like the unpublished-changes
diff and names contributors and photo captions, never ids.

Restoring is an edit like any other: the same `may_edit` rule, a new revision, and a bumped
`version` so a form opened before the restore is refused as stale. It brings back the text
and parts of the article, not its place in the workflow (see `KEPT`).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import reversion
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.base import DeserializedObject
from django.db import DatabaseError, connections, router, transaction
from django.db.models import Model, QuerySet
from reversion.models import Version

from articles.delivery.rendering import render_issue
from articles.desk import changes
from articles.desk.transitions import may_edit
from articles.models import Article, Block, Byline, Contributor, Correction, Section
from articles.workflow import ArticleStatus
from media.models import Photo
from newsroom.revisions import History, RestorePlan, RevisionEntry, restore_comment, saved_revision
from newsroom.versioning import bump_version, refuse_if_moved

# Article fields a restore leaves as they are now. Status is workflow state, not content: a
# restore never publishes or unpublishes. Issue and slug place the article (moving it back
# into another 专题 or changing its address is not undoing an edit); author and creation
# time are facts about the article, not versions of it.
KEPT = frozenset({"id", "issue_id", "slug", "status", "created_by_id", "created_at"})

# The rows of an article a revision keeps, in the order they are written back (sections
# before the blocks that sit in them).
PARTS: tuple[type[Model], ...] = (Section, Block, Byline, Correction)
# A restore leaves corrections alone: a 更正 tells readers what was wrong in print, and
# going back to an older text does not unsay it (publishing asks for a new one if needed).
RESTORED_PARTS: tuple[type[Model], ...] = (Section, Block, Byline)


@dataclass
class Snapshot:
    """An article as one revision kept it: its fields and its rows, ready to be written back."""

    fields: dict  # the article's stored fields, by attname
    rows: dict[type[Model], list[DeserializedObject]]
    labels: dict[tuple[type[Model], int], str] = field(default_factory=dict)  # as the row read then

    def pks(self, model: type[Model]) -> set[int]:
        return {row.object.pk for row in self.rows[model]}


# Recording


def record_revision(article: Article, user=None, comment: str = "") -> None:
    """Keep the article as it stands now (after a load or a save outside the admin)."""
    with saved_revision(user, comment):
        # Read again: the caller's instance may predate parts saved since.
        reversion.add_to_revision(Article.objects.get(pk=article.pk))


# Reading


def article_versions(article: Article) -> QuerySet[Version]:
    return Version.objects.get_for_object(article)


def revisions(article: Article) -> list[RevisionEntry]:
    """The article's revisions, newest first, in two queries whatever their number."""
    return HISTORY.entries(article)


def revision_count(article: Article) -> int:
    return HISTORY.count(article)


def find_version(article: Article, version_id) -> Version:
    """The article's revision `version_id`; refused in words if it is another article's."""
    return HISTORY.find_version(article, version_id)


revision_number = History.number


def current_lines(article: Article) -> list[str]:
    """The article's working copy as text lines, whatever its workflow state."""
    rendering = render_issue(article.issue_id, article_statuses=tuple(ArticleStatus.values))
    return changes.article_lines(rendering.articles[article.pk])


def revision_lines(version: Version) -> list[str]:
    """The article as it was at `version`, in the lines of `changes.article_lines`.

    Changes nothing: the version is put back and rendered inside a rolled-back transaction.
    Rows whose photo or contributor has since been deleted cannot be shown; a note says so.
    """
    article = Article.objects.get(pk=version.object_id)
    snapshot = load_snapshot(article, version)
    missing = missing_rows(snapshot)
    shown = without(snapshot, missing)
    lines = _lines_after(article, lambda: _put_back(article, shown, PARTS))
    return lines + [f"（{reason}，无法显示）" for reason in missing.values()]


def compare(older: Version, newer: Version) -> list[str]:
    """What changed from `older` to `newer`, as 删/增 lines."""
    return changes.diff_lines(revision_lines(older), revision_lines(newer))


def restore_plan(article: Article, version_id) -> RestorePlan:
    """What a restore of `version_id` would change now, and whatever stops it."""
    version = find_version(article, version_id)
    number = revision_number(version)
    snapshot = load_snapshot(article, version)
    missing = missing_rows(snapshot)
    after = _lines_after(article, lambda: _put_back(article, without(snapshot, missing), RESTORED_PARTS))
    return RestorePlan(
        number=number,
        changes=changes.diff_lines(current_lines(article), after),
        problems=[_cannot_restore(number, reason) for reason in missing.values()],
    )


# Restoring


def restore(
    article: Article, version_id, *, user, comment: str = "", opened_version: int | str | None = None
) -> Article:
    """Put the article's text and parts back as they were at revision `version_id`.

    Blocks, sections and bylines added since are removed and removed ones come back; the
    status, issue and corrections stay as they are. One transaction: a new revision saying
    恢复到第N版, `version` bumped, `updated_by` set — or, when refused, nothing changed.
    `opened_version` is the version the confirmation page showed (None: not checked).
    """
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=article.pk)
        _require_may_edit(user, article)
        if opened_version is not None:
            refuse_if_moved(article, opened_version)
        version = find_version(article, version_id)
        number = revision_number(version)
        snapshot = load_snapshot(article, version)
        problems = [_cannot_restore(number, reason) for reason in missing_rows(snapshot).values()]
        if problems:
            raise ValidationError(problems, code="revision_part_deleted")
        with saved_revision(user, restore_comment(number, comment)):
            _write_back(article, snapshot, number)
            bump_version(article, user)
            reversion.add_to_revision(Article.objects.get(pk=article.pk))
    article.refresh_from_db()
    return article


def _require_may_edit(user, article: Article) -> None:
    # user None is the operator (management commands), who may do anything, as in workflow.
    if user is not None and not may_edit(user, article):
        raise PermissionDenied(
            f"您没有修改稿件《{article}》（{article.get_status_display()}）的权限，不能恢复它的修订版本。"
        )


def _write_back(article: Article, snapshot: Snapshot, number: int) -> None:
    """Write the snapshot over the article, or refuse in words if the database will not."""
    try:
        with transaction.atomic():
            _put_back(article, snapshot, RESTORED_PARTS)
            _check_references(RESTORED_PARTS)
    except DatabaseError as error:
        raise ValidationError(
            f"无法恢复到第{number}版：这一版引用的内容已不存在或与现有内容冲突，稿件未作任何改动。",
            code="revision_not_restorable",
        ) from error


def _cannot_restore(number: int, reason: str) -> str:
    return f"无法恢复到第{number}版：{reason}。请改用其他版本，或在稿件中重新编辑。"


# Snapshots


def load_snapshot(article: Article, version: Version) -> Snapshot:
    """The article's own rows in the revision of `version`.

    A revision may hold several articles (an issue saved with its articles' positions), so
    rows are picked by their article, never taken wholesale.
    """
    models = {ContentType.objects.get_for_model(model).pk: model for model in PARTS}
    rows: dict[type[Model], list[DeserializedObject]] = {model: [] for model in PARTS}
    labels = {}
    stored = version.revision.version_set.filter(content_type_id__in=models, db=version.db).order_by("pk")
    for kept in stored:
        row = _deserialize(kept)
        if row.object.article_id == article.pk:
            rows[type(row.object)].append(row)
            labels[(type(row.object), row.object.pk)] = kept.object_repr
    return Snapshot(fields=version.field_dict, rows=rows, labels=labels)


def _deserialize(kept: Version) -> DeserializedObject:
    # Fresh each time: a row is changed before it is written back, a cached one would stay so.
    return next(serializers.deserialize(kept.format, kept.serialized_data, ignorenonexistent=True))


def missing_rows(snapshot: Snapshot) -> dict[tuple[type[Model], int], str]:
    """Rows of the snapshot whose photo or contributor has been deleted since, with why.

    Both are PROTECT references the database would refuse; said here in words instead.
    """
    blocks = [row.object for row in snapshot.rows[Block] if row.object.photo_id]
    bylines = [row.object for row in snapshot.rows[Byline]]
    photos = set(Photo.objects.filter(pk__in={b.photo_id for b in blocks}).values_list("pk", flat=True))
    people = set(
        Contributor.objects.filter(pk__in={b.contributor_id for b in bylines}).values_list("pk", flat=True)
    )
    missing = {}
    for block in blocks:
        if block.photo_id not in photos:
            missing[(Block, block.pk)] = f"其中的图片（#{block.photo_id}）已从图库删除"
    for byline in bylines:
        if byline.contributor_id not in people:
            name = snapshot.labels.get((Byline, byline.pk), f"#{byline.contributor_id}")
            missing[(Byline, byline.pk)] = f"其中署名“{name}”的作者已被删除"
    return missing


def without(snapshot: Snapshot, missing: dict) -> Snapshot:
    rows = {
        model: [row for row in rows if (model, row.object.pk) not in missing]
        for model, rows in snapshot.rows.items()
    }
    return Snapshot(fields=snapshot.fields, rows=rows, labels=snapshot.labels)


def _put_back(article: Article, snapshot: Snapshot, parts: tuple[type[Model], ...]) -> None:
    """Make the article's fields and its `parts` what the snapshot holds."""
    # Blocks go first: a section deleted later would take its blocks with it anyway, and
    # any of them the snapshot keeps is written back below.
    for model in sorted(parts, key=lambda model: model is not Block):
        model.objects.filter(article=article).exclude(pk__in=snapshot.pks(model)).delete()
    content = {name: value for name, value in snapshot.fields.items() if name not in KEPT}
    Article.objects.filter(pk=article.pk).update(**content)
    for model in parts:
        for row in snapshot.rows[model]:
            row.save()  # a raw save, as stored: creation times and ids stay the same


def _check_references(parts: tuple[type[Model], ...]) -> None:
    """Foreign keys are checked at commit on both databases; check the written rows now, so a
    broken reference is refused here rather than at some later commit."""
    connection = connections[router.db_for_write(Article)]
    connection.check_constraints(table_names=[model._meta.db_table for model in (Article, *parts)])


def _lines_after(article: Article, put_back: Callable[[], None]) -> list[str]:
    """The article's lines after `put_back()`, which is always undone."""
    with transaction.atomic(), _unrecorded():
        put_back()
        lines = current_lines(article)
        transaction.set_rollback(True)
    return lines


def _unrecorded():
    # A look at an old version is not a save: keep its writes out of any revision the caller
    # may be recording.
    return reversion.create_revision(manage_manually=True, atomic=False)


class ArticleHistory(History):
    """The revision pages' view of articles: read as readers get them, restored by the
    functions above under `may_edit`."""

    def __init__(self):
        super().__init__(Article)

    def kept_note(self, article) -> str:
        return f"稿件状态（{article.get_status_display()}）和更正说明不变"

    def may_restore(self, user, article) -> bool:
        return may_edit(user, article)

    def require_may_restore(self, user, article) -> None:
        _require_may_edit(user, article)

    def find_version(self, article, version_id) -> Version:
        try:
            return super().find_version(article, version_id)
        except ValidationError:
            raise ValidationError(
                f"找不到稿件《{article}》的这一版修订记录。", code="revision_not_found"
            ) from None

    def compare(self, article, older: Version, newer: Version) -> list[str]:
        return compare(older, newer)

    def restore_plan(self, article, version_id) -> RestorePlan:
        return restore_plan(article, version_id)

    def restore(self, article, version_id, *, user, comment: str = "", opened_version=None):
        return restore(article, version_id, user=user, comment=comment, opened_version=opened_version)


HISTORY = ArticleHistory()
