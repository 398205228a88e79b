"""AtomicityValidator: ten criteria, 10% each, violations with severity."""

from __future__ import annotations

from domain.atomization import CRITERIA, AtomizationConfig

from .helpers import atomize


def test_ten_criteria_and_score() -> None:
    assert len(CRITERIA) == 10
    source = (
        "def add(a: int, b: int) -> int:\n    '''Sum.\n\n    Returns:\n        the sum.\n    '''\n"
        "    return a + b\n"
    )
    (atom,) = atomize(source).atoms
    report = atom.atomicity
    assert set(report.criteria) == set(CRITERIA)
    assert report.score == 1.0
    assert report.violations == ()


def test_score_is_ten_percent_per_failed_criterion() -> None:
    source = "import random\n\n\ndef roll(n):\n    print(n)\n    return random.randint(1, n)\n"
    (atom,) = atomize(source).atoms
    failed = {v.criterion for v in atom.atomicity.violations}
    assert {"deterministic", "side_effect_free", "clear_io"} <= failed
    assert atom.atomicity.score == round(1 - len(failed) / 10, 4)
    severities = {v.criterion: v.severity for v in atom.atomicity.violations}
    assert severities["deterministic"] == "medium"
    assert severities["side_effect_free"] == "low"


def test_fragment_of_function_not_independent_nor_testable() -> None:
    body = "".join(f"    v{i} = x + {i}\n" for i in range(20))
    uses = " + ".join(f"v{i}" for i in range(20))
    atoms = atomize(f"def f(x: int) -> int:\n{body}    return {uses}\n").atoms
    last = atoms[-1]
    assert last.kind == "block"
    assert last.atomicity.criteria["independent"] is False
    assert last.atomicity.criteria["testable"] is False
    assert any("uses locals bound in sibling atoms" in v.message for v in last.atomicity.violations)


def test_complexity_and_size_violations() -> None:
    source = "def f(x):\n    return [a for a in x if a and a.b or a.c]\n"
    (atom,) = atomize(source).atoms
    assert atom.atomicity.criteria["complexity_below_max"] is False
    cfg = AtomizationConfig(target_loc=2, max_loc=3)
    big = "X = [\n" + "    1,\n" * 10 + "]\n"
    (atom,) = atomize(big, config=cfg).atoms
    assert atom.atomicity.criteria["loc_within_max"] is False
    (violation,) = [v for v in atom.atomicity.violations if v.criterion == "loc_within_max"]
    assert violation.severity == "high"


def test_syntax_error_breaks_clear_boundaries_with_high_severity() -> None:
    (atom,) = atomize("def f(:\n    return 1\n").atoms
    assert atom.issues
    (v,) = [v for v in atom.atomicity.violations if v.criterion == "clear_boundaries"]
    assert v.severity == "high"


def test_multiple_definitions_break_single_responsibility() -> None:
    source = "".join(f"def f{i}(x: int) -> int:\n    return x + {i}\n\n\n" for i in range(3))
    (atom,) = atomize(source).atoms
    assert atom.atomicity.criteria["single_responsibility"] is False


def test_javascript_clear_io_from_jsdoc() -> None:
    documented = (
        "/**\n * @param {number} a\n * @returns {number}\n */\nfunction f(a) { return a; }\n"
    )
    (atom,) = atomize(documented, "a.js").atoms
    assert atom.atomicity.criteria["clear_io"] is True
    (atom,) = atomize("function f(a) { return a; }\n", "a.js").atoms
    assert atom.atomicity.criteria["clear_io"] is False
    (atom,) = atomize("function f(a: number): number { return a; }\n", "a.ts").atoms
    assert atom.atomicity.criteria["clear_io"] is True
