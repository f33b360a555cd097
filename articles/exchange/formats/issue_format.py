"""issue.json: the versioned format of a package's working copy, and its JSON Schema
(`schemas/issue-1.0.schema.json`). Every export is validated against it before it is
written, and every import before anything is stored."""

import json
from functools import lru_cache

import jsonschema

from articles.exchange.formats import FORMAT_VERSION, HERE
from articles.exchange.formats.ninjs import format_checker

SCHEMA_FILE = HERE / "schemas" / f"issue-{FORMAT_VERSION}.schema.json"


@lru_cache(maxsize=1)
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=format_checker())


def problems(data) -> list[str]:
    """Where `data` breaks the format, as "位置 /path：message" lines (the schema's own
    wording after the path); empty when it conforms."""
    found = sorted(validator().iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    return [f"位置 /{'/'.join(map(str, e.absolute_path))}：{e.message}" for e in found]


def dumps(data) -> bytes:
    """The bytes written to the package: UTF-8, readable, keys in the documented order."""
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
