"""The export package's formats, kept apart from the database: the versioned issue.json
format and its JSON Schema (`issue_format`), the IPTC ninjs 3.1 mapping (`ninjs`), article
bodies as HTML and plain text (`html`), the static edition (`edition`) and the
deterministic zip writer (`zipper`).

Everything here takes plain data (the public JSON of a publication, the dicts of issue.json)
and returns plain data; the services in `articles/exchange/export.py` and
`articles/exchange/importing.py` do the reading and writing. `docs/export-format.md`
describes the package for people who read it without this software.
"""

from pathlib import Path

HERE = Path(__file__).resolve().parent

# The package (the zip) and issue.json carry their own format names and versions.
PACKAGE_FORMAT = "newsroom-issue-package"
ISSUE_FORMAT = "newsroom-issue"
FORMAT_VERSION = "1.0"
# Versions this software reads; anything else is refused rather than half understood.
READABLE_VERSIONS = frozenset({"1.0"})

LANGUAGE = "zh-Hans"
