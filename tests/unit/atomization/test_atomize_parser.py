"""MultiLanguageParser: languages, syntax issues, complexity, LOC and the symbol outline."""

from __future__ import annotations

import pytest

from domain.atomization import (
    MultiLanguageParser,
    UnsupportedLanguageError,
    atomize_source,
    detect_language,
    extract_symbols,
)

PARSER = MultiLanguageParser()


@pytest.mark.parametrize(
    ("path", "language"),
    [
        ("a.py", "python"),
        ("a.pyi", "python"),
        ("a.ts", "typescript"),
        ("a.tsx", "tsx"),
        ("a.js", "javascript"),
        ("a.jsx", "javascript"),
        ("a.mjs", "javascript"),
        ("a.cjs", "javascript"),
        ("dir.v2/A.PY", "python"),
        ("a.rb", None),
        ("Makefile", None),
    ],
)
def test_detect_language(path: str, language: str | None) -> None:
    assert detect_language(path) == language


def test_explicit_language_wins_and_unknown_is_rejected() -> None:
    assert PARSER.parse("x = 1\n", "noext", "python").language == "python"
    assert PARSER.parse("let x = 1;\n", "a.py", "js").language == "javascript"
    with pytest.raises(UnsupportedLanguageError) as info:
        atomize_source("x", "a.rb")
    assert isinstance(info.value, ValueError)
    with pytest.raises(UnsupportedLanguageError):
        atomize_source("x", "a.py", language="cobol")


def test_error_and_missing_nodes_reported_with_line_and_column() -> None:
    parsed = PARSER.parse("def f(:\n    pass\nx = (1\n", "bad.py")
    kinds = {(i.kind, i.line, i.column) for i in parsed.issues}
    assert ("missing", 1, 7) in kinds
    assert any(k == "error" and line == 3 for k, line, _ in kinds)
    assert all(i.message for i in parsed.issues)


def test_missing_node_in_typescript() -> None:
    parsed = PARSER.parse("function f(a: number {\n  return a\n", "bad.ts")
    missing = [i for i in parsed.issues if i.kind == "missing"]
    assert {i.message for i in missing} >= {"missing ')'", "missing '}'"}
    assert missing[0].line == 1


def test_columns_count_characters_not_bytes() -> None:
    parsed = PARSER.parse("s = 'é'; x = (\n", "u.py")
    (issue,) = [i for i in parsed.issues if i.kind == "error"] or parsed.issues[:1]
    assert issue.line == 1
    assert issue.column <= len("s = 'é'; x = (") + 1


def test_issues_land_on_the_atoms_affected() -> None:
    ok = "def ok():\n" + "    x = 1\n" * 6 + "    return x\n\n\n"
    source = ok * 4 + "def broken(:\n" + "    y = 2\n" * 6 + "    return y\n"
    result = atomize_source(source, "b.py")
    hit = [a for a in result.atoms if a.issues]
    assert hit and all("broken" in a.code for a in hit)
    assert not result.atoms[0].issues


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("def f():\n    return 1\n", 1),
        ("def f(x):\n    if x:\n        return 1\n    return 2\n", 2),
        (
            "def f(x):\n    if x:\n        pass\n    elif y:\n        pass\n"
            "    else:\n        pass\n",
            3,
        ),
        ("def f(x):\n    for i in x:\n        while i:\n            i -= 1\n", 3),
        ("def f(x):\n    return a and b or c\n", 3),
        ("def f(x):\n    return [i for i in x if i]\n", 3),
        (
            "def f(x):\n    try:\n        g()\n    except A:\n        pass\n"
            "    except B:\n        pass\n",
            3,
        ),
        ("def f(x):\n    return 1 if x else 2\n", 2),
        (
            "def f(x):\n    match x:\n        case 1:\n            pass\n"
            "        case _:\n            pass\n",
            3,
        ),
    ],
)
def test_python_cyclomatic_complexity(code: str, expected: int) -> None:
    parsed = PARSER.parse(code, "c.py")
    (fn,) = [s for s in extract_symbols(parsed) if s.kind == "function"]
    assert fn.complexity == expected


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("function f() { return 1; }", 1),
        ("function f(x) { if (x) { return 1; } else { return 2; } }", 2),
        ("function f(x) { return x && y || z; }", 3),
        ("function f(x) { return x ?? (y ? 1 : 2); }", 3),
        ("function f(x) { for (;;) {} for (const a of b) {} while (x) {} do {} while (x); }", 5),
        ("function f(x) { switch (x) { case 1: break; case 2: break; default: break; } }", 3),
        ("function f(x) { try { g(); } catch (e) { h(); } }", 2),
    ],
)
def test_typescript_cyclomatic_complexity(code: str, expected: int) -> None:
    for path in ("c.ts", "c.js"):
        parsed = PARSER.parse(code, path)
        (fn,) = [s for s in extract_symbols(parsed) if s.kind == "function"]
        assert fn.complexity == expected


def test_loc_counts_neither_blank_lines_comments_nor_docstrings() -> None:
    code = (
        'def f(x):\n    """Doc\n\n    more doc.\n    """\n\n    # comment\n'
        "    y = x  # trailing\n\n    return y\n"
    )
    parsed = PARSER.parse(code, "l.py")
    (fn,) = [s for s in extract_symbols(parsed) if s.kind == "function"]
    assert fn.loc == 3
    js = PARSER.parse(
        "/**\n * doc\n */\nfunction f() {\n  // c\n\n  return 1; /* x */\n}\n", "l.js"
    )
    (fn,) = [s for s in extract_symbols(js) if s.kind == "function"]
    assert fn.loc == 3


def test_python_outline() -> None:
    code = (
        "import os\nfrom typing import Optional as Opt\n\n"
        "class Repo(Base):\n    def add(self, x):\n        def inner():\n            pass\n"
        "        return x\n\n\nasync def main():\n    pass\n\n__all__ = ['Repo', 'main']\n"
    )
    symbols = {(s.kind, s.qualified_name) for s in extract_symbols(PARSER.parse(code, "o.py"))}
    assert {
        ("import", "import os"),
        ("import", "from typing import Optional as Opt"),
        ("class", "Repo"),
        ("method", "Repo.add"),
        ("function", "Repo.add.inner"),
        ("function", "main"),
        ("export", "Repo"),
        ("export", "main"),
    } <= symbols


def test_typescript_outline() -> None:
    code = (
        'import { a, b as c } from "m";\nimport D from "d";\n'
        "export interface I { x: number }\nexport type T = string;\nenum E { A }\n"
        "export default class K { m(): void {} }\n"
        "export const g = (q: number) => q;\nexport { g as h };\n"
    )
    symbols = {(s.kind, s.qualified_name) for s in extract_symbols(PARSER.parse(code, "o.ts"))}
    assert {
        ("import", 'import { a } from "m";'),
        ("import", 'import { b as c } from "m";'),
        ("import", 'import D from "d";'),
        ("type", "I"),
        ("type", "T"),
        ("type", "E"),
        ("class", "K"),
        ("method", "K.m"),
        ("function", "g"),
        ("export", "I"),
        ("export", "K"),
        ("export", "h"),
    } <= symbols


def test_tsx_and_jsx_parse() -> None:
    tsx = (
        "export function App(props: { name: string }) {\n"
        "  return <div className='x'>{props.name}</div>;\n}\n"
    )
    assert not PARSER.parse(tsx, "a.tsx").issues
    jsx = "export function App(props) {\n  return <Hello name={props.name} />;\n}\n"
    assert not PARSER.parse(jsx, "a.jsx").issues
