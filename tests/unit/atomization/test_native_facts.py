"""The native facts walk finds exactly what the engine query captures, on any input."""

from __future__ import annotations

import random
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

import domain.atomization as pkg
from domain.atomization import MultiLanguageParser, _native
from domain.atomization.languages import PYTHON, resolve_language
from domain.atomization.parser import Facts, _query_facts

from .test_atomize_lossless import SETTINGS, mutated, python_programs, ts_programs

_PARSER = MultiLanguageParser()
_REPO = Path(pkg.__file__).resolve().parents[2]
_PATHS = ["m.py", "m.ts", "m.tsx", "m.js"]

# Every rule of the engine query fires at least once in these.
EVERY_PYTHON_RULE = b'''"""Module doc."""
from __future__ import annotations
import os.path, sys as system
from .pkg import name as alias, other
from . import *

def f(a, b=1, *args, c: int = 2, d: str, **kw) -> list[int]:
    """Doc.

    Returns: things
    """
    global G  # a comment
    nonlocal_ = lambda x, y=0: x or y and not x
    x, (y, z) = 1, (2, 3)
    [p, q] = r
    for i, j in pairs:
        if i: pass
        elif j: pass
    total: int = sum(v for v in vals if v)
    while (n := next(it)):
        try:
            pass
        except* ValueError:
            pass
        except (OSError) as err:
            pass
    with open(path) as (fh):
        call(key=value, **extra)
    match cmd:
        case [a, *rest] if a: pass
        case {"k": v, **others}: pass
    return f"{x!r} and {'nested' if y else z:>{width}}" + rf'raw {x}'

class C(Base, metaclass=M):
    """Doc."""
    attr: dict[str, "Forward"] = {}
    def m(self, *, k): return k if k else None

def g():
    nonlocal outer
    "not a docstring: not the first statement"
    "a docstring statement anyway"
'''

EVERY_TS_RULE = b"""import def, { a, b as bee, type T } from './m';
import * as ns from "ns";
export { a as default, bee };
/** Doc. @param x the x */
export function f<TP extends object>(x: number, y = 2, ...rest: string[]): Map<K, V> {
  const { p, q: qq, r = 1, ...others } = obj;
  let [m, , n] = arr;
  for (const k in obj) { if (k && m || n ?? p) continue; }
  for (var j = 0; j < 3; j++) {}
  while (x) { do { x--; } while (x > 0); }
  try { g(); } catch (err) { h(err); }
  switch (x) { case 1: break; default: break; }
  label: for (;;) { break label; }
  const t = `a ${x} b ${`inner ${y}`}`;
  const fn = (z) => z ? 1 : 2;
  const fe = function named(u?: number) { return u; };
  const o = { key: 1, method() {}, get g() { return 1; }, [computed]: 2, 'str': 3 };
  return new Map<K, V>();
}
export default class K<T> extends Base implements I {
  field: number = 1;
  #priv = 2;
  static s?: string;
  method(this: K<T>, opt?: number): void {}
}
abstract class A { abstract am(): void; }
interface I { prop: string; meth(x: number): void; }
type Alias<T> = { [key: string]: T } | Other;
enum E { One, Two = 2 }
declare function sig(p: number): void;
namespace NS { export const inner = 1; }
module.exports = { a, b };
const el = <div className="x"><Comp prop={1} /><span>{t}</span></div>;
function* gen() { yield 1; }
"""


def _normalised(facts: Facts) -> list[list[object]]:
    """Each list of a facts tuple as a sorted list of offsets/ranges (nodes as ranges)."""
    *plain, imports = facts
    return [sorted(part) for part in plain] + [sorted(node.byte_range for node in imports)]


_PARSED_FIELDS = [
    "names_text",
    "type_offsets",
    "type_names",
    "decisions",
    "bind_offsets",
    "bind_names",
    "bind_texts",
    "param_offsets",
    "param_names",
    "issues",
    "docstrings",
]


def _parsed_facts(data: bytes, path: str) -> dict[str, object]:
    parsed = _PARSER.parse(data, path)
    facts = {name: getattr(parsed, name) for name in _PARSED_FIELDS}
    facts["anchors"] = parsed.lines.anchors
    facts["imports"] = [node.byte_range for node in parsed.import_nodes]
    return facts


def _check(data: bytes, path: str) -> None:
    """The walk captures what the query does, and the parsed facts are the same either way."""
    language = resolve_language(None, path)
    tree = _PARSER.parse_tree(data, language)
    native = _native.facts.collect(tree, data, language == PYTHON)  # type: ignore[attr-defined]
    assert _normalised(native) == _normalised(_query_facts(language, tree)), path
    with _native.pure_python():
        reference = _parsed_facts(data, path)
    assert _parsed_facts(data, path) == reference, path


def test_the_native_core_is_built() -> None:
    # The project's install builds it; without it atomization runs in Python, slower.
    assert _native.AVAILABLE, _native.UNAVAILABLE_REASON


def test_every_rule_python() -> None:
    _check(EVERY_PYTHON_RULE, "every.py")
    facts = _native.facts.collect(  # type: ignore[attr-defined]
        _PARSER.parse_tree(EVERY_PYTHON_RULE, PYTHON), EVERY_PYTHON_RULE, True
    )
    assert all(facts), "a capture of the Python rules never fired: extend EVERY_PYTHON_RULE"


def test_every_rule_typescript_tsx_javascript() -> None:
    for path in ("every.ts", "every.tsx", "every.js"):
        _check(EVERY_TS_RULE, path)
    language = resolve_language(None, "every.tsx")
    facts = _native.facts.collect(  # type: ignore[attr-defined]
        _PARSER.parse_tree(EVERY_TS_RULE, language), EVERY_TS_RULE, False
    )
    python_only = (2, 4, 5)  # interpolations, docstrings, documented definitions
    assert not any(facts[i] for i in python_only)
    assert all(part for i, part in enumerate(facts) if i not in python_only)


def test_real_sources_and_their_broken_slices() -> None:
    files = sorted((_REPO / "domain").rglob("*.py"))
    files += sorted((_REPO / "tests" / "unit" / "graph" / "fixtures").rglob("*.[jt]s*"))
    rng = random.Random(11)
    assert len(files) > 40
    for file in files:
        data = file.read_bytes()
        _check(data, file.name)
        for _ in range(3):
            a, b = sorted(rng.randrange(len(data) + 1) for _ in range(2))
            _check(data[a:b], file.name)


@SETTINGS
@given(python_programs())
def test_generated_python(program: str) -> None:
    _check(program.encode(), "gen.py")


@SETTINGS
@given(ts_programs(), st.sampled_from(_PATHS[1:]))
def test_generated_typescript(program: str, path: str) -> None:
    _check(program.encode(), path)


@SETTINGS
@given(mutated(python_programs()))
def test_mutated_python(data: bytes) -> None:
    _check(data, "mut.py")


@SETTINGS
@given(mutated(ts_programs()), st.sampled_from(_PATHS[1:]))
def test_mutated_typescript(data: bytes, path: str) -> None:
    _check(data, path)


@SETTINGS
@given(st.binary(max_size=2000), st.sampled_from(_PATHS))
def test_garbage(data: bytes, path: str) -> None:
    _check(data, path)


def test_missing_nodes_bind_no_name() -> None:
    # error recovery inserts zero-width MISSING identifiers as assignment targets
    broken = [b"=0or()(())\n)", b"class A:\n    x = 1\n:    # c\n    y = 2\n"]
    for data in broken:
        _check(data, "missing.py")
        assert b"" not in _PARSER.parse(data, "missing.py").bind_names
    _check(b"const = 1;\nlet [, ] = ;\n", "missing.ts")


def test_deep_nesting() -> None:
    _check(b"x = " + b"(" * 5000 + b"1" + b")" * 5000 + b"\n", "deep.py")
    _check(b"x = " + b"[" * 5000, "open.js")
    _check(b"if x:\n" + b"".join(b" " * i + b"if y:\n" for i in range(1, 400)), "if.py")


def test_one_byte_inputs_leave_the_interpreters_bytes_alone() -> None:
    # CPython shares one-byte bytes objects: the core must never write into one.
    for byte in range(256):
        for path in _PATHS:
            _check(bytes([byte]), path)
    assert [bytes([byte])[0] for byte in range(256)] == list(range(256))
    assert bytes([35]) == b"#" and bytes([32]) == b" "
