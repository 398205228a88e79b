"""RecursiveDecomposer: cuts a parsed file into atoms of about `target_loc` lines.

How it works, in three steps:

1. Units. The children of a container (module, class body, function body, block, clause) are
   grouped into *units*: one statement/member/definition each, with the comments and decorators
   that lead into it. A cut only ever falls in front of a unit, at the start of its line when
   the line holds nothing before it, so atoms keep whole lines and their indentation.
2. Leaves. A unit larger than `max_loc` (or too complex) is opened: its own children become
   units, and its header (signature, `class X:`, `if cond:`, `{`) rides with its first child.
   Opening repeats, iteratively (no Python recursion: 500-deep nesting must not blow the
   stack), until units fit or cannot be opened. What cannot be opened and is still too big is
   one oversized leaf, with the reason.
3. Grouping. One dynamic programme over all leaves of the file picks the contiguous groups
   that keep atoms within limits, close to the target, below the complexity bound, and avoid
   groups that straddle a scope boundary, in that order of importance.

Cuts fall on leaf boundaries only, and leaves tile the file, so the atoms always tile it:
concatenating them gives back the file byte for byte, whatever the input.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field

import tree_sitter

from . import _native
from .languages import LanguageSpec
from .model import AtomizationConfig
from .parser import ParsedSource
from .syntax import describe_member, scope_name, text_of, unwrap

try:  # the same stage on the C API (optional: absent when the project was built without it)
    from ._native import decompose as _native_decompose
except ImportError:
    _native_decompose = None  # type: ignore[assignment]

Node = tree_sitter.Node

# Grouping costs. Only their order matters: an atom over max_loc is never formed by grouping;
# an atom under min_loc costs more than one that straddles a scope boundary, which costs more
# than any distance from the target or complexity excess.
_SMALL = 1000
_CROSSING = 300
_COMPLEXITY = 40
_OVERSIZED = 100_000
_MAX_GROUP_LEAVES = 128  # bound on the grouping window, whatever the leaves weigh
# Bytes that count as one line of size. Ordinary code never comes near it; minified code,
# binary garbage and one-line data blobs would otherwise make megabyte atoms of "1 LOC".
_WIDE_LINE = 400
_MAX_DESCENT = 64
_SPLIT_FACTOR = 2
_HEADER_LINES = 6
_NL = b"\n"


@dataclass(slots=True)
class Scope:
    """A node that was opened (split into its children)."""

    id: int
    parent: int  # -1 for the module
    depth: int
    kind: str  # module | class | function | method | type | block
    name: str | None
    qualname: str | None
    header: str
    unit: Node | None  # the member as its parent lists it (e.g. a decorated definition)
    container: Node | None  # the node whose children were taken (e.g. the function itself)
    start: int = 0
    end: int = 0
    first_leaf: int = -1
    last_leaf: int = -1


@dataclass(slots=True)
class Leaf:
    start: int
    end: int
    node: Node | None  # None: only comments / blank lines
    scope: int
    loc: int
    decisions: int
    lines: int = 1  # physical lines spanned
    oversize_reason: str | None = None


class LeafTable:
    """The leaves of a file as parallel lists: cheaper to build and to scan than objects."""

    __slots__ = ("decisions", "ends", "lines", "locs", "nodes", "reasons", "scopes", "starts")

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.nodes: list[Node | None] = []
        self.scopes: list[int] = []
        self.locs: list[int] = []
        self.decisions: list[int] = []
        self.lines: list[int] = []  # physical lines spanned
        self.reasons: dict[int, str] = {}  # oversize reason by leaf index (rare)

    def __len__(self) -> int:
        return len(self.starts)

    def leaf(self, index: int) -> Leaf:
        return Leaf(
            self.starts[index],
            self.ends[index],
            self.nodes[index],
            self.scopes[index],
            self.locs[index],
            self.decisions[index],
            self.lines[index],
            self.reasons.get(index),
        )


@dataclass(slots=True)
class Segment:
    """One atom-to-be: a contiguous run of leaves."""

    start: int
    end: int
    first_leaf: int
    last_leaf: int
    loc: int
    complexity: int
    oversized: bool
    oversize_reason: str | None
    kind: str
    name: str | None
    lca: int  # deepest scope holding the whole segment
    enclosing: list[int]  # scopes around the segment's start that it does not open
    opened: list[int]  # scopes whose header is in the segment
    members: list[Node] = field(default_factory=list)  # top-level items at the lca level
    member_kinds: list[str] = field(default_factory=list)  # function|class|type|import|...
    member_names: list[str | None] = field(default_factory=list)
    member_inners: list[Node] = field(default_factory=list)  # members unwrapped


@dataclass(slots=True)
class Decomposition:
    scopes: list[Scope]
    table: LeafTable
    segments: list[Segment]

    @property
    def leaves(self) -> list[Leaf]:
        table = self.table
        return [table.leaf(i) for i in range(len(table))]


class RecursiveDecomposer:
    """Splits parsed sources into segments; see the module docstring for the method."""

    def __init__(self, config: AtomizationConfig | None = None) -> None:
        self.config = config or AtomizationConfig()

    def decompose(self, parsed: ParsedSource) -> Decomposition:
        if _native_decompose is not None and _native.enabled():
            return _native_decompose.decompose(self.config, parsed)
        size = len(parsed.source)
        module = Scope(0, -1, 0, "module", None, None, "", None, parsed.root, 0, size)
        scopes = [module]
        table = LeafTable()
        if size:
            self._build_leaves(parsed, scopes, table)
        segments = self._group(parsed, scopes, table)
        return Decomposition(scopes, table, segments)

    # -- step 1 and 2: units and leaves ---------------------------------------------------

    def _build_leaves(self, parsed: ParsedSource, scopes: list[Scope], table: LeafTable) -> None:
        cfg = self.config
        spec = parsed.spec
        source = parsed.source
        size = len(source)
        anchors = parsed.lines.anchors
        decision_at = parsed.decisions
        count = source.count
        starts, ends, nodes, sids = table.starts, table.ends, table.nodes, table.scopes
        locs, decs, spans = table.locs, table.decisions, table.lines
        # Work items: (unit node or None, start, end, scope id).
        # A stack of pending units in reverse order gives a depth-first, in-order walk.
        root_units = _units(parsed, parsed.root.children, 0, size)
        if not root_units:
            starts.append(0)
            ends.append(size)
            nodes.append(None)
            sids.append(0)
            locs.append(bisect_left(anchors, size))
            decs.append(0)
            spans.append(1)
            scopes[0].first_leaf = scopes[0].last_leaf = 0
            return
        stack: list[tuple[Node | None, int, int, int]] = [
            (n, s, e, 0) for n, s, e in reversed(root_units)
        ]
        pop = stack.pop
        max_loc = cfg.max_loc
        max_cx = cfg.max_complexity
        split_depth = max(2, cfg.min_loc * _SPLIT_FACTOR)
        merge_bytes = _WIDE_LINE * max_loc
        # below this many bytes, long lines cannot make a range count as over max_loc
        wide_min = _WIDE_LINE * (max_loc + 1)
        while stack:
            node, start, end, scope_id = pop()
            loc = bisect_left(anchors, end) - bisect_left(anchors, start)
            decisions = bisect_left(decision_at, end) - bisect_left(decision_at, start)
            big = loc > max_loc
            if not big and end - start >= wide_min:
                big = _width(end - start, count(_NL, start, end - 1) + 1) > max_loc
            if (
                node is not None
                and (big or (decisions + 1 >= max_cx and loc >= split_depth))
                and (opened := _open(node, spec, max_loc, parsed)) is not None
            ):
                container, children = opened
                inner = _units(parsed, children, start, end)
                if inner:
                    sid = self._new_scope(parsed, scopes, scope_id, node, container, children)
                    scope = scopes[sid]
                    scope.start = start
                    scope.end = end
                    stack.extend((n, s, e, sid) for n, s, e in reversed(inner))
                    continue
                # nothing to cut between: fall through to a single leaf
            if loc == 0 and starts and not big:
                last = len(starts) - 1
                if sids[last] == scope_id and end - starts[last] <= merge_bytes:
                    # nothing but comments, or more statements on the line of the last
                    # leaf: no atom of its own (keeps the grouping window small, too)
                    ends[last] = end
                    decs[last] += decisions
                    spans[last] = count(_NL, starts[last], end - 1) + 1
                    continue
            starts.append(start)
            ends.append(end)
            nodes.append(node)
            sids.append(scope_id)
            locs.append(loc)
            decs.append(decisions)
            spans.append(count(_NL, start, end - 1) + 1)
            if big:
                table.reasons[len(starts) - 1] = _oversize_reason(
                    node, loc, max_loc, start, end, parsed
                )
        # first/last leaf of every scope, for the grouping's boundary test: the scope's own
        # leaves, then each scope's span folded into its parent (parents come first in ids)
        first = [-1] * len(scopes)
        last_of = [-1] * len(scopes)
        for index, sid in enumerate(sids):
            if first[sid] < 0:
                first[sid] = index
            last_of[sid] = index
        for sid in range(len(scopes) - 1, 0, -1):
            lo = first[sid]
            if lo < 0:
                continue
            up = scopes[sid].parent
            if first[up] < 0 or lo < first[up]:
                first[up] = lo
            if last_of[sid] > last_of[up]:
                last_of[up] = last_of[sid]
        for scope, lo, hi in zip(scopes, first, last_of, strict=True):
            scope.first_leaf = lo
            scope.last_leaf = hi

    def _new_scope(
        self,
        parsed: ParsedSource,
        scopes: list[Scope],
        parent_id: int,
        unit: Node,
        container: Node,
        children: list[Node],
    ) -> int:
        spec = parsed.spec
        parent = scopes[parent_id]
        ctype = container.type
        if ctype in spec.function_types:
            kind = "method" if parent.kind == "class" else "function"
        elif ctype in spec.class_types:
            kind = "class"
        elif ctype in spec.type_decl_types:
            kind = "type"
        else:
            kind = "block"
        name = scope_name(container, unit, spec) if kind != "block" else None
        qual = parent.qualname
        if name:
            qual = f"{qual}.{name}" if qual else name
        # the header ends where the first child (or the comment leading into it) begins
        header_end = container.end_byte
        for c in children:
            if c.is_named:
                cs, ce = c.byte_range
                if ce > cs:
                    header_end = cs
                    break
        header = _header_text(parsed, unit.start_byte, header_end)
        sid = len(scopes)
        scopes.append(
            Scope(sid, parent_id, parent.depth + 1, kind, name, qual, header, unit, container)
        )
        return sid

    # -- step 3: grouping ---------------------------------------------------------------

    def _group(self, parsed: ParsedSource, scopes: list[Scope], table: LeafTable) -> list[Segment]:
        n = len(table)
        if n == 0:
            return []
        cfg = self.config
        target, max_loc, min_loc, max_cx = (
            cfg.target_loc,
            cfg.max_loc,
            cfg.min_loc,
            cfg.max_complexity,
        )
        depth = [s.depth for s in scopes]
        parent = [s.parent for s in scopes]
        locs = table.locs
        starts = table.starts
        ends = table.ends
        spans = table.lines
        decs = table.decisions
        sc = table.scopes
        open_depth, close_depth = _boundary_depths(scopes, sc)
        adj = [0] * n  # depth of the common scope of leaf i-1 and leaf i
        prev = sc[0]
        for i in range(1, n):
            cur = sc[i]
            adj[i] = depth[cur] if cur == prev else _lca_depth(prev, cur, depth, parent)
            prev = cur

        # best[j]: cheapest grouping of leaves[:j]; back[j]: where its last group starts.
        size_cost = [
            _SMALL + (min_loc - size) * 10 if size < min_loc else (size - target) ** 2
            for size in range(max_loc + 1)
        ]
        free_decisions = max_cx - 1  # decision points an atom may hold below max_complexity
        unreachable = 1 << 62
        best = [unreachable] * (n + 1)
        back = [0] * (n + 1)
        best[0] = 0
        wide = _WIDE_LINE
        for j in range(n):
            end_j = ends[j]
            closes = close_depth[j]
            # the group of leaf j alone
            loc_sum = locs[j]
            span_sum = spans[j]
            size = loc_sum
            nbytes = end_j - starts[j]
            if nbytes > wide * span_sum and nbytes // wide > size:
                size = nbytes // wide  # long lines: minified code, data blobs
            if size > max_loc:  # an unsplittable leaf over the limit stands alone
                best[j + 1] = best[j] + _OVERSIZED
                back[j + 1] = j
                continue
            dec_sum = decs[j]
            lca = depth[sc[j]]
            best_here = best[j] + size_cost[size]
            if dec_sum > free_decisions:
                best_here += _COMPLEXITY * (dec_sum - free_decisions)
            if open_depth[j] > lca or closes > lca:
                best_here += _CROSSING
            start_here = j
            for i in range(j - 1, max(-1, j - _MAX_GROUP_LEAVES), -1):
                loc_sum += locs[i]
                span_sum += spans[i]
                size = loc_sum
                nbytes = end_j - starts[i]
                if nbytes > wide * span_sum and nbytes // wide > size:
                    size = nbytes // wide
                if size > max_loc:
                    break
                dec_sum += decs[i]
                if adj[i + 1] < lca:
                    lca = adj[i + 1]
                cost = best[i] + size_cost[size]
                if dec_sum > free_decisions:
                    cost += _COMPLEXITY * (dec_sum - free_decisions)
                if open_depth[i] > lca or closes > lca:
                    cost += _CROSSING
                if cost < best_here:
                    best_here = cost
                    start_here = i
            best[j + 1] = best_here
            back[j + 1] = start_here

        bounds: list[tuple[int, int]] = []
        j = n
        while j > 0:
            i = back[j]
            bounds.append((i, j - 1))
            j = i
        bounds.reverse()
        chains: dict[int, list[int]] = {}
        return [
            self._segment(
                parsed, scopes, table, i, j, open_depth, chains, whole=(i == 0 and j == n - 1)
            )
            for i, j in bounds
        ]

    def _segment(
        self,
        parsed: ParsedSource,
        scopes: list[Scope],
        table: LeafTable,
        i: int,
        j: int,
        open_depth: list[int],
        chains: dict[int, list[int]],
        whole: bool,
    ) -> Segment:
        sc = table.scopes
        nodes = table.nodes
        start, end = table.starts[i], table.ends[j]
        first_scope = sc[i]
        reasons = table.reasons
        if i == j:
            loc = table.locs[i]
            complexity = 1 + table.decisions[i]
            reason = reasons.get(i) if reasons else None
            lca = first_scope
        else:
            loc = sum(table.locs[i : j + 1])
            complexity = 1 + sum(table.decisions[i : j + 1])
            reason = (
                next((reasons[k] for k in range(i, j + 1) if k in reasons), None)
                if reasons
                else None
            )
            # common scope of the segment
            lca = first_scope
            for sid in set(sc[i + 1 : j + 1]):
                if sid != lca:
                    lca = _lca(lca, sid, scopes)
        # a segment holding all of a split definition is that definition, seen from outside
        while lca > 0 and scopes[lca].first_leaf == i and scopes[lca].last_leaf == j:
            lca = scopes[lca].parent
        chain = chains.get(first_scope)
        if chain is None:
            chain = chains[first_scope] = _chain(first_scope, scopes)  # module ... innermost
        od = open_depth[i]
        enclosing = chain[1 : od + 1]
        opened = chain[od + 1 :]
        # top-level members at the lca level: leaves directly in it, or opened children of it
        members: list[Node] = []
        seen: set[int] = set()
        for k in range(i, j + 1):
            sid = sc[k]
            if sid == lca:
                node = nodes[k]
                if node is not None:
                    members.append(node)
                continue
            up = scopes[sid].parent
            while up != lca and up >= 0:
                sid = up
                up = scopes[sid].parent
            if sid not in seen:
                seen.add(sid)
                unit = scopes[sid].unit
                if unit is not None:
                    members.append(unit)
        if lca == 0:  # root children: the context injector describes them too, share that
            describe = parsed.describe
            infos = [describe(m) for m in members]
        else:
            spec = parsed.spec
            infos = [describe_member(m, spec) for m in members]
        kinds = [k for k, _, _ in infos]
        names = [n for _, n, _ in infos]
        kind, name = _kind_and_name(scopes, lca, enclosing, opened, kinds, names, whole, j)
        return Segment(
            start,
            end,
            i,
            j,
            loc,
            complexity,
            reason is not None,
            reason,
            kind,
            name,
            lca,
            enclosing,
            opened,
            members,
            kinds,
            names,
            [inner for _, _, inner in infos],
        )


# -- helpers ----------------------------------------------------------------------------


def _units(
    parsed: ParsedSource, nodes: list[Node], span_start: int, span_end: int
) -> list[tuple[Node | None, int, int]]:
    """Group sibling nodes into units and place the cut in front of each.

    Returns (primary node or None, cut start, cut end) tiling [span_start, span_end).
    Comments and decorators on their own lines bind to the next unit; a comment on the same
    line as the end of a unit stays with it.
    """
    spec = parsed.spec
    source = parsed.source
    comment_types = spec.comment_types
    forward_types = spec.attach_forward_types
    prims: list[Node | None] = []  # primary node of each unit
    firsts: list[int] = []  # first byte (leading comments and decorators included)
    lasts: list[int] = []  # last byte (trailing comment included)
    pending_first = -1
    pending_last = -1
    for n in nodes:
        sb, eb = n.byte_range
        if eb <= sb or sb < span_start or eb > span_end:
            continue  # zero-width MISSING nodes live inside their neighbours
        if lasts and sb < lasts[-1]:
            continue  # overlapping recovery nodes: keep the first
        t = n.type
        if t in comment_types:
            if lasts and pending_first < 0 and source.find(b"\n", lasts[-1], sb) < 0:
                lasts[-1] = eb  # trailing comment on the unit's last line
                continue
            if pending_first < 0:
                pending_first = sb
            pending_last = eb
            continue
        if t in forward_types:
            if pending_first < 0:
                pending_first = sb
            pending_last = eb
            continue
        if not n.is_named:
            continue
        prims.append(n)
        firsts.append(pending_first if pending_first >= 0 else sb)
        lasts.append(eb)
        pending_first = -1
    if pending_first >= 0:
        if lasts:
            lasts[-1] = max(lasts[-1], pending_last)
        else:
            prims.append(None)
            firsts.append(pending_first)
            lasts.append(pending_last)
    if not prims:
        return []
    rfind = source.rfind
    cuts = [span_start]
    kept: list[Node | None] = [prims[0]]
    for k in range(1, len(prims)):
        first = firsts[k]
        line_start = rfind(_NL, 0, first) + 1
        if line_start >= lasts[k - 1] and not source[line_start:first].strip():
            cut = line_start  # whole lines: indentation goes with the unit it indents
        else:
            cut = first
        if cut <= cuts[-1] or cut >= span_end:
            continue  # cannot cut here (pathological recovery trees): merge into previous
        cuts.append(cut)
        kept.append(prims[k])
    cuts.append(span_end)
    return [(kept[k], cuts[k], cuts[k + 1]) for k in range(len(kept))]


def _structural_children(node: Node, spec: LanguageSpec) -> list[Node] | None:
    """Children of `node` that are complete siblings to cut between, if it has a body."""
    t = node.type
    if t in spec.body_field_types:
        body = node.children_by_field_name("body")
        return list(body) if body else None
    if t in spec.block_types:  # a bare `{ ... }` block used as a statement
        return list(node.children)
    if t in spec.member_object_types and any(
        c.type in spec.function_types
        or (
            c.type == "pair"
            and (v := c.child_by_field_name("value")) is not None
            and v.type in spec.function_types
        )
        for c in node.named_children
    ):
        # An object literal with methods is a namespace (`{ next() {...}, error: () => ... }`):
        # its members are definitions and may be cut between. Plain data objects stay whole.
        return list(node.children)
    if t == "ERROR":
        # Error recovery still yields complete statements inside; cutting between them keeps
        # a broken file in reasonable atoms instead of one giant one.
        kids = [c for c in node.children if c.is_named]
        return kids if len(kids) >= 2 else None
    found = False
    out: list[Node] = []
    for child in node.children:
        t = child.type
        if t in spec.block_types:
            found = True
            out.extend(child.children)
        elif t in spec.clause_types:
            found = True
            out.append(child)
    return out if found else None


def _open(
    node: Node, spec: LanguageSpec, max_loc: int, parsed: ParsedSource
) -> tuple[Node, list[Node]] | None:
    """The node to split and its complete sibling children, or None if it cannot be split.

    Follows wrappers (decorators, `export`) and, for statements that hold a function or class
    value (`const f = () => {...}`, `describe("x", () => {...})`, IIFEs), walks down into the
    largest child until a body is found.
    """
    cur = unwrap(node, spec)
    for _ in range(_MAX_DESCENT):
        children = _structural_children(cur, spec)
        if children is not None:
            return cur, children
        best: Node | None = None
        best_size = -1
        for child in cur.named_children:
            size = child.end_byte - child.start_byte
            if size > best_size and child.type not in spec.comment_types:
                best, best_size = child, size
        if best is None:
            return None
        if parsed.lines.loc(best.start_byte, best.end_byte) <= max_loc // 2:
            return None
        cur = unwrap(best, spec)
    return None


def _oversize_reason(
    node: Node | None, loc: int, max_loc: int, start: int, end: int, parsed: ParsedSource
) -> str:
    width = _width(end - start, parsed.lines.lines_spanned(start, end))
    if width > max(loc, max_loc):
        what = node.type if node is not None else "text"
        return (
            f"{what} of {end - start:,} bytes on {loc} line(s) of code (long lines, "
            f"minified code or data) with nothing to cut between (limit {max_loc} lines "
            f"of {_WIDE_LINE} bytes)"
        )
    if node is None:
        return f"{loc} lines of code with nothing to cut between (limit {max_loc})"
    if node.type == "ERROR" or node.has_error:
        return (
            f"{node.type} of {loc} lines contains a syntax error and cannot be split safely "
            f"(limit {max_loc})"
        )
    header = parsed.lines.loc(start, node.start_byte)
    own = loc - header
    if header and own <= max_loc:
        return (
            f"the enclosing header ({header} lines) and the first {node.type} ({own} lines) "
            f"cannot be separated and together exceed the limit of {max_loc}"
        )
    return (
        f"{node.type} of {own} lines has no complete sibling statements or members to cut "
        f"between (limit {max_loc})"
    )


def _width(nbytes: int, lines_spanned: int) -> int:
    """Size in lines that long lines give a range: 0 unless its lines average over
    _WIDE_LINE bytes (so long docstrings, which are many short lines, weigh nothing)."""
    return nbytes // _WIDE_LINE if nbytes > _WIDE_LINE * lines_spanned else 0


def _header_text(parsed: ParsedSource, start: int, end: int) -> str:
    source = parsed.source
    line_start = parsed.lines.line_start(start)
    indent = source[line_start:start]
    prefix = indent if not indent.strip() else b""
    raw = (prefix + source[start:end]).decode("utf-8", errors="replace").rstrip()
    lines = raw.splitlines()
    if len(lines) > _HEADER_LINES:
        lines = [*lines[: _HEADER_LINES - 1], lines[-1]] if lines else lines
        lines.insert(_HEADER_LINES - 1, "    ...")
    return "\n".join(lines)


def _chain(sid: int, scopes: list[Scope]) -> list[int]:
    out = []
    while sid >= 0:
        out.append(sid)
        sid = scopes[sid].parent
    out.reverse()
    return out


def _lca(a: int, b: int, scopes: list[Scope]) -> int:
    while a != b:
        if scopes[a].depth >= scopes[b].depth:
            a = scopes[a].parent
        else:
            b = scopes[b].parent
    return a


def _lca_depth(a: int, b: int, depth: list[int], parent: list[int]) -> int:
    while a != b:
        if depth[a] >= depth[b]:
            a = parent[a]
        else:
            b = parent[b]
    return depth[a]


def _boundary_depths(scopes: list[Scope], leaf_scopes: list[int]) -> tuple[list[int], list[int]]:
    """For each leaf, the depth above which it opens (closes) every scope it is in.

    A group [i..j] whose common scope has depth D straddles a boundary unless leaf i opens
    every scope below D that it is in, and leaf j closes every such scope.
    """
    opens: list[int] = []
    closes: list[int] = []
    for index, leaf_scope in enumerate(leaf_scopes):
        sid = leaf_scope
        d = scopes[sid].depth
        while sid > 0 and scopes[sid].first_leaf == index:
            sid = scopes[sid].parent
            d -= 1
        opens.append(d)
        sid = leaf_scope
        d = scopes[sid].depth
        while sid > 0 and scopes[sid].last_leaf == index:
            sid = scopes[sid].parent
            d -= 1
        closes.append(d)
    return opens, closes


def _kind_and_name(
    scopes: list[Scope],
    lca: int,
    enclosing: list[int],
    opened: list[int],
    kinds: list[str],
    names: list[str | None],
    whole: bool,
    j: int,
) -> tuple[str, str | None]:
    lca_scope = scopes[lca]
    # A segment that opens a scope without holding all of it: the head of a split definition.
    for sid in opened:
        head = scopes[sid]
        if head.last_leaf > j:
            if head.kind in ("function", "method", "class", "type"):
                return head.kind, head.qualname
            return "block", head.qualname or lca_scope.qualname
    # Name after the first definition; failing that, the first named statement (`X = ...`).
    # Local variables do not name an atom: inside functions only definitions do.
    simple = None
    first_named = None
    for n, k in zip(names, kinds, strict=True):
        if n:
            if k != "statement":
                simple = n
                break
            if first_named is None:
                first_named = n
    if simple is None and lca_scope.kind in ("module", "class"):
        simple = first_named
    name = None
    if simple:
        base = lca_scope.qualname
        name = f"{base}.{simple}" if base else simple
    if whole and lca == 0:
        return "module", name
    if enclosing and scopes[enclosing[-1]].kind in ("function", "method", "block"):
        return "block", name or scopes[enclosing[-1]].qualname or lca_scope.qualname
    code_kinds = set(kinds)
    code_kinds.discard("comment")
    if not code_kinds:
        return "comment", name
    if len(code_kinds) == 1:  # all of one kind
        (only,) = code_kinds
        if only == "import":
            return "imports", name
        if only == "function":
            return ("method" if lca_scope.kind == "class" else "function"), name
        if only == "class":
            return "class", name
        if only == "type":
            return "type", name
    if lca_scope.kind in ("function", "method", "block"):
        return "block", name or lca_scope.qualname
    if lca_scope.kind == "class" and "function" in code_kinds:
        return "method", name
    return "statements", name or (lca_scope.qualname if lca else None)


__all__ = [
    "Decomposition",
    "Leaf",
    "LeafTable",
    "RecursiveDecomposer",
    "Scope",
    "Segment",
    "text_of",
]
