"""Which quality attempt a Temporal attempt is, and what the model must hear about the
earlier ones.

Temporal numbers every delivery of the activity. Rate limits and provider errors are retried
by the same RetryPolicy but must not use up a quality attempt, so the quality attempt is
counted from the atom's retry history: one per quality failure, plus one per Temporal attempt
that left no row at all (it was killed by a timeout or lost with its worker). The attempt
after such a loss writes the row the lost one could not (`AttemptPlan.lost`), so the retry
history shows every attempt.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from domain.retry_schedule import RetrySchedule
from domain.status import QUALITY_CATEGORIES, ErrorCategory


@dataclass(frozen=True)
class RecordedAttempt:
    attempt: int
    category: ErrorCategory
    feedback: str


@dataclass(frozen=True)
class LostAttempt:
    """An earlier attempt that left no row: what its retry-history row should say."""

    attempt: int
    quality_attempt: int
    temperature: float
    message: str
    feedback: str


@dataclass(frozen=True)
class AttemptPlan:
    quality_attempt: int
    temperature: float
    feedback: tuple[str, ...]
    exhausted: bool
    lost: tuple[LostAttempt, ...] = ()

    @property
    def is_last(self) -> bool:
        return self.exhausted

    @property
    def lost_attempts(self) -> tuple[int, ...]:
        return tuple(lost.attempt for lost in self.lost)


def lost_attempt_feedback(attempt: int) -> str:
    return (
        f"Attempt {attempt} produced no result: it timed out or its worker stopped before it "
        "could answer. Answer with a shorter, simpler piece of code."
    )


def lost_attempt_message(attempt: int) -> str:
    return (
        f"attempt {attempt} was lost to a timeout or a dead worker: it left no result "
        "and no record of its own"
    )


def plan_attempt(
    temporal_attempt: int, history: Iterable[RecordedAttempt], schedule: RetrySchedule
) -> AttemptPlan:
    """What attempt `temporal_attempt` (1-based) of an atom is."""
    earlier = sorted((h for h in history if h.attempt < temporal_attempt), key=lambda h: h.attempt)
    recorded = {h.attempt for h in earlier}
    feedback_by_attempt: dict[int, str] = {
        h.attempt: h.feedback for h in earlier if h.category in QUALITY_CATEGORIES
    }
    lost: list[LostAttempt] = []
    for attempt in range(1, temporal_attempt):
        if attempt in recorded:
            continue
        feedback_by_attempt[attempt] = lost_attempt_feedback(attempt)
        # Its quality number: the quality attempts up to and including it.
        quality = sum(1 for a in feedback_by_attempt if a <= attempt)
        lost.append(
            LostAttempt(
                attempt=attempt,
                quality_attempt=quality,
                temperature=schedule.temperature_for(quality),
                message=lost_attempt_message(attempt),
                feedback=feedback_by_attempt[attempt],
            )
        )
    used = len(feedback_by_attempt)
    quality_attempt = used + 1
    return AttemptPlan(
        quality_attempt=quality_attempt,
        temperature=schedule.temperature_for(quality_attempt),
        feedback=tuple(feedback_by_attempt[a] for a in sorted(feedback_by_attempt)),
        exhausted=quality_attempt > schedule.quality_attempts,
        lost=tuple(lost),
    )
