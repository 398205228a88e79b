"""What every validation check reports: violations, and one result per check.

A check either ran and `passed` or `failed`, or it did not run (`not_run`) and says why;
nothing that was not checked is ever reported as passed.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from domain.status import ValidationOutcome

VALIDATOR_VERSION = "mge-validation/1.0"

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Violation:
    """One finding. `line` is 1-based: in the file for levels 2-4; for level 1 (one atom),
    counted from the atom's first line, which is what a model regenerating the atom sees."""

    check: str
    message: str
    line: int | None = None
    severity: str = ERROR  # "error" fails its check, "warning" only informs
    column: int | None = None
    path: str | None = None
    atom_id: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def describe(self) -> str:
        where = ""
        if self.path:
            where = self.path + (f":{self.line}" if self.line is not None else "") + ": "
        elif self.line is not None:
            where = f"line {self.line}" + (f", column {self.column}" if self.column else "") + ": "
        return f"{where}{self.message}"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"check": self.check, "message": self.message}
        for key in ("line", "column", "path", "atom_id"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        out["severity"] = self.severity
        return out

    def shifted(self, lines: int) -> Violation:
        return replace(self, line=None if self.line is None else self.line + lines)


@dataclass(frozen=True)
class CheckResult:
    level: int
    check_name: str
    outcome: ValidationOutcome
    score: float | None = None
    violations: tuple[Violation, ...] = ()
    warnings: tuple[Violation, ...] = ()
    reason: str | None = None
    duration_ms: float = 0.0
    # What the result is about; the activity turns paths and keys into database ids.
    path: str | None = None
    atom_id: str | None = None
    scope: str | None = None  # task key, milestone name, ...
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return self.outcome == ValidationOutcome.PASSED

    @property
    def failed(self) -> bool:
        return self.outcome == ValidationOutcome.FAILED

    @property
    def not_run(self) -> bool:
        return self.outcome == ValidationOutcome.NOT_RUN


def judged(
    level: int,
    check_name: str,
    findings: list[Violation] | tuple[Violation, ...],
    *,
    units: int = 1,
    duration_ms: float = 0.0,
    path: str | None = None,
    scope: str | None = None,
    atom_id: str | None = None,
    details: dict[str, Any] | None = None,
) -> CheckResult:
    """A check that ran: failed if any finding is an error. The score is the share of the
    `units` checked (names, imports, calls...) that had no error."""
    errors = tuple(v for v in findings if v.is_error)
    warnings = tuple(v for v in findings if not v.is_error)
    bad = min(units, len({(v.line, v.message) for v in errors})) if units else 0
    score = 1.0 if not errors else round(max(0.0, (units - bad) / units), 4) if units else 0.0
    return CheckResult(
        level=level,
        check_name=check_name,
        outcome=ValidationOutcome.FAILED if errors else ValidationOutcome.PASSED,
        score=score,
        violations=errors,
        warnings=warnings,
        duration_ms=duration_ms,
        path=path,
        scope=scope,
        atom_id=atom_id,
        details=details or {},
    )


def not_run(
    level: int,
    check_name: str,
    reason: str,
    *,
    path: str | None = None,
    scope: str | None = None,
    atom_id: str | None = None,
    duration_ms: float = 0.0,
) -> CheckResult:
    return CheckResult(
        level=level,
        check_name=check_name,
        outcome=ValidationOutcome.NOT_RUN,
        score=None,
        reason=reason,
        path=path,
        scope=scope,
        atom_id=atom_id,
        duration_ms=duration_ms,
    )


def errors_of(results: list[CheckResult] | tuple[CheckResult, ...]) -> list[Violation]:
    return [v for r in results for v in r.violations]
