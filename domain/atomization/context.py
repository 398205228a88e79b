"""ContextInjector: everything an LLM needs, besides the atom itself, to regenerate it.

Per atom: the imports it needs (resolved from the names it uses), its enclosing scope
(class header, function signature, block headers), the types it refers to, its contract
(docstring / JSDoc as pre- and postconditions), the symbols it defines and uses, where its
dependencies live (dependency hints), and the tests that mention it.

Names come from one C-level pass over the atom's text (translate, split, sort) in which
comments, string bodies and non-variable names (keyword arguments, object keys) are blanked,
corrected by the bindings the parser's query captured. Much cheaper than visiting identifier
nodes from Python, and exact where it matters: imports and definitions.

Resolution is done with set operations against per-file indexes (module symbols, imports)
and per-scope indexes (the names an enclosing function or block binds), built once and
shared by every atom of the file or scope; only the names that resolve to something with a
location cost Python work per atom.

Completeness is five components, 20% each:
  imports       names only an import can explain are covered by one
  scope         the enclosing scope is known (always true for top-level atoms)
  types         referenced types resolve (builtin, imported, defined in this file or scope)
  contract      every function/class the atom defines, opens or sits in is documented
  dependencies  every free name resolves to something: local, parameter, module symbol, import
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_left, bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import repeat

import tree_sitter

from .contracts import parse_contract
from .decomposer import Decomposition, Scope, Segment
from .imports import ImportEntry, collect_imports, require_imports
from .model import AtomContext, new_frozen
from .parser import NAME_PATTERN, ParsedSource
from .syntax import docstring_text, text_of, unwrap

Node = tree_sitter.Node

ID_PATTERN = NAME_PATTERN
_WORD = re.compile(r"[A-Za-z_$][\w$]*")
_TYPING_MODULES = frozenset({"typing", "typing_extensions", "collections.abc", "__future__"})
_FUNCTION_KINDS = frozenset({"function", "method"})
_TYPE_SUMMARY_LINES = 12
_MAX_DOC_SOURCES = 6
_COMPONENTS = ("imports", "scope", "types", "contract", "dependencies")
_COMPLETE = dict.fromkeys(_COMPONENTS, 1.0)
_PARAM = object()  # resolver mark: a parameter of an enclosing function
_UTF8 = repeat("utf-8")
_REPLACE = repeat("replace")


# Name bytes (as NAME_PATTERN sees them) and dots stay, every other byte becomes a space.
_NAME_BYTES = frozenset(
    b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_$." + bytes(range(0x80, 0x100))
)
_TOKEN_TABLE = bytes(b if b in _NAME_BYTES else 0x20 for b in range(256))


def _words(tokens: bytes, start: int, end: int) -> frozenset[bytes]:
    """The names NAME_PATTERN finds in [start, end) of the text `tokens` was made from.

    `tokens` is that text through _TOKEN_TABLE. A name is a maximal run of name bytes that
    does not start with a digit and does not follow a dot (an attribute): splitting at
    whitespace and in front of every dot leaves such runs as tokens, and the others as tokens
    that start with "." or a digit, which sort together between b"." and b":". C-level
    throughout, and cheaper than the regex, whose per-byte class tests dominate.
    """
    if 0 < start < end and tokens[start - 1] != 0x20 and tokens[start] != 0x20:
        # the range starts inside a run that began before it: not a name (the regex's
        # lookbehind sees the bytes before `start` too)
        start = tokens.find(b" ", start, end)
        if start < 0:
            return frozenset()
    found = sorted(set(tokens[start:end].replace(b".", b" .").split()))
    lo = bisect_left(found, b".")
    hi = bisect_left(found, b":", lo)
    if hi > lo:
        del found[lo:hi]
    return frozenset(found)


def _decode_all(raws: list[bytes]) -> tuple[str, ...]:
    return tuple(map(bytes.decode, raws, _UTF8, _REPLACE))


@dataclass(frozen=True, slots=True)
class Symbol:
    name: str
    kind: str  # function | class | type | variable
    offset: int
    node: Node


@dataclass(slots=True)
class ContextFacts:
    """What the validator needs beyond the public context."""

    words: frozenset[bytes] = frozenset()  # every name the atom mentions
    sibling_locals: list[str] = field(default_factory=list)  # locals bound in other atoms
    functions: list[Node] = field(default_factory=list)  # callables the atom defines or opens
    definitions: int = 0  # functions/classes/types defined at the atom's level
    inside_function: bool = False


@functools.cache
def _b(names: frozenset[str]) -> frozenset[bytes]:
    return frozenset(n.encode() for n in names)


class _Around:
    """What every atom whose innermost enclosing scope is the same one shares."""

    __slots__ = (
        "blocks",
        "enclosing",
        "functions",
        "locals",
        "resolver",
        "scope_complete",
        "text",
        "types",
    )

    def __init__(self, enclosing: list[Scope]) -> None:
        self.enclosing = enclosing
        self.text = "\n".join(s.header for s in enclosing if s.header) or None
        self.functions = [s for s in reversed(enclosing) if s.kind in _FUNCTION_KINDS]
        self.blocks = [s for s in reversed(enclosing) if s.kind == "block"]
        self.scope_complete = all(s.header for s in enclosing)
        # name -> the innermost enclosing function/block binding it (or _PARAM), and those
        # names as a frozenset for C-level intersections
        self.resolver: dict[bytes, object] = {}
        self.locals: frozenset[bytes] = frozenset()
        self.types: dict[bytes, tuple[bool, str | None]] = {}


class ContextInjector:
    """Builds the context of every atom of one file; per-file indexes are built once."""

    def __init__(
        self,
        parsed: ParsedSource,
        decomposition: Decomposition,
        tests: Mapping[str, str] | None = None,
    ) -> None:
        self.parsed = parsed
        self._tokens = parsed.names_text.translate(_TOKEN_TABLE)
        self.spec = parsed.spec
        self.source = parsed.source
        self._python = parsed.spec.doc_comment_prefix is None
        self.scopes = decomposition.scopes
        self.segments = decomposition.segments
        self.starts = [s.start for s in self.segments]
        imports, self.stars = collect_imports(parsed.import_nodes, self.spec)
        self.imports: dict[bytes, ImportEntry] = {k.encode(): v for k, v in imports.items()}
        self.symbols: dict[bytes, Symbol] = {}
        self._module_symbols()
        self._keywords = _b(self.spec.keywords)
        self._builtins = _b(self.spec.builtins)
        # a builtin name rebound in this file is not the builtin any more
        self._symbol_names = frozenset(self.symbols)
        self._import_names = frozenset(self.imports)
        self._ignorable: frozenset[bytes] = self._keywords | (
            self._builtins - self._symbol_names - self._import_names
        )
        self._type_symbols = frozenset(k for k, s in self.symbols.items() if s.kind == "type")
        self._symbol_hints: dict[bytes, tuple[int, str]] = {}
        self._type_summaries: dict[bytes, str] = {}
        self._scope_names: dict[int, dict[bytes, int]] = {}
        self._scope_params: dict[int, frozenset[bytes]] = {}
        self._docs: dict[int, tuple[bool, list[str], list[str]]] = {}
        self._around: dict[int, _Around] = {}
        self._test_words = {path: set(_WORD.findall(text)) for path, text in (tests or {}).items()}

    # -- per-file indexes ---------------------------------------------------------------

    def _module_symbols(self) -> None:
        """Names bound at module level, with where they are bound."""
        spec = self.spec
        parsed = self.parsed
        symbols = self.symbols
        imports = self.imports
        describe = parsed.describe
        for node in parsed.root.named_children:
            kind, name, inner = describe(node)
            if kind == "comment":
                continue
            if name and kind in ("function", "class", "type"):
                name_node = inner.child_by_field_name("name")
                offset = name_node.start_byte if name_node is not None else node.start_byte
                symbols.setdefault(name.encode(), Symbol(name, kind, offset, node))
                continue
            start, end = node.byte_range
            bound = parsed.bindings(start, end)
            if kind == "import":
                if node.type not in spec.import_types:  # CommonJS require
                    names = [n.decode("utf-8", "replace") for _, n in bound]
                    for entry in require_imports(node, names):
                        imports.setdefault(entry.name.encode(), entry)
                continue
            for offset, raw in bound:
                if raw not in imports and raw not in symbols:
                    name = raw.decode("utf-8", "replace")
                    symbols[raw] = Symbol(name, "variable", offset, node)

    def _names_of(self, scope: Scope) -> dict[bytes, int]:
        """First binding offset of every name bound inside a scope."""
        names = self._scope_names.get(scope.id)
        if names is None:
            parsed = self.parsed
            lo = bisect_left(parsed.bind_offsets, scope.start)
            hi = bisect_left(parsed.bind_offsets, scope.end)
            # reversed, so that the first binding of a name is the one that stays
            names = dict(
                zip(
                    reversed(parsed.bind_names[lo:hi]),
                    reversed(parsed.bind_offsets[lo:hi]),
                    strict=True,
                )
            )
            self._scope_names[scope.id] = names
        return names

    def _params_of(self, scope: Scope) -> frozenset[bytes]:
        params = self._scope_params.get(scope.id)
        if params is None:
            node = scope.container
            plist = None
            if node is not None:
                plist = node.child_by_field_name("parameters") or node.child_by_field_name(
                    "parameter"
                )
            params = (
                frozenset(self.parsed.param_names_in(plist.start_byte, plist.end_byte))
                if plist is not None
                else frozenset()
            )
            self._scope_params[scope.id] = params
        return params

    def _around_of(self, seg: Segment) -> _Around:
        key = seg.enclosing[-1] if seg.enclosing else 0
        around = self._around.get(key)
        if around is None:
            around = _Around([self.scopes[s] for s in seg.enclosing])
            # precedence, lowest first: blocks (outer to inner), then functions (outer to
            # inner), a function's parameters over its other names
            resolver: dict[bytes, object] = {}
            for scope in reversed(around.blocks):
                resolver.update(dict.fromkeys(self._names_of(scope), scope))
            for scope in reversed(around.functions):
                resolver.update(dict.fromkeys(self._names_of(scope), scope))
                resolver.update(dict.fromkeys(self._params_of(scope), _PARAM))
            around.resolver = resolver
            around.locals = frozenset(resolver)
            self._around[key] = around
        return around

    def atom_at(self, offset: int) -> int:
        return max(0, bisect_right(self.starts, offset) - 1)

    def _doc(self, node: Node) -> tuple[bool, list[str], list[str]]:
        cached = self._docs.get(node.id)
        if cached is None:
            if self._python:  # the parser's query found the docstrings already
                found = self.parsed.docstrings.get(node.start_byte)
                doc = (
                    docstring_text(self.source[found[0] : found[1]].decode("utf-8", "replace"))
                    if found is not None
                    else None
                )
            else:
                doc = self.parsed.js_doc(node)
            pre, post = parse_contract(doc)
            cached = (bool(doc), pre, post)
            self._docs[node.id] = cached
        return cached

    def _symbol_hint(self, raw: bytes) -> tuple[int, str]:
        """(atom that binds a module symbol, the hint pointing there)."""
        hint = self._symbol_hints.get(raw)
        if hint is None:
            symbol = self.symbols[raw]
            where = self.atom_at(symbol.offset)
            text = f"{symbol.name}: module-level {symbol.kind} in atom #{where}"
            hint = self._symbol_hints[raw] = (where, text)
        return hint

    # -- per atom -----------------------------------------------------------------------

    def inject(self, index: int) -> tuple[AtomContext, ContextFacts]:
        seg = self.segments[index]
        parsed = self.parsed
        start, end = seg.start, seg.end
        facts = ContextFacts()

        words = _words(self._tokens, start, end)
        facts.words = words
        bind_offsets = parsed.bind_offsets
        lo = bisect_left(bind_offsets, start)
        hi = bisect_left(bind_offsets, end)
        bound_here = frozenset(parsed.bind_names[lo:hi])
        free_set = words - bound_here - self._ignorable

        enclosing_ids = seg.enclosing
        around = self._around.get(enclosing_ids[-1] if enclosing_ids else 0)
        if around is None:
            around = self._around_of(seg)
        enclosing = around.enclosing
        facts.inside_function = bool(around.functions)

        hints: list[tuple[bytes, str]] = []  # (name, hint): sorted by name at the end
        rest = free_set
        internal = 0
        if around.locals:
            local = free_set & around.locals
            if local:
                internal += len(local)
                rest = free_set - local
                self._local_hints(local, around.resolver, index, hints, facts)
        known = rest & self._symbol_names
        if known:
            internal += len(known)
            rest = rest - known
            hint_of = self._symbol_hint
            for raw in known:
                where, text = hint_of(raw)
                if where != index:
                    hints.append((raw, text))
        external = len(rest)
        resolved_external = 0
        imports: dict[str, ImportEntry] = {}
        unresolved: tuple[str, ...] = ()
        if rest:
            imported = rest & self._import_names
            if imported:
                resolved_external = len(imported)
                rest = rest - imported
                table = self.imports
                for raw in imported:
                    entry = table[raw]
                    imports.setdefault(entry.statement, entry)
            if rest:
                if self.stars:
                    resolved_external += len(rest)
                    star = self.stars[0]
                    hints.extend(
                        (raw, f"{raw.decode('utf-8', 'replace')}: presumably from "
                              f"`from {star} import *`")
                        for raw in rest
                    )  # fmt: skip
                else:
                    unresolved = _decode_all(sorted(rest))

        free = sorted(free_set)
        types, types_total, types_ok = self._types(start, end, bound_here, around, free_set)
        pre, post, documented, doc_total = self._contract(seg, enclosing, facts)
        defines = self._defines(seg, bound_here, facts)
        tests = self._tests(enclosing, defines) if self._test_words else []

        needed = external + internal
        if (
            resolved_external == external
            and around.scope_complete
            and types_ok == types_total
            and documented == doc_total
        ):
            components = _COMPLETE.copy()
            completeness = 1.0
        else:
            parts = {
                "imports": 1.0 if external == 0 else round(resolved_external / external, 4),
                "scope": 1.0 if around.scope_complete else 0.0,
                "types": 1.0 if types_total == 0 else round(types_ok / types_total, 4),
                "contract": 1.0 if doc_total == 0 else round(documented / doc_total, 4),
                "dependencies": 1.0
                if needed == 0
                else round((resolved_external + internal) / needed, 4),
            }
            completeness = round(sum(parts.values()) * 0.2, 4)
            components = parts
        if len(imports) > 1:
            ordered = sorted(imports.values(), key=lambda e: (e.offset, e.statement))
            import_lines = tuple(e.statement for e in ordered)
        else:
            import_lines = tuple(imports)
        if len(hints) > 1:
            hints.sort()
        context = new_frozen(
            AtomContext,
            imports=import_lines,
            enclosing_scope=around.text,
            types=tuple(types),
            preconditions=tuple(pre),
            postconditions=tuple(post),
            defines=tuple(defines),
            uses=_decode_all(free),
            dependency_hints=tuple(h for _, h in hints),
            tests=tuple(tests),
            completeness=completeness,
            components=components,
            unresolved=unresolved,
        )
        return context, facts

    def _local_hints(
        self,
        local: frozenset[bytes],
        resolver: dict[bytes, object],
        index: int,
        hints: list[tuple[bytes, str]],
        facts: ContextFacts,
    ) -> None:
        """Hints for free names bound in an enclosing function or block.

        A parameter needs none (the enclosing signature says so); a local bound in another
        atom of its function is named with that atom (and makes this atom depend on it).
        """
        for raw in local:
            owner = resolver[raw]
            if owner is _PARAM:
                continue
            assert isinstance(owner, Scope)
            where = self.atom_at(self._names_of(owner)[raw])
            if owner.kind == "block":  # e.g. a name bound earlier in a big module-level `if`
                hints.append((raw, f"{raw.decode('utf-8', 'replace')}: bound in atom #{where}"))
                continue
            if where == index:
                continue
            name = raw.decode("utf-8", "replace")
            facts.sibling_locals.append(name)
            who = owner.qualname or "the enclosing function"
            hints.append((raw, f"{name}: local of {who}, bound in atom #{where}"))

    def _types(
        self,
        start: int,
        end: int,
        bound_here: frozenset[bytes],
        around: _Around,
        free_set: frozenset[bytes],
    ) -> tuple[list[str], int, int]:
        parsed = self.parsed
        lo = bisect_left(parsed.type_offsets, start)
        hi = bisect_left(parsed.type_offsets, end)
        # TS interfaces, type aliases and enums used by value (enum members, `satisfies`...)
        by_value = free_set & self._type_symbols if self._type_symbols else None
        if lo == hi and not by_value:
            return [], 0, 0
        found = dict.fromkeys(parsed.type_names[lo:hi])
        if by_value:
            for raw in sorted(by_value):
                found.setdefault(raw)
        out: list[str] = []
        total = ok = 0
        keywords = self._keywords
        cache = around.types
        for raw in found:
            if raw in keywords or raw in bound_here:
                continue
            total += 1
            resolved = cache.get(raw)
            if resolved is None:
                resolved = cache[raw] = self._resolve_type(raw, around.enclosing)
            ok += resolved[0]
            if resolved[1] is not None:
                out.append(resolved[1])
        return out, total, ok

    def _resolve_type(self, raw: bytes, enclosing: list[Scope]) -> tuple[bool, str | None]:
        """(resolves, what to show) for a type name used inside `enclosing`."""
        if raw in self._builtins and raw not in self.symbols:
            return True, None
        if any(raw in self._names_of(s) for s in enclosing):
            return True, None  # type parameters and local aliases
        symbol = self.symbols.get(raw)
        if symbol is not None:
            return True, self._type_summary(raw, symbol)
        entry = self.imports.get(raw)
        name = raw.decode("utf-8", "replace")
        if entry is not None:
            if entry.module not in _TYPING_MODULES:
                return True, f"{name} (from {entry.module})" if entry.module else name
            return True, None
        return bool(self.stars), name

    def _type_summary(self, raw: bytes, symbol: Symbol) -> str:
        summary = self._type_summaries.get(raw)
        if summary is None:
            text = text_of(unwrap(symbol.node, self.spec)).strip()
            lines = text.splitlines()
            if symbol.kind == "type" and len(lines) <= _TYPE_SUMMARY_LINES:
                summary = text
            else:
                head = lines[0].rstrip() if lines else symbol.name
                summary = head + (" ..." if len(lines) > 1 else "")
            self._type_summaries[raw] = summary
        return summary

    def _contract(
        self, seg: Segment, enclosing: list[Scope], facts: ContextFacts
    ) -> tuple[list[str], list[str], int, int]:
        sources: list[tuple[str | None, Node]] = []
        for inner, kind, name in zip(
            seg.member_inners, seg.member_kinds, seg.member_names, strict=True
        ):
            if kind == "function" or kind == "class":
                facts.definitions += 1
                sources.append((name, inner))
                if kind == "function":
                    facts.functions.append(inner)
            elif kind == "type":
                facts.definitions += 1
        scopes = self.scopes
        for sid in seg.opened:
            scope = scopes[sid]
            if scope.kind in ("function", "method", "class") and scope.container is not None:
                sources.append((scope.qualname, scope.container))
                if scope.kind != "class":
                    facts.functions.append(scope.container)
        for scope in reversed(enclosing):
            if scope.kind in _FUNCTION_KINDS and scope.container is not None:
                sources.append((scope.qualname, scope.container))
                break
        if not sources:
            return [], [], 0, 0
        del sources[_MAX_DOC_SOURCES:]
        pre: list[str] = []
        post: list[str] = []
        documented = 0
        label = len(sources) > 1
        for name, node in sources:
            has_doc, p, q = self._doc(node)
            if not has_doc:
                continue
            documented += 1
            if label and name:
                prefix = f"{name}: "
                pre.extend([prefix + x for x in p])
                post.extend([prefix + x for x in q])
            else:
                pre.extend(p)
                post.extend(q)
        return pre, post, documented, len(sources)

    def _defines(
        self, seg: Segment, bound_here: frozenset[bytes], facts: ContextFacts
    ) -> list[str]:
        scopes = self.scopes
        base = scopes[seg.lca].qualname
        out: dict[str, None] = {}
        for sid in seg.opened:
            scope = scopes[sid]
            if scope.qualname and scope.kind != "block":
                out.setdefault(scope.qualname, None)
        parsed = self.parsed
        bind_offsets = parsed.bind_offsets
        bind_texts = parsed.bind_texts
        for member, kind, name in zip(seg.members, seg.member_kinds, seg.member_names, strict=True):
            if name and kind != "statement":
                out.setdefault(f"{base}.{name}" if base else name, None)
            elif kind == "statement" or kind == "import":
                mstart, mend = member.byte_range
                lo = bisect_left(bind_offsets, mstart)
                hi = bisect_left(bind_offsets, mend)
                if lo < hi:
                    out.update(dict.fromkeys(bind_texts[lo:hi]))  # setdefault, for each
        if facts.inside_function and bound_here:
            out.update(dict.fromkeys(_decode_all(sorted(bound_here))))
        return list(out)

    def _tests(self, enclosing: list[Scope], defines: list[str]) -> list[str]:
        names = {d.rsplit(".", 1)[-1] for d in defines}
        names.update(s.name for s in enclosing if s.name and s.kind != "block")
        keywords = self.spec.keywords
        wanted = {n for n in names if len(n) >= 3 and n not in keywords and not n.startswith("__")}
        if not wanted:
            return []
        own = self.parsed.path
        return sorted(
            path
            for path, words in self._test_words.items()
            if path != own and not wanted.isdisjoint(words)
        )
