"""Token helpers shared by the extractors: dotted chains and position sets.

Reading `a.b.c` with a regex on the source bytes is much cheaper than climbing tree-sitter
parents from every identifier, and every chain starts at a node the query already found.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable

from tree_sitter import Node

# `#` starts an ES private name (`this.#items`); Python never has it after a dot.
_IDENT = rb"[#A-Za-z_$\x80-\xff][\w$\x80-\xff]*"
_CHAIN = re.compile(_IDENT + rb"(?:\s*\??\.\s*" + _IDENT + rb")*")
_FULL_CHAIN = re.compile(_IDENT + rb"(?:\." + _IDENT + rb")*")
_SEPARATOR = re.compile(r"\s*\??\.\s*")


def chain_at(text: bytes, offset: int) -> tuple[tuple[str, ...], int]:
    """The dotted name starting at `offset` and the offset where it ends."""
    match = _CHAIN.match(text, offset)
    if match is None:
        return (), offset
    raw = match.group().decode("utf-8", "replace")
    if "." not in raw:
        return (raw,), match.end()
    return tuple(_SEPARATOR.split(raw)), match.end()


_CHAIN_CONTINUES = frozenset(b".? \t\r\n\\")


def chain_after(text: bytes, offset: int, name: str, name_end: int) -> tuple[tuple[str, ...], int]:
    """`chain_at` for an identifier already read: most uses are not dotted, so a glance at the
    next byte spares the regex."""
    if name_end >= len(text) or text[name_end] not in _CHAIN_CONTINUES:
        return (name,), name_end
    return chain_at(text, offset)


_BLANK = frozenset(b" \t")
_DOT, _AT, _PAREN, _EQUALS = ord("."), ord("@"), ord("("), ord("=")


def _next_char(text: bytes, offset: int) -> int:
    while offset < len(text) and text[offset] in _BLANK:
        offset += 1
    return text[offset] if offset < len(text) else -1


def after_dot(text: bytes, offset: int) -> bool:
    """The identifier at `offset` is an attribute name (`obj.name`), not a variable."""
    offset -= 1
    while offset >= 0 and text[offset] in _BLANK:
        offset -= 1
    return offset >= 0 and text[offset] == _DOT


def after_at(text: bytes, offset: int) -> bool:
    """The identifier at `offset` is a decorator (`@name`): applying it is a call."""
    return offset > 0 and text[offset - 1] == _AT


def before_paren(text: bytes, end: int) -> bool:
    """Python: a name directly followed by `(` is called."""
    return _next_char(text, end) == _PAREN


def before_single_equals(text: bytes, end: int) -> bool:
    """`name=` but not `name ==`: a keyword argument (bindings are known separately)."""
    while end < len(text) and text[end] in _BLANK:
        end += 1
    return text[end : end + 1] == b"=" and text[end + 1 : end + 2] != b"="


_OPTIONAL = re.compile(r"^(?:typing\.)?Optional\[(.*)\]$", re.DOTALL)
_GENERIC_TAIL = re.compile(r"[\[<].*$", re.DOTALL)
_NONE_MEMBERS = frozenset({"None", "null", "undefined"})


def type_chain(annotation: str) -> tuple[str, ...] | None:
    """The class an annotation names, if it names exactly one: `Repo`, `"Repo"`, `mod.Repo`,
    `Repo | None`, `Optional[Repo]`, `Repo<T>`, `Repo[T]` all give the dotted name of Repo."""
    text = annotation.strip().lstrip(":").strip().strip("\"'")
    simple = parse_dotted(text)
    if simple is not None:  # the common case: a bare class name
        return simple
    optional = _OPTIONAL.match(text)
    if optional:
        text = optional.group(1).strip()
    members = [m.strip() for m in text.split("|")]
    members = [m for m in members if m not in _NONE_MEMBERS]
    if len(members) != 1:
        return None
    return parse_dotted(_GENERIC_TAIL.sub("", members[0]))


def parse_dotted(value: str) -> tuple[str, ...] | None:
    """`"models.User"` → ("models", "User"); None when it is not a plain dotted name."""
    raw = value.strip().encode("utf-8")
    if not raw or _FULL_CHAIN.fullmatch(raw) is None:
        return None
    return tuple(raw.decode("utf-8").split("."))


def node_text(text: bytes, node: Node) -> str:
    return text[node.start_byte : node.end_byte].decode("utf-8", "replace")


class Spans:
    """Outermost intervals of a set of (possibly nested) nodes; answers "is offset inside?"."""

    def __init__(self, nodes: Iterable[Node]) -> None:
        starts: list[int] = []
        ends: list[int] = []
        for start, end in sorted((node.start_byte, node.end_byte) for node in nodes):
            if ends and start < ends[-1]:
                if end > ends[-1]:
                    ends[-1] = end
                continue
            starts.append(start)
            ends.append(end)
        self._starts = starts
        self._ends = ends

    def __contains__(self, offset: object) -> bool:
        if not isinstance(offset, int):
            return False
        index = bisect_right(self._starts, offset) - 1
        return index >= 0 and offset < self._ends[index]


def end_offsets(nodes: Iterable[Node]) -> set[int]:
    return {node.end_byte for node in nodes}


def start_offsets(nodes: Iterable[Node]) -> set[int]:
    return {node.start_byte for node in nodes}
