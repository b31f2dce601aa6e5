"""Every reference in the product's text resolves for someone who has only the wheel: no "see README", "see
docs/...", "COACHING_RULES" or section marks in strings a person reads (docstrings and comments are for readers of
the code; the rules themselves ship in the wheel as `backsafe rules`)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import backsafe

SRC = Path(backsafe.__file__).parent
BAD = re.compile(r"see README|README\)|see docs/|\bdocs/[\w-]+\.md|COACHING_RULES|§\d")
# the rules registry renders docs/coach.md itself (tools/gen_coach_docs.py): it may name the file it writes
ALLOWED = {"coach/rules/render.py"}


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                ids.add(id(first.value))
    return ids


def test_no_dangling_references_in_product_text() -> None:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        if rel in ALLOWED or "/migrations/" in f"/{rel}":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docs = _docstrings(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs:
                if BAD.search(node.value):
                    found.append(f"{rel}:{node.lineno}: {node.value[:80]!r}")
    assert not found, "\n".join(found)
