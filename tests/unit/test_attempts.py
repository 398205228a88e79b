from __future__ import annotations

from domain.attempts import RecordedAttempt, plan_attempt
from domain.retry_schedule import RetrySchedule
from domain.status import ErrorCategory

SCHEDULE = RetrySchedule()


def test_first_attempt_is_hot_and_has_no_feedback() -> None:
    plan = plan_attempt(1, [], SCHEDULE)
    assert (plan.quality_attempt, plan.temperature, plan.feedback) == (1, 0.7, ())
    assert not plan.exhausted


def test_quality_failure_cools_the_next_attempt_and_feeds_back() -> None:
    history = [RecordedAttempt(1, ErrorCategory.SYNTAX, "fix the colon")]
    plan = plan_attempt(2, history, SCHEDULE)
    assert (plan.quality_attempt, plan.temperature) == (2, 0.5)
    assert plan.feedback == ("fix the colon",)


def test_rate_limits_do_not_use_up_quality_attempts() -> None:
    history = [
        RecordedAttempt(1, ErrorCategory.RATE_LIMITED, ""),
        RecordedAttempt(2, ErrorCategory.RATE_LIMITED, ""),
        RecordedAttempt(3, ErrorCategory.PROVIDER_ERROR, ""),
    ]
    plan = plan_attempt(4, history, SCHEDULE)
    assert (plan.quality_attempt, plan.temperature, plan.feedback) == (1, 0.7, ())


def test_an_attempt_that_left_no_row_counts_and_is_reported() -> None:
    plan = plan_attempt(2, [], SCHEDULE)
    assert plan.quality_attempt == 2 and plan.lost_attempts == (1,)
    assert "timed out" in plan.feedback[0]


def test_three_quality_failures_exhaust_the_schedule() -> None:
    history = [RecordedAttempt(a, ErrorCategory.SYNTAX, f"f{a}") for a in (1, 2, 3)]
    plan = plan_attempt(4, history, SCHEDULE)
    assert plan.exhausted
    assert plan.feedback == ("f1", "f2", "f3")


def test_rows_of_this_or_later_attempts_are_ignored() -> None:
    # A redelivered attempt 2 may find its own row from the first delivery.
    history = [
        RecordedAttempt(1, ErrorCategory.SYNTAX, "one"),
        RecordedAttempt(2, ErrorCategory.SYNTAX, "two"),
    ]
    plan = plan_attempt(2, history, SCHEDULE)
    assert plan.quality_attempt == 2 and plan.feedback == ("one",)


def test_a_lost_attempt_says_what_its_row_should_hold() -> None:
    # Attempt 1 failed on syntax, attempt 2 hit a rate limit, attempt 3 was lost: it was the
    # second quality attempt, so it ran at the second temperature.
    history = [
        RecordedAttempt(1, ErrorCategory.SYNTAX, "fix the colon"),
        RecordedAttempt(2, ErrorCategory.RATE_LIMITED, ""),
    ]
    plan = plan_attempt(4, history, SCHEDULE)
    (lost,) = plan.lost
    assert (lost.attempt, lost.quality_attempt, lost.temperature) == (3, 2, 0.5)
    assert "timeout" in lost.message and "dead worker" in lost.message
    assert lost.feedback == plan.feedback[1]
    assert (plan.quality_attempt, plan.temperature) == (3, 0.3)


def test_once_a_lost_attempt_has_its_row_the_plan_is_the_same() -> None:
    # The next delivery finds the row the previous one wrote for the lost attempt: nothing is
    # lost any more, and the attempt counts and reads the same.
    before = plan_attempt(3, [RecordedAttempt(1, ErrorCategory.SYNTAX, "one")], SCHEDULE)
    (lost,) = before.lost
    rows = [
        RecordedAttempt(1, ErrorCategory.SYNTAX, "one"),
        RecordedAttempt(lost.attempt, ErrorCategory.TIMEOUT, lost.feedback),
    ]
    after = plan_attempt(3, rows, SCHEDULE)
    assert after.lost == ()
    assert (after.quality_attempt, after.temperature, after.feedback) == (
        before.quality_attempt,
        before.temperature,
        before.feedback,
    )
