"""The per-file symbol table that the language extractors fill and the resolver reads.

Offsets are byte offsets into the reassembled file (see `sources`), which is how a definition
or a use is pinned to the atom that holds it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum, StrEnum


class DefKind(StrEnum):
    FUNCTION = "function"
    CLASS = "class"
    METHOD = "method"
    VARIABLE = "variable"
    # An instance attribute created by `self.x = ...` / `this.x = ...` in a method: readers in
    # other methods consume state that the writing method produced (a data flow).
    ATTRIBUTE = "attribute"
    TYPE = "type"
    NAMESPACE = "namespace"
    # A getter (`@property`, `get x()`): reading it runs it, so a read is a call.
    PROPERTY = "property"


# Kinds whose members are looked up with `Name.member`.
CONTAINER_KINDS = frozenset({DefKind.CLASS, DefKind.NAMESPACE, DefKind.TYPE})
# Kinds that hold state, so that a write or mutation through them is a data flow.
STATE_KINDS = frozenset({DefKind.VARIABLE, DefKind.ATTRIBUTE})


class Usage(IntEnum):
    READ = 0
    CALL = 1
    TYPE = 2
    WRITE = 3


@dataclass(frozen=True, slots=True)
class Definition:
    name: str  # qualified inside its module: "helper", "Cart", "Cart.total"
    kind: DefKind
    offset: int
    # For attributes: the method that assigned it; constructors are preferred definers.
    owner: str | None = None
    # For state: the class of its value when the code says (`repo: Repo`, `= Repo()`), as a
    # dotted name in this module's scope.
    value_type: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class ImportBinding:
    """`local` names `imported` of `module` (None: the module itself) inside one file."""

    local: str | None
    module: str  # as written: "..models", "pkg.mod", "./user.js"
    imported: str | None
    offset: int
    star: bool = False
    # ES `export ... from`: makes the name part of this module's exports without binding it.
    reexport: bool = False
    # `import type` (TS) or an import under `if TYPE_CHECKING:` (Python): needed by the type
    # checker only, so the cheapest import to drop from a cycle.
    type_only: bool = False


@dataclass(frozen=True, slots=True)
class Reference:
    chain: tuple[str, ...]  # ("helper",), ("models", "User"), ("self", "items", "append")
    usage: Usage
    offset: int
    # Set when chain[0] is `self`/`this`: the qualified name of the enclosing class.
    self_class: str | None = None
    # Set when chain[0] is bound by an import inside a function (lazy import).
    via: ImportBinding | None = None
    # `super().m()` / `super.m()`: look `m` up in the base classes of `self_class` only.
    inherited: bool = False
    # chain[0] is a local of this class (`repo.save()` with `repo: Repo`): start from its
    # members.
    receiver_type: tuple[str, ...] | None = None


@dataclass(slots=True)
class ModuleSymbols:
    path: str
    python: bool
    definitions: dict[str, list[Definition]] = field(default_factory=dict)
    # Module-level import bindings by local name (ES re-exports by exported name).
    imports: dict[str, ImportBinding] = field(default_factory=dict)
    star_imports: list[ImportBinding] = field(default_factory=list)
    # Every import statement binding, module-level or local, for IMPORT edges.
    all_imports: list[ImportBinding] = field(default_factory=list)
    # ES `export { local as exported }` and CommonJS `module.exports = { ... }`.
    export_aliases: dict[str, str] = field(default_factory=dict)
    class_bases: dict[str, list[tuple[str, ...]]] = field(default_factory=dict)
    references: list[Reference] = field(default_factory=list)
    _primary: dict[str, Definition] = field(default_factory=dict)

    def define(self, definition: Definition) -> None:
        self.definitions.setdefault(definition.name, []).append(definition)

    def finalize(self) -> ModuleSymbols:
        """Order definitions by position and pick each name's primary one; call once, after
        extraction (queries report captures in no particular order)."""
        for name, found in self.definitions.items():
            if len(found) > 1:
                found.sort(key=lambda d: d.offset)
            self._primary[name] = _pick_primary(found)
        return self

    def primary(self, name: str) -> Definition | None:
        """The definition a use of `name` depends on."""
        return self._primary.get(name)


def _pick_primary(found: list[Definition]) -> Definition:
    """The first definition, or for an attribute the one assigned in a constructor (that is
    where the state is created)."""
    if found[0].kind is DefKind.ATTRIBUTE:
        for definition in found:
            if definition.owner in _CONSTRUCTORS:
                return definition
    return found[0]


_CONSTRUCTORS = frozenset({"__init__", "__post_init__", "__new__", "constructor", "setUp"})
