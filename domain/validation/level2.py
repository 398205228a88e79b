"""Level 2, task: the task's file assembled from its atoms.

- task.parses: the whole file parses (tree-sitter; for Python, CPython's compiler too);
- task.imports: every name used is imported or defined (errors); imports nothing uses
  (warnings: re-exports and side-effect imports are legitimate);
- task.signatures: the public signatures are the skeleton's (names, parameters, defaults,
  annotations, return types, async-ness, class bases and decorators);
- task.naming: functions, methods and classes follow the language's conventions (warnings).
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass

from domain.atomization.imports import collect_imports
from domain.atomization.parser import ParsedSource
from domain.validation.model import WARNING, CheckResult, Violation, judged, not_run
from domain.validation.names import parse, undefined_names
from domain.validation.signatures import Signature, collect_signatures

LEVEL = 2
PARSES = "task.parses"
IMPORTS = "task.imports"
SIGNATURES = "task.signatures"
NAMING = "task.naming"


@dataclass(frozen=True)
class AtomLines:
    """Where an atom sits in the assembled file (1-based, inclusive)."""

    atom_id: str
    start_line: int
    end_line: int
    name: str | None = None


def atom_at(atoms: Sequence[AtomLines], line: int | None) -> str | None:
    if line is None:
        return None
    for atom in atoms:
        if atom.start_line <= line <= atom.end_line:
            return atom.atom_id
    return None


def attribute(
    violations: list[Violation], atoms: Sequence[AtomLines], path: str
) -> list[Violation]:
    return [
        Violation(v.check, v.message, v.line, v.severity, v.column, path, atom_at(atoms, v.line))
        for v in violations
    ]


def check_task_file(
    text: str,
    path: str,
    language: str,
    *,
    spec: str | None = None,
    atoms: Sequence[AtomLines] = (),
    scope: str | None = None,
) -> list[CheckResult]:
    """All level-2 checks of one task file. `spec` is the skeleton (or the code the atoms
    were cut from) whose public signatures the file must keep."""
    grammar = "tsx" if path.endswith(".tsx") else language
    started = time.perf_counter()
    parsed = parse(text, path, grammar)
    results = [_parses(parsed, atoms, path, scope, started)]
    if results[0].failed:
        reason = "the file does not parse"
        results += [
            not_run(LEVEL, c, reason, path=path, scope=scope) for c in (IMPORTS, SIGNATURES, NAMING)
        ]
        return results
    results.append(_imports(parsed, atoms, path, scope))
    results.append(_signatures(parsed, spec, grammar, atoms, path, scope))
    results.append(_naming(parsed, spec, grammar, atoms, path, scope))
    return results


def _parses(
    parsed: ParsedSource, atoms: Sequence[AtomLines], path: str, scope: str | None, started: float
) -> CheckResult:
    found = [
        Violation(PARSES, issue.message, issue.line, column=issue.column) for issue in parsed.issues
    ]
    if not found and parsed.language == "python":
        try:
            compile(parsed.source.decode("utf-8", "replace"), path, "exec", dont_inherit=True)
        except SyntaxError as err:
            found.append(Violation(PARSES, f"{err.msg} (CPython)", err.lineno, column=err.offset))
        except (ValueError, RecursionError, MemoryError, OverflowError):
            pass
    return judged(
        LEVEL,
        PARSES,
        attribute(found, atoms, path),
        duration_ms=(time.perf_counter() - started) * 1e3,
        path=path,
        scope=scope,
    )


_WORD = re.compile(rb"[A-Za-z_$][\w$]*")


def _imports(
    parsed: ParsedSource, atoms: Sequence[AtomLines], path: str, scope: str | None
) -> CheckResult:
    started = time.perf_counter()
    report = undefined_names(parsed)
    found = [
        Violation(
            IMPORTS, f"`{u.name}` is used but neither imported nor defined", u.line, column=u.column
        )
        for u in report.undefined
    ]
    if report.note:
        found.append(Violation(IMPORTS, report.note, None, WARNING))
    imports, _ = collect_imports(parsed.import_nodes, parsed.spec)
    is_package = path.endswith("__init__.py")
    if imports and not is_package:
        spans = [(n.start_byte, n.end_byte) for n in parsed.import_nodes]
        used = _words_outside(parsed.source, spans)
        exported = _python_all(parsed.source) if parsed.language == "python" else set()
        for name, entry in imports.items():
            if entry.module == "__future__" or name in exported or name == "*":
                continue
            if name.encode() in used:
                continue
            if parsed.language != "python" and _is_reexported(parsed.source, name):
                continue
            found.append(
                Violation(
                    IMPORTS,
                    f"`{name}` is imported but never used ({entry.statement})",
                    parsed.lines.line_of(entry.offset),
                    WARNING,
                )
            )
    return judged(
        LEVEL,
        IMPORTS,
        attribute(found, atoms, path),
        units=max(1, report.checked),
        duration_ms=(time.perf_counter() - started) * 1e3,
        path=path,
        scope=scope,
    )


def _words_outside(source: bytes, spans: list[tuple[int, int]]) -> set[bytes]:
    words: set[bytes] = set()
    position = 0
    for start, end in sorted(spans):
        words.update(_WORD.findall(source, position, start))
        position = max(position, end)
    words.update(_WORD.findall(source, position))
    return words


_ALL = re.compile(rb"__all__\s*(?::[^=]*)?[+]?=\s*[\[(]([^\])]*)[\])]", re.S)


def _python_all(source: bytes) -> set[str]:
    names: set[str] = set()
    for match in _ALL.finditer(source):
        names.update(n.decode() for n in re.findall(rb"['\"]([\w.]+)['\"]", match.group(1)))
    return names


def _is_reexported(source: bytes, name: str) -> bool:
    return re.search(rb"export\s*\{[^}]*\b" + re.escape(name.encode()) + rb"\b", source) is not None


def _signatures(
    parsed: ParsedSource,
    spec: str | None,
    grammar: str,
    atoms: Sequence[AtomLines],
    path: str,
    scope: str | None,
) -> CheckResult:
    started = time.perf_counter()
    if not spec or not spec.strip():
        return not_run(
            LEVEL,
            SIGNATURES,
            "the task has no skeleton or spec to compare with",
            path=path,
            scope=scope,
        )
    spec_parsed = parse(spec, path, grammar)
    if spec_parsed.issues:
        return not_run(LEVEL, SIGNATURES, "the skeleton does not parse", path=path, scope=scope)
    expected = collect_signatures(spec_parsed)
    actual = collect_signatures(parsed)
    found: list[Violation] = []
    for name, want in expected.items():
        got = actual.get(name)
        if got is None:
            found.append(
                Violation(SIGNATURES, f"`{name}` is in the skeleton but not in the file", None)
            )
            continue
        problem = _difference(want, got)
        if problem:
            found.append(Violation(SIGNATURES, f"`{name}`: {problem}", got.line))
    for name, got in actual.items():
        if name not in expected and _public(name):
            found.append(
                Violation(
                    SIGNATURES, f"`{name}` is public but not in the skeleton", got.line, WARNING
                )
            )
    return judged(
        LEVEL,
        SIGNATURES,
        attribute(found, atoms, path),
        units=max(1, len(expected)),
        duration_ms=(time.perf_counter() - started) * 1e3,
        path=path,
        scope=scope,
    )


def _public(qualname: str) -> bool:
    return not any(
        part.startswith("_") and not part.startswith("__") for part in qualname.split(".")
    )


def _difference(want: Signature, got: Signature) -> str | None:
    if want.kind != got.kind:
        return f"is a {got.kind}, the skeleton has a {want.kind}"
    if want.kind == "class":
        if sorted(want.decorators) != sorted(got.decorators):
            return f"bases/decorators {_decor(got)} differ from the skeleton's {_decor(want)}"
        return None
    if want.shape() != got.shape():
        return f"signature `{got.render()}` differs from the skeleton's `{want.render()}`"
    kinds = {"staticmethod", "classmethod", "property", "abstractmethod"}
    if {d for d in want.decorators if d in kinds} != {d for d in got.decorators if d in kinds}:
        return (
            f"decorators {list(got.decorators)} differ from the skeleton's {list(want.decorators)}"
        )
    return None


def _decor(signature: Signature) -> str:
    return "[" + ", ".join(d.removeprefix("base:") for d in signature.decorators) + "]"


_SNAKE = re.compile(r"^_{0,2}[a-z][a-z0-9_]*$|^__[a-z][a-z0-9_]*__$|^_+$")
_CAPWORDS = re.compile(r"^_{0,2}[A-Z][A-Za-z0-9]*$")
_CAMEL = re.compile(r"^[_$#]?[a-z$][A-Za-z0-9_$]*$|^constructor$")


def _naming(
    parsed: ParsedSource,
    spec: str | None,
    grammar: str,
    atoms: Sequence[AtomLines],
    path: str,
    scope: str | None,
) -> CheckResult:
    started = time.perf_counter()
    given: set[str] = set()
    if spec:
        spec_parsed = parse(spec, path, grammar)
        if not spec_parsed.issues:
            given = set(collect_signatures(spec_parsed))
    python = parsed.language == "python"
    found: list[Violation] = []
    signatures = collect_signatures(parsed)
    for name, signature in signatures.items():
        if name in given:
            continue  # the skeleton chose it
        short = signature.name
        if signature.kind == "class":
            if not _CAPWORDS.match(short):
                found.append(
                    Violation(NAMING, f"class `{name}` should be CapWords", signature.line, WARNING)
                )
        elif python and not _SNAKE.match(short):
            found.append(
                Violation(
                    NAMING, f"function `{name}` should be snake_case", signature.line, WARNING
                )
            )
        elif not python and not _CAMEL.match(short):
            found.append(
                Violation(NAMING, f"function `{name}` should be camelCase", signature.line, WARNING)
            )
    return judged(
        LEVEL,
        NAMING,
        attribute(found, atoms, path),
        units=max(1, len(signatures)),
        duration_ms=(time.perf_counter() - started) * 1e3,
        path=path,
        scope=scope,
    )
