"""A level-4 test run's stored result says which sandbox it ran in when that was the fallback."""

from __future__ import annotations

from activities.sandbox import FALLBACK, SandboxResult
from activities.validation import outcome_of_test_run
from persistence.validation_rows import row_of


def _run(isolation: str, gaps: tuple[str, ...], exit_code: int = 0) -> SandboxResult:
    return SandboxResult(
        exit_code=exit_code,
        stdout="1 passed in 0.01s\n",
        stderr="",
        timed_out=False,
        killed_reason=None,
        isolation=isolation,
        duration_s=0.1,
        gaps=gaps,
    )


def test_a_fallback_run_is_recorded_with_a_warning_naming_what_it_lacked() -> None:
    check = outcome_of_test_run(
        _run(FALLBACK, ("pid namespace", "mount namespace")), [], {"passed": 1}, 5.0, "python"
    )
    assert check.outcome == "passed"
    row = row_of(check)
    assert len(row["warnings"]) == 1
    warning = row["warnings"][0]
    assert warning["severity"] == "warning"
    assert FALLBACK in warning["message"] and "pid namespace" in warning["message"]


def test_a_fully_isolated_run_has_no_sandbox_warning() -> None:
    check = outcome_of_test_run(_run("bubblewrap", ()), [], {"passed": 1}, 5.0, "python")
    assert check.outcome == "passed" and row_of(check)["warnings"] == []
