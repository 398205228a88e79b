"""Losslessness: every byte of every input belongs to exactly one atom, in order."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.atomization import AtomizationConfig

from .helpers import atomize

LANG_PATHS = ["m.py", "m.ts", "m.tsx", "m.js"]
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# -- a small generator of plausible Python and TypeScript programs -----------------------

_PY_SIMPLE = [
    "x = 1",
    "y = compute(x, key=value)  # trailing comment",
    "return x",
    "items.append(item)",
    "print('héllo wörld ✓')",
    "total += len(data)",
    "pass",
    '"""A docstring."""',
    "value = {'a': 1, 'b': [1, 2, 3]}",
    "raise ValueError(f'bad {x!r}')",
]
_PY_HEADS = [
    "if x > 1:",
    "for item in items:",
    "while running:",
    "with open(path) as fh:",
    "try:",
    "def helper(a, b=2, *args, **kw):",
    "async def fetch(url: str) -> bytes:",
    "class Repo(Base):",
    "@decorator\ndef decorated(self):",
]


@st.composite
def python_programs(draw: st.DrawFn, depth: int = 0) -> str:
    lines: list[str] = []
    for _ in range(draw(st.integers(1, 8))):
        indent = "    " * depth
        choice = draw(st.integers(0, 9))
        if choice < 5 or depth >= 4:
            lines.append(indent + draw(st.sampled_from(_PY_SIMPLE)))
        elif choice == 5:
            lines.append(indent + "# a comment line")
        elif choice == 6:
            lines.append("")
        else:
            head = draw(st.sampled_from(_PY_HEADS))
            lines.extend(indent + h for h in head.split("\n"))
            body = draw(python_programs(depth + 1))
            lines.append(body)
            if head == "try:":
                lines.append(indent + "except Exception as exc:")
                lines.append(indent + "    handle(exc)")
    return "\n".join(lines)


_TS_SIMPLE = [
    "const x = 1;",
    "let y: number = compute(x, { key: value });",
    "return x;",
    "items.push(item); // trailing",
    "console.log(`héllo ${name} ✓`);",
    "total += data.length;",
    "/* block comment */",
    "const f = (a: string) => a.trim();",
]
_TS_HEADS = [
    "if (x > 1) {",
    "for (const item of items) {",
    "function helper(a: number, b = 2): number {",
    "export class Repo extends Base {\n  method() {",
    "describe('suite', () => {",
    "switch (kind) {\n  case 1:",
    "try {",
]


@st.composite
def ts_programs(draw: st.DrawFn, depth: int = 0) -> str:
    lines: list[str] = []
    for _ in range(draw(st.integers(1, 8))):
        indent = "  " * depth
        choice = draw(st.integers(0, 9))
        if choice < 5 or depth >= 4:
            lines.append(indent + draw(st.sampled_from(_TS_SIMPLE)))
        elif choice == 5:
            lines.append(indent + "// a comment line")
        elif choice == 6:
            lines.append("")
        else:
            head = draw(st.sampled_from(_TS_HEADS))
            lines.extend(indent + h for h in head.split("\n"))
            lines.append(draw(ts_programs(depth + 1)))
            closers = {"export class": "}\n}", "describe": "});", "try {": "} catch (e) {\n}"}
            closer = next((c for k, c in closers.items() if head.startswith(k)), "}")
            lines.extend(indent + c for c in closer.split("\n"))
    return "\n".join(lines)


_SMALL = AtomizationConfig(target_loc=3, max_loc=5, max_complexity=2)


@SETTINGS
@given(python_programs(), st.sampled_from(["\n", "\r\n"]), st.booleans())
def test_generated_python_round_trips(program: str, newline: str, tabs: bool) -> None:
    source = program.replace("\n", newline)
    if tabs:
        source = source.replace("    ", "\t")
    atomize(source, "gen.py")
    atomize(source, "gen.py", config=_SMALL)


@SETTINGS
@given(ts_programs(), st.sampled_from(["\n", "\r\n"]), st.sampled_from(LANG_PATHS[1:]))
def test_generated_typescript_round_trips(program: str, newline: str, path: str) -> None:
    source = program.replace("\n", newline)
    atomize(source, path)
    atomize(source, path, config=_SMALL)


@st.composite
def mutated(draw: st.DrawFn, base: st.SearchStrategy[str]) -> bytes:
    """A generated program with random byte-level damage: deletions, insertions, cuts."""
    data = bytearray(draw(base).encode("utf-8"))
    for _ in range(draw(st.integers(0, 6))):
        if not data:
            break
        op = draw(st.integers(0, 3))
        pos = draw(st.integers(0, len(data) - 1))
        if op == 0:
            del data[pos : pos + draw(st.integers(1, 8))]
        elif op == 1:
            data[pos:pos] = draw(st.binary(min_size=1, max_size=6))
        elif op == 2:
            data[pos:pos] = draw(st.sampled_from([b"(", b"{", b'"""', b"'", b"`", b"/*", b":"]))
        else:
            del data[pos:]
    return bytes(data)


@SETTINGS
@given(mutated(python_programs()))
def test_mutated_python_round_trips(data: bytes) -> None:
    atomize(data, "broken.py")
    atomize(data, "broken.py", config=_SMALL)


@SETTINGS
@given(mutated(ts_programs()), st.sampled_from(LANG_PATHS[1:]))
def test_mutated_typescript_round_trips(data: bytes, path: str) -> None:
    atomize(data, path)


@SETTINGS
@given(st.binary(max_size=2000), st.sampled_from(LANG_PATHS))
def test_binary_garbage_round_trips(data: bytes, path: str) -> None:
    atomize(data, path)


@SETTINGS
@given(st.text(max_size=800), st.sampled_from(LANG_PATHS))
def test_arbitrary_text_round_trips(text: str, path: str) -> None:
    atomize(text, path)


@pytest.mark.parametrize("path", LANG_PATHS)
def test_empty_and_blank_files(path: str) -> None:
    assert atomize(b"", path).atoms == ()
    for blank in (
        b"\n",
        b"   \n\n\t\n",
        b"\r\n\r\n",
        b"# only\n" if path.endswith("py") else b"//x",
    ):
        result = atomize(blank, path)
        assert len(result.atoms) == 1


def test_non_utf8_bytes_are_kept_exactly() -> None:
    data = (
        "s = 'caf\u00e9'\n".encode("latin-1") + b"x = b'\xff\xfe'\n" + b"def f():\n    return 1\n"
    )
    result = atomize(data, "latin.py")
    assert "\ufffd" in result.atoms[0].code  # display decodes with replacement...
    assert b"\xe9" in result.atoms[0].code_bytes  # ...but the bytes are the original ones


def test_non_ascii_offsets_are_bytes() -> None:
    source = "# ünïcödé ✓ 🎉\ndef f():\n    return '日本語'\n" * 10
    result = atomize(source, "u.py", config=_SMALL)
    data = source.encode()
    for atom in result.atoms:
        assert data[atom.start_byte : atom.end_byte].decode() == atom.code


def test_crlf_and_tabs_round_trip_and_count_lines() -> None:
    source = "def f(x):\r\n\tif x:\r\n\t\treturn 1\r\n\treturn 2\r\n"
    result = atomize(source, "crlf.py")
    assert result.atoms[-1].end_line == 4
    assert sum(a.loc for a in result.atoms) == 4


def test_500_deep_nesting_python_does_not_crash() -> None:
    depth = 500
    lines = [" " * i + f"if x{i}:" for i in range(depth)] + [" " * depth + "pass"]
    source = "\n".join(lines) + "\n"
    result = atomize(source, "deep.py")
    assert result.atoms


@pytest.mark.parametrize("path", ["deep.ts", "deep.js"])
def test_500_deep_nesting_braces_and_parens(path: str) -> None:
    blocks = "".join("if (a) {\n" for _ in range(500)) + "x();\n" + "}\n" * 500
    atomize(blocks, path)
    parens = "x = " + "(" * 500 + "1" + ")" * 500 + ";\n"
    atomize(parens, path)
    atomize("f(" * 500, path)  # truncated and deep


def test_100k_line_file() -> None:
    chunk = "def f{i}(a, b):\n    if a:\n        return b\n    return a + b\n\n\n"
    source = "".join(chunk.format(i=i) for i in range(100_000 // 6))
    data = source.encode()
    assert data.count(b"\n") >= 99_990
    result = atomize(data, "huge.py")
    assert len(result.atoms) > 1_000
    assert all(a.loc <= 15 for a in result.atoms)


def test_truncated_files_every_few_bytes() -> None:
    source = (
        b'"""Module."""\nimport os\n\n\nclass A:\n    """Doc."""\n\n'
        b"    def m(self, x: int) -> int:\n"
        b"        if x:\n            return x\n        for i in range(3):\n            x += i\n"
        b"        return x\n\n\ndef g():\n    return [\n        1,\n        2,\n    ]\n"
    )
    for cut in range(0, len(source), 3):
        atomize(source[:cut], "trunc.py")
        atomize(source[:cut], "trunc.py", config=_SMALL)


def test_truncated_typescript_every_few_bytes() -> None:
    source = (
        b"import { z } from 'zod';\n\nexport interface Todo {\n  id: string;\n"
        b"  done: boolean;\n}\n\n"
        b"export class Repo<T> {\n  private items: T[] = [];\n  add(item: T): void {\n"
        b"    if (!item) { throw new Error('x'); }\n    this.items.push(item);\n  }\n}\n"
    )
    for cut in range(0, len(source), 3):
        atomize(source[:cut], "trunc.ts")
        atomize(source[:cut], "trunc.tsx", config=_SMALL)


def test_random_real_source_slices_round_trip() -> None:
    # The engine's own modules are realistic code; random windows of them are broken code.
    from pathlib import Path

    import domain.atomization as pkg

    files = sorted(Path(pkg.__file__).parent.glob("*.py"))
    rng = random.Random(7)
    for file in files:
        data = file.read_bytes()
        atomize(data, file.name)
        for _ in range(3):
            a, b = sorted(rng.randrange(len(data) + 1) for _ in range(2))
            atomize(data[a:b], file.name, config=_SMALL)


def test_very_deep_expression_does_not_hang() -> None:
    # 100k chained operators: a tree 100k levels deep (tree-sitter's `(MISSING)` query alone
    # takes minutes on it, which is why errors are found by walking error paths instead).
    source = b"x = " + b"1 + " * 100_000 + b"1\n"
    (atom,) = atomize(source, "deep_expr.py").atoms
    assert atom.oversized and "bytes" in (atom.oversize_reason or "")


def test_minified_line_is_cut_between_statements() -> None:
    source = b"var a=1;" * 20_000  # 160 kB on one line
    result = atomize(source, "bundle.min.js")
    assert len(result.atoms) > 10
    assert all(a.end_byte - a.start_byte <= 400 * 15 + 8 for a in result.atoms)


def test_large_binary_garbage() -> None:
    data = random.Random(5).randbytes(50_000)
    for path in ("g.py", "g.js"):
        result = atomize(data, path)
        assert result.syntax_issues
        assert any(a.issues for a in result.atoms)
