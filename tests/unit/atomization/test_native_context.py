"""The native context stage gives every atom the very context the Python stage gives.

Both stages get the same input: each side parses and decomposes the source on its own (the
same way), so that no cache kept on the parsed file (JSDoc, member descriptions) lets one
side reuse what the other worked out. That the stages before give the same input with and
without the native core is test_native_pipeline's business.
"""

from __future__ import annotations

import random
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

import domain.atomization as pkg
from domain.atomization import (
    AtomizationConfig,
    MultiLanguageParser,
    RecursiveDecomposer,
    _native,
    api,
)
from domain.atomization._native import context as native_context
from domain.atomization.context import ContextFacts, ContextInjector
from domain.atomization.contracts import parse_contract
from domain.atomization.model import AtomContext
from domain.atomization.syntax import _clean_jsdoc, docstring_text

from .test_atomize_lossless import SETTINGS, mutated, python_programs, ts_programs

_REPO = Path(pkg.__file__).resolve().parents[2]
_SMALL = AtomizationConfig(target_loc=3, max_loc=5, max_complexity=2)
_PARSER = MultiLanguageParser()
_PATHS = ["m.ts", "m.tsx", "m.js"]

Contexts = list[tuple[AtomContext, ContextFacts]]


def _contexts(
    data: bytes, path: str, config: AtomizationConfig | None, tests: dict[str, str] | None
) -> tuple[Contexts, Contexts]:
    cfg = config or AtomizationConfig()
    parsed = _PARSER.parse(data, path)
    decomposition = RecursiveDecomposer(cfg).decompose(parsed)
    native = native_context.ContextInjector(parsed, decomposition, tests).inject_all()
    parsed = _PARSER.parse(data, path)
    decomposition = RecursiveDecomposer(cfg).decompose(parsed)
    injector = ContextInjector(parsed, decomposition, tests)
    reference = [injector.inject(i) for i in range(len(decomposition.segments))]
    return native, reference


def _nodes(facts: ContextFacts) -> list[tuple[str, int, int]]:
    # nodes of two parses are never equal: compare what they are and where
    return [(n.type, n.start_byte, n.end_byte) for n in facts.functions]


def _same(
    data: bytes | str,
    path: str,
    config: AtomizationConfig | None = None,
    tests: dict[str, str] | None = None,
) -> Contexts:
    raw = data.encode() if isinstance(data, str) else data
    native, reference = _contexts(raw, path, config, tests)
    assert len(native) == len(reference), path
    for index, ((context, facts), (ref_context, ref_facts)) in enumerate(
        zip(native, reference, strict=True)
    ):
        where = f"{path} atom {index}"
        assert context == ref_context, where
        # same fields in the same order, numbers of the same type
        assert list(vars(context)) == list(vars(ref_context)), where
        assert list(context.components.items()) == list(ref_context.components.items()), where
        numbers = [context.completeness, *context.components.values()]
        ref_numbers = [ref_context.completeness, *ref_context.components.values()]
        assert list(map(type, numbers)) == list(map(type, ref_numbers)), where
        assert facts.words == ref_facts.words, where
        assert facts.sibling_locals == ref_facts.sibling_locals, where
        assert facts.definitions == ref_facts.definitions, where
        assert facts.inside_function is ref_facts.inside_function, where
        assert _nodes(facts) == _nodes(ref_facts), where
    return native


def test_the_native_context_stage_is_built_and_used() -> None:
    assert _native.AVAILABLE, _native.UNAVAILABLE_REASON
    assert _native.enabled()
    assert api._native_context is native_context


def test_inject_and_inject_all_agree() -> None:
    data = (_REPO / "domain" / "atomization" / "context.py").read_bytes()
    parsed = _PARSER.parse(data, "context.py")
    decomposition = RecursiveDecomposer(_SMALL).decompose(parsed)
    injector = native_context.ContextInjector(parsed, decomposition)
    every = injector.inject_all()
    assert len(every) == len(decomposition.segments) > 10
    assert [injector.inject(i) for i in range(len(every))] == every
    assert [injector.inject(i) for i in reversed(range(len(every)))] == every[::-1]
    assert injector.inject(-1) == every[-1]


@SETTINGS
@given(python_programs(), st.sampled_from(["\n", "\r\n"]), st.booleans())
def test_generated_python(program: str, newline: str, small: bool) -> None:
    _same(program.replace("\n", newline), "gen.py", _SMALL if small else None)


@SETTINGS
@given(ts_programs(), st.sampled_from(_PATHS), st.booleans())
def test_generated_typescript(program: str, path: str, small: bool) -> None:
    _same(program, path, _SMALL if small else None)


@SETTINGS
@given(mutated(python_programs()))
def test_mutated_python(data: bytes) -> None:
    _same(data, "mut.py")
    _same(data, "mut.py", _SMALL)


@SETTINGS
@given(mutated(ts_programs()), st.sampled_from(_PATHS))
def test_mutated_typescript(data: bytes, path: str) -> None:
    _same(data, path, _SMALL)


@SETTINGS
@given(st.binary(max_size=2000), st.sampled_from(["g.py", *_PATHS]))
def test_garbage(data: bytes, path: str) -> None:
    _same(data, path)


def test_real_sources_and_their_slices() -> None:
    files = sorted((_REPO / "domain").rglob("*.py"))
    files += sorted((_REPO / "tests" / "unit" / "graph" / "fixtures").rglob("*.[jt]s*"))
    rng = random.Random(17)
    for file in files:
        data = file.read_bytes()
        _same(data, file.name)
        _same(data, file.name, _SMALL)
        for _ in range(2):
            a, b = sorted(rng.randrange(len(data) + 1) for _ in range(2))
            _same(data[a:b], file.name, _SMALL)


def test_test_mentions() -> None:
    own = "domain/atomization/context.py"
    tests = {
        "tests/test_context.py": "def test_it():\n    ContextInjector(parsed, inject)\n",
        "tests/test_words.py": "from x import _words, _types\n_words(b'', 0, 1)\n",
        own: "inject _around_of _defines",  # the atom's own file is no test of it
        "tests/test_nothing.py": "pass\n",
    }
    data = (_REPO / own).read_bytes()
    native = _same(data, own, _SMALL, tests)
    assert any(c.tests for c, _ in native)
    assert all(own not in c.tests for c, _ in native)
    _same(b"class Repo {\n  add(item) {\n    return item;\n  }\n}\n", "repo.ts", _SMALL, tests)


def test_sibling_locals_keep_the_python_order() -> None:
    # Locals bound in earlier atoms of a long function, many used at once: the Python stage
    # lists them in the iteration order of a frozenset, which the native stage reproduces.
    names = [f"value_{i}" for i in range(40)]
    body = "".join(f"    {n} = compute({i})\n" for i, n in enumerate(names))
    uses = "".join(f"    total += {' + '.join(names[i : i + 9])}\n" for i in range(0, 40, 9))
    source = f"def long_function(seed):\n    total = seed\n{body}{uses}    return total\n"
    native = _same(source, "long.py", _SMALL)
    assert any(len(f.sibling_locals) > 2 for _, f in native)
    js = source.replace("def long_function(seed):", "function longFunction(seed) {")
    js = js.replace("    total = seed", "    let total = seed;") + "}\n"
    _same(js, "long.js", _SMALL)


def test_names_that_are_not_utf8_and_builtins_rebound() -> None:
    source = (
        b"\xff = 1\n\xfe = 2\nlen = 3\n"
        b"def f(a):\n    \xfd = \xff + \xfe + len(a)\n    b = \xfd\n    c = b\n"
        b"    d = c\n    return b + c + d + \xfd + print(a)\n"
    )
    _same(source, "latin.py")
    _same(source, "latin.py", _SMALL)


def test_imports_types_and_contracts() -> None:
    python = '''"""Module."""
from __future__ import annotations
import os.path, sys as system
from typing import Protocol
from .models import *
from collections.abc import Mapping as M


class Repo(Protocol):
    """A repository.

    Args:
        path: where it lives
    Returns:
        nothing
    """

    def get(self, key: str, default: M | None = None) -> Thing:
        """Fetch one.

        :param key: the key
        :returns: the thing
        :raises KeyError: when missing
        """
        value = system.modules.get(key, default)
        if value is None:
            raise KeyError(key)
        return value


def helper(items: list[Repo]) -> int:
    """Count.

    Parameters
    ----------
    items : list
        The items.

    Returns
    -------
    int
        How many.
    """
    return len([os.path.join(i) for i in items if unknown_name(i)])
'''
    _same(python, "repo.py")
    _same(python, "repo.py", _SMALL)
    ts = """import type { Todo } from './todo';
import Default, * as ns from "lib";
import { a as b, c } from 'mod';
const fs = require('fs'), { join } = require("path");

/** A thing. @param {string} x the x - described
 * @returns {number} the count
 * @throws {Error} when bad
 * @example
 * thing('a')
 */
export function thing(x: string): Todo {
  return b(x) + c + ns.value + Default + join(fs.x);
}

export interface Shape { size: number }
export enum Color { Red, Green }
export type Alias = Shape | Color;

/**
 * Repository of shapes.
 */
export class Repo<T extends Shape> {
  private items: T[] = [];
  /** Adds. @pre item is valid @post stored */
  add(item: T): Alias {
    const color = Color.Red;
    this.items.push(item);
    return color satisfies Color;
  }
}
"""
    for path in _PATHS:
        _same(ts, path)
        _same(ts, path, _SMALL)


def test_module_level_statements_the_type_says_enough_of() -> None:
    # a docstring-like statement binds nothing, even with a binding inside it
    source = 'f"{(x := 1)}"\n"""doc {y}"""\nz = x\nimport os\nfrom m import *\n'
    source += "def f():\n    return x + z + os.sep\n"
    _same(source, "walrus.py")
    _same(source, "walrus.py", _SMALL)
    js = "import a from 'a';\n// c\nconst b = require('b');\nif (a) { c = 1; }\nexport { b };\n"
    _same(js + "function f() { return a + b + c; }\n", "mod.js", _SMALL)


def test_empty_blank_deep_and_huge_inputs() -> None:
    for path in ("e.py", *_PATHS):
        _same(b"", path)
        _same(b"\n\n  \n", path)
        _same(b"# c\n" if path.endswith("py") else b"// c\n", path)
    _same(b"x = " + b"1 + " * 20_000 + b"1\n", "deep.py")
    _same(b"if x:\n" + b"".join(b" " * i + b"if y:\n" for i in range(1, 500)), "nest.py")
    nested = "".join(
        " " * (4 * i) + f"def f{i}(a{i}):\n" + " " * (4 * i + 4) + f"x{i} = a{i} + x{i - 1}\n"
        for i in range(200)
    )
    _same(nested, "nest_defs.py")
    _same("".join(f"function f{i}(a) {{\n  const b = a;\n" for i in range(200)), "deep.ts")
    _same(b"var a=1;" * 5_000, "min.js")
    _same(random.Random(5).randbytes(20_000), "bin.py")
    _same(random.Random(6).randbytes(20_000), "bin.ts")


# -- the contract helpers the native stage compiled --------------------------------------

_DOC_PIECES = [
    "Args:", "Returns:", "Raises:", "Yields: it", "Parameters", "----------", "---", "  ---  ",
    ":param x: y", ":returns: z", ":raises E: w", ":type x: int", "@param {T} x - y",
    "@returns the", "@throws {E}", "@example", "@pre p", "name (int): thing", "name : int",
    "ARGS:", "Keyword Args:", "other parameters:", "\u212aeyword args:", "\u017fee:", "é:",
    "\u0131", "x", " ", "  ", "\t", "\n", "\n    ", "\n\n", "\r\n", "\r", "\x0c", "\x1c",
    "\x85", "\u2028", "\xa0", "*", "* ", "/**", "*/", ":", "-", "@", '"""', "'", "r",
]  # fmt: skip
_docs = st.lists(st.sampled_from(_DOC_PIECES), max_size=30).map("".join)
# ASCII without tabs or line breaks but "\n": the docstrings read in place (most real ones)
_PLAIN_PIECES = [
    p for p in _DOC_PIECES if p.isascii() and not any(c in p for c in "\t\r\x0b\x0c\x1c")
] + ["See Also", "Examples", ">>> f(a=1)", "  item\n      more", "\n  Args:\n    a: b\n    c: d\n"]
_plain_docs = st.lists(st.sampled_from(_PLAIN_PIECES), max_size=40).map("".join)


@SETTINGS
@given(st.one_of(_docs, st.text(max_size=300)))
def test_parse_contract(doc: str) -> None:
    assert native_context.parse_contract(doc) == parse_contract(doc)


@SETTINGS
@given(
    st.one_of(_plain_docs, _docs, st.text(max_size=300)),
    st.sampled_from(['"""', "'''", '"', "r'''", ""]),
)
def test_docstrings(body: str, quote: str) -> None:
    raw = quote + body + quote
    text = docstring_text(raw)
    assert native_context.docstring_text(raw) == (text, text.splitlines())
    assert native_context.docstring_contract(raw) == (bool(text), *map(tuple, parse_contract(text)))


@SETTINGS
@given(st.one_of(_docs, st.text(max_size=300)), st.sampled_from(["*/", "", "*"]))
def test_jsdoc(body: str, end: str) -> None:
    raw = "/**" + body + end
    text = _clean_jsdoc(raw)
    assert native_context.clean_jsdoc(raw) == (text, text.splitlines())


def test_contracts_of_real_docstrings() -> None:
    for file in sorted((_REPO / "domain").rglob("*.py")):
        parsed = _PARSER.parse(file.read_bytes(), file.name)
        for start, end in parsed.docstrings.values():
            raw = parsed.source[start:end].decode("utf-8", "replace")
            text = docstring_text(raw)
            assert native_context.docstring_contract(raw) == (
                bool(text),
                *map(tuple, parse_contract(text)),
            )
