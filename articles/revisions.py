"""What django-reversion keeps of an article each time it is saved: the article's own fields
with its bylines, testimony sections, body blocks (photo placements are blocks with a photo,
so they are kept too; the photo itself is the picture desk's and is not) and corrections.
Issues keep their own fields only, so an issue edit has a history without copying every
article in it.

Imported once, from `ArticlesConfig.ready()`. Old versions are read and put back only by
`articles.services.revisions`, never by reversion's own `Revision.revert()`: the
bookkeeping fields below are not stored, so a plain revert would write their defaults.
"""

import reversion

from .models import Article, Block, Byline, Correction, Issue, Section

# The stale-save check compares `version`, so it may only ever grow: a restore bumps it and
# names who restored, rather than bringing back an old number and an old name.
BOOKKEEPING = ("version", "updated_by", "updated_at")

ARTICLE_PARTS = ("bylines", "sections", "blocks", "corrections")

reversion.register(Article, exclude=BOOKKEEPING, follow=ARTICLE_PARTS)
# A part saved on its own (a block changed by a service) still makes a revision of the whole
# article. A timeline's byline has no article and follows nothing.
for part in (Byline, Section, Block, Correction):
    reversion.register(part, follow=("article",))
reversion.register(Issue, exclude=BOOKKEEPING)
