"""Byte-exact line bookkeeping: line numbers, columns and lines of code.

Every offset is a UTF-8 byte offset into the original bytes; text is only decoded for display.
A line ends at b"\\n" (so CRLF files count the same lines as LF files).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable

# Every byte but the newline becomes a space: blanking keeps offsets and line structure intact.
_BLANK = bytes(b if b == 0x0A else 0x20 for b in range(256))
_LINE_START = re.compile(rb"\n")
# First byte of a line that is neither whitespace nor (once comments are blanked) comment.
_CODE_ANCHOR = re.compile(rb"(?m)^[ \t\r\f\v]*([^\s])")


def blank(source: bytes, ranges: Iterable[tuple[int, int]]) -> bytes:
    """A copy of `source` with the byte ranges replaced by spaces (newlines kept)."""
    buf = bytearray(source)
    for start, end in ranges:
        if end > start:
            buf[start:end] = source[start:end].translate(_BLANK)
    return bytes(buf)


class LineIndex:
    """Maps byte offsets to lines and counts lines of code (non-blank, non-comment).

    LOC is made additive: a code line is counted in the range holding its first code byte. So
    the LOC of atoms sums to the LOC of the file even when a cut falls in the middle of a line.
    """

    __slots__ = ("_anchors", "line_starts", "source")

    def __init__(self, source: bytes, non_code: Iterable[tuple[int, int]]) -> None:
        """`non_code`: byte ranges that do not count as code (comments, docstrings)."""
        self.source = source
        self.line_starts: list[int] = [0]
        self.line_starts.extend(m.end() for m in _LINE_START.finditer(source))
        code_only = blank(source, non_code)
        self._anchors: list[int] = [m.start(1) for m in _CODE_ANCHOR.finditer(code_only)]

    @property
    def line_count(self) -> int:
        return len(self.line_starts)

    def line_of(self, offset: int) -> int:
        """1-based line holding byte `offset`."""
        return bisect_right(self.line_starts, offset)

    def line_start(self, offset: int) -> int:
        """Offset of the first byte of the line holding `offset`."""
        return self.line_starts[bisect_right(self.line_starts, offset) - 1]

    def column_of(self, offset: int) -> int:
        """1-based column of `offset`, counted in characters (not bytes) for humans."""
        start = self.line_start(offset)
        return len(self.source[start:offset].decode("utf-8", errors="replace")) + 1

    def loc(self, start: int, end: int) -> int:
        """Lines of code whose first code byte lies in [start, end)."""
        return bisect_left(self._anchors, end) - bisect_left(self._anchors, start)

    def loc_touched(self, start: int, end: int) -> int:
        """Lines of code touched by [start, end), counting a line the range starts inside."""
        return self.loc(self.line_start(start), end)

    def end_line(self, start: int, end: int) -> int:
        """Last line touched by the non-empty range [start, end)."""
        return self.line_of(max(start, end - 1))
