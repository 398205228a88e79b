"""MultiLanguageParser: tree-sitter parsing plus the per-file facts every later stage needs.

One parse and one query pass per file; everything else (atoms' LOC, complexity, names) is then
answered from sorted offset lists by bisection and from C-level regex scans of prepared text,
never by walking the tree again from Python.
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_left
from dataclasses import dataclass, field
from itertools import repeat, starmap
from operator import attrgetter, itemgetter

import tree_sitter

from . import _native
from . import queries as q
from .languages import PYTHON, SPECS, LanguageSpec, resolve_language, ts_language
from .lines import BLANK_TABLE, LineIndex
from .model import SyntaxIssue
from .syntax import describe_member, js_doc_comment

if _native.AVAILABLE:
    from ._native import facts as _native_facts

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
    bind_texts: list[str]  # bind_names decoded
    param_offsets: list[int]
    param_names: list[bytes]
    import_nodes: list[tree_sitter.Node]
    issues: tuple[SyntaxIssue, ...]
    # Python: start of every function/class that has a docstring -> the docstring's range
    docstrings: dict[int, tuple[int, int]] = field(default_factory=dict)
    root: tree_sitter.Node = field(init=False)
    # describe_member of the members asked about, by node id (shared by the stages)
    _members: dict[int, tuple[str, str | None, tree_sitter.Node]] = field(
        init=False, default_factory=dict
    )

    _js_docs: dict[int, str | None] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        # one Node object for the root: its children list is then built once, and shared
        self.root = self.tree.root_node

    def js_doc(self, definition: tree_sitter.Node) -> str | None:
        """syntax.js_doc_comment of a definition, worked out once (context and validator ask)."""
        key = definition.id
        if key in self._js_docs:
            return self._js_docs[key]
        doc = self._js_docs[key] = js_doc_comment(definition, self.spec)
        return doc

    def describe(self, node: tree_sitter.Node) -> tuple[str, str | None, tree_sitter.Node]:
        """(kind, name, unwrapped node) of a member; see syntax.describe_member."""
        key = node.id
        info = self._members.get(key)
        if info is None:
            info = self._members[key] = describe_member(node, self.spec)
        return info

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


_RANGE = attrgetter("byte_range")
_START = attrgetter("start_byte")
_FIRST = itemgetter(0)


def _offsets_and_texts(
    source: bytes, ranges: list[tuple[int, int]]
) -> tuple[list[int], list[bytes]]:
    """Start offsets and texts of sorted (start, end) ranges.

    Sorting by (start, end) is sorting by (start, text): at equal starts the shorter text is a
    prefix of the longer one.
    """
    return list(map(_FIRST, ranges)), list(map(source.__getitem__, starmap(slice, ranges)))


def _docstrings(owners: list[int], doc_ranges: list[tuple[int, int]]) -> dict[int, tuple[int, int]]:
    """Start of each documented definition -> range of its docstring.

    A definition's docstring is the first documentation statement after its start: nothing in
    its header (name, parameters, annotations) is a statement.
    """
    if not owners:
        return {}
    doc_starts = list(map(_FIRST, doc_ranges))
    out: dict[int, tuple[int, int]] = {}
    for start in owners:
        at = bisect_left(doc_starts, start)
        if at < len(doc_ranges):
            out[start] = doc_ranges[at]
    return out


def _names_text(
    source: bytes,
    comments: list[tuple[int, int]],
    strings: list[tuple[int, int]],
    interpolations: list[tuple[int, int]],
    others: list[tuple[int, int]],
) -> bytes:
    """`source` with comments, string bodies and the `others` blanked.

    Python strings are captured whole and blanked whole, then the interpolations of f-strings
    are put back (their names are used), and the strings nested in them blanked again. In the
    order of their starts, an interpolation is restored after the ones around it, so each
    byte ends up blanked exactly when the innermost string or interpolation around it is a
    string. Quotes and prefixes are blanked along: neither is part of a name.
    """
    buf = bytearray(source)
    translate = BLANK_TABLE
    if strings:
        spans = sorted(strings)
        for start, end in spans:
            buf[start:end] = source[start:end].translate(translate)
        if interpolations:
            string_starts = list(map(_FIRST, spans))
            for start, end in sorted(interpolations):
                buf[start:end] = source[start:end]
                lo = bisect_left(string_starts, start)
                hi = bisect_left(string_starts, end, lo)
                for s_start, s_end in spans[lo:hi]:  # strings inside the interpolation
                    buf[s_start:s_end] = source[s_start:s_end].translate(translate)
    for start, end in comments:
        buf[start:end] = source[start:end].translate(translate)
    if others:
        for start, end in others:
            buf[start:end] = source[start:end].translate(translate)
    text = bytes(buf)
    if _ELLIPSIS in text:
        text = text.replace(_ELLIPSIS, b"   ")
    return text


# An identifier not preceded by a name character or a dot. The lookbehind sits after the
# first character so that the engine can skip ahead to candidate first characters.
NAME_PATTERN = re.compile(
    rb"[A-Za-z_$\x80-\xff](?<![\w$\x80-\xff.][A-Za-z_$\x80-\xff])[\w$\x80-\xff]*"
)


def _type_names(ranges: list[tuple[int, int]], names_text: bytes) -> tuple[list[int], list[bytes]]:
    """(offset, name) of every name inside type annotations, sorted by offset."""
    pairs: list[tuple[int, bytes]] = []
    find = NAME_PATTERN.findall
    extend = pairs.extend
    for start, end in ranges:
        extend(zip(repeat(start), find(names_text, start, end)))
    if not pairs:
        return [], []
    pairs.sort()
    offsets, names = zip(*pairs, strict=True)
    return list(offsets), list(names)


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
        if _native.enabled():
            (anchors, names_text, type_offsets, type_names, decisions, bind_offsets, bind_names,
             bind_texts, param_offsets, param_names, imports, docstrings,
             ) = _native_facts.file_facts(tree, data, lang == PYTHON)  # fmt: skip
            lines = LineIndex.from_anchors(data, anchors)
        else:
            (comments, strings, interpolations, kwargs, docs, owners, types, decision_starts,
             binds, params, imports) = _query_facts(lang, tree)  # fmt: skip
            doc_ranges = sorted(docs) if docs else []
            lines = LineIndex(data, comments + doc_ranges if docs else comments)
            docstrings = _docstrings(owners, doc_ranges)
            names_text = _names_text(data, comments, strings, interpolations, kwargs)
            type_offsets, type_names = _type_names(types, names_text)
            decisions = sorted(decision_starts)
            param_ranges = sorted(params) if params else []
            bind_ranges = binds + param_ranges
            bind_ranges.sort()
            bind_offsets, bind_names = _offsets_and_texts(data, bind_ranges)
            bind_texts = list(map(bytes.decode, bind_names, repeat("utf-8"), repeat("replace")))
            param_offsets, param_names = _offsets_and_texts(data, param_ranges)
            imports.sort(key=_START)
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
            bind_texts=bind_texts,
            param_offsets=param_offsets,
            param_names=param_names,
            import_nodes=imports,
            issues=issues,
            docstrings=docstrings,
        )


Range = tuple[int, int]
Facts = tuple[
    list[Range],  # comments
    list[Range],  # strings
    list[Range],  # interpolations
    list[Range],  # keyword arguments and other non-variable names
    list[Range],  # docstrings
    list[int],  # starts of the definitions that have a docstring
    list[Range],  # type annotations
    list[int],  # starts of decision points
    list[Range],  # bindings
    list[Range],  # parameters
    list[tree_sitter.Node],  # import statements
]


def _query_facts(language: str, tree: tree_sitter.Tree) -> Facts:
    """The engine query's captures as the native core returns them (its reference)."""
    caps = q.run_engine_query(language, tree.root_node)
    get = caps.get

    def ranges(name: str) -> list[Range]:
        # Zero-width captures are MISSING nodes error recovery made up: they name nothing
        # (a binding of b"" otherwise), and blank nothing.
        return [r for r in map(_RANGE, get(name, ())) if r[1] > r[0]]

    return (
        ranges(q.COMMENT),
        ranges(q.STRING),
        ranges(q.INTERPOLATION),
        ranges(q.KEYWORD_ARG),
        ranges(q.DOCSTRING),
        list(map(_START, get(q.DOC_OWNER, ()))),
        ranges(q.TYPE_REF),
        list(map(_START, get(q.DECISION, ()))),
        ranges(q.BIND),
        ranges(q.PARAM),
        list(get(q.IMPORT, ())),
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
