"""The published edition a package shows readers, as plain data: the public JSON of the
issue (the publication it was exported from, or for a draft the working copy rendered the
same way), and where each photo's files sit in the package.

ninjs documents and the static HTML edition are both built from an `Edition`, so what a
partner or the archive gets is what readers were shown, never unpublished edits.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class MediaFile:
    """One file of a photo in the package: the original or a rendition."""

    name: str  # "original", or the rendition's spec
    path: str  # inside the package, e.g. "media/photo-1.jpg"
    content_type: str
    size: int
    width: int | None
    height: int | None
    href: str  # the file's public, absolute URL on the exporting site


@dataclass(frozen=True)
class Edition:
    issue: dict  # the issue endpoint's JSON (parts in reading order)
    version: str  # the publication's number, or "draft-<issue version>"
    version_created: str  # ISO 8601
    draft: bool
    embargoed_until: str | None = None
    # By the public JSON's photo id: the photo's files, original first.
    media: dict[int, list[MediaFile]] = field(default_factory=dict)
    # By the public JSON's photo / contributor id: the package identifier in issue.json.
    photo_ids: dict[int, str] = field(default_factory=dict)
    contributor_ids: dict[int, str] = field(default_factory=dict)
    # By the public JSON's article id: when the article was first created (ISO 8601).
    first_created: dict[int, str] = field(default_factory=dict)

    def articles(self) -> list[dict]:
        return [part["article"] for part in self.issue["parts"] if part["type"] == "article"]

    def original(self, photo: dict) -> MediaFile:
        return self.media[photo["id"]][0]


def article_page(article: dict) -> str:
    """The static edition's page of an article, relative to the package root."""
    return f"articles/{article['slug']}.html"


def ninjs_path(article: dict) -> str:
    return f"ninjs/articles/{article['slug']}.json"


ISSUE_NINJS_PATH = "ninjs/issue.json"
INDEX_PAGE = "index.html"
PUBLICATION_PATH = "publication.json"
ISSUE_JSON_PATH = "issue.json"
MANIFEST_PATH = "manifest.json"
