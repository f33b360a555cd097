"""What django-reversion keeps of each object readers see, each time it is saved.

- An article: its own fields with its bylines, testimony sections, body blocks (photo
  placements are blocks with a photo, so they are kept too) and corrections.
- An issue: its own fields only, so an issue edit has a history without copying every
  article in it.
- A photo with its credits; a contributor; a timeline with its items and compilers.

Each part saved on its own still makes a revision of what it belongs to. Imported once,
from `ArticlesConfig.ready()`, which also registers who may change each of these objects
(`newsroom.object_rules`, read by the admin of every app). Old versions are read and put
back only by `articles.desk.revisions` and `newsroom.revisions`, never by reversion's
own `Revision.revert()`: the bookkeeping fields below are not stored, so a plain revert
would write their defaults.
"""

import reversion

from articles.desk import transitions as workflow
from articles.models import (
    Article,
    Block,
    Byline,
    Contributor,
    Correction,
    Issue,
    Section,
    Timeline,
    TimelineItem,
)
from media.models import Photo, PhotoCredit
from newsroom import object_rules

# The stale-save check compares `version`, so it may only ever grow: a restore bumps it and
# names who restored, rather than bringing back an old number and an old name.
BOOKKEEPING = ("version", "updated_by", "updated_at")

ARTICLE_PARTS = ("bylines", "sections", "blocks", "corrections")

reversion.register(Article, exclude=BOOKKEEPING, follow=ARTICLE_PARTS)
for part in (Section, Block, Correction):
    reversion.register(part, follow=("article",))
# A byline is an article's or a timeline's; the other reference is empty and followed by nothing.
reversion.register(Byline, follow=("article", "timeline"))
reversion.register(Issue, exclude=BOOKKEEPING)
reversion.register(Contributor, exclude=BOOKKEEPING)
reversion.register(Timeline, exclude=BOOKKEEPING, follow=("bylines", "items"))
reversion.register(TimelineItem, follow=("timeline",))
# The renditions follow from the file and the focal point; the key says which were made.
reversion.register(Photo, exclude=(*BOOKKEEPING, "renditions_key"), follow=("credits",))
reversion.register(PhotoCredit, follow=("photo",))

object_rules.register("media.Photo", workflow.may_change_photo)
object_rules.register("articles.Contributor", workflow.may_change_contributor)
object_rules.register("articles.Issue", workflow.may_change_issue)
object_rules.register("articles.Timeline", workflow.may_change_timeline)
