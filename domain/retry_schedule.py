"""How a failing atom is retried: temperature falls with every quality attempt.

Temporal's RetryPolicy drives the attempts; this module only says what an attempt number
means, so that the workflow (which sets the policy) and the activity (which reads the attempt)
agree without sharing anything but these numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

DEFAULT_TEMPERATURES: tuple[float, ...] = (0.7, 0.5, 0.3)


@dataclass(frozen=True)
class RetrySchedule:
    temperatures: tuple[float, ...] = DEFAULT_TEMPERATURES
    initial_backoff_s: float = 1.0
    backoff_coefficient: float = 2.0
    max_backoff_s: float = 4.0

    def __post_init__(self) -> None:
        if not self.temperatures:
            raise ValueError("the temperature schedule needs at least one temperature")
        for t in self.temperatures:
            if not 0.0 <= t <= 1.0:
                raise ValueError(f"temperature {t} is outside 0..1")

    @property
    def quality_attempts(self) -> int:
        return len(self.temperatures)

    def temperature_for(self, quality_attempt: int) -> float:
        """Temperature of the 1-based quality attempt; past the schedule the last one holds."""
        index = min(max(quality_attempt, 1), len(self.temperatures)) - 1
        return self.temperatures[index]

    def backoff_before(self, quality_attempt: int) -> float:
        """Seconds to wait before the 1-based attempt (1 s → 2 s → 4 s by default)."""
        if quality_attempt <= 1:
            return 0.0
        delay = self.initial_backoff_s * self.backoff_coefficient ** (quality_attempt - 2)
        return float(min(delay, self.max_backoff_s))


def parse_temperatures(values: Sequence[float] | str) -> tuple[float, ...]:
    if isinstance(values, str):
        values = [float(v) for v in values.replace(",", " ").split()]
    return RetrySchedule(tuple(float(v) for v in values)).temperatures
