"""Level 3, milestone: the milestone's files read together with the rest of the project.

- milestone.imports: every import of a plan module names a module the plan has and a name
  that module defines (for TypeScript/JavaScript: exports); relative imports must resolve;
  attributes reached through an imported plan module (`models.Todo`) must exist;
- milestone.calls: every call of a plan function, method or class passes arguments its
  signature accepts; a method called on `self` exists;
- milestone.cycles: no circular imports among module-level imports (type-only imports and
  imports inside functions are not executed at import time; a submodule importing its own
  package is Python's ordinary idiom and not counted).

Symbols and resolution are the dependency graph's (domain.graph): the same code that decides
which atom depends on which decides here whether a use resolves.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache

import networkx as nx
import tree_sitter

from domain.atomization.parser import ParsedSource
from domain.atomization.symbols import extract_symbols as outline
from domain.graph.builder import extract_symbols
from domain.graph.modules import ModuleIndex, normalize_path, python_module_name
from domain.graph.parsing import grammar_for
from domain.graph.resolve import Resolved, Resolver
from domain.graph.sources import FileSource
from domain.graph.symbols import DefKind, ImportBinding, ModuleSymbols, Reference, Usage
from domain.validation.model import WARNING, CheckResult, Violation, judged
from domain.validation.names import parse
from domain.validation.signatures import Signature, arity_problem, call_site, collect_signatures

LEVEL = 3
IMPORTS = "milestone.imports"
CALLS = "milestone.calls"
CYCLES = "milestone.cycles"

Node = tree_sitter.Node


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_STDLIB = frozenset(sys.stdlib_module_names) | {"__future__", "typing_extensions"}
_CALL_TYPES = frozenset({"call", "call_expression", "new_expression"})
_CHAIN_TYPES = frozenset({"attribute", "member_expression", "identifier", "this", "super"})
_TYPE_CHECKING = frozenset({"TYPE_CHECKING", "typing.TYPE_CHECKING", "t.TYPE_CHECKING"})


@dataclass(frozen=True)
class ProjectFile:
    path: str
    text: str
    language: str | None = None


@dataclass
class _Module:
    path: str
    parsed: ParsedSource
    symbols: ModuleSymbols | None
    signatures: dict[str, Signature]
    python: bool


def _read(file: ProjectFile) -> _Module | None:
    grammar = grammar_for(file.language, file.path)
    if grammar is None:
        return None
    parsed = parse(file.text, file.path, grammar)
    source = FileSource(file.path, grammar, parsed.source, (file.path,), (0,))
    symbols = extract_symbols(source) if not parsed.issues else None
    return _Module(file.path, parsed, symbols, collect_signatures(parsed), grammar == "python")


class Project:
    """The parsed project: parse trees, symbol tables, signatures, and the resolver."""

    def __init__(self, files: Iterable[ProjectFile]) -> None:
        self.modules: dict[str, _Module] = {}
        for file in files:
            module = _read(file)
            if module is not None:
                self.modules[file.path] = module
        self._link()

    def _link(self) -> None:
        tables = {p: m.symbols for p, m in self.modules.items() if m.symbols is not None}
        self.index = ModuleIndex(self.modules)
        self.resolver = Resolver(tables, self.index)
        self._exports: dict[str, frozenset[str] | None] = {}
        self._children: dict[tuple[str, str], list[tuple[str, str]]] | None = None

    def replaced(self, files: Iterable[ProjectFile]) -> Project:
        """The project with some files changed; the others are not parsed again."""
        clone = Project.__new__(Project)
        clone.modules = dict(self.modules)
        for file in files:
            module = _read(file)
            if module is None:
                clone.modules.pop(file.path, None)
            else:
                clone.modules[file.path] = module
        clone._link()
        return clone

    def subclasses(self, path: str, class_name: str) -> list[tuple[str, str]]:
        """Plan classes deriving from a plan class, at any depth."""
        if self._children is None:
            children: dict[tuple[str, str], list[tuple[str, str]]] = {}
            for module_path, module in self.modules.items():
                if module.symbols is None:
                    continue
                for name, bases in module.symbols.class_bases.items():
                    for base in bases:
                        found = self.resolver.resolve(module_path, base)
                        if found and not found.rest and found.definition.kind is DefKind.CLASS:
                            key = (found.path, found.definition.name)
                            children.setdefault(key, []).append((module_path, name))
            self._children = children
        out: list[tuple[str, str]] = []
        pending = [(path, class_name)]
        while pending:
            for child in self._children.get(pending.pop(), []):
                if child not in out:
                    out.append(child)
                    pending.append(child)
        return out

    def python_top_packages(self) -> set[str]:
        names = set()
        for path in self.modules:
            dotted = python_module_name(path)
            if dotted:
                names.add(dotted.split(".")[0])
        return names

    # --- ES exports ---------------------------------------------------------------------

    def es_exports(self, path: str, seen: frozenset[str] = frozenset()) -> frozenset[str] | None:
        """Names a TS/JS module exports (through `export *` too); None if unknowable."""
        if path in self._exports:
            return self._exports[path]
        module = self.modules.get(path)
        if module is None or module.symbols is None or path in seen:
            return None
        names = {s.name for s in outline(module.parsed) if s.kind == "export"}
        names.update(module.symbols.export_aliases)
        names.update(k for k, b in module.symbols.imports.items() if b.reexport)
        known = True
        if b"module.exports" in module.parsed.source or b"exports." in module.parsed.source:
            known = False  # CommonJS: exports are assigned at run time
        for star in module.symbols.star_imports:
            target = self.index.es_file(path, star.module)
            inner = self.es_exports(target, seen | {path}) if target else None
            if inner is None:
                known = False
            else:
                names.update(inner - {"default"})
        result = frozenset(names) if known else None
        self._exports[path] = result
        return result


def check_milestone(
    project: Project,
    paths: Iterable[str],
    *,
    scope: str | None = None,
) -> list[CheckResult]:
    """Level-3 checks of the files `paths` (a milestone) within `project`."""
    mine = [p for p in paths if p in project.modules]
    results = []
    started = time.perf_counter()
    found, units = _imports(project, mine)
    results.append(
        judged(
            LEVEL,
            IMPORTS,
            found,
            units=max(1, units),
            scope=scope,
            duration_ms=(time.perf_counter() - started) * 1e3,
        )
    )
    started = time.perf_counter()
    found, units = _calls(project, mine)
    results.append(
        judged(
            LEVEL,
            CALLS,
            found,
            units=max(1, units),
            scope=scope,
            duration_ms=(time.perf_counter() - started) * 1e3,
        )
    )
    started = time.perf_counter()
    found, units = _cycles(project, set(mine))
    results.append(
        judged(
            LEVEL,
            CYCLES,
            found,
            units=max(1, units),
            scope=scope,
            duration_ms=(time.perf_counter() - started) * 1e3,
        )
    )
    return results


# ---- imports -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _PyImport:
    module: str  # as written, "." prefix for relative
    names: tuple[tuple[str, str], ...]  # (original, bound) for `from m import a as b`
    is_from: bool
    star: bool
    line: int
    module_level: bool
    type_only: bool


def _python_imports(module: _Module) -> list[_PyImport]:
    out = []
    for node in module.parsed.import_nodes:
        if node.type == "future_import_statement":
            continue
        module_level, type_only = _python_import_place(node)
        line = node.start_point[0] + 1
        if node.type == "import_statement":
            for child in node.children_by_field_name("name"):
                target = (
                    child.child_by_field_name("name") if child.type == "aliased_import" else child
                )
                dotted = "".join(_text(target).split())
                out.append(_PyImport(dotted, (), False, False, line, module_level, type_only))
            continue
        module_node = node.child_by_field_name("module_name")
        spec = "".join(_text(module_node).split())
        names = []
        for child in node.children_by_field_name("name"):
            if child.type == "aliased_import":
                names.append(
                    (
                        _text(child.child_by_field_name("name")),
                        _text(child.child_by_field_name("alias")),
                    )
                )
            else:
                names.append((_text(child), _text(child)))
        star = any(c.type == "wildcard_import" for c in node.children)
        out.append(_PyImport(spec, tuple(names), True, star, line, module_level, type_only))
    return out


def _python_import_place(node: Node) -> tuple[bool, bool]:
    """(executed at import time, only for the type checker)."""
    type_only = False
    parent = node.parent
    while parent is not None:
        if parent.type in ("function_definition", "class_definition", "lambda"):
            return False, type_only
        if parent.type == "if_statement":
            condition = " ".join(_text(parent.child_by_field_name("condition")).split())
            if condition in _TYPE_CHECKING:
                type_only = True
            if condition.replace("'", '"') == '__name__ == "__main__"':
                return False, type_only  # runs as a script only, never on import
        parent = parent.parent
    return True, type_only


def _text(node: Node | None) -> str:
    return (node.text or b"").decode("utf-8", "replace") if node is not None else ""


def _imports(project: Project, paths: list[str]) -> tuple[list[Violation], int]:
    found: list[Violation] = []
    units = 0
    plan_packages = project.python_top_packages()
    for path in paths:
        module = project.modules[path]
        if module.python:
            for imp in _python_imports(module):
                units += 1
                found.extend(_check_python_import(project, path, imp, plan_packages))
        elif module.symbols is not None:
            for binding in module.symbols.all_imports:
                units += 1
                found.extend(_check_es_import(project, path, binding, module))
        found.extend(_module_attributes(project, path, module))
    return found, units


def _check_python_import(
    project: Project, path: str, imp: _PyImport, plan_packages: set[str]
) -> list[Violation]:
    index = project.index
    dotted = index.python_module(path, imp.module)
    top = imp.module.lstrip(".").split(".")[0]
    if dotted is None or (dotted and not index.python_exists(dotted)):
        if imp.module.startswith("."):
            return [
                _v(
                    IMPORTS,
                    f"relative import `{imp.module}` names no module of the plan",
                    path,
                    imp.line,
                )
            ]
        if top in plan_packages and top not in _STDLIB:
            return [_v(IMPORTS, f"no module `{imp.module}` in the plan", path, imp.line)]
        if top not in _STDLIB:
            return [
                _v(
                    IMPORTS,
                    f"third-party module `{imp.module}`: not checked",
                    path,
                    imp.line,
                    WARNING,
                )
            ]
        return []
    if not imp.is_from or imp.star:
        return []
    target_file = index.python_file(dotted)
    problems = []
    for original, _bound in imp.names:
        if index.python_exists(f"{dotted}.{original}" if dotted else original):
            continue  # a submodule
        if target_file is None:
            problems.append(
                _v(IMPORTS, f"`{original}` is not a module of package `{dotted}`", path, imp.line)
            )
            continue
        if _binds(project, target_file, original):
            continue
        # A lazy import (in a function) may fetch a name set at run time: only a warning.
        severity = "error" if imp.module_level else WARNING
        problems.append(
            _v(
                IMPORTS,
                f"`{dotted}` ({target_file}) defines no `{original}`",
                path,
                imp.line,
                severity,
            )
        )
    return problems


def _binds(project: Project, path: str, name: str) -> bool:
    """The module defines `name`, or imports it (from anywhere: a re-export of a
    third-party name is still a name of the module), or its names cannot all be known."""
    if project.resolver.resolve(path, (name,)) is not None or _open_module(project, path):
        return True
    symbols = project.modules[path].symbols
    return symbols is not None and (name in symbols.definitions or name in symbols.imports)


def _open_module(project: Project, path: str) -> bool:
    """A module whose names cannot all be known: external star imports, `__getattr__`,
    dynamic globals."""
    module = project.modules.get(path)
    if module is None or module.symbols is None:
        return True
    source = module.parsed.source
    if b"__getattr__" in source or b"globals()" in source:
        return True
    for star in module.symbols.star_imports:
        if module.python:
            dotted = project.index.python_module(path, star.module)
            if dotted is None or project.index.python_file(dotted) is None:
                return True
        elif project.index.es_file(path, star.module) is None:
            return True
    return False


def _check_es_import(
    project: Project, path: str, binding: ImportBinding, module: _Module
) -> list[Violation]:
    line = module.parsed.lines.line_of(binding.offset)
    spec = binding.module
    target = project.index.es_file(path, spec)
    if target is None:
        if spec.startswith((".", "/")):
            return [_v(IMPORTS, f"cannot find module `{spec}` in the plan", path, line)]
        return []
    if binding.star or binding.imported is None:
        return []
    exports = project.es_exports(target)
    if exports is None or binding.imported in exports:
        return []
    if binding.imported == "default":
        return [_v(IMPORTS, f"`{spec}` ({target}) has no default export", path, line)]
    return [_v(IMPORTS, f"`{spec}` ({target}) does not export `{binding.imported}`", path, line)]


def _module_attributes(project: Project, path: str, module: _Module) -> list[Violation]:
    """`models.Missing` where `models` is an imported plan module."""
    symbols = module.symbols
    if symbols is None:
        return []
    found: list[Violation] = []
    reported: set[tuple[str, ...]] = set()
    for reference in symbols.references:
        binding = reference.via or symbols.imports.get(reference.chain[0])
        if binding is None or binding.star or len(reference.chain) < 2:
            continue
        if reference.chain in reported or reference.self_class is not None:
            continue
        if reference.receiver_type is not None or reference.usage is Usage.WRITE:
            continue  # a local that shadows the import, or a name being created
        if reference.chain[1].startswith("__") and reference.chain[1].endswith("__"):
            continue  # module dunders (`__file__`, `__version__`...) exist implicitly
        missing = _missing_attribute(project, path, module, binding, reference.chain[1:])
        if missing is None:
            continue
        reported.add(reference.chain)
        line = module.parsed.lines.line_of(reference.offset)
        name = ".".join(reference.chain)
        found.append(_v(IMPORTS, f"`{name}`: {missing}", path, line))
    return found


def _missing_attribute(
    project: Project, path: str, module: _Module, binding: ImportBinding, parts: tuple[str, ...]
) -> str | None:
    """What is missing when `parts` are read from the plan module `binding` names."""
    index = project.index
    if module.python:
        dotted = index.python_module(path, binding.module)
        if dotted is None:
            return None
        if binding.imported is not None:
            dotted = f"{dotted}.{binding.imported}" if dotted else binding.imported
            if not index.python_exists(dotted):
                return None  # a name, not a module: checked with the import itself
        while parts and index.python_exists(f"{dotted}.{parts[0]}" if dotted else parts[0]):
            dotted = f"{dotted}.{parts[0]}" if dotted else parts[0]
            parts = parts[1:]
        if not parts:
            return None
        file = index.python_file(dotted)
        if file is None or _open_module(project, file):
            return None
        if _binds(project, file, parts[0]):
            return None
        return f"module `{dotted}` ({file}) defines no `{parts[0]}`"
    if binding.imported is not None:
        return None
    target = index.es_file(path, binding.module)
    if target is None:
        return None
    exports = project.es_exports(target)
    if exports is None or parts[0] in exports:
        return None
    return f"`{binding.module}` ({target}) does not export `{parts[0]}`"


# ---- calls ---------------------------------------------------------------------------------


def _calls(project: Project, paths: list[str]) -> tuple[list[Violation], int]:
    found: list[Violation] = []
    units = 0
    for path in paths:
        module = project.modules[path]
        if module.symbols is None:
            continue
        typed = module.python or module.parsed.language in ("typescript", "tsx")
        seen: set[int] = set()
        for reference in module.symbols.references:
            if reference.usage is not Usage.CALL or reference.offset in seen:
                continue
            call = _call_node(module.parsed.root, reference.offset)
            if call is None:
                continue
            seen.add(call.start_byte)
            units += 1
            resolved = _resolve(project, path, reference)
            problem = (
                _missing_member(project, path, reference)
                if resolved is None
                else _arity(project, reference, resolved, call, typed)
                or _missing_after(project, reference, resolved)
            )
            if problem:
                found.append(_v(CALLS, problem, path, call.start_point[0] + 1))
        if module.python:
            for call, problem in _calls_on_returned_values(project, path, module, seen):
                units += 1
                if problem:
                    found.append(_v(CALLS, problem, path, call.start_point[0] + 1))
    return found, units


_RECEIVER_CALLS = """
(call function: (attribute object: (identifier) @receiver attribute: (identifier) @method)) @call
"""
_ASSIGNMENTS = "(assignment left: (identifier) @name right: (call) @value)"


@cache
def _python_query(source: str) -> tree_sitter.Query:
    from domain.atomization.languages import ts_language

    return tree_sitter.Query(ts_language("python"), source)


def _calls_on_returned_values(
    project: Project, path: str, module: _Module, seen: set[int]
) -> list[tuple[Node, str | None]]:
    """`x.m(...)` where `x = f(...)` and `f` is a plan function whose return annotation
    names a plan class (or `f` is the class itself): `m` is that class's method."""
    symbols = module.symbols
    assert symbols is not None
    calls = {r.offset: r for r in symbols.references if r.usage is Usage.CALL}
    out: list[tuple[Node, str | None]] = []
    cursor = tree_sitter.QueryCursor(_python_query(_RECEIVER_CALLS))
    for _, caps in cursor.matches(module.parsed.root):
        call = caps["call"][0]
        if call.start_byte in seen:
            continue
        receiver, method = _text(caps["receiver"][0]), _text(caps["method"][0])
        target = _receiver_class(project, path, calls, _scope_of(call), receiver)
        if target is None:
            continue
        seen.add(call.start_byte)
        out.append((call, _method_problem(project, target, receiver, method, call)))
    return out


def _scope_of(node: Node) -> Node:
    parent = node.parent
    while parent is not None:
        if parent.type == "function_definition":
            return parent
        if parent.parent is None:
            return parent
        parent = parent.parent
    return node


def _receiver_class(
    project: Project, path: str, calls: dict[int, Reference], scope: Node, receiver: str
) -> tuple[str, str] | None:
    """The plan class of the local `receiver`, from its only assignment in `scope`."""
    params = scope.child_by_field_name("parameters")
    if params is not None and receiver in {_text(n) for n in _identifiers(params)}:
        return None
    cursor = tree_sitter.QueryCursor(_python_query(_ASSIGNMENTS))
    values = [
        caps["value"][0] for _, caps in cursor.matches(scope) if _text(caps["name"][0]) == receiver
    ]
    if len(values) != 1:
        return None
    callee = values[0].child_by_field_name("function")
    reference = calls.get(callee.start_byte) if callee is not None else None
    if reference is None:
        return None
    resolved = _resolve(project, path, reference)
    if resolved is None or resolved.rest or _through_star(resolved):
        return None
    definition = resolved.definition
    if definition.kind is DefKind.CLASS:
        return resolved.path, definition.name
    if definition.kind not in (DefKind.FUNCTION, DefKind.METHOD):
        return None
    module = project.modules.get(resolved.path)
    signature = module.signatures.get(definition.name) if module is not None else None
    if signature is None or not signature.returns:
        return None
    kept = [p.strip() for p in signature.returns.split("|") if p.strip() != "None"]
    if len(kept) != 1 or not all(part.isidentifier() for part in kept[0].split(".")):
        return None
    found = project.resolver.resolve(resolved.path, tuple(kept[0].split(".")))
    if found is None or found.rest or found.definition.kind is not DefKind.CLASS:
        return None
    return found.path, found.definition.name


def _identifiers(node: Node) -> list[Node]:
    out = []
    stack = [node]
    while stack:
        current = stack.pop()
        if current.type == "identifier":
            out.append(current)
        stack.extend(current.named_children)
    return out


def _method_problem(
    project: Project, target: tuple[str, str], receiver: str, method: str, call: Node
) -> str | None:
    class_path, class_name = target
    member = project.resolver.resolve_member(class_path, class_name, (method,))
    if member is None or member.rest:
        if method.startswith("__") or not _closed_class(project, class_path, class_name, 0):
            return None
        return (
            f"`{receiver}.{method}()`: class `{class_name}` ({class_path}) has no member `{method}`"
        )
    module = project.modules.get(member.path)
    signature = module.signatures.get(member.definition.name) if module is not None else None
    if signature is None or not signature.callable_known or signature.kind != "method":
        return None
    params = signature.params
    if not signature.is_static and params:
        params = params[1:]
    problem = arity_problem(params, call_site(call))
    if problem is None or _override_accepts(project, member.path, signature, call):
        return None
    return (
        f"`{receiver}.{method}()` {problem} (`{receiver}` is a `{class_name}`: "
        f"`{signature.render()}` in {member.path})"
    )


def _missing_after(project: Project, reference: Reference, resolved: Resolved) -> str | None:
    """`self.repo.missing()` / `Todo.missing()`: the chain stops at a plan class that has no
    such member."""
    if not resolved.rest or len(resolved.rest) != 1 or resolved.rest[0].startswith("__"):
        return None
    if _through_star(resolved):
        return None
    definition = resolved.definition
    if definition.kind is DefKind.CLASS:
        class_path, class_name = resolved.path, definition.name
    elif definition.kind in (DefKind.ATTRIBUTE, DefKind.VARIABLE) and definition.value_type:
        owner = definition.name.rsplit(".", 1)[0] if "." in definition.name else None
        if owner is not None and owner != reference.self_class:
            return None  # declared by a base class: a subclass may narrow its type
        target = project.resolver.resolve(resolved.path, definition.value_type)
        if target is None or target.rest or target.definition.kind is not DefKind.CLASS:
            return None
        class_path, class_name = target.path, target.definition.name
    else:
        return None
    if not _closed_class(project, class_path, class_name, 0):
        return None
    member = resolved.rest[0]
    if project.resolver.resolve_member(class_path, class_name, (member,)) is not None:
        return None
    if any(_defines(project, sub, member) for sub in project.subclasses(class_path, class_name)):
        return None
    shown = ".".join(reference.chain)
    return f"`{shown}()`: class `{class_name}` ({class_path}) has no member `{member}`"


def _call_node(root: Node, offset: int) -> Node | None:
    node = root.named_descendant_for_byte_range(offset, offset)
    while node is not None and node.parent is not None:
        parent = node.parent
        if parent.type in _CALL_TYPES:
            callee = parent.child_by_field_name("function") or parent.child_by_field_name(
                "constructor"
            )
            return parent if callee is not None and callee.id == node.id else None
        if parent.type not in _CHAIN_TYPES or parent.start_byte != offset:
            return None
        node = parent
    return None


def _resolve(project: Project, path: str, reference: Reference) -> Resolved | None:
    resolver = project.resolver
    if reference.self_class is not None:
        if len(reference.chain) == 1:
            return resolver.resolve(path, tuple(reference.self_class.split(".")))
        return resolver.resolve_member(
            path, reference.self_class, reference.chain[1:], inherited=reference.inherited
        )
    if reference.via is not None:
        return resolver.resolve_binding(path, reference.via, reference.chain[1:])
    if reference.receiver_type is not None:
        return resolver.resolve_typed(path, reference.receiver_type, reference.chain[1:])
    return resolver.resolve(path, reference.chain)


def _through_star(resolved: Resolved) -> bool:
    """Reached through a star import: which module's name it is depends on `__all__` and
    import order, which resolution does not model; not a basis for an error."""
    return any(binding.star for _, binding in resolved.hops)


def _arity(
    project: Project, reference: Reference, resolved: Resolved, call: Node, typed: bool
) -> str | None:
    if resolved.rest or _through_star(resolved):
        return None
    if reference.self_class is not None and reference.chain == ("self",):
        return None  # `self(...)` calls `__call__`, not the constructor
    definition = resolved.definition
    if definition.kind not in (DefKind.FUNCTION, DefKind.METHOD, DefKind.CLASS):
        return None
    module = project.modules.get(resolved.path)
    if module is None:
        return None
    signature = module.signatures.get(definition.name)
    if signature is None or not signature.callable_known:
        return None
    if call.type == "new_expression" and signature.kind != "class":
        return None
    params = signature.params
    if signature.kind == "method" and module.python:
        bound = (
            reference.self_class is not None
            or reference.receiver_type is not None
            or bool(resolved.states)
            or signature.is_classmethod
        )
        if bound and not signature.is_static and params:
            params = params[1:]
    problem = arity_problem(params, call_site(call), typed=typed)
    if problem is None or (
        signature.kind == "method" and _override_accepts(project, resolved.path, signature, call)
    ):
        return None
    shown = ".".join(reference.chain)
    return f"`{shown}()` {problem} (defined as `{signature.render()}` in {resolved.path})"


def _defines(project: Project, where: tuple[str, str], member: str) -> bool:
    module = project.modules.get(where[0])
    return module is not None and f"{where[1]}.{member}" in module.signatures


def _override_accepts(project: Project, path: str, signature: Signature, call: Node) -> bool:
    """A subclass overrides the method with a signature that takes this call (the receiver
    may well be an instance of it)."""
    class_name, _, method = signature.qualname.rpartition(".")
    site = call_site(call)
    for sub_path, sub_name in project.subclasses(path, class_name):
        module = project.modules.get(sub_path)
        override = module.signatures.get(f"{sub_name}.{method}") if module else None
        if override is None:
            continue
        if not override.callable_known:
            return True
        params = override.params[1:] if override.params and not override.is_static else ()
        if arity_problem(params, site) is None:
            return True
    return False


def _missing_member(project: Project, path: str, reference: Reference) -> str | None:
    """Nothing for `self.m()`: a mixin calls methods its subclasses define. A call the
    resolver cannot follow is left to the type checker and the tests."""
    del project, path, reference
    return None


_HARMLESS_CLASS_DECORATORS = frozenset(
    {"dataclass", "dataclasses.dataclass", "total_ordering", "functools.total_ordering", "final"}
)


def _closed_class(project: Project, path: str, class_name: str, depth: int) -> bool:
    """Every member of the class is visible here: no decorators, no external bases, no
    dynamic attributes."""
    module = project.modules.get(path)
    if module is None or module.symbols is None or depth > 8:
        return False
    signature = module.signatures.get(class_name)
    if signature is None:
        return False
    decorators = [d for d in signature.decorators if not d.startswith("base:") and d != "extends"]
    if any(d not in _HARMLESS_CLASS_DECORATORS for d in decorators):
        return False
    members = {
        name.split(".")[-1] for name in module.signatures if name.startswith(class_name + ".")
    }
    if members & {"__getattr__", "__getattribute__", "__setattr__"}:
        return False
    if b"setattr(" in module.parsed.source or b"__dict__" in module.parsed.source:
        return False
    if not module.python:
        return False  # ES classes gain members through many routes (mixins, prototypes)
    for base in module.symbols.class_bases.get(class_name, []):
        if base in (("object",),):
            continue
        resolved = project.resolver.resolve(path, base)
        if resolved is None or resolved.rest or resolved.definition.kind is not DefKind.CLASS:
            return False
        if not _closed_class(project, resolved.path, resolved.definition.name, depth + 1):
            return False
    bases = [d for d in signature.decorators if d.startswith("base:")]
    return len(bases) == len(module.symbols.class_bases.get(class_name, []))


# ---- cycles --------------------------------------------------------------------------------


def import_graph(project: Project) -> nx.DiGraph:
    """File → file edges of the imports executed when a module is imported."""
    graph: nx.DiGraph = nx.DiGraph()
    index = project.index
    for path, module in project.modules.items():
        graph.add_node(path)
        if module.python:
            for imp in _python_imports(module):
                if not imp.module_level or imp.type_only:
                    continue
                for target, names in _python_targets(index, path, imp):
                    if target != path and not _is_ancestor_package(target, path):
                        if graph.has_edge(path, target):
                            edge = graph.edges[path, target]
                            edge["names"] = (*edge["names"], *names)
                            edge["line"] = min(edge["line"], imp.line)
                        else:
                            graph.add_edge(path, target, line=imp.line, names=names)
        elif module.symbols is not None:
            for binding in module.symbols.all_imports:
                if binding.type_only:
                    continue
                es_target = index.es_file(path, binding.module)
                if es_target is not None and es_target != path:
                    target = es_target
                    line = module.parsed.lines.line_of(binding.offset)
                    if not graph.has_edge(path, target):
                        # ES bindings are live, but a cycle still runs a module's body
                        # before its dependency's: always an error.
                        graph.add_edge(path, target, line=line, names=(_ES_BINDING,))
    return graph


def _python_targets(
    index: ModuleIndex, path: str, imp: _PyImport
) -> list[tuple[str, tuple[str, ...]]]:
    """Files an import runs, each with the names it takes out of that module (which fails
    while the module is still initializing and has not defined them yet); no names when it
    only takes module objects."""
    dotted = index.python_module(path, imp.module)
    if dotted is None:
        return []
    targets: dict[str, tuple[str, ...]] = {}
    if imp.is_from:
        for original, _ in imp.names:
            sub = f"{dotted}.{original}" if dotted else original
            file = index.python_file(sub)
            if file is not None:
                targets.setdefault(file, ())
                continue
            file = index.python_file(dotted)
            if file is not None:
                targets[file] = (*targets.get(file, ()), original)
        star = index.python_file(dotted) if imp.star else None
        if star is not None:
            targets.setdefault(star, ())  # takes whatever is defined so far: never fails
    else:
        file = index.python_file(dotted)
        if file is not None:
            targets.setdefault(file, ())
    return sorted(targets.items())


def _is_ancestor_package(target: str, path: str) -> bool:
    target_norm = normalize_path(target)
    if not target_norm.endswith("__init__.py"):
        return False
    package_dir = target_norm[: -len("__init__.py")]
    return normalize_path(path).startswith(package_dir)


_ES_BINDING = "<es>"


def _cycles(project: Project, mine: set[str]) -> tuple[list[Violation], int]:
    """One cycle per strongly connected component that touches the milestone.

    An error when an import in it takes a name out of a module that may not have defined it
    yet: `from v import X` runs while `v` is stopped at its own first import into the cycle,
    so X must be defined above that line. A warning when every such name is (or only module
    objects are imported): it works, in an order that an edit can break."""
    graph = import_graph(project)
    found: list[Violation] = []
    for component in sorted(nx.strongly_connected_components(graph), key=min):
        if len(component) < 2 or not component & mine:
            continue
        sub = graph.subgraph(component)
        unsafe = [
            (u, v) for u, v, names in sub.edges(data="names") if _unsafe(project, sub, v, names)
        ]
        candidates = unsafe or sorted(sub.edges)
        source, target = min(candidates, key=lambda e: (e[0] not in mine, e))
        back = nx.shortest_path(sub, target, source)
        cycle = list(zip([source, *back[:-1]], back, strict=True))
        chain = " -> ".join([source, *back])
        severity = "error" if unsafe else "warning"
        note = "" if unsafe else " (every name imported is defined before the cycle closes)"
        for start, end in cycle:
            if start in mine:
                line = graph.edges[start, end].get("line")
                found.append(_v(CYCLES, f"circular import: {chain}{note}", start, line, severity))
    return found, max(1, graph.number_of_edges())


def _unsafe(project: Project, sub: nx.DiGraph, module_path: str, names: tuple[str, ...]) -> bool:
    """Some of `names` may be missing from `module_path` while it waits in the cycle."""
    if not names:
        return False
    if _ES_BINDING in names:
        return True
    stop = min(line for _, _, line in sub.out_edges(module_path, data="line"))
    module = project.modules.get(module_path)
    symbols = module.symbols if module is not None else None
    if module is None or symbols is None:
        return True
    lines = module.parsed.lines
    for name in names:
        offsets = [d.offset for d in symbols.definitions.get(name, [])]
        binding = symbols.imports.get(name)
        if binding is not None:
            offsets.append(binding.offset)
        if not offsets or lines.line_of(min(offsets)) >= stop:
            return True
    return False


def _v(check: str, message: str, path: str, line: int | None, severity: str = "error") -> Violation:
    return Violation(check, message, line, severity, None, path)


def project_from(files: Mapping[str, str], languages: Mapping[str, str] | None = None) -> Project:
    langs = languages or {}
    return Project(ProjectFile(p, t, langs.get(p)) for p, t in files.items())
