"""Revisions in the articles admin: the generic 修订记录 pages (`newsroom.admin.versions`)
given each model's history. Articles read theirs as readers get them
(`services/revisions.py`); issues, contributors and timelines by their fields and parts."""

from articles.desk import revisions
from articles.models import Contributor, Issue, Timeline
from newsroom.admin import versions as admin_versions
from newsroom.revisions import History


def timeline_item_line(item) -> str:
    # The whole text: the item's own str() cuts it at 30 characters.
    return f"{item.date_label} {item.text}"


ISSUE_HISTORY = History(
    Issue,
    shown=("title", "subtitle", "issue_date", "description"),
    kept="网址标识、发布状态和各部分的版序不变",
)
CONTRIBUTOR_HISTORY = History(Contributor, shown=("name", "kind", "disambiguation"))
TIMELINE_HISTORY = History(
    Timeline,
    shown=("title", "credit_action"),
    parts={"bylines": None, "items": timeline_item_line},
    kept="所属专题和版序不变",
)


class RevisionAdminMixin(admin_versions.RevisionAdminMixin):
    """Adds 修订记录 pages under an article's change page, and `revision_link` for its form."""

    history = revisions.HISTORY
