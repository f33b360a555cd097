"""Revisions (修订记录) of any edited object: list, compare in words, restore.

django-reversion stores the rows each save kept (what each model keeps is registered with
reversion by its app). `History` is the desk's view of one model's revisions: numbered
entries, the object as text lines (its fields by their Chinese names, then its parts), the
difference between two revisions, and a restore that is an edit like any other — the same
per-object rule (`newsroom.object_rules`), refused when the object changed since the page
was opened, a new revision, a bumped `version`.

Articles read their revisions as readers would get them (`articles.desk.revisions`,
which fills in the same interface); every other model uses the plain field lines here.
"""

import difflib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

import reversion
from django.core import serializers
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.serializers.base import DeserializedObject
from django.db import DatabaseError, connections, models, router, transaction
from django.db.models import Model, QuerySet
from reversion.models import Version

from . import object_rules
from .versioning import bump_version, refuse_if_moved

# Never written back: the stale-save check compares `version`, so it may only ever grow,
# and a restore names who restored rather than bringing back an old name.
BOOKKEEPING = ("version", "updated_by", "updated_at")


@dataclass(frozen=True)
class RevisionEntry:
    """One line of an object's revision list."""

    id: int  # the Version's id: what compare and restore are given
    number: int  # 第N版, counted from the object's first revision
    user: object  # the editor who saved, None for the operator (management commands)
    date: datetime
    comment: str

    @property
    def label(self) -> str:
        return f"第{self.number}版"


@dataclass(frozen=True)
class RestorePlan:
    """What restoring a revision would do, for the confirmation page."""

    number: int
    changes: list[str]  # 删/增 lines from the object as it is now
    problems: list[str]  # why it cannot be restored; empty when it can


@dataclass
class Snapshot:
    """An object as one revision kept it: its fields and its parts' rows."""

    fields: dict  # stored fields, by attname
    rows: dict[str, list[DeserializedObject]] = field(default_factory=dict)  # by part name


# Recording


@contextmanager
def saved_revision(user=None, comment: str = "") -> Iterator[None]:
    """Wrap a save so what it changed becomes one revision, signed by `user`.

    Nested inside another revision it joins that one; an empty comment or no user keeps the
    outer revision's.
    """
    with reversion.create_revision():
        if user is not None and user.is_authenticated:
            reversion.set_user(user)
        if comment:
            reversion.set_comment(comment)
        yield


def keep_state_before_first_revision(obj: Model) -> None:
    """An object about to be saved that has no revision yet (loaded by a command, imported,
    or older than its history) first keeps its state as it stands: otherwise its first
    revision would be the edit itself, and what it replaced could never be restored."""
    model = type(obj)
    if not reversion.is_registered(model) or Version.objects.get_for_object(obj).exists():
        return
    with reversion.create_revision():
        reversion.set_comment("修改前的版本（此前没有修订记录）")
        reversion.add_to_revision(model.objects.get(pk=obj.pk))


def restore_comment(number: int, comment: str = "") -> str:
    comment = comment.strip()
    return f"恢复到第{number}版：{comment}" if comment else f"恢复到第{number}版"


def diff_lines(before: list[str], after: list[str]) -> list[str]:
    """删/增 lines for what changed from `before` to `after`; a changed line's old and new
    versions side by side."""
    marks = {"- ": "删　", "+ ": "增　"}
    return [marks[line[:2]] + line[2:] for line in difflib.ndiff(before, after) if line[:2] in marks]


def value_label(obj: Model, model_field: models.Field) -> str:
    """A stored value as the desk reads it: choices by label, references by name."""
    value = getattr(obj, model_field.attname)
    if value in (None, ""):
        return "（空）"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if model_field.is_relation:
        try:
            return str(getattr(obj, model_field.name))
        except ObjectDoesNotExist:
            return f"（#{value}，已删除）"
    if isinstance(model_field, models.FileField):
        return str(value)
    return str(value)


def row_label(row: Model) -> str:
    try:
        return str(row)
    except ObjectDoesNotExist:
        return "（引用的内容已被删除）"


class History:
    """The revisions of one model's objects.

    `parts` maps a reverse relation the model's revisions follow (e.g. "credits") to how a
    row of it reads (default `str`); `shown` lists the fields a revision shows and restores
    (default: every editable field).
    """

    def __init__(
        self,
        model: type[Model],
        *,
        parts: dict[str, Callable[[Model], str] | None] | None = None,
        shown: tuple[str, ...] | None = None,
        kept: str = "",
    ):
        self.model = model
        self.parts = parts or {}
        self.shown = shown
        self.kept = kept

    def kept_note(self, obj) -> str:
        """For the confirmation page: what a restore leaves as it is."""
        return self.kept

    # Rules

    def may_restore(self, user, obj) -> bool:
        return object_rules.may_change(user, obj)

    def require_may_restore(self, user, obj) -> None:
        if not self.may_restore(user, obj):
            raise PermissionDenied(
                f"您没有修改{self.model._meta.verbose_name}“{obj}”的权限，不能恢复它的修订版本；"
                "如需恢复，请联系编辑或值班主任。"
            )

    # Reading

    def versions(self, obj) -> QuerySet[Version]:
        return Version.objects.get_for_object(obj)

    def entries(self, obj) -> list[RevisionEntry]:
        """Newest first, in two queries whatever their number."""
        versions = self.versions(obj).select_related("revision__user").order_by("pk")
        entries = [
            RevisionEntry(
                id=version.pk,
                number=number,
                user=version.revision.user,
                date=version.revision.date_created,
                comment=version.revision.get_comment(),
            )
            for number, version in enumerate(versions, start=1)
        ]
        return entries[::-1]

    def count(self, obj) -> int:
        return self.versions(obj).count()

    def find_version(self, obj, version_id) -> Version:
        """`obj`'s revision `version_id`; refused in words if it is another object's."""
        try:
            return self.versions(obj).select_related("revision").get(pk=int(version_id))
        except (Version.DoesNotExist, TypeError, ValueError):
            raise ValidationError(
                f"找不到{self.model._meta.verbose_name}“{obj}”的这一版修订记录。", code="revision_not_found"
            ) from None

    @staticmethod
    def number(version: Version) -> int:
        """第N版: how many revisions of the same object came up to this one."""
        return Version.objects.filter(
            content_type_id=version.content_type_id,
            object_id=version.object_id,
            db=version.db,
            pk__lte=version.pk,
        ).count()

    def shown_fields(self) -> list[models.Field]:
        names = self.shown
        return [
            f
            for f in self.model._meta.concrete_fields
            if not f.primary_key and f.name not in BOOKKEEPING and (f.name in names if names else f.editable)
        ]

    def lines(self, obj, part_rows: dict[str, list[Model]]) -> list[str]:
        lines = [f"{f.verbose_name}：{value_label(obj, f)}" for f in self.shown_fields()]
        for name, rows in part_rows.items():
            describe = self.parts[name] or row_label
            label = self._part_model(name)._meta.verbose_name
            lines += [f"{label}：{describe(row)}" for row in sorted(rows, key=_reading_order)]
        return lines

    def current_lines(self, obj) -> list[str]:
        obj = self.model._default_manager.get(pk=obj.pk)
        return self.lines(obj, {name: list(getattr(obj, name).all()) for name in self.parts})

    def snapshot(self, obj, version: Version) -> Snapshot:
        """The object's own rows in the revision of `version` (a revision may hold others)."""
        rows: dict[str, list[DeserializedObject]] = {name: [] for name in self.parts}
        models_by_name = {name: self._part_model(name) for name in self.parts}
        stored = version.revision.version_set.filter(db=version.db).select_related("content_type")
        for kept in stored.order_by("pk"):
            model = kept.content_type.model_class()
            for name, part_model in models_by_name.items():
                if model is part_model:
                    row = _deserialize(kept)
                    if getattr(row.object, self._part_fk(name).attname) == obj.pk:
                        rows[name].append(row)
        return Snapshot(fields=version.field_dict, rows=rows)

    def snapshot_object(self, obj, snapshot: Snapshot) -> Model:
        """A copy of the current object with the snapshot's shown fields on it (not saved)."""
        restored = self.model._default_manager.get(pk=obj.pk)
        for f in self.shown_fields():
            if f.attname in snapshot.fields:
                setattr(restored, f.attname, snapshot.fields[f.attname])
            elif f.name in snapshot.fields:
                setattr(restored, f.attname, snapshot.fields[f.name])
        return restored

    def version_lines(self, obj, version: Version) -> list[str]:
        snapshot = self.snapshot(obj, version)
        restored = self.snapshot_object(obj, snapshot)
        return self.lines(
            restored, {name: [row.object for row in rows] for name, rows in snapshot.rows.items()}
        )

    def compare(self, obj, older: Version, newer: Version) -> list[str]:
        return diff_lines(self.version_lines(obj, older), self.version_lines(obj, newer))

    def restore_plan(self, obj, version_id) -> RestorePlan:
        version = self.find_version(obj, version_id)
        number = self.number(version)
        snapshot = self.snapshot(obj, version)
        return RestorePlan(
            number=number,
            changes=diff_lines(self.current_lines(obj), self.version_lines(obj, version)),
            problems=[self._cannot(number, reason) for reason in self.problems(obj, snapshot)],
        )

    def problems(self, obj, snapshot: Snapshot) -> list[str]:
        """Why writing the snapshot back would break a rule, in words: a reference to a row
        deleted since, a file no longer stored, a value the model refuses today."""
        restored = self.snapshot_object(obj, snapshot)
        found = []
        for f in self.shown_fields():
            if isinstance(f, models.FileField):
                name = getattr(getattr(restored, f.attname), "name", None)
                if name and not f.storage.exists(name):
                    found.append(f"这一版的{f.verbose_name}已不在存储中")
        for name, rows in snapshot.rows.items():
            for row in rows:
                for reference in row.object._meta.concrete_fields:
                    if not reference.is_relation or reference.attname == self._part_fk(name).attname:
                        continue
                    value = getattr(row.object, reference.attname)
                    if (
                        value is not None
                        and not reference.related_model._default_manager.filter(pk=value).exists()
                    ):
                        found.append(
                            f"其中{row.object._meta.verbose_name}引用的{reference.related_model._meta.verbose_name}"
                            f"（#{value}）已被删除"
                        )
        exclude = [f.name for f in self.model._meta.fields if isinstance(f, models.FileField)]
        try:
            restored.full_clean(exclude=exclude)
        except ValidationError as error:
            found += error.messages
        return found

    # Restoring

    def restore(self, obj, version_id, *, user, comment: str = "", opened_version: int | None = None):
        """Put the object and its parts back as they were at revision `version_id`.

        One transaction: a new revision saying 恢复到第N版, `version` bumped, `updated_by`
        set — or, when refused (no right, stale page, a broken rule), nothing changed.
        `opened_version` is the version the confirmation page showed; None skips the check
        (the operator, the services' own callers).
        """
        with transaction.atomic():
            current = self.model._default_manager.select_for_update().get(pk=obj.pk)
            if user is not None:
                self.require_may_restore(user, current)
            if opened_version is not None:
                refuse_if_moved(current, opened_version)
            version = self.find_version(current, version_id)
            number = self.number(version)
            snapshot = self.snapshot(current, version)
            problems = [self._cannot(number, reason) for reason in self.problems(current, snapshot)]
            if problems:
                raise ValidationError(problems, code="revision_not_restorable")
            with saved_revision(user, restore_comment(number, comment)):
                self._write_back(current, snapshot, number)
                bump_version(current, user)
                reversion.add_to_revision(self.model._default_manager.get(pk=current.pk))
        return self.model._default_manager.get(pk=obj.pk)

    def _write_back(self, obj, snapshot: Snapshot, number: int) -> None:
        restored = self.snapshot_object(obj, snapshot)
        try:
            with transaction.atomic():
                names = [f.attname for f in self.shown_fields()]
                self.model._default_manager.filter(pk=obj.pk).update(
                    **{name: getattr(restored, name) for name in names}
                )
                for name, rows in snapshot.rows.items():
                    fk = self._part_fk(name)
                    keep = {row.object.pk for row in rows}
                    self._part_model(name)._default_manager.filter(**{fk.attname: obj.pk}).exclude(
                        pk__in=keep
                    ).delete()
                    for row in rows:
                        row.save()  # raw, as stored: ids stay the same
                connection = connections[router.db_for_write(self.model)]
                tables = [
                    self.model._meta.db_table,
                    *(self._part_model(n)._meta.db_table for n in self.parts),
                ]
                connection.check_constraints(table_names=tables)
        except DatabaseError as error:
            raise ValidationError(
                self._cannot(number, "这一版引用的内容已不存在或与现有内容冲突") + "（未作任何改动）",
                code="revision_not_restorable",
            ) from error

    def _cannot(self, number: int, reason: str) -> str:
        reason = reason.rstrip("。")
        return f"无法恢复到第{number}版：{reason}。请改用其他版本，或直接在{self.model._meta.verbose_name}页面修改。"

    def _part_model(self, name: str) -> type[Model]:
        return self.model._meta.get_field(name).related_model

    def _part_fk(self, name: str) -> models.Field:
        return self.model._meta.get_field(name).field


def _reading_order(row: Model):
    return (getattr(row, "position", 0) or 0, row.pk or 0)


def _deserialize(kept: Version) -> DeserializedObject:
    # Fresh each time: a row is changed before it is written back, a cached one would stay so.
    return next(serializers.deserialize(kept.format, kept.serialized_data, ignorenonexistent=True))
