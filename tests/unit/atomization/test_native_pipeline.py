"""Atomizing with the native core gives the very atoms the pure-Python stages give."""

from __future__ import annotations

import random
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

import domain.atomization as pkg
from domain.atomization import AtomizationConfig, AtomizationResult, _native, atomize_source

from .test_atomize_lossless import SETTINGS, mutated, python_programs, ts_programs
from .test_native_facts import EVERY_PYTHON_RULE, EVERY_TS_RULE

_REPO = Path(pkg.__file__).resolve().parents[2]
_SMALL = AtomizationConfig(target_loc=3, max_loc=5, max_complexity=2)


def _both(
    data: bytes,
    path: str,
    config: AtomizationConfig | None = None,
    tests: dict[str, str] | None = None,
) -> AtomizationResult:
    native = atomize_source(data, path, config=config, tests=tests)
    with _native.pure_python():
        reference = atomize_source(data, path, config=config, tests=tests)
    assert native == reference, path
    return native


def test_the_native_core_is_on() -> None:
    assert _native.AVAILABLE, _native.UNAVAILABLE_REASON
    assert _native.enabled()
    with _native.pure_python():
        assert not _native.enabled()
    assert _native.enabled()


def test_every_rule_files() -> None:
    result = _both(EVERY_PYTHON_RULE, "every.py")
    assert any(a.context.preconditions or a.context.postconditions for a in result.atoms)
    for path in ("every.ts", "every.tsx", "every.js"):
        _both(EVERY_TS_RULE, path)
        _both(EVERY_TS_RULE, path, config=_SMALL)


def test_real_sources_slices_and_test_mentions() -> None:
    files = sorted((_REPO / "domain").rglob("*.py"))
    files += sorted((_REPO / "tests" / "unit" / "graph" / "fixtures").rglob("*.[jt]s*"))
    tests = {"tests/test_x.py": "def test_it():\n    atomize_source(parse, decompose)\n"}
    rng = random.Random(13)
    for file in files:
        data = file.read_bytes()
        result = _both(data, file.name, tests=tests)
        assert b"".join(a.code_bytes for a in result.atoms) == data
        a, b = sorted(rng.randrange(len(data) + 1) for _ in range(2))
        _both(data[a:b], file.name, config=_SMALL)


@SETTINGS
@given(python_programs(), st.sampled_from(["\n", "\r\n"]))
def test_generated_python(program: str, newline: str) -> None:
    _both(program.replace("\n", newline).encode(), "gen.py")
    _both(program.encode(), "gen.py", config=_SMALL)


@SETTINGS
@given(ts_programs(), st.sampled_from(["m.ts", "m.tsx", "m.js"]))
def test_generated_typescript(program: str, path: str) -> None:
    _both(program.encode(), path)
    _both(program.encode(), path, config=_SMALL)


@SETTINGS
@given(mutated(python_programs()))
def test_mutated_python(data: bytes) -> None:
    _both(data, "mut.py")


@SETTINGS
@given(mutated(ts_programs()), st.sampled_from(["m.ts", "m.tsx", "m.js"]))
def test_mutated_typescript(data: bytes, path: str) -> None:
    _both(data, path)


@SETTINGS
@given(st.binary(max_size=2000), st.sampled_from(["g.py", "g.ts", "g.tsx", "g.js"]))
def test_garbage(data: bytes, path: str) -> None:
    _both(data, path)


def test_empty_deep_and_huge_inputs() -> None:
    for path in ("e.py", "e.ts", "e.js"):
        _both(b"", path)
        _both(b"\n\n  \n", path)
    _both(b"x = " + b"1 + " * 20_000 + b"1\n", "deep.py")
    _both(b"if x:\n" + b"".join(b" " * i + b"if y:\n" for i in range(1, 500)), "nest.py")
    _both(b"var a=1;" * 5_000, "min.js")
    _both(random.Random(5).randbytes(20_000), "bin.py")
