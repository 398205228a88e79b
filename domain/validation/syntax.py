"""Level-1 syntax check with tree-sitter: no ERROR or MISSING node."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import tree_sitter_javascript
import tree_sitter_python
import tree_sitter_typescript
from tree_sitter import Language, Node, Parser


@dataclass(frozen=True)
class SyntaxProblem:
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}: {self.message}"


@cache
def _language(name: str) -> Language:
    if name == "python":
        return Language(tree_sitter_python.language())
    if name == "typescript":
        return Language(tree_sitter_typescript.language_typescript())
    if name == "tsx":
        return Language(tree_sitter_typescript.language_tsx())
    if name == "javascript":
        return Language(tree_sitter_javascript.language())
    raise ValueError(f"unsupported language '{name}'")


def syntax_problems(code: str, language: str, *, limit: int = 20) -> list[SyntaxProblem]:
    tree = Parser(_language(language)).parse(code.encode("utf-8"))
    problems: list[SyntaxProblem] = []
    stack: list[Node] = [tree.root_node]
    while stack and len(problems) < limit:
        node = stack.pop()
        if not node.has_error and not node.is_missing:
            continue
        if node.is_missing:
            problems.append(
                SyntaxProblem(
                    node.start_point[0] + 1, node.start_point[1] + 1, f"missing '{node.type}'"
                )
            )
            continue
        if node.type == "ERROR":
            text = (node.text or b"")[:40].decode("utf-8", "replace")
            problems.append(
                SyntaxProblem(
                    node.start_point[0] + 1, node.start_point[1] + 1, f"unexpected {text!r}"
                )
            )
            continue
        stack.extend(reversed(node.children))
    return sorted(problems, key=lambda p: (p.line, p.column))
