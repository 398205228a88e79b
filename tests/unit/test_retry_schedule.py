from __future__ import annotations

import pytest

from domain.retry_schedule import RetrySchedule, parse_temperatures


def test_default_schedule_falls_with_each_attempt() -> None:
    schedule = RetrySchedule()
    assert schedule.quality_attempts == 3
    assert [schedule.temperature_for(a) for a in (1, 2, 3)] == [0.7, 0.5, 0.3]
    assert schedule.temperature_for(7) == 0.3, "past the schedule the last temperature holds"
    assert [schedule.backoff_before(a) for a in (1, 2, 3, 4, 5)] == [0.0, 1.0, 2.0, 4.0, 4.0]


def test_schedule_is_configurable_and_checked() -> None:
    assert parse_temperatures("0.9, 0.1") == (0.9, 0.1)
    with pytest.raises(ValueError, match="outside"):
        RetrySchedule((0.5, 1.5))
    with pytest.raises(ValueError, match="at least one"):
        RetrySchedule(())
