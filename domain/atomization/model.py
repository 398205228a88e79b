"""The value objects of atomization: configuration, atoms and the reports attached to them.

All frozen: an atom is a fact about a file at a moment; anything that changes is a new atom.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, TypeVar

_T = TypeVar("_T")
_FIELD_COUNT: dict[type, int] = {}


def new_frozen(cls: type[_T], **values: Any) -> _T:
    """An instance of the frozen dataclass `cls`, every field given by name.

    The same object the generated `__init__` builds, without its per-field
    `object.__setattr__` calls: the engine makes one Atom, AtomContext and AtomicityReport per
    atom, and that `__init__` costs more than filling them. For classes without
    `__post_init__` or `__slots__` only; every field must be given (a missing one is caught
    by the count, a misspelt one by the first attribute access).
    """
    count = _FIELD_COUNT.get(cls)
    if count is None:
        count = _FIELD_COUNT[cls] = len(fields(cls))  # type: ignore[arg-type]
    if len(values) != count:
        raise TypeError(f"{cls.__name__} needs all of its {count} fields, got {sorted(values)}")
    obj = object.__new__(cls)
    obj.__dict__.update(values)
    return obj


@dataclass(frozen=True)
class AtomizationConfig:
    """Size and complexity goals for atoms.

    `target_loc` is what the decomposer aims at, `max_loc` a hard limit that only an unsplittable
    node may exceed (and is then flagged oversized), `max_complexity` an exclusive upper bound on
    cyclomatic complexity that is met wherever the code allows.
    """

    target_loc: int = 10
    max_loc: int = 15
    max_complexity: int = 3

    def __post_init__(self) -> None:
        if self.target_loc < 1:
            raise ValueError(f"target_loc must be at least 1, got {self.target_loc}")
        if self.max_loc < self.target_loc:
            raise ValueError(
                f"max_loc ({self.max_loc}) must be at least target_loc ({self.target_loc})"
            )
        if self.max_complexity < 1:
            raise ValueError(f"max_complexity must be at least 1, got {self.max_complexity}")

    @property
    def min_loc(self) -> int:
        """Smallest atom worth having on its own: half the target (5 with the defaults)."""
        return max(1, self.target_loc // 2)


@dataclass(frozen=True)
class SyntaxIssue:
    """An ERROR or MISSING node of the parse tree, with 1-based line and column (characters)."""

    kind: str  # "error" | "missing"
    line: int
    column: int
    message: str
    start_byte: int = 0
    end_byte: int = 0

    def describe(self) -> str:
        return f"line {self.line}, column {self.column}: {self.message}"

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "line": self.line,
            "column": self.column,
            "message": self.message,
            "start_byte": self.start_byte,
            "end_byte": self.end_byte,
        }


@dataclass(frozen=True)
class Violation:
    """One failed atomicity criterion."""

    criterion: str
    severity: str  # "low" | "medium" | "high"
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"criterion": self.criterion, "severity": self.severity, "message": self.message}


@dataclass(frozen=True)
class AtomContext:
    """What an LLM needs besides the atom's own code to regenerate it.

    `completeness` is five components at 20% each: imports resolved, enclosing scope known,
    types resolved, contract known (pre/postconditions), dependencies located.
    """

    imports: tuple[str, ...] = ()
    enclosing_scope: str | None = None
    types: tuple[str, ...] = ()
    preconditions: tuple[str, ...] = ()
    postconditions: tuple[str, ...] = ()
    defines: tuple[str, ...] = ()
    uses: tuple[str, ...] = ()
    dependency_hints: tuple[str, ...] = ()
    tests: tuple[str, ...] = ()
    completeness: float = 0.0
    components: Mapping[str, float] = field(default_factory=dict)
    unresolved: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {
            "imports": list(self.imports),
            "enclosing_scope": self.enclosing_scope,
            "types": list(self.types),
            "preconditions": list(self.preconditions),
            "postconditions": list(self.postconditions),
            "defines": list(self.defines),
            "uses": list(self.uses),
            "dependency_hints": list(self.dependency_hints),
            "tests": list(self.tests),
            "completeness": self.completeness,
            "components": dict(self.components),
            "unresolved": list(self.unresolved),
        }


@dataclass(frozen=True)
class AtomicityReport:
    """The ten atomicity criteria, each worth 10% of `score`."""

    score: float
    criteria: Mapping[str, bool]
    violations: tuple[Violation, ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {
            "score": self.score,
            "criteria": dict(self.criteria),
            "violations": [v.to_dict() for v in self.violations],
        }


@dataclass(frozen=True)
class Atom:
    """A contiguous byte range of a file, small enough for an LLM to regenerate on its own."""

    id: str
    path: str
    language: str
    ordinal: int
    kind: str
    name: str | None
    code_bytes: bytes
    start_byte: int
    end_byte: int
    start_line: int
    end_line: int
    loc: int
    complexity: int
    oversized: bool
    oversize_reason: str | None
    content_hash: str
    context: AtomContext
    atomicity: AtomicityReport
    issues: tuple[str, ...] = ()

    @property
    def code(self) -> str:
        return self.code_bytes.decode("utf-8", errors="replace")

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "file": self.path,
            "ordinal": self.ordinal,
            "id": self.id,
            "kind": self.kind,
            "name": self.name,
            "language": self.language,
            "start_byte": self.start_byte,
            "end_byte": self.end_byte,
            "start_line": self.start_line,
            "end_line": self.end_line,
            "loc": self.loc,
            "complexity": self.complexity,
            "oversized": self.oversized,
            "oversize_reason": self.oversize_reason,
            "atomicity_score": self.atomicity.score,
            "completeness": self.context.completeness,
            "content_hash": self.content_hash,
            "issues": list(self.issues),
            "code": self.code,
        }
        # `code` is text for humans and LLMs; when the bytes are not valid UTF-8 the exact
        # bytes ride along in base64 so that JSON output still round-trips byte for byte.
        try:
            self.code_bytes.decode("utf-8")
        except UnicodeDecodeError:
            out["code_base64"] = base64.b64encode(self.code_bytes).decode("ascii")
        out["context"] = self.context.to_dict()
        out["atomicity"] = self.atomicity.to_dict()
        return out


@dataclass(frozen=True)
class AtomizationResult:
    """All atoms of one file, in order; their code concatenated is the file."""

    path: str
    language: str
    atoms: tuple[Atom, ...]
    syntax_issues: tuple[SyntaxIssue, ...] = ()

    @property
    def source(self) -> bytes:
        return b"".join(a.code_bytes for a in self.atoms)

    def to_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "language": self.language,
            "atoms": [a.to_dict() for a in self.atoms],
            "syntax_issues": [i.to_dict() for i in self.syntax_issues],
        }
