from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.review import (
    PRIORITY_BY_LEVEL,
    Confidence,
    ConfidenceLevel,
    QueueEntry,
    ScoredAtom,
    SelectionPolicy,
    priority_of,
    queue_statistics,
    select_for_review,
)
from domain.review.confidence import LevelThresholds
from domain.status import ReviewStatus

LEVELS = LevelThresholds()


def atom(atom_id: str, score: float, *, failed: bool = False) -> ScoredAtom:
    level = ConfidenceLevel.CRITICAL if failed else LEVELS.level_of(score)
    return ScoredAtom(atom_id, Confidence(score, level, (f"why {atom_id}",), {}), failed)


def test_priority_by_level() -> None:
    assert dict(PRIORITY_BY_LEVEL) == {
        ConfidenceLevel.CRITICAL: 100,
        ConfidenceLevel.LOW: 75,
        ConfidenceLevel.MEDIUM: 50,
        ConfidenceLevel.HIGH: 25,
    }
    assert priority_of("low") == 75


def test_atoms_under_the_threshold_and_failed_atoms_are_selected() -> None:
    atoms = [atom("a", 0.95), atom("b", 0.72), atom("c", 0.6), atom("d", 0.3), atom("e", 0.9)]
    atoms.append(atom("f", 0.9, failed=True))
    chosen = select_for_review(atoms)
    assert [c.atom_id for c in chosen] == ["d", "f", "c"]
    d, f, c = chosen
    assert (d.priority, d.level, d.selected_because) == (
        100,
        ConfidenceLevel.CRITICAL,
        ("below threshold 0.70",),
    )
    assert (f.priority, f.selected_because) == (100, ("failed",))
    assert (c.priority, c.level, c.reasons) == (75, ConfidenceLevel.LOW, ("why c",))


def test_threshold_is_strict_and_configurable() -> None:
    atoms = [atom("a", 0.7), atom("b", 0.8)]
    assert select_for_review(atoms) == []
    chosen = select_for_review(atoms, SelectionPolicy(threshold=0.85))
    assert [c.atom_id for c in chosen] == ["a", "b"]


def test_lowest_percent_adds_the_least_trusted_even_when_all_pass() -> None:
    atoms = [atom(f"a{i}", 0.9 + i / 100) for i in range(10)]
    assert select_for_review(atoms) == [], "off by default"
    chosen = select_for_review(atoms, SelectionPolicy(lowest_percent=15))
    # ceil(10 * 15%) = 2
    assert [c.atom_id for c in chosen] == ["a0", "a1"]
    assert chosen[0].selected_because == ("lowest 15%",)
    assert chosen[0].priority == 25


def test_reasons_to_select_accumulate() -> None:
    (only,) = select_for_review(
        [atom("x", 0.2, failed=True), atom("y", 0.99)], SelectionPolicy(lowest_percent=50)
    )
    assert only.selected_because == ("failed", "below threshold 0.70", "lowest 50%")


@pytest.mark.parametrize(
    "kwargs", [{"threshold": 1.5}, {"threshold": -0.1}, {"lowest_percent": 101}]
)
def test_bad_policy_is_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        SelectionPolicy(**kwargs)


def test_queue_statistics() -> None:
    now = datetime(2025, 1, 1, tzinfo=UTC)
    entries = [
        QueueEntry(ReviewStatus.PENDING, "low", 0.6, now - timedelta(minutes=5)),
        QueueEntry("pending", ConfidenceLevel.CRITICAL, 0.2, now - timedelta(minutes=1)),
        QueueEntry(ReviewStatus.APPROVED, "low", 0.65, now - timedelta(hours=2)),
        QueueEntry(ReviewStatus.EDITED, None, None, now),
    ]
    stats = queue_statistics(entries)
    assert stats.total == 4
    # every status has a key, zero when no entry has it
    assert stats.by_status == {s.value: 0 for s in ReviewStatus} | {
        "pending": 2,
        "approved": 1,
        "edited": 1,
    }
    assert stats.by_level == {"high": 0, "medium": 0, "low": 2, "critical": 1}
    assert stats.mean_confidence == 0.4833
    assert stats.oldest_pending == now - timedelta(minutes=5), "approved rows are not pending"
    body = stats.to_dict()
    assert body["pending"] == 2 and body["by_level"] == stats.by_level
    assert body["oldest_pending"] == (now - timedelta(minutes=5)).isoformat()


def test_statistics_of_an_empty_queue() -> None:
    stats = queue_statistics([])
    assert (stats.total, stats.mean_confidence, stats.oldest_pending) == (0, None, None)
    assert set(stats.by_status.values()) == {0}
