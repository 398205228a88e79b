"""Level 1, atomic: one generated atom in its place in the file.

The atom is spliced between the code before and after it (its siblings) and the file is
parsed once; every rule then looks at the atom's byte range only:

- syntax: no ERROR or MISSING node of tree-sitter in the atom; for Python also what CPython's
  compiler refuses although tree-sitter accepts it (`f() = 1`, `return` outside a function);
- names: every name the atom uses is defined by the file, an import or the language;
- dangerous: eval/exec, shells, unpickling, SQL splicing, hard-coded secrets;
- atomicity: the atomicity criteria of the code as generated (warnings: a filled-in body is
  naturally longer and more complex than the skeleton's `...` it replaces).

The type check (mypy, tsc) needs the project on disk and runs in an activity.
Lines of level-1 violations count from the atom's first line.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from domain.atomization.api import atomize_parsed
from domain.atomization.model import AtomizationConfig, AtomizationResult
from domain.atomization.parser import ParsedSource
from domain.status import ErrorCategory
from domain.validation.dangerous import find_dangers
from domain.validation.model import (
    ERROR,
    WARNING,
    CheckResult,
    Violation,
    judged,
    not_run,
)
from domain.validation.names import parse, undefined_names

LEVEL = 1
SYNTAX = "atom.syntax"
NAMES = "atom.names"
DANGEROUS = "atom.dangerous"
ATOMICITY = "atom.atomicity"
TYPES = "atom.types"

_DEFAULT_PATHS = {
    "python": "atom.py",
    "typescript": "atom.ts",
    "tsx": "atom.tsx",
    "javascript": "atom.js",
}


@dataclass(frozen=True)
class SplicedAtom:
    """An atom in its file: the parse and where the atom sits in it."""

    parsed: ParsedSource
    start: int  # byte offsets of the atom in the file
    end: int
    first_line: int  # file line of the atom's first line

    def relative(self, line: int) -> int:
        return max(1, line - self.first_line + 1)


def splice(
    code: str, before: str, after: str, language: str, path: str | None = None
) -> SplicedAtom:
    grammar = "tsx" if path and path.endswith(".tsx") else language
    text = before + code + after
    start = len(before.encode("utf-8"))
    end = start + len(code.encode("utf-8"))
    parsed = parse(text, path or _DEFAULT_PATHS.get(grammar, "atom"), grammar)
    return SplicedAtom(parsed, start, end, before.count("\n") + 1)


def check_atom(
    code: str,
    before: str,
    after: str,
    language: str,
    context: Mapping[str, Any] | None = None,
    *,
    path: str | None = None,
    config: AtomizationConfig | None = None,
    atomicity: bool = True,
) -> list[CheckResult]:
    """Every level-1 rule but the type check, one result per rule."""
    started = time.perf_counter()
    atom = splice(code, before, after, language, path)
    parse_ms = (time.perf_counter() - started) * 1e3
    results = [_syntax(atom, parse_ms, path)]
    broken = results[0].failed
    results.append(
        not_run(LEVEL, NAMES, "the atom does not parse", path=path)
        if broken
        else _names(atom, context, path)
    )
    results.append(_dangerous(atom, path))
    if atomicity:
        results.append(
            not_run(LEVEL, ATOMICITY, "the atom does not parse", path=path)
            if broken
            else _atomicity(atom, config, path)
        )
    return results


@dataclass(frozen=True)
class AtomSpan:
    """An atom of an assembled file: its id, byte range and context."""

    atom_id: str
    start_byte: int
    end_byte: int
    context: Mapping[str, Any] | None = None


def check_file_atoms(
    text: str,
    path: str,
    language: str,
    atoms: list[AtomSpan],
    *,
    config: AtomizationConfig | None = None,
) -> dict[str, list[CheckResult]]:
    """Level 1 for every atom of one assembled file, parsing the file once."""
    grammar = "tsx" if path.endswith(".tsx") else language
    started = time.perf_counter()
    parsed = parse(text, path, grammar)
    parse_ms = (time.perf_counter() - started) * 1e3 / max(1, len(atoms))
    out: dict[str, list[CheckResult]] = {}
    atomized = atomize_parsed(parsed, config or AtomizationConfig())
    for span in atoms:
        atom = SplicedAtom(
            parsed, span.start_byte, span.end_byte, parsed.lines.line_of(span.start_byte)
        )
        results = [_syntax(atom, parse_ms, path)]
        broken = results[0].failed
        results.append(
            not_run(LEVEL, NAMES, "the atom does not parse", path=path)
            if broken
            else _names(atom, span.context, path)
        )
        results.append(_dangerous(atom, path))
        results.append(
            not_run(LEVEL, ATOMICITY, "the atom does not parse", path=path)
            if broken
            else _atomicity(atom, config, path, atomized)
        )
        out[span.atom_id] = [_with_atom(r, span.atom_id) for r in results]
    return out


def _with_atom(result: CheckResult, atom_id: str) -> CheckResult:
    return CheckResult(
        level=result.level,
        check_name=result.check_name,
        outcome=result.outcome,
        score=result.score,
        violations=result.violations,
        warnings=result.warnings,
        reason=result.reason,
        duration_ms=result.duration_ms,
        path=result.path,
        atom_id=atom_id,
        scope=result.scope,
        details=result.details,
    )


def level1_problems(
    code: str,
    before: str,
    after: str,
    language: str,
    context: Mapping[str, Any] | None = None,
    *,
    path: str | None = None,
) -> list[Violation]:
    """The errors that must fail a generation attempt (no warnings, no type check): fast
    enough to run on every attempt."""
    results = check_atom(code, before, after, language, context, path=path, atomicity=False)
    return [v for r in results for v in r.violations]


def level1_category(violations: Iterable[Violation]) -> ErrorCategory:
    """The retry error category for a set of level-1 errors (the most basic one wins)."""
    checks = {v.check for v in violations}
    if SYNTAX in checks:
        return ErrorCategory.SYNTAX
    if TYPES in checks:
        return ErrorCategory.TYPE
    if NAMES in checks:
        return ErrorCategory.DEPENDENCY
    return ErrorCategory.LOGIC


_ADVICE = {
    SYNTAX: "the code must parse exactly where the atom sits in its file",
    NAMES: "use only names the file defines or imports (add nothing outside the atom)",
    DANGEROUS: "remove the dangerous construct",
    TYPES: "make the types agree with the signatures around the atom",
    ATOMICITY: "keep the atom small and focused",
}


def level1_feedback(violations: Iterable[Violation], *, limit: int = 12) -> str:
    """Retry feedback: what failed, where (lines from the atom's first line), and what to do."""
    items = [v for v in violations if v.is_error]
    if not items:
        return ""
    lines = ["Level-1 validation of your previous answer failed:"]
    for v in items[:limit]:
        where = f"line {v.line}: " if v.line is not None else ""
        lines.append(f"- [{v.check.removeprefix('atom.')}] {where}{v.message}")
    if len(items) > limit:
        lines.append(f"- ... and {len(items) - limit} more")
    advice = [_ADVICE[c] for c in dict.fromkeys(v.check for v in items) if c in _ADVICE]
    if advice:
        lines.append("Fix: " + "; ".join(advice) + ".")
    return "\n".join(lines)


# ---- the rules -----------------------------------------------------------------------------


def _syntax(atom: SplicedAtom, parse_ms: float, path: str | None) -> CheckResult:
    started = time.perf_counter()
    found: list[Violation] = []
    for issue in atom.parsed.issues:
        start, end = issue.start_byte, issue.end_byte
        if not ((start < atom.end and end > atom.start) or atom.start <= start <= atom.end):
            continue
        if start < atom.start:
            found.append(
                Violation(
                    SYNTAX,
                    f"inside a syntax error that starts {atom.first_line - issue.line} line(s) "
                    f"before the atom: {issue.message}",
                    1,
                )
            )
            continue
        found.append(
            Violation(SYNTAX, issue.message, atom.relative(issue.line), column=issue.column)
        )
    if not found and not atom.parsed.issues and atom.parsed.language == "python":
        found.extend(_cpython_errors(atom))
    return judged(
        LEVEL,
        SYNTAX,
        found,
        duration_ms=parse_ms + (time.perf_counter() - started) * 1e3,
        path=path,
    )


def _cpython_errors(atom: SplicedAtom) -> list[Violation]:
    """What CPython's compiler refuses in the top-level statements around the atom (every
    such error is local to its top-level statement, so the rest of the file is not
    compiled again for each atom)."""
    parsed = atom.parsed
    around = [
        n
        for n in parsed.root.children
        if n.end_byte > atom.start and n.start_byte < max(atom.end, atom.start + 1)
    ]
    if not around:
        return []
    start, end = around[0].start_byte, around[-1].end_byte
    chunk = parsed.source[start:end].decode("utf-8", "replace")
    offset = parsed.lines.line_of(start) - 1
    if "__future__" in chunk and start > 0:
        chunk, offset = parsed.source.decode("utf-8", "replace"), 0
    try:
        compile(chunk, parsed.path, "exec", dont_inherit=True)
    except SyntaxError as err:
        line = (err.lineno or 0) + offset
        last = parsed.lines.line_of(max(atom.start, atom.end - 1))
        if atom.first_line <= line <= last:
            return [
                Violation(SYNTAX, f"{err.msg} (CPython)", atom.relative(line), column=err.offset)
            ]
    except (ValueError, RecursionError, MemoryError, OverflowError):
        return []
    return []


def _names(atom: SplicedAtom, context: Mapping[str, Any] | None, path: str | None) -> CheckResult:
    started = time.perf_counter()
    known = tuple(str(n) for n in (context or {}).get("unresolved", ()) or ())
    report = undefined_names(atom.parsed, atom.start, atom.end, known=known)
    found = [
        Violation(
            NAMES,
            f"undefined name `{u.name}`: not defined in the file, imported or built in",
            atom.relative(u.line),
            column=u.column,
        )
        for u in report.undefined
    ]
    if report.note:
        found.append(Violation(NAMES, report.note, None, WARNING))
    return judged(
        LEVEL,
        NAMES,
        found,
        units=max(1, report.checked),
        duration_ms=(time.perf_counter() - started) * 1e3,
        path=path,
    )


def _dangerous(atom: SplicedAtom, path: str | None) -> CheckResult:
    started = time.perf_counter()
    found = [
        Violation(DANGEROUS, f"{d.kind}: {d.message}", atom.relative(d.line), ERROR, d.column)
        for d in find_dangers(atom.parsed, atom.start, atom.end)
    ]
    return judged(
        LEVEL, DANGEROUS, found, duration_ms=(time.perf_counter() - started) * 1e3, path=path
    )


def _atomicity(
    atom: SplicedAtom,
    config: AtomizationConfig | None,
    path: str | None,
    atomized: AtomizationResult | None = None,
) -> CheckResult:
    started = time.perf_counter()
    cfg = config or AtomizationConfig()
    parsed = atom.parsed
    result = atomized or atomize_parsed(parsed, cfg)
    inside = [a for a in result.atoms if a.start_byte < atom.end and a.end_byte > atom.start]
    loc = parsed.lines.loc_touched(atom.start, atom.end)
    complexity = parsed.complexity(atom.start, atom.end)
    found: list[Violation] = []
    if loc > cfg.max_loc:
        found.append(
            Violation(
                ATOMICITY,
                f"{loc} lines of code, over the {cfg.max_loc} an atom may have",
                None,
                WARNING,
            )
        )
    if complexity >= cfg.max_complexity:
        found.append(
            Violation(
                ATOMICITY,
                f"cyclomatic complexity {complexity}, the target is below {cfg.max_complexity}",
                None,
                WARNING,
            )
        )
    seen: set[str] = set()
    for part in inside:
        for v in part.atomicity.violations:
            if v.criterion in ("loc_within_max", "complexity_below_max", "context_complete"):
                continue
            text = f"{v.criterion}: {v.message}"
            if text not in seen:
                seen.add(text)
                found.append(Violation(ATOMICITY, text, atom.relative(part.start_line), WARNING))
    scores = [a.atomicity.score for a in inside] or [1.0]
    base = judged(
        LEVEL,
        ATOMICITY,
        found,
        duration_ms=(time.perf_counter() - started) * 1e3,
        path=path,
        details={"loc": loc, "complexity": complexity, "pieces": len(inside)},
    )
    return CheckResult(
        level=base.level,
        check_name=base.check_name,
        outcome=base.outcome,
        score=round(min(scores), 4),
        violations=base.violations,
        warnings=base.warnings,
        duration_ms=base.duration_ms,
        path=path,
        details=base.details,
    )
