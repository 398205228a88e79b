"""The native decomposer (_native/decompose.pyx) gives exactly what the Python one gives."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import domain.atomization as atomization
from domain.atomization import AtomizationConfig, MultiLanguageParser, _native
from domain.atomization import decomposer as decomposer_module
from domain.atomization._native import decompose as native
from domain.atomization.decomposer import Decomposition, RecursiveDecomposer
from domain.atomization.parser import ParsedSource

from .test_atomize_lossless import mutated, python_programs, ts_programs

LANGUAGES = ["python", "typescript", "tsx", "javascript"]
SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CONFIGS = [
    AtomizationConfig(),
    AtomizationConfig(target_loc=3, max_loc=5, max_complexity=2),
    AtomizationConfig(target_loc=1, max_loc=1, max_complexity=1),
]
_TABLE_FIELDS = ("starts", "ends", "nodes", "scopes", "locs", "decisions", "lines", "reasons")

_parser = MultiLanguageParser()


def assert_same_decomposition(parsed: ParsedSource, config: AtomizationConfig) -> Decomposition:
    """Both stages on one parse (Nodes compare equal only within a tree), each with an empty
    member cache; their results and what they leave in the cache must be equal."""
    parsed._members.clear()
    with _native.pure_python():
        expected = RecursiveDecomposer(config).decompose(parsed)
    expected_members = dict(parsed._members)
    parsed._members.clear()
    got = RecursiveDecomposer(config).decompose(parsed)
    assert got.scopes == expected.scopes
    for name in _TABLE_FIELDS:
        assert getattr(got.table, name) == getattr(expected.table, name), name
    assert len(got.segments) == len(expected.segments)
    for got_segment, expected_segment in zip(got.segments, expected.segments, strict=True):
        assert got_segment == expected_segment
    assert parsed._members == expected_members
    return got


def check(source: bytes | str, language: str, configs: list[AtomizationConfig] = CONFIGS) -> None:
    data = source.encode("utf-8") if isinstance(source, str) else source
    parsed = _parser.parse(data, "input", language)
    for config in configs:
        assert_same_decomposition(parsed, config)


def test_the_native_core_is_built_and_used() -> None:
    # The project's install builds the core: a missing one is a failure here, not a skip.
    assert _native.AVAILABLE, _native.UNAVAILABLE_REASON
    assert _native.enabled()
    assert vars(decomposer_module)["_native_decompose"] is native  # what decompose() calls
    # scopes and segments are made by filling their slots, not by their (Python) __init__
    assert native.makers_are_direct()


def test_the_child_walk_matches_ts_node_child() -> None:
    sources = [Path(atomization.__file__).parent.joinpath(n).read_bytes() for n in ("context.py",)]
    sources.append(random.Random(3).randbytes(20_000))
    sources.append(b"x = " + b"(" * 300 + b"1" + b")" * 300 + b"\n")
    for data in sources:
        for language in LANGUAGES:
            assert native.check_children(_parser.parse_tree(data, language)) == 0


@SETTINGS
@given(python_programs(), st.sampled_from(["\n", "\r\n"]), st.booleans())
def test_generated_python(program: str, newline: str, tabs: bool) -> None:
    source = program.replace("\n", newline)
    if tabs:
        source = source.replace("    ", "\t")
    check(source, "python")


@SETTINGS
@given(ts_programs(), st.sampled_from(["\n", "\r\n"]), st.sampled_from(LANGUAGES[1:]))
def test_generated_typescript(program: str, newline: str, language: str) -> None:
    check(program.replace("\n", newline), language)


@SETTINGS
@given(mutated(python_programs()), st.sampled_from(LANGUAGES))
def test_mutated_python(data: bytes, language: str) -> None:
    check(data, language)


@SETTINGS
@given(mutated(ts_programs()), st.sampled_from(LANGUAGES))
def test_mutated_typescript(data: bytes, language: str) -> None:
    check(data, language)


@SETTINGS
@given(st.binary(max_size=3000), st.sampled_from(LANGUAGES))
def test_binary_garbage(data: bytes, language: str) -> None:
    check(data, language)


@SETTINGS
@given(st.text(max_size=1000), st.sampled_from(LANGUAGES))
def test_arbitrary_text(text: str, language: str) -> None:
    check(text, language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_empty_and_blank(language: str) -> None:
    for data in (b"", b"\n", b"   ", b"\r\n\r\n", b"# only\n", b"// only", b"\x00\xff"):
        check(data, language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_real_sources_whole_sliced_and_crlf(language: str) -> None:
    # The engine's own modules are realistic code; random windows of them are broken code,
    # and under the other grammars they are broken throughout.
    rng = random.Random(17)
    for path in sorted(Path(atomization.__file__).parent.glob("*.py")):
        data = path.read_bytes()
        check(data, language, CONFIGS[:1])
        check(data.replace(b"\n", b"\r\n"), language, CONFIGS[:1])
        for _ in range(2):
            a, b = sorted(rng.randrange(len(data) + 1) for _ in range(2))
            check(data[a:b], language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_deep_nesting_and_huge_expressions(language: str) -> None:
    deep = "\n".join(" " * i + f"if x{i}:" for i in range(500)) + "\n" + " " * 500 + "pass\n"
    check(deep, language)
    check("".join("if (a) {\n" for _ in range(500)) + "x();\n" + "}\n" * 500, language)
    check("x = " + "(" * 500 + "1" + ")" * 500 + ";\n", language)
    check("f(" * 500, language)
    check(b"{" * 2000 + b"}" * 2000, language)
    check(b"x = " + b"1 + " * 100_000 + b"1\n", language, CONFIGS[:1])


@pytest.mark.parametrize("language", LANGUAGES)
def test_long_lines_data_and_garbage(language: str) -> None:
    check(b"var a=1;" * 20_000, language, CONFIGS[:1])  # one minified line
    check(b"def f():\n    x = [\n" + b"        1,\n" * 3000 + b"    ]\n", language)
    check(random.Random(5).randbytes(50_000), language, CONFIGS[:1])


def test_oversize_reasons_and_long_headers() -> None:
    # every kind of oversize reason, and headers the native side hands back to Python
    # (non-ASCII, more than six lines)
    signature = "def f(\n" + "".join(f"    a{i},\n" for i in range(12)) + "):\n"
    body = "".join(f"    x{i} = {i}\n" for i in range(40))
    check(signature + body, "python")
    check("def é(\n" + "    ü,\n" * 8 + "):\n" + body, "python")
    check("class C:\n    'doc'\n    x = [\n" + "        1,\n" * 40 + "    ]\n", "python")
    check("if x:\n    y = (\n" + "        1 +\n" * 40 + "    1)\n", "python")
    check("def f(:\n" + body, "python")
    check("x = '" + "a" * 20_000 + "'\n", "python")
    check("#" * 10_000 + "\n" + "# c\n" * 40, "python")
