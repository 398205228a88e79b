"""Level-1 syntax check of an atom's code in its place in the file."""

from __future__ import annotations

from domain.validation.syntax import syntax_problems


def spliced_syntax_problems(before: str, code: str, after: str, grammar: str) -> str:
    """Problems inside `code` once spliced between `before` and `after`, as one line of
    text with lines numbered from the atom's first line; "" when it parses."""
    problems = syntax_problems(before + code + after, grammar)
    first_line = before.count("\n") + 1
    last_line = first_line + code.count("\n")
    mine = [p for p in problems if first_line <= p.line <= last_line]
    return "; ".join(
        f"line {p.line - first_line + 1}, column {p.column}: {p.message}" for p in mine
    )


def grammar_for(file_path: str, language: str) -> str:
    return "tsx" if file_path.endswith(".tsx") else language
