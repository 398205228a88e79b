"""Level 1: one atom in its file — syntax, names, dangerous patterns, atomicity, feedback."""

from __future__ import annotations

from domain.atomization import atomize_source
from domain.status import ErrorCategory
from domain.validation.level1 import (
    ATOMICITY,
    DANGEROUS,
    NAMES,
    SYNTAX,
    AtomSpan,
    check_atom,
    check_file_atoms,
    level1_category,
    level1_feedback,
    level1_problems,
)
from tests.unit.validation.examples import python_tasks, typescript_tasks

BEFORE = "import os\n\n\nclass Box:\n    def __init__(self) -> None:\n        self.size = 1\n\n"
AFTER = "\n    def other(self) -> int:\n        return 2\n"
GOOD = "    def grow(self, by: int) -> int:\n        return self.size + by + len(os.sep)\n"


def checks(code: str) -> dict[str, str]:
    return {r.check_name: r.outcome for r in check_atom(code, BEFORE, AFTER, "python")}


def test_a_good_atom_passes_every_rule() -> None:
    assert checks(GOOD) == {
        SYNTAX: "passed",
        NAMES: "passed",
        DANGEROUS: "passed",
        ATOMICITY: "passed",
    }
    assert level1_problems(GOOD, BEFORE, AFTER, "python") == []


def test_every_atom_of_the_examples_passes_in_its_file() -> None:
    for task in python_tasks() + typescript_tasks():
        source = task["reference"]
        result = atomize_source(source, task["file"])
        for atom in result.atoms:
            before = source[: len(source.encode()[: atom.start_byte].decode())]
            after = source[len(before) + len(atom.code) :]
            problems = level1_problems(atom.code, before, after, result.language, path=task["file"])
            assert problems == [], (task["key"], atom.ordinal, problems)


def test_a_syntax_error_is_located_from_the_atoms_first_line() -> None:
    broken = "    def grow(self, by: int) -> int:\n        return self.size + (by\n"
    problems = level1_problems(broken, BEFORE, AFTER, "python")
    assert problems and problems[0].check == SYNTAX
    assert problems[0].line == 2
    assert checks(broken)[NAMES] == "not_run", "names are not judged on code that does not parse"


def test_cpython_catches_what_tree_sitter_accepts() -> None:
    code = "    def grow(self, by: int) -> int:\n        f() = by\n        return by\n"
    problems = level1_problems(code, BEFORE, AFTER, "python")
    assert [p.check for p in problems] == [SYNTAX]


def test_an_undefined_name_is_reported_but_a_name_of_the_file_is_not() -> None:
    code = "    def grow(self, by: int) -> int:\n        return helper(by) + other_thing\n"
    problems = level1_problems(code, BEFORE, AFTER, "python")
    assert [(p.check, p.line) for p in problems] == [(NAMES, 2), (NAMES, 2)]
    assert "helper" in problems[0].message
    uses_sibling = "    def grow(self, by: int) -> int:\n        return Box().other() + by\n"
    assert level1_problems(uses_sibling, BEFORE, AFTER, "python") == []


def test_names_the_spec_could_not_resolve_either_are_accepted() -> None:
    code = "    def grow(self, by: int) -> int:\n        return injected + by\n"
    context = {"unresolved": ["injected"]}
    assert level1_problems(code, BEFORE, AFTER, "python", context) == []


def test_dangerous_code_fails() -> None:
    code = "    def grow(self, by: str) -> int:\n        return eval(by)\n"
    problems = level1_problems(code, BEFORE, AFTER, "python")
    assert [(p.check, p.line) for p in problems] == [(DANGEROUS, 2)]


def test_atomicity_is_scored_and_only_warns() -> None:
    body = "".join(f"        x{i} = by + {i}\n" for i in range(20))
    code = f"    def grow(self, by: int) -> int:\n{body}        return x0\n"
    result = next(r for r in check_atom(code, BEFORE, AFTER, "python") if r.check_name == ATOMICITY)
    assert result.passed
    assert result.warnings and "lines of code" in result.warnings[0].message


def test_typescript_atom() -> None:
    before = 'import { Link } from "./types";\n\n'
    good = "export function code(link: Link): string {\n  return link.code;\n}\n"
    assert level1_problems(good, before, "", "typescript", path="src/x.ts") == []
    bad = "export function code(link: Link): string {\n  return link.code + suffix;\n}\n"
    problems = level1_problems(bad, before, "", "typescript", path="src/x.ts")
    assert [(p.check, p.line) for p in problems] == [(NAMES, 2)]


def test_feedback_says_what_where_and_how_to_fix() -> None:
    code = "    def grow(self, by: int) -> int:\n        return helper(by)\n"
    problems = level1_problems(code, BEFORE, AFTER, "python")
    text = level1_feedback(problems)
    assert "line 2" in text and "helper" in text and "Fix:" in text
    assert level1_feedback([]) == ""
    assert level1_category(problems) is ErrorCategory.DEPENDENCY
    broken = level1_problems("    def grow(self:\n", BEFORE, AFTER, "python")
    assert level1_category(broken) is ErrorCategory.SYNTAX


def test_check_file_atoms_parses_once_for_all_atoms() -> None:
    text = BEFORE + GOOD + AFTER
    start = len(BEFORE.encode())
    spans = [AtomSpan("a", 0, start), AtomSpan("b", start, start + len(GOOD.encode()))]
    results = check_file_atoms(text, "box.py", "python", spans)
    assert set(results) == {"a", "b"}
    assert all(r.passed for rs in results.values() for r in rs)
    assert all(r.atom_id == "b" for r in results["b"])
