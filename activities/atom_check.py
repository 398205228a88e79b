"""Level-1 check of an atom's code in its place in the file: the check the generator runs on
every attempt, also run on a reviewer's edit before it is accepted."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from domain.status import ValidationOutcome
from domain.validation.level1 import SYNTAX, TYPES, check_atom, level1_problems
from domain.validation.model import Violation


def grammar_for(file_path: str, language: str) -> str:
    return "tsx" if file_path.endswith(".tsx") else language


@dataclass(frozen=True)
class EditCheck:
    """What level 1 says of an edit. ``problems`` are the errors that refuse it (the same
    ones that fail a generation attempt); for an accepted edit, ``outcomes`` are the
    ``(check, outcome)`` pairs the new code got and ``loc``/``complexity`` its size, which
    the confidence score is computed from."""

    problems: tuple[Violation, ...]
    outcomes: tuple[tuple[str, str], ...] = ()
    loc: int = 1
    complexity: int = 1

    @property
    def accepted(self) -> bool:
        return not self.problems

    @property
    def parses(self) -> bool:
        return not any(v.check == SYNTAX for v in self.problems)


def check_edit(
    code: str,
    before: str,
    after: str,
    *,
    file_path: str,
    language: str,
    context: Mapping[str, Any] | None,
) -> EditCheck:
    """Level 1 of `code` spliced between `before` and `after`, as `generate_atom` runs it:
    syntax, names that must resolve against the atom's context, dangerous patterns."""
    grammar = grammar_for(file_path, language)
    problems = level1_problems(code, before, after, grammar, context, path=file_path)
    if problems:
        return EditCheck(tuple(problems))
    # Accepted: the results of each rule (atomicity included, for the code's size) feed the
    # new confidence score. The type check needs the whole project on disk: it has not run
    # on this code, and a check that has not run must never count as passed.
    results = check_atom(code, before, after, grammar, context, path=file_path)
    outcomes = [(r.check_name, r.outcome.value) for r in results]
    outcomes.append((TYPES, ValidationOutcome.NOT_RUN.value))
    size = next((r.details for r in results if r.details.get("loc") is not None), {})
    return EditCheck(
        (),
        tuple(outcomes),
        loc=int(size.get("loc", 1)),
        complexity=int(size.get("complexity", 1)),
    )


def describe_problems(problems: Iterable[Violation], *, limit: int = 8) -> str:
    """One line naming each problem, lines counted from the atom's first line."""
    items = list(problems)
    parts = []
    for v in items[:limit]:
        where = f"line {v.line}: " if v.line is not None else ""
        parts.append(f"[{v.check.removeprefix('atom.')}] {where}{v.message}")
    if len(items) > limit:
        parts.append(f"... and {len(items) - limit} more")
    return "; ".join(parts)
