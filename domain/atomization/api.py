"""atomize_source: parse → decompose → inject context → validate → identify, for one file."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping

from .atomicity import AtomFacts, AtomicityValidator
from .context import ContextInjector
from .decomposer import RecursiveDecomposer
from .identity import atom_id, content_hash
from .model import Atom, AtomizationConfig, AtomizationResult, SyntaxIssue
from .parser import MultiLanguageParser, ParsedSource

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
    injector = ContextInjector(parsed, decomposition, tests)
    validator = AtomicityValidator(config, parsed.spec)
    source = parsed.source
    lines = parsed.lines
    issues = parsed.issues
    issue_starts = [i.start_byte for i in issues]
    atoms: list[Atom] = []
    for ordinal, seg in enumerate(decomposition.segments):
        code = source[seg.start : seg.end]
        digest = content_hash(code)
        atom_issues = _issues_for(issues, issue_starts, seg.start, seg.end)
        context, facts = injector.inject(ordinal)
        start_line = lines.line_of(seg.start)
        end_line = lines.end_line(seg.start, seg.end)
        report = validator.validate(
            AtomFacts(
                code=code,
                loc=seg.loc,
                complexity=seg.complexity,
                kind=seg.kind,
                oversized=seg.oversized,
                oversize_reason=seg.oversize_reason,
                starts_at_line_start=seg.start == 0 or source[seg.start - 1 : seg.start] == b"\n",
                ends_at_line_end=seg.end == len(source) or code.endswith(b"\n"),
                has_syntax_issue=bool(atom_issues),
            ),
            context,
            facts,
        )
        atoms.append(
            Atom(
                id=atom_id(parsed.path, ordinal, digest),
                path=parsed.path,
                language=parsed.language,
                ordinal=ordinal,
                kind=seg.kind,
                name=seg.name,
                code_bytes=code,
                start_byte=seg.start,
                end_byte=seg.end,
                start_line=start_line,
                end_line=end_line,
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
    return AtomizationResult(
        path=parsed.path, language=parsed.language, atoms=tuple(atoms), syntax_issues=issues
    )


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
