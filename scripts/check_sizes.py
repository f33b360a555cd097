"""Fail when a product module passes ~400 lines or a function ~60 (issue 17).

A long module is two jobs that want two files; a long function, steps that want names. The
few that are long for a reason (a table-driven grammar) are listed in pyproject.toml under
[tool.newsroom.sizes] with that reason, and nothing else is.
"""

import ast
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("articles", "media", "newsroom", "accounts")
MODULE_LINES = 400
FUNCTION_LINES = 60


def allowed() -> dict[str, str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return config.get("tool", {}).get("newsroom", {}).get("sizes", {}).get("allowed", {})


def oversized(path: Path) -> list[tuple[str, int]]:
    source = path.read_text(encoding="utf-8")
    rel = path.relative_to(ROOT).as_posix()
    found = []
    lines = len(source.splitlines())
    if lines > MODULE_LINES:
        found.append((rel, lines))
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            length = node.end_lineno - first + 1
            if length > FUNCTION_LINES:
                found.append((f"{rel}::{node.name}", length))
    return found


def main() -> int:
    reasons = allowed()
    problems = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for name, length in oversized(path):
                if name not in reasons:
                    limit = FUNCTION_LINES if "::" in name else MODULE_LINES
                    problems.append(f"{name}: {length} lines (at most {limit})")
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
