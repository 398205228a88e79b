"""Which quality attempt a Temporal attempt is, and what the model must hear about the
earlier ones.

Temporal numbers every delivery of the activity. Rate limits and provider errors are retried
by the same RetryPolicy but must not use up a quality attempt, so the quality attempt is
counted from the atom's retry history: one per quality failure, plus one per Temporal attempt
that left no row at all (it was killed by a timeout or lost with its worker).
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
class AttemptPlan:
    quality_attempt: int
    temperature: float
    feedback: tuple[str, ...]
    exhausted: bool
    lost_attempts: tuple[int, ...]

    @property
    def is_last(self) -> bool:
        return self.exhausted


def lost_attempt_feedback(attempt: int) -> str:
    return (
        f"Attempt {attempt} produced no result: it timed out or its worker stopped before it "
        "could answer. Answer with a shorter, simpler piece of code."
    )


def plan_attempt(
    temporal_attempt: int, history: Iterable[RecordedAttempt], schedule: RetrySchedule
) -> AttemptPlan:
    """What attempt `temporal_attempt` (1-based) of an atom is."""
    earlier = sorted((h for h in history if h.attempt < temporal_attempt), key=lambda h: h.attempt)
    recorded = {h.attempt for h in earlier}
    lost = tuple(a for a in range(1, temporal_attempt) if a not in recorded)
    feedback_by_attempt: dict[int, str] = {
        h.attempt: h.feedback for h in earlier if h.category in QUALITY_CATEGORIES
    }
    for attempt in lost:
        feedback_by_attempt[attempt] = lost_attempt_feedback(attempt)
    used = len(feedback_by_attempt)
    quality_attempt = used + 1
    return AttemptPlan(
        quality_attempt=quality_attempt,
        temperature=schedule.temperature_for(quality_attempt),
        feedback=tuple(feedback_by_attempt[a] for a in sorted(feedback_by_attempt)),
        exhausted=quality_attempt > schedule.quality_attempts,
        lost_attempts=lost,
    )
