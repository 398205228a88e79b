"""Byte-exact line bookkeeping: line numbers, columns and lines of code.

Every offset is a UTF-8 byte offset into the original bytes; text is only decoded for display.
A line ends at b"\\n" (so CRLF files count the same lines as LF files).

Line numbers are counted on demand with `bytes.count` / `bytes.rfind` (C loops over the bytes
in question) instead of a per-line offset table: building that table costs more than all the
lookups the engine makes. Only the per-line code anchors LOC needs are tabulated, and that
table is built without a Python-level loop (split, lstrip, accumulate, compress).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from itertools import accumulate, compress, repeat
from operator import add, sub

# Every byte but the newline becomes a space: blanking keeps offsets and line structure intact.
BLANK_TABLE = bytes(b if b == 0x0A else 0x20 for b in range(256))
_NL = b"\n"


def blank(source: bytes, ranges: Iterable[tuple[int, int]]) -> bytes:
    """A copy of `source` with the byte ranges replaced by spaces (newlines kept)."""
    buf = bytearray(source)
    for start, end in ranges:
        if end > start:
            buf[start:end] = source[start:end].translate(BLANK_TABLE)
    return bytes(buf)


def code_anchors(code_only: bytes) -> list[int]:
    """Offset of the first non-whitespace byte of every line that has one, in order.

    Whitespace is ASCII whitespace (`bytes.lstrip`), the same set as `rb"\\s"`.
    """
    parts = code_only.split(_NL)
    stripped = list(map(len, map(bytes.lstrip, parts)))
    ones = repeat(1)
    # accumulate(len + 1) is the offset just past each line's newline; the anchor of a line
    # is that, minus the newline, minus the stripped (code) length.
    after = accumulate(map(add, map(len, parts), ones))
    return list(compress(map(sub, after, map(add, stripped, ones)), stripped))


class LineIndex:
    """Maps byte offsets to lines and counts lines of code (non-blank, non-comment).

    LOC is made additive: a code line is counted in the range holding its first code byte. So
    the LOC of atoms sums to the LOC of the file even when a cut falls in the middle of a line.
    """

    __slots__ = ("_anchors", "source")

    def __init__(self, source: bytes, non_code: Iterable[tuple[int, int]]) -> None:
        """`non_code`: byte ranges that do not count as code (comments, docstrings)."""
        self.source = source
        self._anchors: list[int] = code_anchors(blank(source, non_code))

    @classmethod
    def from_anchors(cls, source: bytes, anchors: list[int]) -> LineIndex:
        """The index of `source` whose code anchors are already known (the native core's)."""
        index = cls.__new__(cls)
        index.source = source
        index._anchors = anchors
        return index

    @property
    def anchors(self) -> list[int]:
        """Sorted offsets of the first code byte of every line of code."""
        return self._anchors

    @property
    def line_count(self) -> int:
        return self.source.count(_NL) + 1

    def line_of(self, offset: int) -> int:
        """1-based line holding byte `offset`."""
        return self.source.count(_NL, 0, offset) + 1

    def line_start(self, offset: int) -> int:
        """Offset of the first byte of the line holding `offset`."""
        return self.source.rfind(_NL, 0, offset) + 1

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

    def lines_spanned(self, start: int, end: int) -> int:
        """Physical lines the range [start, end) touches (1 for an empty range)."""
        return self.source.count(_NL, start, end - 1) + 1 if end > start else 1
