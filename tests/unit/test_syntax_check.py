from __future__ import annotations

import pytest

from domain.validation.syntax import syntax_problems


@pytest.mark.parametrize(
    ("code", "language"),
    [
        ("def f(x):\n    return x + 1\n", "python"),
        ("export const f = (x: number): number => x + 1;\n", "typescript"),
        ("const App = () => <div>hi</div>;\n", "tsx"),
        ("module.exports = function f(x) { return x; };\n", "javascript"),
    ],
)
def test_valid_code_has_no_problems(code: str, language: str) -> None:
    assert syntax_problems(code, language) == []


@pytest.mark.parametrize(
    ("code", "language", "line"),
    [
        ("x = 1\ndef f(:\n    pass\n", "python", 2),
        ("const x: number = ;\n", "typescript", 1),
        ("function f( {\n", "javascript", 1),
    ],
)
def test_broken_code_reports_the_line(code: str, language: str, line: int) -> None:
    problems = syntax_problems(code, language)
    assert problems and problems[0].line == line


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported"):
        syntax_problems("x", "cobol")
