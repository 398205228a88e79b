"""Follow a use (`models.User.create`) through imports, re-exports and class bodies to the
definition it depends on, across every file of the plan."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from domain.graph.modules import ModuleIndex
from domain.graph.symbols import (
    CONTAINER_KINDS,
    STATE_KINDS,
    Definition,
    DefKind,
    ImportBinding,
    ModuleSymbols,
)

_NOTHING_SEEN: frozenset[str] = frozenset()
_TYPED_CONTAINERS = frozenset({DefKind.CLASS, DefKind.TYPE})  # classes and interfaces
_MAX_DEPTH = 24  # re-export chains and inheritance are shallow; cycles are cut by `seen`


@dataclass(frozen=True, slots=True)
class Resolved:
    path: str
    definition: Definition
    rest: tuple[str, ...]  # chain left over past the definition (`append` of `items.append`)
    # Namespace and star imports crossed on the way, with the file holding each: their
    # statements depend on the definition reached through them.
    hops: tuple[tuple[str, ImportBinding], ...] = ()
    # Typed state passed through on the way (`self.repo` of `self.repo.save()`): the user
    # reads it too.
    states: tuple[tuple[str, Definition], ...] = ()

    def via(self, path: str, binding: ImportBinding) -> Resolved:
        hops = ((path, binding), *self.hops)
        return Resolved(self.path, self.definition, self.rest, hops, self.states)


class Resolver:
    def __init__(self, modules: Mapping[str, ModuleSymbols], index: ModuleIndex) -> None:
        self._modules = modules
        self._index = index
        self._cache: dict[tuple[str, tuple[str, ...]], Resolved | None] = {}
        self._module_cache: dict[tuple[str, str], str | None] = {}
        self._names_cache: dict[str, frozenset[str]] = {}
        self._cuts = 0

    # --- entry points -------------------------------------------------------------------------

    def resolve(self, path: str, chain: tuple[str, ...]) -> Resolved | None:
        """A chain used at module level of `path` (not shadowed by a local)."""
        key = (path, chain)
        if key in self._cache:  # the common case: one lookup per use, no recursion set-up
            return self._cache[key]
        return self._in_module(path, chain, _NOTHING_SEEN, 0)

    def resolve_typed(
        self, path: str, value_type: tuple[str, ...], chain: tuple[str, ...]
    ) -> Resolved | None:
        """`repo.save` where the local `repo` holds a `value_type`; `chain` is ("save",)."""
        if not chain:
            return None
        found = self._typed_member(path, value_type, chain[0], _NOTHING_SEEN, 0)
        if found is None:
            return None
        return self._descend(found[0], found[1], chain[1:], _NOTHING_SEEN, 0)

    def resolve_binding(
        self, path: str, binding: ImportBinding, rest: tuple[str, ...]
    ) -> Resolved | None:
        found = self._through(path, binding, rest, _NOTHING_SEEN, 0)
        return found.via(path, binding) if found is not None else None

    def resolve_member(
        self, path: str, class_name: str, chain: tuple[str, ...], *, inherited: bool = False
    ) -> Resolved | None:
        """`self.a.b` inside class `class_name` of `path`; `chain` is ("a", "b").

        `inherited` (for `super()`) skips the class itself. A base that does not define the
        member itself gives no edge: the `extends`/base-class TYPE edge already links them.
        """
        if not chain:
            return None
        if inherited:
            found = self._base_member(path, class_name, chain[0], _NOTHING_SEEN, 0)
        else:
            found = self._member(path, class_name, chain[0], _NOTHING_SEEN, 0)
        if found is None:
            return None
        member_path, member = found
        return self._descend(member_path, member, chain[1:], _NOTHING_SEEN, 0)

    # --- internals ---------------------------------------------------------------------------

    def _in_module(
        self, path: str, chain: tuple[str, ...], seen: frozenset[str], depth: int
    ) -> Resolved | None:
        key = (path, chain)
        if key in self._cache:
            return self._cache[key]
        marker = f"{path}\0{chain[0]}"
        if depth > _MAX_DEPTH or marker in seen:
            self._cuts += 1
            return None
        cuts = self._cuts
        found = self._lookup(path, chain, seen | {marker}, depth + 1)
        # A result that met a cycle cut depends on the path that led here; caching it would
        # make answers depend on the order of questions. Top-level results never do.
        if cuts == self._cuts or not seen:
            self._cache[key] = found
        return found

    def _lookup(
        self, path: str, chain: tuple[str, ...], seen: frozenset[str], depth: int
    ) -> Resolved | None:
        module = self._modules.get(path)
        if module is None or not chain:
            return None
        name, rest = chain[0], chain[1:]
        definition = module.primary(name)
        if definition is not None:
            return self._descend(path, definition, rest, seen, depth)
        alias = module.export_aliases.get(name)
        if alias is not None and alias != name:
            return self._in_module(path, (alias, *rest), seen, depth)
        binding = module.imports.get(name)
        if binding is not None:
            found = self._through(path, binding, rest, seen, depth)
            return found.via(path, binding) if found is not None else None
        for star in module.star_imports:
            target = self._star_target(path, star)
            # Most names are not behind a given star import: check before walking into it.
            if target is None or name not in self._exported_names(target):
                continue
            found = self._through(path, star, chain, seen, depth)
            if found is not None:
                return found.via(path, star)
        return None

    def _star_target(self, path: str, star: ImportBinding) -> str | None:
        module = self._modules.get(path)
        if module is None:
            return None
        if not module.python:
            return self._es_module(path, star.module)
        dotted = self._python_module(path, star.module)
        return self._index.python_file(dotted) if dotted is not None else None

    def _exported_names(self, path: str) -> frozenset[str]:
        """Names a module offers, with those of every module its star imports reach (a superset
        is fine: it only decides whether resolution looks further)."""
        cached = self._names_cache.get(path)
        if cached is not None:
            return cached
        names: set[str] = set()
        reached = {path}
        pending = [path]
        while pending:
            module = self._modules.get(pending.pop())
            if module is None:
                continue
            names.update(module.definitions, module.imports, module.export_aliases)
            for star in module.star_imports:
                target = self._star_target(module.path, star)
                if target is not None and target not in reached:
                    reached.add(target)
                    pending.append(target)
        result = frozenset(names)
        self._names_cache[path] = result
        return result

    def _through(
        self,
        path: str,
        binding: ImportBinding,
        rest: tuple[str, ...],
        seen: frozenset[str],
        depth: int,
    ) -> Resolved | None:
        module = self._modules.get(path)
        if module is None:
            return None
        if module.python:
            dotted = self._python_module(path, binding.module)
            if dotted is None:
                return None
            if binding.star:
                target = self._index.python_file(dotted)
                return self._in_module(target, rest, seen, depth) if target and rest else None
            chain = rest if binding.imported is None else (binding.imported, *rest)
            return self._python_namespace(dotted, chain, seen, depth)
        target = self._es_module(path, binding.module)
        if target is None:
            return None
        if binding.star:
            return self._in_module(target, rest, seen, depth) if rest else None
        if binding.imported is None:
            # A namespace (or a CommonJS module) used as a value is its default export.
            return self._in_module(target, rest or ("default",), seen, depth)
        return self._in_module(target, (binding.imported, *rest), seen, depth)

    def _python_namespace(
        self, dotted: str, chain: tuple[str, ...], seen: frozenset[str], depth: int
    ) -> Resolved | None:
        """`pkg.sub.f`: a name of the package's `__init__`, else a submodule, walking down."""
        while chain:
            target = self._index.python_file(dotted)
            if target is not None:
                found = self._in_module(target, chain, seen, depth)
                if found is not None:
                    return found
            dotted = f"{dotted}.{chain[0]}" if dotted else chain[0]
            if not self._index.python_exists(dotted):
                return None
            chain = chain[1:]
        return None

    def _descend(
        self,
        path: str,
        definition: Definition,
        rest: tuple[str, ...],
        seen: frozenset[str],
        depth: int,
    ) -> Resolved:
        states: list[tuple[str, Definition]] = []
        while rest:
            if definition.kind in CONTAINER_KINDS:
                found = self._member(path, definition.name, rest[0], seen, depth)
            elif definition.kind in STATE_KINDS and definition.value_type is not None:
                found = self._typed_member(path, definition.value_type, rest[0], seen, depth)
                if found is not None:
                    states.append((path, definition))
            else:
                break
            if found is None:
                break
            path, definition = found
            rest = rest[1:]
        return Resolved(path, definition, rest, (), tuple(states))

    def _typed_member(
        self, path: str, value_type: tuple[str, ...], member: str, seen: frozenset[str], depth: int
    ) -> tuple[str, Definition] | None:
        """`member` of the plan class that `value_type` names in module `path`."""
        if depth > _MAX_DEPTH:
            return None
        cls = self._in_module(path, value_type, seen, depth + 1)
        if cls is None or cls.rest or cls.definition.kind not in _TYPED_CONTAINERS:
            return None
        return self._member(cls.path, cls.definition.name, member, seen, depth + 1)

    def _member(
        self, path: str, class_name: str, member: str, seen: frozenset[str], depth: int
    ) -> tuple[str, Definition] | None:
        """A member of a class, looked up through base classes declared in the plan."""
        module = self._modules.get(path)
        if module is None or depth > _MAX_DEPTH:
            return None
        definition = module.primary(f"{class_name}.{member}")
        if definition is not None:
            return path, definition
        return self._base_member(path, class_name, member, seen, depth)

    def _base_member(
        self, path: str, class_name: str, member: str, seen: frozenset[str], depth: int
    ) -> tuple[str, Definition] | None:
        for base in self._bases(path, class_name, seen, depth):
            inherited = self._member(base.path, base.definition.name, member, seen, depth + 1)
            if inherited is not None:
                return inherited
        return None

    def _bases(
        self, path: str, class_name: str, seen: frozenset[str], depth: int
    ) -> list[Resolved]:
        """Base classes of `class_name` that are classes of the plan."""
        module = self._modules.get(path)
        if module is None or depth > _MAX_DEPTH:
            return []
        found = []
        for base in module.class_bases.get(class_name, ()):
            resolved = self._in_module(path, base, seen, depth + 1)
            if resolved and not resolved.rest and resolved.definition.kind is DefKind.CLASS:
                found.append(resolved)
        return found

    def _python_module(self, importer: str, spec: str) -> str | None:
        key = (importer, spec)
        if key not in self._module_cache:
            self._module_cache[key] = self._index.python_module(importer, spec)
        return self._module_cache[key]

    def _es_module(self, importer: str, spec: str) -> str | None:
        key = (importer, spec)
        if key not in self._module_cache:
            self._module_cache[key] = self._index.es_file(importer, spec)
        return self._module_cache[key]
