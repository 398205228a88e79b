"""ConfidenceScorer: how much to trust a generated atom, as a score in 0..1 and a level.

The score is a weighted sum of four components, each in 0..1 (weights from the design, all
configurable):

    validation         40%   share of the atom's checks (levels 1-3) that passed
    attempts           30%   1.0 on the first attempt, falling linearly to 0.0 on the last allowed
    complexity         20%   cyclomatic complexity and LOC against the atomization limits
    integration tests  10%   share of the project's tests (level 4) that passed

A check that did not run earns nothing: "not run" must never read as "passed", so an atom whose
type check could not run, or a plan without tests, can never reach 1.0. The reasons name what
pulled the score down, largest loss first, so that a reviewer sees at once why an atom is in the
queue.

A FAILED atom (no attempt passed) is critical whatever its other components say: its code never
passed validation, so those two components are zero, and the level is forced to critical.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from domain.status import ValidationOutcome

# Below this the rounding noise of a weighted sum is not a loss worth a reason.
_EPSILON = 1e-9


class ConfidenceLevel(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    CRITICAL = "critical"


@dataclass(frozen=True)
class CheckTally:
    """Outcomes of a set of checks: how many passed, failed or could not run, with names."""

    passed: int = 0
    failed: int = 0
    not_run: int = 0
    failed_names: tuple[str, ...] = ()
    not_run_names: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if min(self.passed, self.failed, self.not_run) < 0:
            raise ValueError("check counts cannot be negative")

    @property
    def total(self) -> int:
        return self.passed + self.failed + self.not_run

    @classmethod
    def of(cls, outcomes: Iterable[tuple[str, str]]) -> CheckTally:
        """Tally ``(check_name, outcome)`` pairs; outcome is a ``ValidationOutcome`` value.

        A name seen more than once counts once, with its last outcome: callers pass results in
        attempt order and the final attempt is the one that matters.
        """
        last: dict[str, ValidationOutcome] = {}
        for name, outcome in outcomes:
            last.pop(name, None)  # re-insert so that order follows the last occurrence
            last[name] = ValidationOutcome(outcome)
        failed = tuple(n for n, o in last.items() if o is ValidationOutcome.FAILED)
        not_run = tuple(n for n, o in last.items() if o is ValidationOutcome.NOT_RUN)
        passed = len(last) - len(failed) - len(not_run)
        return cls(passed, len(failed), len(not_run), failed, not_run)


def split_by_level(
    results: Iterable[tuple[int, str, str]], *, integration_level: int = 4
) -> tuple[CheckTally, CheckTally]:
    """``(level, check_name, outcome)`` rows → (validation tally, integration-test tally).

    Levels below ``integration_level`` are the atom's validation; that level is the project's
    test run, which the design weighs separately.
    """
    rows = list(results)
    validation = CheckTally.of(
        (name, out) for level, name, out in rows if level < integration_level
    )
    integration = CheckTally.of(
        (name, out) for level, name, out in rows if level >= integration_level
    )
    return validation, integration


@dataclass(frozen=True)
class ConfidenceInput:
    """What the scorer needs to know about one atom; the caller gathers it from storage.

    ``max_complexity`` means what it means in ``AtomizationConfig``: an exclusive bound, so a
    complexity equal to it already costs. ``max_loc`` is inclusive.
    """

    validation: CheckTally
    attempts_used: int
    attempts_allowed: int = 3
    complexity: int = 1
    max_complexity: int = 3
    loc: int = 1
    max_loc: int = 15
    integration: CheckTally = field(default_factory=CheckTally)
    failed: bool = False

    def __post_init__(self) -> None:
        if self.attempts_allowed < 1:
            raise ValueError("attempts_allowed must be at least 1")
        if self.max_complexity < 1 or self.max_loc < 1:
            raise ValueError("max_complexity and max_loc must be at least 1")


@dataclass(frozen=True)
class ConfidenceWeights:
    validation: float = 0.4
    attempts: float = 0.3
    complexity: float = 0.2
    integration: float = 0.1

    def __post_init__(self) -> None:
        values = (self.validation, self.attempts, self.complexity, self.integration)
        if min(values) < 0:
            raise ValueError("confidence weights cannot be negative")
        if abs(sum(values) - 1.0) > 1e-6:
            raise ValueError(f"confidence weights must add up to 1, got {sum(values):g}")


@dataclass(frozen=True)
class LevelThresholds:
    """Lowest score of each level: score ≥ high → high, ≥ medium → medium, ≥ low → low,
    anything below → critical."""

    high: float = 0.85
    medium: float = 0.7
    low: float = 0.5

    def __post_init__(self) -> None:
        if not 0.0 <= self.low <= self.medium <= self.high <= 1.0:
            raise ValueError("thresholds must satisfy 0 <= low <= medium <= high <= 1")

    def level_of(self, score: float) -> ConfidenceLevel:
        if score >= self.high:
            return ConfidenceLevel.HIGH
        if score >= self.medium:
            return ConfidenceLevel.MEDIUM
        if score >= self.low:
            return ConfidenceLevel.LOW
        return ConfidenceLevel.CRITICAL


@dataclass(frozen=True)
class Confidence:
    score: float
    level: ConfidenceLevel
    reasons: tuple[str, ...]
    components: Mapping[str, float]

    def to_dict(self) -> dict[str, object]:
        return {
            "score": self.score,
            "level": self.level.value,
            "reasons": list(self.reasons),
            "components": dict(self.components),
        }


@dataclass(frozen=True)
class _Part:
    name: str
    value: float  # 0..1
    why: str | None  # what lowered it, if anything did


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _names(names: tuple[str, ...]) -> str:
    return f" ({', '.join(names)})" if names else ""


def _tally_part(name: str, tally: CheckTally, what: str, nothing: str) -> _Part:
    if tally.total == 0:
        return _Part(name, 0.0, nothing)
    problems = []
    if tally.failed:
        problems.append(f"{tally.failed} of {tally.total} failed{_names(tally.failed_names)}")
    if tally.not_run:
        problems.append(f"{tally.not_run} not run{_names(tally.not_run_names)}")
    why = f"{what}: {'; '.join(problems)}" if problems else None
    return _Part(name, tally.passed / tally.total, why)


def _attempts_part(data: ConfidenceInput) -> _Part:
    allowed = data.attempts_allowed
    used = min(max(data.attempts_used, 1), allowed)
    if data.failed:
        return _Part("attempts", 0.0, f"failed after {_plural(data.attempts_used, 'attempt')}")
    value = 1.0 if allowed == 1 else (allowed - used) / (allowed - 1)
    why = None if used == 1 else f"needed {used} of {allowed} attempts"
    return _Part("attempts", value, why)


def _over_limit(excess: int, limit: int) -> float:
    """1.0 within the limit, falling linearly to 0.0 at twice the limit."""
    return max(0.0, 1.0 - excess / limit) if excess > 0 else 1.0


def _complexity_part(data: ConfidenceInput) -> _Part:
    # complexity may be at most max_complexity - 1 (exclusive bound): excess counts from there
    complexity_excess = data.complexity - (data.max_complexity - 1)
    loc_excess = data.loc - data.max_loc
    complexity = _over_limit(complexity_excess, data.max_complexity)
    loc = _over_limit(loc_excess, data.max_loc)
    problems = []
    if complexity_excess > 0:
        problems.append(
            f"cyclomatic complexity {data.complexity} (limit: below {data.max_complexity})"
        )
    if loc_excess > 0:
        problems.append(f"{data.loc} lines of code (limit {data.max_loc})")
    return _Part("complexity", (complexity + loc) / 2, "; ".join(problems) or None)


@dataclass(frozen=True)
class ConfidenceScorer:
    weights: ConfidenceWeights = field(default_factory=ConfidenceWeights)
    thresholds: LevelThresholds = field(default_factory=LevelThresholds)

    def score(self, data: ConfidenceInput) -> Confidence:
        if data.failed:
            validation = _Part("validation", 0.0, "generation failed: no attempt passed")
        else:
            validation = _tally_part(
                "validation", data.validation, "validation checks", "validation: no check ran"
            )
        parts = (
            validation,
            _attempts_part(data),
            _complexity_part(data),
            _tally_part(
                "integration",
                data.integration,
                "integration tests",
                "integration tests: none ran",
            ),
        )
        weight = {
            "validation": self.weights.validation,
            "attempts": self.weights.attempts,
            "complexity": self.weights.complexity,
            "integration": self.weights.integration,
        }
        # Rounded so that a score lands on a threshold the same way on every platform.
        score = round(sum(weight[p.name] * p.value for p in parts), 4)
        losses = sorted(
            ((weight[p.name] * (1.0 - p.value), p) for p in parts),
            key=lambda lp: -lp[0],
        )
        reasons = tuple(f"{p.why} (-{loss:.2f})" for loss, p in losses if p.why and loss > _EPSILON)
        level = ConfidenceLevel.CRITICAL if data.failed else self.thresholds.level_of(score)
        return Confidence(score, level, reasons, {p.name: round(p.value, 4) for p in parts})
