"""Signatures of definitions and the arity of calls."""

from __future__ import annotations

import textwrap

import pytest

from domain.validation.names import parse
from domain.validation.signatures import (
    KEYWORD_ONLY,
    POSITIONAL_ONLY,
    VAR_KEYWORD,
    VAR_POSITIONAL,
    CallSite,
    arity_problem,
    call_site,
    collect_signatures,
)


def sigs(code: str, path: str = "m.py") -> dict[str, str]:
    return {
        k: v.render() for k, v in collect_signatures(parse(textwrap.dedent(code), path)).items()
    }


def test_python_parameters_of_every_kind() -> None:
    found = collect_signatures(
        parse("def f(a, /, b: int, c=1, *args: str, d, e: bool = True, **kw) -> X: ...\n", "m.py")
    )
    kinds = [(p.name, p.kind, p.has_default) for p in found["f"].params]
    assert kinds == [
        ("a", POSITIONAL_ONLY, False),
        ("b", "positional", False),
        ("c", "positional", True),
        ("args", VAR_POSITIONAL, False),
        ("d", KEYWORD_ONLY, False),
        ("e", KEYWORD_ONLY, True),
        ("kw", VAR_KEYWORD, False),
    ]
    assert found["f"].returns == "X"


def test_classes_get_their_constructor_signature() -> None:
    found = sigs(
        """
        from dataclasses import dataclass
        class Plain:
            def __init__(self, size: int) -> None: ...
        @dataclass
        class Data:
            name: str
            count: int = 0
        class Empty:
            def method(self): ...
        def outer():
            def inner(): ...
        """
    )
    assert found["Plain"] == "Plain(size: int)"
    assert found["Data"] == "Data(name: str, count: int = …)"
    assert found["Empty"] == "Empty()"
    assert "Empty.method" in found and "inner" not in found and "outer.inner" not in found


def test_decorated_and_overloaded_functions_are_not_judged_by_arity() -> None:
    found = collect_signatures(
        parse(
            "import click\n@click.command()\ndef cli(x): ...\n@staticmethod\ndef s(a): ...\n",
            "m.py",
        )
    )
    assert not found["cli"].callable_known and found["s"].callable_known


def test_typescript_signatures() -> None:
    found = sigs(
        """
        export function f(this: Window, a: number, b?: string, c = 1, ...rest: number[]): void {}
        export class A {
          constructor(private x: number) {}
          m(a: number): number { return a; }
        }
        export const g = (a: string): string => a;
        """,
        "a.ts",
    )
    assert found["f"] == "f(a: number, b: string = …, c=…, *rest: number[]) -> void"
    assert found["A"] == "A(x: number)"
    assert found["A.m"] == "A.m(a: number) -> number"
    assert found["g"] == "g(a: string) -> string"


@pytest.mark.parametrize(
    ("code", "call", "problem"),
    [
        ("def f(a, b=1): ...", CallSite(1, (), False, 1, 1), None),
        (
            "def f(a, b=1): ...",
            CallSite(3, (), False, 1, 1),
            "takes 2 positional arguments but 3 were given",
        ),
        ("def f(a, b=1): ...", CallSite(0, (), False, 1, 1), "missing 1 required argument: 'a'"),
        (
            "def f(a, b=1): ...",
            CallSite(1, ("a",), False, 1, 1),
            "got multiple values for argument 'a'",
        ),
        (
            "def f(a, b=1): ...",
            CallSite(1, ("c",), False, 1, 1),
            "got an unexpected keyword argument 'c'",
        ),
        ("def f(a, **kw): ...", CallSite(1, ("c",), False, 1, 1), None),
        ("def f(*args): ...", CallSite(9, (), False, 1, 1), None),
        ("def f(a, *, k): ...", CallSite(1, (), False, 1, 1), "missing 1 required argument: 'k'"),
        ("def f(a): ...", CallSite(5, (), True, 1, 1), None),
    ],
)
def test_arity(code: str, call: CallSite, problem: str | None) -> None:
    params = collect_signatures(parse(code + "\n", "m.py"))["f"].params
    assert arity_problem(params, call) == problem


def test_javascript_allows_fewer_arguments() -> None:
    params = collect_signatures(parse("function f(a, b) {}\n", "a.js"))["f"].params
    assert arity_problem(params, CallSite(1, (), False, 1, 1), typed=False) is None
    assert arity_problem(params, CallSite(3, (), False, 1, 1), typed=False) is not None


def test_a_generator_argument_is_one_argument() -> None:
    parsed = parse("def f(items): ...\nf(x * 2 for x in range(3))\n", "m.py")
    call = parsed.root.named_children[1].named_children[0]
    params = collect_signatures(parsed)["f"].params
    assert call_site(call).positional == 1
    assert arity_problem(params, call_site(call)) is None
