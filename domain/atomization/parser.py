"""MultiLanguageParser: tree-sitter parsing plus the per-file facts every later stage needs.

One parse and one query pass per file; everything else (atoms' LOC, complexity, names) is then
answered from sorted offset lists by bisection and from C-level regex scans of prepared text,
never by walking the tree again from Python.
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_left
from dataclasses import dataclass

import tree_sitter

from . import queries as q
from .languages import SPECS, LanguageSpec, resolve_language, ts_language
from .lines import LineIndex, blank
from .model import SyntaxIssue

# `...` (spread, rest, Ellipsis) would otherwise hide the name that follows it from the
# identifier scan, which skips names after a dot (attribute accesses).
_ELLIPSIS = b"..."


@dataclass(eq=False)
class ParsedSource:
    """A parsed file and the facts gathered in the single query pass.

    Names are kept as bytes: they are compared far more often than they are shown.
    """

    path: str
    language: str
    spec: LanguageSpec
    source: bytes
    tree: tree_sitter.Tree
    lines: LineIndex
    # Comments, string bodies and non-variable names (keyword arguments, object keys, member
    # names) blanked out: every identifier left in it is a reference to or binding of a name.
    names_text: bytes
    # Names used in type annotations / type identifiers, by offset.
    type_offsets: list[int]
    type_names: list[bytes]
    decisions: list[int]  # start offsets of decision points, sorted
    bind_offsets: list[int]  # where names are bound (incl. parameters), sorted
    bind_names: list[bytes]
    param_offsets: list[int]
    param_names: list[bytes]
    import_nodes: list[tree_sitter.Node]
    issues: tuple[SyntaxIssue, ...]

    @property
    def root(self) -> tree_sitter.Node:
        return self.tree.root_node

    def decision_count(self, start: int, end: int) -> int:
        return bisect_left(self.decisions, end) - bisect_left(self.decisions, start)

    def complexity(self, start: int, end: int) -> int:
        """Cyclomatic complexity of a byte range: 1 + the decision points starting in it."""
        return 1 + self.decision_count(start, end)

    def node_complexity(self, node: tree_sitter.Node) -> int:
        return self.complexity(node.start_byte, node.end_byte)

    def bound_names(self, start: int, end: int) -> list[bytes]:
        """Names bound (assigned, defined, imported, parameters) in [start, end), in order."""
        lo = bisect_left(self.bind_offsets, start)
        hi = bisect_left(self.bind_offsets, end)
        return self.bind_names[lo:hi]

    def bindings(self, start: int, end: int) -> list[tuple[int, bytes]]:
        lo = bisect_left(self.bind_offsets, start)
        hi = bisect_left(self.bind_offsets, end)
        return list(zip(self.bind_offsets[lo:hi], self.bind_names[lo:hi], strict=True))

    def type_names_in(self, start: int, end: int) -> list[bytes]:
        lo = bisect_left(self.type_offsets, start)
        hi = bisect_left(self.type_offsets, end)
        return self.type_names[lo:hi]

    def param_names_in(self, start: int, end: int) -> list[bytes]:
        lo = bisect_left(self.param_offsets, start)
        hi = bisect_left(self.param_offsets, end)
        return self.param_names[lo:hi]


def _sorted_names(nodes: list[tree_sitter.Node]) -> tuple[list[int], list[bytes]]:
    pairs = sorted((n.start_byte, n.text or b"") for n in nodes)
    return [o for o, _ in pairs], [t for _, t in pairs]


_TYPE_WORD = re.compile(rb"(?<![\w$\x80-\xff.])[A-Za-z_$\x80-\xff][\w$\x80-\xff]*")


def _type_names(nodes: list[tree_sitter.Node], names_text: bytes) -> tuple[list[int], list[bytes]]:
    """(offset, name) of every name inside type annotations, sorted by offset."""
    pairs: list[tuple[int, bytes]] = []
    find = _TYPE_WORD.findall
    for node in nodes:
        start = node.start_byte
        pairs.extend((start, name) for name in find(names_text, start, node.end_byte))
    pairs.sort()
    return [o for o, _ in pairs], [n for _, n in pairs]


class MultiLanguageParser:
    """Parses Python, TypeScript, TSX and JavaScript/JSX with tree-sitter.

    Parser objects are not safe to share between threads, so each thread gets its own.
    """

    def __init__(self) -> None:
        self._local = threading.local()

    def _parser(self, language: str) -> tree_sitter.Parser:
        parsers: dict[str, tree_sitter.Parser] | None = getattr(self._local, "parsers", None)
        if parsers is None:
            parsers = {}
            self._local.parsers = parsers
        parser = parsers.get(language)
        if parser is None:
            parser = tree_sitter.Parser(ts_language(language))
            parsers[language] = parser
        return parser

    def parse_tree(self, source: bytes, language: str) -> tree_sitter.Tree:
        """The bare tree-sitter parse (what the bench compares atomization against)."""
        return self._parser(language).parse(source)

    def parse(self, source: bytes | str, path: str, language: str | None = None) -> ParsedSource:
        data = source.encode("utf-8") if isinstance(source, str) else bytes(source)
        lang = resolve_language(language, path)
        tree = self.parse_tree(data, lang)
        caps = q.run_engine_query(lang, tree.root_node)
        get = caps.get

        comments = [(n.start_byte, n.end_byte) for n in get(q.COMMENT, ())]
        docs = [(n.start_byte, n.end_byte) for n in get(q.DOCSTRING, ())]
        lines = LineIndex(data, comments + docs if docs else comments)
        hidden = comments
        hidden.extend((n.start_byte, n.end_byte) for n in get(q.STRING, ()))
        hidden.extend((n.start_byte, n.end_byte) for n in get(q.KEYWORD_ARG, ()))
        names_text = blank(data, hidden)
        if _ELLIPSIS in names_text:
            names_text = names_text.replace(_ELLIPSIS, b"   ")
        type_offsets, type_names = _type_names(get(q.TYPE_REF, []), names_text)
        decisions = sorted(n.start_byte for n in get(q.DECISION, ()))
        bind_offsets, bind_names = _sorted_names(get(q.BIND, []) + get(q.PARAM, []))
        param_offsets, param_names = _sorted_names(get(q.PARAM, []))
        imports = sorted(get(q.IMPORT, []), key=lambda n: n.start_byte)
        issues = _syntax_issues(tree.root_node, lines) if tree.root_node.has_error else ()
        return ParsedSource(
            path=path,
            language=lang,
            spec=SPECS[lang],
            source=data,
            tree=tree,
            lines=lines,
            names_text=names_text,
            type_offsets=type_offsets,
            type_names=type_names,
            decisions=decisions,
            bind_offsets=bind_offsets,
            bind_names=bind_names,
            param_offsets=param_offsets,
            param_names=param_names,
            import_nodes=imports,
            issues=issues,
        )


def _error_nodes(root: tree_sitter.Node) -> tuple[list[tree_sitter.Node], list[tree_sitter.Node]]:
    """ERROR and MISSING nodes, found by walking only the subtrees that contain errors.

    Iterative (an explicit stack): broken input can nest thousands of levels deep.
    """
    errors: list[tree_sitter.Node] = []
    missing: list[tree_sitter.Node] = []
    stack = [root]
    while stack:
        node = stack.pop()
        if node.is_missing:
            missing.append(node)
            continue
        if node.is_error:
            errors.append(node)
        stack.extend(c for c in node.children if c.has_error or c.is_missing)
    return errors, missing


def _syntax_issues(root: tree_sitter.Node, lines: LineIndex) -> tuple[SyntaxIssue, ...]:
    """ERROR and MISSING nodes as issues; an ERROR nested in another is the same problem."""
    found: list[SyntaxIssue] = []
    error_nodes, missing_nodes = _error_nodes(root)
    errors = sorted(error_nodes, key=lambda n: (n.start_byte, -n.end_byte))
    covered_until = -1
    for node in errors:
        if node.end_byte <= covered_until:
            continue
        covered_until = node.end_byte
        text = (node.text or b"")[:400].decode("utf-8", errors="replace")
        first = text.strip().splitlines()[0] if text.strip() else ""
        snippet = first[:40] + ("…" if len(first) > 40 else "")
        message = f"syntax error: cannot parse {snippet!r}" if snippet else "syntax error"
        found.append(_issue("error", node.start_byte, node.end_byte, message, lines))
    for node in missing_nodes:
        message = f"missing {node.type!r}"
        found.append(_issue("missing", node.start_byte, node.end_byte, message, lines))
    found.sort(key=lambda i: (i.start_byte, i.kind))
    return tuple(found)


def _issue(kind: str, start: int, end: int, message: str, lines: LineIndex) -> SyntaxIssue:
    return SyntaxIssue(
        kind=kind,
        line=lines.line_of(start),
        column=lines.column_of(start),
        message=message,
        start_byte=start,
        end_byte=end,
    )
