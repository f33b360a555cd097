"""Who a credited name is: the people already credited, matched by name, one query; a
namesake the editor must choose between; a new contributor made only once."""

from dataclasses import dataclass

from articles.models import Contributor

from .credits import CreditDraft
from .rows import saved

NEW = "new"


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


def contributors_for(matches: dict[str, ContributorMatch], user=None) -> dict[str, Contributor]:
    """Each matched name's contributor, the new ones saved (created by `user`)."""
    return {name: _contributor(match, user) for name, match in matches.items()}


def _contributor(match: ContributorMatch, user=None) -> Contributor:
    if match.chosen is not None:
        return match.chosen
    existing = Contributor.objects.filter(name=match.name, disambiguation=match.disambiguation).first()
    if existing:  # made since the page was read: never two rows for one person
        return existing
    return saved(
        Contributor(name=match.name, kind=match.kind, disambiguation=match.disambiguation, created_by=user)
    )
