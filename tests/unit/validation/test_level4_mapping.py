"""Level 4: test runner output read back, and failures blamed on atoms."""

from __future__ import annotations

from domain.validation.level2 import AtomLines
from domain.validation.level4_mapping import map_failures, parse_node_tap, parse_pytest

PYTEST = """\
F.E                                                                      [100%]
==================================== ERRORS ====================================
______________________ ERROR collecting tests/test_b.py _______________________
Traceback (most recent call last):
  File "/work/x/tests/test_b.py", line 1, in <module>
    from todo.broken import thing
  File "/work/x/todo/broken.py", line 3
    def thing(:
              ^
SyntaxError: invalid syntax
=================================== FAILURES ===================================
_________________________________ test_total __________________________________
Traceback (most recent call last):
  File "/work/x/tests/test_a.py", line 5, in test_total
    assert total([1, 2]) == 3
  File "/work/x/todo/calc.py", line 7, in total
    return sum(items) / 0
ZeroDivisionError: division by zero
________________________________ test_format ___________________________________
Traceback (most recent call last):
  File "/work/x/tests/test_a.py", line 9, in test_format
    assert format_total(3) == "3 items"
AssertionError: assert '3 item' == '3 items'
=========================== short test summary info ============================
FAILED tests/test_a.py::test_total - ZeroDivisionError: division by zero
FAILED tests/test_a.py::test_format - AssertionError: assert '3 item' == '3 items'
ERROR tests/test_b.py
2 failed, 1 passed, 1 error in 0.05s
"""

SOURCES = {
    "todo/calc.py": "\n" * 4
    + "def total(items):\n    '''Sum.'''\n    return sum(items) / 0\n\n\n"
    + "def format_total(n):\n    return f'{n} item'\n",
    "todo/broken.py": "x = 1\n\ndef thing(:\n",
    "tests/test_a.py": (
        "from todo.calc import total, format_total\n\n\n"
        "def test_total():\n    assert total([1, 2]) == 3\n\n\n"
        'def test_format():\n    assert format_total(3) == "3 items"\n'
    ),
}
ATOMS = {
    "todo/calc.py": [
        AtomLines("calc-head", 1, 4, None),
        AtomLines("calc-total", 5, 8, "total"),
        AtomLines("calc-format", 9, 11, "format_total"),
    ],
    "todo/broken.py": [AtomLines("broken-all", 1, 3, "thing")],
}


def test_pytest_failures_and_collection_errors_are_read() -> None:
    failures = parse_pytest(PYTEST, ["/work/x"])
    by_test = {f.test: f for f in failures}
    assert set(by_test) == {
        "tests/test_a.py::test_total",
        "tests/test_a.py::test_format",
        "tests/test_b.py",
    }
    total = by_test["tests/test_a.py::test_total"]
    assert [(f.path, f.line) for f in total.frames] == [("tests/test_a.py", 5), ("todo/calc.py", 7)]
    assert total.message.startswith("ZeroDivisionError")
    assert by_test["tests/test_b.py"].frames[-1].path == "todo/broken.py"


def test_failures_are_blamed_on_traceback_atoms_else_on_what_the_test_calls() -> None:
    failures = parse_pytest(PYTEST, ["/work/x"])
    blames = map_failures(failures, ATOMS, SOURCES, ["tests/test_a.py", "tests/test_b.py"])
    found = {(b.test, b.atom_id, b.how) for b in blames}
    assert ("tests/test_a.py::test_total", "calc-total", "traceback") in found
    assert ("tests/test_a.py::test_format", "calc-format", "called by the failing test") in found
    assert ("tests/test_b.py", "broken-all", "traceback") in found
    assert all(b.describe().startswith("test ") for b in blames)


TAP = """\
TAP version 13
# Subtest: formatLink
not ok 1 - formatLink
  ---
  duration_ms: 1.1
  location: '/w/out/src/format.test.js:5:1'
  failureType: 'testCodeFailure'
  error: |-
    Expected values to be strictly equal:
    'a' !== 'b'
  code: 'ERR_ASSERTION'
  stack: |-
    formatLink (/w/src/format.ts:6:10)
    TestContext.<anonymous> (/w/src/format.test.ts:12:3)
    Test.runInAsyncScope (node:async_hooks:206:9)
  ...
# Subtest: ok one
ok 2 - ok one
  ---
  duration_ms: 0.2
  ...
1..2
# pass 1
# fail 1
"""


def test_node_tap_failures_are_read_with_their_source_mapped_frames() -> None:
    failures = parse_node_tap(TAP, ["/w"])
    assert [f.test for f in failures] == ["formatLink"]
    failure = failures[0]
    assert "strictly equal" in failure.message
    assert [(f.path, f.line) for f in failure.frames] == [
        ("src/format.test.ts", 12),
        ("src/format.ts", 6),
    ]
    atoms = {"src/format.ts": [AtomLines("fmt", 3, 8, "formatLink")]}
    blames = map_failures(failures, atoms, {}, ["src/format.test.ts"])
    assert [(b.atom_id, b.line) for b in blames] == [("fmt", 6)]
