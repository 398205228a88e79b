"""Which scored atoms a person should look at, in what order, and how the queue stands.

Selection: every FAILED atom, every atom scoring under the threshold, and, when configured,
the lowest N% of the plan by score (the design's "lowest 15-20%": off by default, so that a
plan whose atoms are all trustworthy asks nobody for anything).
Priority follows the level, so the least trusted atoms come first whatever their plan.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from domain.status import ReviewStatus

from .confidence import Confidence, ConfidenceLevel

PRIORITY_BY_LEVEL: Mapping[ConfidenceLevel, int] = {
    ConfidenceLevel.CRITICAL: 100,
    ConfidenceLevel.LOW: 75,
    ConfidenceLevel.MEDIUM: 50,
    ConfidenceLevel.HIGH: 25,
}


def priority_of(level: ConfidenceLevel | str) -> int:
    return PRIORITY_BY_LEVEL[ConfidenceLevel(level)]


@dataclass(frozen=True)
class SelectionPolicy:
    """``threshold``: atoms scoring strictly below it are reviewed.
    ``lowest_percent``: also review this share (0-100) of the plan's atoms with the lowest
    scores; 0 turns it off."""

    threshold: float = 0.7
    lowest_percent: float = 0.0

    def __post_init__(self) -> None:
        if not 0.0 <= self.threshold <= 1.0:
            raise ValueError(f"review threshold must be within 0..1, got {self.threshold}")
        if not 0.0 <= self.lowest_percent <= 100.0:
            raise ValueError(f"lowest_percent must be within 0..100, got {self.lowest_percent}")


@dataclass(frozen=True)
class ScoredAtom:
    atom_id: str
    confidence: Confidence
    failed: bool = False


@dataclass(frozen=True)
class ReviewCandidate:
    atom_id: str
    confidence: float
    level: ConfidenceLevel
    priority: int
    reasons: tuple[str, ...]
    # Why this atom was picked ("failed", "below threshold 0.70", "lowest 15%"): the queue
    # shows it, and it keeps the policy's effect visible when thresholds change.
    selected_because: tuple[str, ...]


def select_for_review(
    atoms: Sequence[ScoredAtom], policy: SelectionPolicy | None = None
) -> list[ReviewCandidate]:
    """The atoms to queue, highest priority first, then lowest score, then atom id."""
    policy = policy or SelectionPolicy()
    because: dict[str, list[str]] = {}
    for atom in atoms:
        if atom.failed:
            because.setdefault(atom.atom_id, []).append("failed")
        if atom.confidence.score < policy.threshold:
            because.setdefault(atom.atom_id, []).append(f"below threshold {policy.threshold:.2f}")
    if policy.lowest_percent > 0 and atoms:
        count = math.ceil(len(atoms) * policy.lowest_percent / 100)
        ranked = sorted(atoms, key=lambda a: (a.confidence.score, a.atom_id))
        for atom in ranked[:count]:
            because.setdefault(atom.atom_id, []).append(f"lowest {policy.lowest_percent:g}%")
    chosen = [
        ReviewCandidate(
            atom_id=a.atom_id,
            confidence=a.confidence.score,
            level=_level(a),
            priority=priority_of(_level(a)),
            reasons=a.confidence.reasons,
            selected_because=tuple(because[a.atom_id]),
        )
        for a in atoms
        if a.atom_id in because
    ]
    chosen.sort(key=lambda c: (-c.priority, c.confidence, c.atom_id))
    return chosen


def _level(atom: ScoredAtom) -> ConfidenceLevel:
    return ConfidenceLevel.CRITICAL if atom.failed else atom.confidence.level


@dataclass(frozen=True)
class QueueEntry:
    """One row of the review queue as the statistics need it."""

    status: ReviewStatus | str
    level: ConfidenceLevel | str | None
    confidence: float | None
    created_at: datetime


@dataclass(frozen=True)
class QueueStatistics:
    total: int
    by_status: Mapping[str, int]
    by_level: Mapping[str, int]
    mean_confidence: float | None
    oldest_pending: datetime | None

    def to_dict(self) -> dict[str, object]:
        """The shape of ``GET /api/v2/review/statistics/{id}``: one key per status."""
        out: dict[str, object] = dict(self.by_status)
        out["total"] = self.total
        out["by_level"] = dict(self.by_level)
        out["mean_confidence"] = self.mean_confidence
        out["oldest_pending"] = self.oldest_pending.isoformat() if self.oldest_pending else None
        return out


def queue_statistics(entries: Iterable[QueueEntry]) -> QueueStatistics:
    """Counts per status and level (every key present, zero when empty), the mean confidence
    of the entries that have one, and when the oldest still-pending entry was queued."""
    by_status = {s.value: 0 for s in ReviewStatus}
    by_level = {lv.value: 0 for lv in ConfidenceLevel}
    scores: list[float] = []
    oldest: datetime | None = None
    total = 0
    for entry in entries:
        total += 1
        status = ReviewStatus(entry.status)
        by_status[status.value] += 1
        if entry.level is not None:
            by_level[ConfidenceLevel(entry.level).value] += 1
        if entry.confidence is not None:
            scores.append(entry.confidence)
        if status is ReviewStatus.PENDING and (oldest is None or entry.created_at < oldest):
            oldest = entry.created_at
    mean = round(sum(scores) / len(scores), 4) if scores else None
    return QueueStatistics(total, by_status, by_level, mean, oldest)
