"""Code extraction from model answers."""

from __future__ import annotations

import pytest

from activities.providers import extract_code


@pytest.mark.parametrize(
    ("answer", "code"),
    [
        ("```python\nx = 1\n```", "x = 1"),
        ("Sure:\n\n```py\ndef f():\n    return 1\n```\nThat's it.", "def f():\n    return 1"),
        ("```\nplain fence\n```", "plain fence"),
        ("~~~typescript\nconst a = 1;\n~~~", "const a = 1;"),
        # The first fenced block wins.
        ("```python\nfirst = 1\n```\n```python\nsecond = 2\n```", "first = 1"),
        # An empty first block is skipped.
        ("```\n\n```\n```python\nreal = 1\n```", "real = 1"),
        # Indentation of an atom (a method body) is kept.
        ("```python\n    return self.items\n```", "    return self.items"),
        # A fence inside a list item indents its code; only that indentation goes.
        ("1. code:\n   ```python\n   if x:\n       y()\n   ```", "if x:\n    y()"),
        # A longer fence can hold a shorter one.
        ("````markdown\n```python\nx = 1\n```\n````", "```python\nx = 1\n```"),
        # Unterminated (cut at max_tokens): the rest of the answer.
        ("```python\ndef f():\n    return", "def f():\n    return"),
        # No fence: the whole answer, blank lines around it dropped.
        ("\n\n  x = 1\ny = 2\n\n", "  x = 1\ny = 2"),
        ("", ""),
        ("   \n", ""),
        ("```python\n```", ""),
        ("```python\n   \n```", ""),
    ],
)
def test_extract_code(answer: str, code: str) -> None:
    assert extract_code(answer) == code


def test_windows_line_endings() -> None:
    assert extract_code("```python\r\nx = 1\r\ny = 2\r\n```\r\n") == "x = 1\ny = 2"
