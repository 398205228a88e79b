"""Level 2: a task's assembled file against itself and its skeleton."""

from __future__ import annotations

import textwrap

from domain.validation.level2 import (
    IMPORTS,
    NAMING,
    PARSES,
    SIGNATURES,
    AtomLines,
    check_task_file,
)
from tests.unit.validation.examples import python_tasks, typescript_tasks

SKELETON = textwrap.dedent(
    '''\
    from dataclasses import dataclass


    @dataclass
    class Item:
        title: str
        done: bool = False

        def complete(self) -> "Item":
            """Done copy."""
            ...


    def count(items: list[Item], *, done: bool = True) -> int:
        """How many."""
        ...
    '''
)
CODE = SKELETON.replace(
    '        """Done copy."""\n        ...\n',
    '        """Done copy."""\n        return Item(self.title, True)\n',
).replace(
    '    """How many."""\n    ...\n',
    '    """How many."""\n    return sum(1 for i in items if i.done is done)\n',
)


def outcomes(text: str, spec: str | None = SKELETON, path: str = "shop/items.py") -> dict[str, str]:
    return {r.check_name: r.outcome for r in check_task_file(text, path, "python", spec=spec)}


def test_the_examples_pass_level_2_against_their_skeletons() -> None:
    for task in python_tasks() + typescript_tasks():
        language = "python" if task["file"].endswith(".py") else "typescript"
        results = check_task_file(task["reference"], task["file"], language, spec=task["skeleton"])
        assert all(r.passed for r in results), [
            (r.check_name, [v.describe() for v in r.violations]) for r in results
        ]


def test_the_filled_in_file_passes() -> None:
    assert outcomes(CODE) == {
        PARSES: "passed",
        IMPORTS: "passed",
        SIGNATURES: "passed",
        NAMING: "passed",
    }


def test_a_file_that_does_not_parse_fails_and_the_rest_is_not_run() -> None:
    results = check_task_file(CODE + "def broken(:\n", "shop/items.py", "python", spec=SKELETON)
    assert [(r.check_name, r.outcome) for r in results] == [
        (PARSES, "failed"),
        (IMPORTS, "not_run"),
        (SIGNATURES, "not_run"),
        (NAMING, "not_run"),
    ]
    assert all(r.reason for r in results[1:])


def test_a_removed_import_fails_and_an_unused_one_warns() -> None:
    removed = CODE.replace("from dataclasses import dataclass\n", "")
    results = check_task_file(removed, "shop/items.py", "python", spec=SKELETON)
    imports = next(r for r in results if r.check_name == IMPORTS)
    assert imports.failed and "dataclass" in imports.violations[0].message
    unused = "import os\n" + CODE
    imports = next(
        r
        for r in check_task_file(unused, "shop/items.py", "python", spec=SKELETON)
        if r.check_name == IMPORTS
    )
    assert imports.passed and "never used" in imports.warnings[0].message


def test_package_files_and_all_lists_may_re_export() -> None:
    assert outcomes("from shop.items import Item\n", None, "shop/__init__.py")[IMPORTS] == "passed"
    results = check_task_file(
        "from shop.items import Item\n__all__ = ['Item']\n", "shop/api.py", "python"
    )
    assert next(r for r in results if r.check_name == IMPORTS).warnings == ()


def test_signatures_must_match_the_skeleton() -> None:
    changed = CODE.replace(
        "def count(items: list[Item], *, done: bool = True)", "def count(items, done=True)"
    )
    results = check_task_file(changed, "shop/items.py", "python", spec=SKELETON)
    signatures = next(r for r in results if r.check_name == SIGNATURES)
    assert signatures.failed and "count" in signatures.violations[0].message
    missing = CODE.replace("def count(", "def total(")
    signatures = next(
        r
        for r in check_task_file(missing, "shop/items.py", "python", spec=SKELETON)
        if r.check_name == SIGNATURES
    )
    assert any(
        "`count` is in the skeleton but not in the file" in v.message for v in signatures.violations
    )
    assert any("total" in w.message for w in signatures.warnings)
    undecorated = CODE.replace("@dataclass\n", "")
    signatures = next(
        r
        for r in check_task_file(undecorated, "shop/items.py", "python", spec=SKELETON)
        if r.check_name == SIGNATURES
    )
    assert signatures.failed and "Item" in signatures.violations[0].message


def test_without_a_skeleton_the_signature_check_is_not_run() -> None:
    results = check_task_file(CODE, "shop/items.py", "python", spec=None)
    signatures = next(r for r in results if r.check_name == SIGNATURES)
    assert signatures.not_run and signatures.reason


def test_naming_conventions_warn_for_names_the_skeleton_did_not_choose() -> None:
    code = CODE + "\n\ndef CountAll() -> int:\n    return 0\n\n\nclass lower_case:\n    pass\n"
    naming = next(
        r
        for r in check_task_file(code, "shop/items.py", "python", spec=SKELETON)
        if r.check_name == NAMING
    )
    assert naming.passed
    assert {w.message for w in naming.warnings} == {
        "function `CountAll` should be snake_case",
        "class `lower_case` should be CapWords",
    }
    ts = "export function Format_it(): string {\n  return '';\n}\n"
    naming = next(
        r for r in check_task_file(ts, "src/a.ts", "typescript") if r.check_name == NAMING
    )
    assert naming.warnings and "camelCase" in naming.warnings[0].message


def test_violations_carry_the_atom_they_sit_in() -> None:
    removed = CODE.replace("from dataclasses import dataclass\n", "")
    atoms = [AtomLines("head", 1, 3), AtomLines("body", 4, 40)]
    results = check_task_file(removed, "shop/items.py", "python", spec=SKELETON, atoms=atoms)
    imports = next(r for r in results if r.check_name == IMPORTS)
    assert imports.violations[0].atom_id in {"head", "body"}
    assert imports.violations[0].path == "shop/items.py"
