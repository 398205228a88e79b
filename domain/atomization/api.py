"""atomize_source: parse → decompose → inject context → validate → identify, for one file."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping

from . import _native
from .atomicity import AtomicityValidator
from .context import ContextFacts, ContextInjector
from .decomposer import Decomposition, RecursiveDecomposer
from .identity import atom_id, content_hash
from .model import Atom, AtomContext, AtomizationConfig, AtomizationResult, SyntaxIssue, new_frozen
from .parser import MultiLanguageParser, ParsedSource

if _native.AVAILABLE:
    from ._native import assemble as _native_assemble

try:  # the context stage on the C API (absent when the project was built without it)
    from ._native import context as _native_context
except ImportError:
    _native_context = None  # type: ignore[assignment]

_PARSER = MultiLanguageParser()


def atomize_source(
    source: bytes | str,
    path: str,
    language: str | None = None,
    config: AtomizationConfig | None = None,
    tests: Mapping[str, str] | None = None,
) -> AtomizationResult:
    """Cut one file into atoms.

    `source` as str is encoded UTF-8; bytes are taken as they are (any encoding, any garbage).
    `language` overrides the extension. `tests` maps test file paths to their sources, to find
    the tests that mention each atom. Raises UnsupportedLanguageError (a ValueError) for a
    language MGE does not know. Concatenating the atoms' code_bytes always gives the source.
    """
    cfg = config or AtomizationConfig()
    parsed = _PARSER.parse(source, path, language)
    return atomize_parsed(parsed, cfg, tests)


def atomize_parsed(
    parsed: ParsedSource,
    config: AtomizationConfig,
    tests: Mapping[str, str] | None = None,
) -> AtomizationResult:
    decomposition = RecursiveDecomposer(config).decompose(parsed)
    source = parsed.source
    validator = AtomicityValidator(config, parsed.spec, source, parsed.js_doc)
    if _native.enabled():
        segments = decomposition.segments
        contexts = atom_contexts(parsed, decomposition, tests)
        built = _native_assemble.assemble(parsed, config, segments, contexts, validator)
        return AtomizationResult(
            path=parsed.path, language=parsed.language, atoms=built, syntax_issues=parsed.issues
        )
    injector = ContextInjector(parsed, decomposition, tests)
    check = validator.check
    size = len(source)
    path = parsed.path
    language = parsed.language
    issues = parsed.issues
    issue_starts = [i.start_byte for i in issues]
    inject = injector.inject
    atoms: list[Atom] = []
    line = 1  # line of the current atom's first byte, counted as the atoms go (they tile)
    for ordinal, seg in enumerate(decomposition.segments):
        start = seg.start
        end = seg.end
        code = source[start:end]
        digest = content_hash(code)
        atom_issues = _issues_for(issues, issue_starts, start, end) if issues else ()
        context, facts = inject(ordinal)
        newlines = code.count(b"\n")
        ends_at_line_end = code.endswith(b"\n")
        report = check(
            code,
            seg.loc,
            seg.complexity,
            seg.kind,
            seg.oversize_reason,
            start == 0 or source[start - 1] == 10,  # b"\n"
            ends_at_line_end or end == size,
            bool(atom_issues),
            context,
            facts,
        )
        atoms.append(
            new_frozen(
                Atom,
                id=atom_id(path, ordinal, digest),
                path=path,
                language=language,
                ordinal=ordinal,
                kind=seg.kind,
                name=seg.name,
                code_bytes=code,
                start_byte=start,
                end_byte=end,
                start_line=line,
                end_line=line + newlines - ends_at_line_end,
                loc=seg.loc,
                complexity=seg.complexity,
                oversized=seg.oversized,
                oversize_reason=seg.oversize_reason,
                content_hash=digest,
                context=context,
                atomicity=report,
                issues=atom_issues,
            )
        )
        line += newlines
    return AtomizationResult(
        path=parsed.path, language=parsed.language, atoms=tuple(atoms), syntax_issues=issues
    )


def atom_contexts(
    parsed: ParsedSource, decomposition: Decomposition, tests: Mapping[str, str] | None = None
) -> list[tuple[AtomContext, ContextFacts]]:
    """Every atom's context, from the native context stage when it is on."""
    if _native_context is not None and _native.enabled():
        return _native_context.ContextInjector(parsed, decomposition, tests).inject_all()
    injector = ContextInjector(parsed, decomposition, tests)
    return list(map(injector.inject, range(len(decomposition.segments))))


def _issues_for(
    issues: tuple[SyntaxIssue, ...], starts: list[int], start: int, end: int
) -> tuple[str, ...]:
    """Issues located in the atom, plus a note when it lies inside a larger broken region."""
    if not issues:
        return ()
    out = []
    lo = bisect_left(starts, start)
    for issue in issues[lo:]:
        if issue.start_byte >= end:
            break
        out.append(issue.describe())
    for issue in issues[:lo]:
        if issue.kind == "error" and issue.end_byte > start:
            out.append(f"inside the syntax error region that starts at line {issue.line}")
    return tuple(out)
