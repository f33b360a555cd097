"""The articles app's models, split into submodules by job and re-exported here, so
`from articles.models import Article` (and every migration) keeps working.

The submodules depend on each other one way, from the base up:

- `editing`: EditedModel, the stale-save check of the rows editors change;
- `contributors`: Contributor;
- `issues`: Issue and IssuePhoto;
- `articles`: Article, Section, Block, Byline and Correction (a byline names its timeline
  as "Timeline", a string, so this module does not import the timelines);
- `timelines`: Timeline and TimelineItem;
- `records`: TransitionRecord, Publication, PublishedArticle and PreviewLink.

A new model goes in the module of its job; it may import the modules above it in this list,
and refers to those below by string (`"articles.Timeline"`).
"""

from .articles import Article, Block, Byline, Correction, Section
from .contributors import Contributor
from .editing import EditedModel
from .issues import Issue, IssuePhoto
from .records import PreviewLink, Publication, PublishedArticle, TransitionRecord
from .timelines import Timeline, TimelineItem

__all__ = [
    "Article",
    "Block",
    "Byline",
    "Contributor",
    "Correction",
    "EditedModel",
    "Issue",
    "IssuePhoto",
    "PreviewLink",
    "Publication",
    "PublishedArticle",
    "Section",
    "Timeline",
    "TimelineItem",
    "TransitionRecord",
]
