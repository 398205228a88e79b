"""Lexical scopes as nested byte intervals, so that a local name can shadow a module symbol.

Extractors describe scopes (functions, classes, blocks, comprehensions) by intervals; a binding
or a use is placed in the innermost interval that contains it. Lookups then walk outwards the
way the language does: Python skips enclosing class bodies, JavaScript/TypeScript do not.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum

from domain.graph.symbols import ImportBinding


class ScopeKind(Enum):
    MODULE = "module"
    FUNCTION = "function"
    CLASS = "class"
    BLOCK = "block"
    NAMESPACE = "namespace"


@dataclass(slots=True)
class Scope:
    start: int
    end: int
    kind: ScopeKind
    name: str | None = None  # function or class name
    parent: int = -1
    # Qualified name for classes/namespaces whose members are module-visible ("Outer.Inner").
    qualname: str | None = None
    # For methods: the name of the receiver parameter (`self`, `cls`).
    receiver: str | None = None
    bound: dict[str, ImportBinding | None] = field(default_factory=dict)
    # Declared or constructed class of a local (`repo: Repo`, `x = Cart()`), as a dotted name
    # in the module's scope: lets `repo.save()` reach `Repo.save`.
    types: dict[str, tuple[str, ...]] = field(default_factory=dict)
    declared_global: set[str] = field(default_factory=set)


@dataclass(frozen=True, slots=True)
class Lookup:
    """Where a name resolved: at module level, or locally (possibly to a receiver/import)."""

    local: bool
    receiver_class: str | None = None
    via: ImportBinding | None = None
    value_type: tuple[str, ...] | None = None


MODULE_LEVEL = Lookup(local=False)
_LOCAL = Lookup(local=True)


class ScopeTree:
    """Scopes sorted by start; scope 0 is the module."""

    def __init__(self, length: int, spans: Sequence[Scope], *, skip_class_scopes: bool) -> None:
        ordered = sorted(spans, key=lambda s: (s.start, -s.end, s.kind.value, s.name or ""))
        self.scopes: list[Scope] = [Scope(0, length + 1, ScopeKind.MODULE), *ordered]
        self._starts = [scope.start for scope in self.scopes]
        self._skip_class = skip_class_scopes
        stack: list[int] = [0]
        for index in range(1, len(self.scopes)):
            scope = self.scopes[index]
            while self.scopes[stack[-1]].end <= scope.start:
                stack.pop()
            scope.parent = stack[-1]
            stack.append(index)
        for scope in self.scopes[1:]:
            if scope.kind in (ScopeKind.CLASS, ScopeKind.NAMESPACE) and scope.name:
                parent = self.scopes[scope.parent]
                if parent.kind is ScopeKind.MODULE:
                    scope.qualname = scope.name
                elif parent.kind in (ScopeKind.CLASS, ScopeKind.NAMESPACE) and parent.qualname:
                    scope.qualname = f"{parent.qualname}.{scope.name}"

    def locate(self, offset: int) -> int:
        """Index of the innermost scope containing `offset`."""
        index = bisect_right(self._starts, offset) - 1
        scopes = self.scopes
        while index > 0 and scopes[index].end <= offset:
            index = scopes[index].parent
        return index if index > 0 else 0

    def declare_type(
        self, index: int, name: str, value_type: tuple[str, ...], *, any_name: bool = False
    ) -> None:
        """Record the class of a local; two different classes for one name cancel out (the
        order of assignments is not tracked, so neither can be trusted). A class the module
        does not name (`str`, `list`) cannot be a plan class: not worth tracking."""
        if not value_type or (not any_name and value_type[0] not in self.scopes[0].bound):
            return
        types = self.scopes[index].types
        known = types.get(name)
        if known is None:
            types[name] = value_type
        elif known != value_type:
            types[name] = ()

    def typed_names(self) -> set[str]:
        names: set[str] = set()
        for scope in self.scopes[1:]:
            names.update(scope.types)
        return names

    def inner_names(self) -> set[str]:
        """Names bound anywhere below module level: only these can be shadowed."""
        names: set[str] = set()
        for scope in self.scopes[1:]:
            names.update(scope.bound)
        return names

    def function_scope(self, index: int) -> int:
        """Nearest enclosing function (or the module): where `var` and Python names live."""
        scopes = self.scopes
        while index > 0 and scopes[index].kind not in (ScopeKind.FUNCTION, ScopeKind.MODULE):
            index = scopes[index].parent
        return index

    def bind(self, offset: int, name: str, via: ImportBinding | None = None) -> int:
        index = self.locate(offset)
        self.scopes[index].bound.setdefault(name, via)
        return index

    def lookup(self, index: int, name: str) -> Lookup:
        scopes = self.scopes
        innermost = True
        while index > 0:
            scope = scopes[index]
            if name in scope.declared_global:
                return MODULE_LEVEL
            # A class body's names are invisible from the methods nested in it (Python).
            visible = innermost or not (self._skip_class and scope.kind is ScopeKind.CLASS)
            if visible and name in scope.bound:
                if scope.receiver == name:
                    return Lookup(local=True, receiver_class=self.enclosing_class(index))
                via = scope.bound[name]
                if via is not None:
                    return Lookup(local=True, via=via)
                value_type = scope.types.get(name)
                return Lookup(local=True, value_type=value_type) if value_type else _LOCAL
            innermost = False
            index = scope.parent
        return MODULE_LEVEL

    def enclosing_class(self, index: int) -> str | None:
        """Qualified name of the class whose method (or nested closure) holds `index`."""
        scopes = self.scopes
        while index > 0:
            scope = scopes[index]
            if scope.kind is ScopeKind.CLASS:
                return scope.qualname
            index = scope.parent
        return None

    def member_owner(self, index: int) -> str | None:
        """Qualified container name if `index` is a class/namespace body at module nesting."""
        scope = self.scopes[index]
        if scope.kind in (ScopeKind.CLASS, ScopeKind.NAMESPACE):
            return scope.qualname
        return None

    def method_of(self, index: int) -> tuple[str | None, str | None]:
        """(class qualname, method name) of the method enclosing `index`, if any."""
        scopes = self.scopes
        while index > 0:
            scope = scopes[index]
            parent = scopes[scope.parent]
            if scope.kind is ScopeKind.FUNCTION and parent.kind is ScopeKind.CLASS:
                return parent.qualname, scope.name
            index = scope.parent
        return None, None
