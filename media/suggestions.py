"""Credits suggested from a photo file's by-line, matched against the contributors on file.

A name is only suggested when exactly one contributor carries it (and without a
disambiguation): two people called 王波 are for the editor to tell apart, not for a guess.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from .credits import CreditRole
from .models import PhotoCredit

ROLE_BY_LABEL = {role.label: role.value for role in CreditRole if role.value}


@dataclass
class CreditSuggestions:
    rows: list[dict] = field(default_factory=list)  # initial data for credit rows
    unknown: list[str] = field(default_factory=list)  # names with no (single) contributor


def credit_suggestions(found: dict) -> CreditSuggestions:
    names = found.get("creators") or []
    if not names:
        return CreditSuggestions()
    # The contributors are articles' model: reached through media's own credit rows, so
    # media names no app above it.
    Contributor = PhotoCredit.contributor.field.related_model
    people = defaultdict(list)
    for name, disambiguation, pk in Contributor.objects.filter(name__in=names).values_list(
        "name", "disambiguation", "pk"
    ):
        people[name].append((disambiguation, pk))
    ids = {name: rows[0][1] for name, rows in people.items() if len(rows) == 1 and not rows[0][0]}
    role = ROLE_BY_LABEL.get((found.get("creator_title") or "").strip(), "")
    suggestions = CreditSuggestions()
    for position, name in enumerate(names, start=1):
        if name in ids:
            suggestions.rows.append({"contributor": ids[name], "role": role, "position": position})
        else:
            suggestions.unknown.append(name)
    return suggestions
