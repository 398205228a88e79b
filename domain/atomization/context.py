"""ContextInjector: everything an LLM needs, besides the atom itself, to regenerate it.

Per atom: the imports it needs (resolved from the names it uses), its enclosing scope
(class header, function signature, block headers), the types it refers to, its contract
(docstring / JSDoc as pre- and postconditions), the symbols it defines and uses, where its
dependencies live (dependency hints), and the tests that mention it.

Names come from one C-level regex scan of the atom's text in which comments, string bodies
and non-variable names (keyword arguments, object keys) are blanked, corrected by the
bindings the parser's query captured. Much cheaper than visiting identifier nodes from
Python, and exact where it matters: imports and definitions.

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
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, field

import tree_sitter

from .contracts import parse_contract
from .decomposer import Decomposition, Scope, Segment
from .imports import ImportEntry, collect_imports, require_imports
from .model import AtomContext
from .parser import ParsedSource
from .syntax import doc_of, member_kind, member_name, text_of, unwrap

Node = tree_sitter.Node

ID_PATTERN = re.compile(rb"(?<![\w$\x80-\xff.])[A-Za-z_$\x80-\xff][\w$\x80-\xff]*")
_WORD = re.compile(r"[A-Za-z_$][\w$]*")
_TYPING_MODULES = frozenset({"typing", "typing_extensions", "collections.abc", "__future__"})
_FUNCTION_KINDS = frozenset({"function", "method"})
_TYPE_SUMMARY_LINES = 12
_MAX_DOC_SOURCES = 6


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


class ContextInjector:
    """Builds the context of every atom of one file; per-file indexes are built once."""

    def __init__(
        self,
        parsed: ParsedSource,
        decomposition: Decomposition,
        tests: Mapping[str, str] | None = None,
    ) -> None:
        self.parsed = parsed
        self.spec = parsed.spec
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
        rebound = self.symbols.keys() | self.imports.keys()
        self._ignorable: frozenset[bytes] = self._keywords | frozenset(
            n for n in self._builtins if n not in rebound
        )
        self._scope_names: dict[int, dict[bytes, int]] = {}
        self._scope_params: dict[int, frozenset[bytes]] = {}
        self._docs: dict[int, tuple[bool, list[str], list[str]]] = {}
        # per innermost enclosing scope: (scope text, functions around, blocks around)
        self._around: dict[int, tuple[str | None, list[Scope], list[Scope]]] = {}
        self._test_words = {path: set(_WORD.findall(text)) for path, text in (tests or {}).items()}

    # -- per-file indexes ---------------------------------------------------------------

    def _module_symbols(self) -> None:
        """Names bound at module level, with where they are bound."""
        spec = self.spec
        parsed = self.parsed
        for node in parsed.root.named_children:
            kind = member_kind(node, spec)
            if kind == "comment":
                continue
            if kind in ("function", "class", "type"):
                name = member_name(node, spec)
                if name:
                    inner = unwrap(node, spec)
                    name_node = inner.child_by_field_name("name")
                    offset = name_node.start_byte if name_node is not None else node.start_byte
                    self.symbols.setdefault(name.encode(), Symbol(name, kind, offset, node))
                    continue
            bound = parsed.bindings(node.start_byte, node.end_byte)
            if kind == "import":
                if node.type not in spec.import_types:  # CommonJS require
                    names = [n.decode("utf-8", "replace") for _, n in bound]
                    for entry in require_imports(node, names):
                        self.imports.setdefault(entry.name.encode(), entry)
                continue
            for offset, raw in bound:
                if raw not in self.imports and raw not in self.symbols:
                    name = raw.decode("utf-8", "replace")
                    self.symbols[raw] = Symbol(name, "variable", offset, node)

    def _names_of(self, scope: Scope) -> dict[bytes, int]:
        """First binding offset of every name bound inside a scope."""
        names = self._scope_names.get(scope.id)
        if names is None:
            names = {}
            for offset, name in self.parsed.bindings(scope.start, scope.end):
                names.setdefault(name, offset)
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

    def atom_at(self, offset: int) -> int:
        return max(0, bisect_right(self.starts, offset) - 1)

    def _doc(self, node: Node) -> tuple[bool, list[str], list[str]]:
        cached = self._docs.get(node.id)
        if cached is None:
            doc = doc_of(node, self.spec)
            pre, post = parse_contract(doc)
            cached = (bool(doc), pre, post)
            self._docs[node.id] = cached
        return cached

    # -- per atom -----------------------------------------------------------------------

    def inject(self, index: int) -> tuple[AtomContext, ContextFacts]:
        seg = self.segments[index]
        parsed = self.parsed
        start, end = seg.start, seg.end
        facts = ContextFacts()

        words = frozenset(ID_PATTERN.findall(parsed.names_text, start, end))
        facts.words = words
        bound_here = frozenset(parsed.bound_names(start, end))
        free = sorted(words - bound_here - self._ignorable)

        enclosing = [self.scopes[s] for s in seg.enclosing]
        key = seg.enclosing[-1] if seg.enclosing else 0
        around = self._around.get(key)
        if around is None:
            around = (
                "\n".join(s.header for s in enclosing if s.header) or None,
                [s for s in reversed(enclosing) if s.kind in _FUNCTION_KINDS],
                [s for s in reversed(enclosing) if s.kind == "block"],
            )
            self._around[key] = around
        scope_text, functions_around, blocks_around = around
        facts.inside_function = bool(functions_around)

        imports: dict[str, ImportEntry] = {}
        hints: list[str] = []
        unresolved: list[str] = []
        external = resolved_external = internal = 0
        for raw in free:
            hint = self._local_hint(raw, functions_around, blocks_around, index, facts)
            if hint is not None:
                internal += 1
                if hint:
                    hints.append(hint)
                continue
            symbol = self.symbols.get(raw)
            if symbol is not None:
                internal += 1
                where = self.atom_at(symbol.offset)
                if where != index:
                    hints.append(f"{symbol.name}: module-level {symbol.kind} in atom #{where}")
                continue
            external += 1
            entry = self.imports.get(raw)
            if entry is not None:
                resolved_external += 1
                imports.setdefault(entry.statement, entry)
            elif self.stars:
                resolved_external += 1
                name = raw.decode("utf-8", "replace")
                hints.append(f"{name}: presumably from `from {self.stars[0]} import *`")
            else:
                unresolved.append(raw.decode("utf-8", "replace"))

        types, types_total, types_ok = self._types(start, end, bound_here, enclosing, free)
        pre, post, documented, doc_total = self._contract(seg, enclosing, facts)
        defines = self._defines(seg, bound_here, facts)
        tests = self._tests(enclosing, defines) if self._test_words else []

        needed = external + internal
        components = {
            "imports": 1.0 if external == 0 else round(resolved_external / external, 4),
            "scope": 1.0 if all(s.header for s in enclosing) else 0.0,
            "types": 1.0 if types_total == 0 else round(types_ok / types_total, 4),
            "contract": 1.0 if doc_total == 0 else round(documented / doc_total, 4),
            "dependencies": 1.0
            if needed == 0
            else round((resolved_external + internal) / needed, 4),
        }
        completeness = round(sum(components.values()) * 0.2, 4)
        ordered = sorted(imports.values(), key=lambda e: (e.offset, e.statement))
        context = AtomContext(
            imports=tuple(e.statement for e in ordered),
            enclosing_scope=scope_text,
            types=tuple(types),
            preconditions=tuple(pre),
            postconditions=tuple(post),
            defines=tuple(defines),
            uses=tuple(n.decode("utf-8", "replace") for n in free),
            dependency_hints=tuple(hints),
            tests=tuple(tests),
            completeness=completeness,
            components=components,
            unresolved=tuple(unresolved),
        )
        return context, facts

    def _local_hint(
        self,
        raw: bytes,
        functions_around: list[Scope],
        blocks_around: list[Scope],
        index: int,
        facts: ContextFacts,
    ) -> str | None:
        """'' if `raw` is a parameter of an enclosing function or a local bound in this atom,
        a hint if it is a local bound elsewhere in that function, None if it is not local."""
        for scope in functions_around:
            if raw in self._params_of(scope):
                return ""  # a parameter: the enclosing signature already says so
            offset = self._names_of(scope).get(raw)
            if offset is not None:
                where = self.atom_at(offset)
                if where == index:
                    return ""
                name = raw.decode("utf-8", "replace")
                facts.sibling_locals.append(name)
                owner = scope.qualname or "the enclosing function"
                return f"{name}: local of {owner}, bound in atom #{where}"
        for scope in blocks_around:  # e.g. a name bound earlier in a big module-level `if`
            offset = self._names_of(scope).get(raw)
            if offset is not None:
                return f"{raw.decode('utf-8', 'replace')}: bound in atom #{self.atom_at(offset)}"
        return None

    def _types(
        self,
        start: int,
        end: int,
        bound_here: frozenset[bytes],
        enclosing: list[Scope],
        free: list[bytes],
    ) -> tuple[list[str], int, int]:
        found = dict.fromkeys(self.parsed.type_names_in(start, end))
        # TS interfaces, type aliases and enums used by value (enum members, `satisfies`...)
        for raw in free:
            symbol = self.symbols.get(raw)
            if symbol is not None and symbol.kind == "type":
                found.setdefault(raw)
        out: list[str] = []
        total = ok = 0
        for raw in found:
            if raw in self._keywords or raw in bound_here:
                continue
            total += 1
            if raw in self._builtins and raw not in self.symbols:
                ok += 1
                continue
            if any(raw in self._names_of(s) for s in enclosing):
                ok += 1  # type parameters and local aliases
                continue
            symbol = self.symbols.get(raw)
            if symbol is not None:
                ok += 1
                out.append(self._type_summary(symbol))
                continue
            entry = self.imports.get(raw)
            name = raw.decode("utf-8", "replace")
            if entry is not None:
                ok += 1
                if entry.module not in _TYPING_MODULES:
                    out.append(f"{name} (from {entry.module})" if entry.module else name)
                continue
            if self.stars:
                ok += 1
            out.append(name)
        return out, total, ok

    def _type_summary(self, symbol: Symbol) -> str:
        text = text_of(unwrap(symbol.node, self.spec)).strip()
        lines = text.splitlines()
        if symbol.kind == "type" and len(lines) <= _TYPE_SUMMARY_LINES:
            return text
        head = lines[0].rstrip() if lines else symbol.name
        return head + (" ..." if len(lines) > 1 else "")

    def _contract(
        self, seg: Segment, enclosing: list[Scope], facts: ContextFacts
    ) -> tuple[list[str], list[str], int, int]:
        spec = self.spec
        sources: list[tuple[str | None, Node]] = []
        for member, kind, name in zip(seg.members, seg.member_kinds, seg.member_names, strict=True):
            if kind in ("function", "class"):
                facts.definitions += 1
                inner = unwrap(member, spec)
                sources.append((name, inner))
                if kind == "function":
                    facts.functions.append(inner)
            elif kind == "type":
                facts.definitions += 1
        for sid in seg.opened:
            scope = self.scopes[sid]
            if scope.kind in ("function", "method", "class") and scope.container is not None:
                sources.append((scope.qualname, scope.container))
                if scope.kind != "class":
                    facts.functions.append(scope.container)
        for scope in reversed(enclosing):
            if scope.kind in _FUNCTION_KINDS and scope.container is not None:
                sources.append((scope.qualname, scope.container))
                break
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
            prefix = f"{name}: " if label and name else ""
            pre.extend(prefix + x for x in p)
            post.extend(prefix + x for x in q)
        return pre, post, documented, len(sources)

    def _defines(
        self, seg: Segment, bound_here: frozenset[bytes], facts: ContextFacts
    ) -> list[str]:
        base = self.scopes[seg.lca].qualname
        out: dict[str, None] = {}
        for sid in seg.opened:
            scope = self.scopes[sid]
            if scope.qualname and scope.kind != "block":
                out.setdefault(scope.qualname, None)
        parsed = self.parsed
        for member, kind, name in zip(seg.members, seg.member_kinds, seg.member_names, strict=True):
            if name and kind != "statement":
                out.setdefault(f"{base}.{name}" if base else name, None)
            elif kind in ("statement", "import"):
                for raw in parsed.bound_names(member.start_byte, member.end_byte):
                    out.setdefault(raw.decode("utf-8", "replace"), None)
        if facts.inside_function:
            for raw in sorted(bound_here):
                out.setdefault(raw.decode("utf-8", "replace"), None)
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
