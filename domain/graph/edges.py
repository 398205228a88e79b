"""Typed, weighted edges from the atom that uses a symbol to the atom that defines it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from domain.graph.model import BASE_WEIGHT, EDGE_TYPE_ORDER, DependencyEdge, EdgeType
from domain.graph.resolve import Resolved, Resolver
from domain.graph.sources import FileSource
from domain.graph.symbols import DefKind, ImportBinding, ModuleSymbols, Reference, Usage

# Methods that change the object they are called on: `REGISTRY.append(x)` writes module state.
MUTATORS = frozenset(
    {
        "append", "extend", "insert", "add", "update", "setdefault", "pop", "popitem",
        "remove", "clear", "discard", "sort", "reverse", "appendleft", "extendleft",
        "push", "unshift", "shift", "splice", "set", "delete", "fill",
    }
)  # fmt: skip

_COUNT_BONUS = 0.01
_MAX_BONUS_COUNT = 9


_IMPORT, _CALL, _VARIABLE, _TYPE, _DATA_FLOW = (
    EDGE_TYPE_ORDER.index(edge_type)
    for edge_type in (
        EdgeType.IMPORT,
        EdgeType.FUNCTION_CALL,
        EdgeType.VARIABLE,
        EdgeType.TYPE,
        EdgeType.DATA_FLOW,
    )
)


def classify(usage: Usage, resolved: Resolved) -> EdgeType:
    return EDGE_TYPE_ORDER[_classify(usage, resolved)]


def _classify(usage: Usage, resolved: Resolved) -> int:
    # Edge types are tallied as small ints: hashing an Enum member runs Python code, and this
    # runs once per use of a symbol.
    kind = resolved.definition.kind
    rest = resolved.rest
    if usage is Usage.TYPE or kind is DefKind.TYPE:  # a type alias or interface (member)
        return _TYPE
    if kind is DefKind.ATTRIBUTE:
        # Instance state created by another method (usually the constructor).
        return _DATA_FLOW
    if kind is DefKind.PROPERTY:
        return _DATA_FLOW if usage is Usage.WRITE else _CALL
    if kind is DefKind.VARIABLE:
        if usage is Usage.WRITE:
            return _DATA_FLOW
        if usage is Usage.CALL:
            if not rest:
                return _CALL
            if len(rest) == 1 and rest[0] in MUTATORS:
                return _DATA_FLOW
        return _VARIABLE
    if usage is Usage.CALL:
        return _CALL
    if usage is Usage.WRITE:
        return _DATA_FLOW
    return _VARIABLE


@dataclass(slots=True)
class _Tally:
    count: int = 0
    symbols: set[str] = field(default_factory=set)
    # Only `import type` / `if TYPE_CHECKING:` imports: as cheap to cut as a type edge.
    type_only: bool = True


class EdgeCollector:
    def __init__(self, files: Mapping[str, FileSource], resolver: Resolver) -> None:
        self._files = files
        self._resolver = resolver
        self._tallies: dict[tuple[str, str, int], _Tally] = {}
        self._named: dict[tuple[str, ImportBinding], Resolved | None] = {}
        self._definers: dict[tuple[str, int], str] = {}

    def add_module(self, module: ModuleSymbols) -> None:
        source = self._files[module.path]
        for reference in module.references:
            found = self._resolve(module.path, reference)
            if found is None:
                continue
            user = source.atom_at(reference.offset)
            definer = self._definer(found)
            name = found.definition.name
            self._add(user, definer, _classify(reference.usage, found), name, False)
            for state_path, state in found.states:
                # `self.repo.save()` also reads `self.repo` (or a module variable).
                state_atom = self._files[state_path].atom_at(state.offset)
                state_type = _DATA_FLOW if state.kind is DefKind.ATTRIBUTE else _VARIABLE
                self._add(user, state_atom, state_type, state.name, False)
            for hop_path, binding in found.hops:
                # An import of a name gets its own edge below; an import of a module (namespace,
                # star, `from pkg import module`) depends on the names used through it.
                if self._imported_definition(hop_path, binding) is None:
                    hop_atom = self._files[hop_path].atom_at(binding.offset)
                    self._add(hop_atom, definer, _IMPORT, name, binding.type_only)
        for binding in module.all_imports:
            found = self._imported_definition(module.path, binding)
            if found is not None:
                user = source.atom_at(binding.offset)
                definer = self._definer(found)
                self._add(user, definer, _IMPORT, found.definition.name, binding.type_only)

    def _imported_definition(self, path: str, binding: ImportBinding) -> Resolved | None:
        """The definition a name import names; None for imports of modules."""
        if binding.imported is None:
            return None
        key = (path, binding)
        if key not in self._named:
            self._named[key] = self._resolver.resolve_binding(path, binding, ())
        return self._named[key]

    def _resolve(self, path: str, reference: Reference) -> Resolved | None:
        if reference.self_class is not None:
            if len(reference.chain) == 1:  # `cls(...)`: the class itself
                return self._resolver.resolve(path, tuple(reference.self_class.split(".")))
            return self._resolver.resolve_member(
                path, reference.self_class, reference.chain[1:], inherited=reference.inherited
            )
        if reference.via is not None:
            return self._resolver.resolve_binding(path, reference.via, reference.chain[1:])
        if reference.receiver_type is not None:
            return self._resolver.resolve_typed(path, reference.receiver_type, reference.chain[1:])
        return self._resolver.resolve(path, reference.chain)

    def _definer(self, found: Resolved) -> str:
        key = (found.path, found.definition.offset)
        atom = self._definers.get(key)
        if atom is None:
            atom = self._definers[key] = self._files[found.path].atom_at(found.definition.offset)
        return atom

    def _add(self, user: str, definer: str, edge_type: int, symbol: str, type_only: bool) -> None:
        if user == definer:
            return
        key = (user, definer, edge_type)
        tally = self._tallies.get(key)
        if tally is None:
            tally = self._tallies[key] = _Tally()
        tally.count += 1
        tally.symbols.add(symbol)
        tally.type_only = tally.type_only and type_only

    def edges(self, rank: Mapping[str, int]) -> list[DependencyEdge]:
        keys = sorted(self._tallies, key=lambda k: (rank[k[0]], rank[k[1]], k[2]))
        return [_edge(key, self._tallies[key]) for key in keys]


def _edge(key: tuple[str, str, int], tally: _Tally) -> DependencyEdge:
    source, target, type_index = key
    edge_type = EDGE_TYPE_ORDER[type_index]
    base = BASE_WEIGHT[EdgeType.TYPE if tally.type_only else edge_type]
    bonus = _COUNT_BONUS * min(tally.count - 1, _MAX_BONUS_COUNT)
    return DependencyEdge(
        source=source,
        target=target,
        type=edge_type,
        weight=round(base + bonus, 2),
        symbol=",".join(sorted(tally.symbols))
        if len(tally.symbols) > 1
        else next(iter(tally.symbols)),
    )


def collect_edges(
    files: Sequence[FileSource],
    modules: Sequence[ModuleSymbols],
    resolver: Resolver,
    rank: Mapping[str, int],
) -> list[DependencyEdge]:
    collector = EdgeCollector({source.path: source for source in files}, resolver)
    for module in modules:
        collector.add_module(module)
    return collector.edges(rank)
