"""Reading order inside an issue: articles, page photos and timelines share one sequence of
positions, and no two parts may hold the same one (the API would deliver them tied)."""

from articles.models import Article, IssuePhoto, Timeline

PART_MODELS = (Article, IssuePhoto, Timeline)


def part_label(part) -> str:
    if isinstance(part, Article):
        return f"稿件《{part.headline}》"
    if isinstance(part, IssuePhoto):
        return f"专题图片“{str(part.photo)[:20]}”"
    return f"大事记“{part.title}”"


def position_holders(issue_id, position: int, *, exclude=None) -> list[str]:
    """The parts of the issue at `position`, other than `exclude`, in words (3 queries)."""
    if issue_id is None or position is None:
        return []
    holders = []
    for model in PART_MODELS:
        rows = model.objects.filter(issue_id=issue_id, position=position)
        if exclude is not None and isinstance(exclude, model) and exclude.pk:
            rows = rows.exclude(pk=exclude.pk)
        if model is IssuePhoto:
            rows = rows.select_related("photo")
        holders += [part_label(row) for row in rows]
    return holders


def clash_message(position: int, holders: list[str]) -> str:
    return f"版序 {position} 已被{'、'.join(holders)}占用：同一专题中各部分的版序不能重复，请换一个数字，或在专题页拖动排序。"
