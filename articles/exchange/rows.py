"""What both ways of writing a package's rows share (an issue new to this site, or the
site's own rows replaced in place): the package's people matched with this site's, this
site's checks on every row, workflow records with their recorded times, and the files
stored on the way, remembered so that a failed import deletes them again.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q

from articles.exchange.package import Package, PackageRefused
from articles.exchange.replacing import Replacement
from articles.exchange.row_fields import package_time
from articles.models import Contributor, TransitionRecord
from media.models import Photo
from media.renditions import services as renditions


def checked(obj, label: str, exclude=()):
    try:
        # Uniqueness was settled before writing (slugs, contributors); constraints carry
        # Chinese messages of their own.
        obj.full_clean(exclude=exclude, validate_unique=False)
    except ValidationError as error:
        raise PackageRefused(f"{label}的内容未通过本站校验：{'；'.join(error.messages)}") from error
    return obj


def assign(obj, values: dict) -> bool:
    """Set `values` on `obj`; whether any differed."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def sync_rows(model, rows: list, wanted: list[dict], label: str, *, spare: bool = False, **owner):
    """rows[n] takes wanted[n]'s values in place (its id kept); wanted rows beyond the site's
    are created; site rows beyond the wanted are deleted, or returned with `spare`.
    Returns (the rows in wanted order, whether anything changed) or, with `spare`, (rows,
    the rows left over)."""
    result, changed = [], False
    for n, values in enumerate(wanted):
        if n < len(rows):
            row = rows[n]
            if assign(row, values):
                checked(row, label).save()
                changed = True
        else:
            row = checked(model(**owner, **values), label)
            row.save()
            changed = True
        result.append(row)
    leftovers = rows[len(wanted) :]
    if spare:
        return result, leftovers
    for row in leftovers:
        row.delete()
    return result, changed or bool(leftovers)


class Rows:
    """Rows and files for one package, in reading order (so ties in position keep it)."""

    def __init__(self, package: Package, *, user=None, label: str = ""):
        self.package = package
        self.data = package.issue
        self.acting_user = user  # who imports: signs the revisions (None: the operator)
        self.label = label
        self.replacement: Replacement | None = None
        self.stored: list[tuple] = []
        self.notes: list[str] = []
        self.contributors: dict[str, Contributor] = {}  # package id -> this site's row
        self.photos: dict[str, Photo] = {}  # package id -> this site's row
        users = get_user_model()
        lookup = {f"{users.USERNAME_FIELD}__in": self._usernames()}
        self.users = {u.get_username(): u for u in users.objects.filter(**lookup)}

    def _usernames(self) -> set[str]:
        found = set()

        def walk(value):
            if isinstance(value, dict):
                for key, inner in value.items():
                    if key in ("user", "created_by", "updated_by") and isinstance(inner, str):
                        found.add(inner)
                    else:
                        walk(inner)
            elif isinstance(value, list):
                for inner in value:
                    walk(inner)

        walk(self.data)
        return found

    def user(self, name):
        return self.users.get(name) if name else None

    def discard_files(self) -> None:
        for storage, name in self.stored:
            storage.delete(name)

    def contributor_rows(self, entries: list[dict]):
        keys = [(e["name"], e["disambiguation"]) for e in entries]
        query = Q(pk__in=[])
        for name, disambiguation in keys:
            query |= Q(name=name, disambiguation=disambiguation)
        existing = {(c.name, c.disambiguation): c for c in Contributor.objects.filter(query)}
        rows, created = {}, 0
        for entry in entries:
            key = (entry["name"], entry["disambiguation"])
            contributor = existing.get(key)
            if contributor is None:
                contributor = Contributor(
                    name=entry["name"], disambiguation=entry["disambiguation"], kind=entry["kind"]
                )
                checked(contributor, f"作者“{entry['name']}”").save()
                Contributor.objects.filter(pk=contributor.pk).update(
                    created_at=package_time(entry["created_at"])
                )
                created += 1
            rows[entry["id"]] = contributor
        return rows, created, len(entries) - created

    def make_renditions(self, photo: Photo) -> None:
        """The photo work's renditions, made here from the original as on upload (the package's
        copies were made for the exporting site's names and settings), before the publication
        is restored: it delivers the rows as they are. Tracked, so a failure deletes them."""
        had = set(photo.renditions.values_list("file", flat=True))
        renditions.refresh(photo)
        storage = photo.image.storage
        self.stored += [
            (storage, name) for name in photo.renditions.values_list("file", flat=True) if name not in had
        ]

    def transitions(self, entries: list[dict], **subject) -> None:
        rows = TransitionRecord.objects.bulk_create(
            TransitionRecord(
                action=e["action"],
                action_label=e["action_label"],
                from_status=e["from_status"],
                to_status=e["to_status"],
                note=e["note"],
                user=self.user(e["user"]),
                **subject,
            )
            for e in entries
        )
        # auto_now_add ignores what it is given: the recorded times are put back after.
        for row, entry in zip(rows, entries, strict=True):
            TransitionRecord.objects.filter(pk=row.pk).update(at=package_time(entry["at"]))
