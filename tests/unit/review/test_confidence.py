from __future__ import annotations

import pytest

from domain.review import (
    CheckTally,
    ConfidenceInput,
    ConfidenceLevel,
    ConfidenceScorer,
    ConfidenceWeights,
    LevelThresholds,
    split_by_level,
)

ALL_PASSED = CheckTally(passed=4)
TESTS_PASSED = CheckTally(passed=2)
scorer = ConfidenceScorer()


def perfect(**changes: object) -> ConfidenceInput:
    base: dict[str, object] = {
        "validation": ALL_PASSED,
        "attempts_used": 1,
        "complexity": 1,
        "loc": 8,
        "integration": TESTS_PASSED,
    }
    base.update(changes)
    return ConfidenceInput(**base)  # type: ignore[arg-type]


def test_a_clean_first_attempt_with_passing_tests_is_fully_trusted() -> None:
    result = scorer.score(perfect())
    assert (result.score, result.level, result.reasons) == (1.0, ConfidenceLevel.HIGH, ())
    assert result.components == {
        "validation": 1.0,
        "attempts": 1.0,
        "complexity": 1.0,
        "integration": 1.0,
    }


def test_weights_are_40_30_20_10() -> None:
    # Each component alone at zero costs exactly its weight.
    assert scorer.score(perfect(validation=CheckTally(failed=4))).score == 0.6
    assert scorer.score(perfect(attempts_used=3)).score == 0.7
    assert scorer.score(perfect(complexity=6, loc=30)).score == 0.8
    assert scorer.score(perfect(integration=CheckTally(failed=1))).score == 0.9


def test_not_run_never_counts_as_passed() -> None:
    tally = CheckTally(passed=3, not_run=1, not_run_names=("type_check",))
    result = scorer.score(perfect(validation=tally, integration=CheckTally()))
    # validation 3/4 (0.3 of 0.4), no tests ran (0 of 0.1)
    assert result.score == 0.8
    assert result.level is ConfidenceLevel.MEDIUM
    assert result.reasons == (
        "validation checks: 1 not run (type_check) (-0.10)",
        "integration tests: none ran (-0.10)",
    )


def test_no_check_at_all_earns_nothing_for_validation() -> None:
    result = scorer.score(perfect(validation=CheckTally()))
    assert result.components["validation"] == 0.0
    assert "validation: no check ran (-0.40)" in result.reasons


def test_attempts_fall_linearly_to_the_last_allowed() -> None:
    scores = [scorer.score(perfect(attempts_used=n)).components["attempts"] for n in (1, 2, 3)]
    assert scores == [1.0, 0.5, 0.0]
    assert scorer.score(perfect(attempts_used=9)).components["attempts"] == 0.0
    one_try = perfect(attempts_used=1, attempts_allowed=1)
    assert scorer.score(one_try).components["attempts"] == 1.0
    assert "needed 2 of 3 attempts (-0.15)" in scorer.score(perfect(attempts_used=2)).reasons


def test_complexity_and_size_against_the_atomization_limits() -> None:
    # max_complexity is exclusive (as in AtomizationConfig): 2 is fine, 3 already costs.
    assert scorer.score(perfect(complexity=2)).components["complexity"] == 1.0
    at_limit = scorer.score(perfect(complexity=3))
    assert at_limit.components["complexity"] == pytest.approx(1 - 1 / 6, abs=1e-4)
    assert any("cyclomatic complexity 3" in r for r in at_limit.reasons)
    assert scorer.score(perfect(loc=15)).components["complexity"] == 1.0
    big = scorer.score(perfect(loc=30))
    assert big.components["complexity"] == 0.5
    assert any("30 lines of code (limit 15)" in r for r in big.reasons)


def test_a_retried_atom_without_tests_scores_low() -> None:
    tally = CheckTally(passed=3, not_run=1)
    result = scorer.score(perfect(validation=tally, attempts_used=2, integration=CheckTally()))
    assert result.score == 0.65
    assert result.level is ConfidenceLevel.LOW
    # the largest loss comes first
    assert result.reasons[0].startswith("needed 2 of 3 attempts")


def test_failed_atoms_are_critical_whatever_else_holds() -> None:
    result = scorer.score(perfect(failed=True, attempts_used=3))
    assert result.level is ConfidenceLevel.CRITICAL
    assert result.components["validation"] == 0.0
    assert result.components["attempts"] == 0.0
    assert result.reasons[0] == "generation failed: no attempt passed (-0.40)"
    assert "failed after 3 attempts (-0.30)" in result.reasons
    lenient = ConfidenceScorer(thresholds=LevelThresholds(high=0.2, medium=0.1, low=0.0))
    assert lenient.score(perfect(failed=True)).level is ConfidenceLevel.CRITICAL


def test_failed_checks_are_named_in_the_reasons() -> None:
    tally = CheckTally.of([("syntax", "passed"), ("names", "failed"), ("types", "not_run")])
    result = scorer.score(perfect(validation=tally))
    expected = "validation checks: 1 of 3 failed (names); 1 not run (types) (-0.27)"
    assert result.reasons[0] == expected


def test_levels_and_thresholds_are_configurable() -> None:
    default = LevelThresholds()
    assert [default.level_of(s) for s in (0.85, 0.84, 0.7, 0.69, 0.5, 0.49)] == [
        ConfidenceLevel.HIGH,
        ConfidenceLevel.MEDIUM,
        ConfidenceLevel.MEDIUM,
        ConfidenceLevel.LOW,
        ConfidenceLevel.LOW,
        ConfidenceLevel.CRITICAL,
    ]
    strict = ConfidenceScorer(thresholds=LevelThresholds(high=0.95, medium=0.9, low=0.8))
    assert strict.score(perfect(integration=CheckTally())).level is ConfidenceLevel.MEDIUM
    tests_only = ConfidenceScorer(weights=ConfidenceWeights(0.0, 0.0, 0.0, 1.0))
    assert tests_only.score(perfect(validation=CheckTally(failed=3))).score == 1.0


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: ConfidenceWeights(0.5, 0.5, 0.5, 0.5), "add up to 1"),
        (lambda: ConfidenceWeights(1.2, -0.2, 0.0, 0.0), "negative"),
        (lambda: LevelThresholds(high=0.5, medium=0.7, low=0.2), "low <= medium <= high"),
        (lambda: CheckTally(passed=-1), "negative"),
        (lambda: ConfidenceInput(CheckTally(), attempts_used=1, attempts_allowed=0), "at least"),
    ],
)
def test_bad_configuration_is_refused(build: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build()  # type: ignore[operator]


def test_tally_keeps_the_last_outcome_of_each_check() -> None:
    tally = CheckTally.of([("syntax", "failed"), ("types", "not_run"), ("syntax", "passed")])
    assert (tally.passed, tally.failed, tally.not_run) == (1, 0, 1)
    assert tally.not_run_names == ("types",)
    with pytest.raises(ValueError):
        CheckTally.of([("syntax", "maybe")])


def test_split_by_level_separates_project_tests() -> None:
    validation, integration = split_by_level(
        [(1, "syntax", "passed"), (2, "imports", "failed"), (4, "pytest", "not_run")]
    )
    assert (validation.passed, validation.failed, validation.total) == (1, 1, 2)
    assert (integration.not_run, integration.not_run_names) == (1, ("pytest",))
