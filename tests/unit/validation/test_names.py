"""Undefined names: found where they are, never where the language defines them."""

from __future__ import annotations

import textwrap

import pytest

from domain.validation.names import parse, undefined_names
from tests.unit.validation.examples import python_tasks, typescript_tasks


def undefined(code: str, path: str = "m.py") -> list[str]:
    return [u.name for u in undefined_names(parse(textwrap.dedent(code), path)).undefined]


@pytest.mark.parametrize("field", ["reference", "skeleton", "tests"])
def test_the_examples_have_no_undefined_names(field: str) -> None:
    for task in python_tasks() + typescript_tasks():
        path = task["test_file"] if field == "tests" else task["file"]
        report = undefined_names(parse(task[field], path))
        assert report.undefined == (), (task["key"], field, report.undefined)


def test_python_names_are_found_with_their_line() -> None:
    report = undefined_names(parse("import os\n\n\ndef f(x):\n    return y + os.sep + x\n", "m.py"))
    assert [(u.name, u.line, u.column) for u in report.undefined] == [("y", 5, 12)]


def test_python_scopes_are_the_compilers() -> None:
    code = """
    from __future__ import annotations
    import typing
    X = 1
    def f(a, *args, b=2, **kw):
        global G
        G = 3
        squares = [i * i for i in a if i > X]
        def inner():
            nonlocal squares
            return squares, a, kw, args, b
        try:
            pass
        except ValueError as err:
            print(err)
        match a:
            case {"k": found}:
                return found
        return inner, (total := 4), total, __name__, __file__, len
    class C(typing.Generic[typing.Any]):
        attr = X
        other = attr
        def method(self):
            return __class__, self, G
    lam = lambda q: q
    """
    assert undefined(code) == []


def test_python_catches_what_scopes_hide() -> None:
    code = """
    class C:
        attr = 1
        def method(self):
            return attr          # class attributes are not visible in methods
    def g():
        return [n for n in range(3)], n
    def h():
        local = 1
    def k():
        return local
    """
    assert undefined(code) == ["attr", "n", "local"]


def test_a_builtin_shadowed_or_not_is_fine_and_names_in_strings_do_not_count() -> None:
    assert undefined("def f(list):\n    return list, dict, 'nothing_here', f'{list}'\n") == []
    assert undefined("x = f'{missing_name}'\n") == ["missing_name"]


def test_star_imports_and_dynamic_globals_are_not_guessed() -> None:
    star = undefined_names(parse("from os.path import *\nprint(join('a'))\n", "m.py"))
    assert star.undefined == () and star.note is not None and "star import" in star.note
    dynamic = undefined_names(parse("globals()['x'] = 1\nprint(x)\n", "m.py"))
    assert dynamic.undefined == () and dynamic.note


def test_known_names_and_ranges() -> None:
    parsed = parse("a = b\nc = d\n", "m.py")
    assert [u.name for u in undefined_names(parsed, known=["b"]).undefined] == ["d"]
    assert [u.name for u in undefined_names(parsed, 0, 6).undefined] == ["b"]


def test_python_the_compiler_cannot_read_falls_back_to_the_parser() -> None:
    # 3.12 type-parameter syntax on an older CPython: the parser-based check still works.
    report = undefined_names(parse("def f[T](x: T) -> T:\n    return x + missing\n", "m.py"))
    assert "missing" in [u.name for u in report.undefined]


def test_typescript_names() -> None:
    code = """
    import { Link } from "./types";
    const PATTERN = /^[a-z0-9-]{3,32}$/;
    export function f(link: Link, n = 1): string {
      const { code } = link;
      type Key<T> = T extends Array<infer U> ? U : never;
      return `${code}\\n${n}` + JSON.stringify(PATTERN) + helper(code);
    }
    """
    assert undefined(code, "a.ts") == ["helper"]


def test_javascript_globals_are_known() -> None:
    code = "const x = require('fs');\nconsole.log(process.env, Math.max(1, 2), x, setTimeout);\n"
    assert undefined(code, "a.js") == []
