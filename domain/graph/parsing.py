"""Which tree-sitter grammar reads a file, and one cached parser/query per grammar.

Languages are built once per process: loading a grammar and compiling its queries costs
milliseconds, which adds up over the thousands of files of a large plan.
"""

from __future__ import annotations

from functools import cache
from typing import Literal

import tree_sitter_javascript
import tree_sitter_python
import tree_sitter_typescript
from tree_sitter import Language, Parser, Query

Grammar = Literal["python", "typescript", "tsx", "javascript"]

_EXTENSIONS: dict[str, Grammar] = {
    ".py": "python",
    ".pyi": "python",
    ".ts": "typescript",
    ".mts": "typescript",
    ".cts": "typescript",
    ".tsx": "tsx",
    ".js": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".jsx": "javascript",
}

_LANGUAGE_NAMES: dict[str, Grammar] = {
    "python": "python",
    "py": "python",
    "python3": "python",
    "typescript": "typescript",
    "ts": "typescript",
    "tsx": "tsx",
    "javascript": "javascript",
    "js": "javascript",
    "jsx": "javascript",
    "node": "javascript",
    "ecmascript": "javascript",
}


def grammar_for(language: str | None, path: str) -> Grammar | None:
    """The grammar for an atom: its declared language, refined by the file extension.

    A `.tsx` file declared as "typescript" needs the TSX grammar (JSX would be parse errors
    otherwise), so the extension wins where it is more specific.
    """
    by_extension = next(
        (grammar for ext, grammar in _EXTENSIONS.items() if path.endswith(ext)), None
    )
    declared = _LANGUAGE_NAMES.get((language or "").strip().lower())
    if declared is None:
        return by_extension
    if declared == "typescript" and by_extension == "tsx":
        return "tsx"
    return declared


def is_python(grammar: Grammar) -> bool:
    return grammar == "python"


@cache
def language(grammar: Grammar) -> Language:
    if grammar == "python":
        return Language(tree_sitter_python.language())
    if grammar == "typescript":
        return Language(tree_sitter_typescript.language_typescript())
    if grammar == "tsx":
        return Language(tree_sitter_typescript.language_tsx())
    return Language(tree_sitter_javascript.language())


@cache
def parser(grammar: Grammar) -> Parser:
    return Parser(language(grammar))


@cache
def compiled_query(grammar: Grammar, source: str) -> Query:
    return Query(language(grammar), source)
