"""TypeScript and JavaScript symbols: definitions, ES/CommonJS imports and exports, uses.

Same shape as the Python extractor: queries find the nodes, scopes decide shadowing. Block
scopes matter here (`let`/`const`), `var` is hoisted to its function, and type parameters
shadow types of the same name.
"""

from __future__ import annotations

from dataclasses import replace

from tree_sitter import Node, QueryCursor

from domain.graph.parsing import Grammar, compiled_query, parser
from domain.graph.scopes import MODULE_LEVEL, Scope, ScopeKind, ScopeTree
from domain.graph.sources import FileSource
from domain.graph.symbols import Definition, DefKind, ImportBinding, ModuleSymbols, Reference, Usage
from domain.graph.tokens import Spans, chain_after, chain_at, end_offsets, node_text, type_chain

# One query, one walk of the tree: scopes, module statements, then identifiers by role.
_STRUCTURE_COMMON = """
[(function_declaration) (generator_function_declaration) (method_definition)] @scope.named
[(function_expression) (generator_function) (arrow_function)] @scope.anonymous
[(class_declaration) (class)] @scope.class
[(statement_block) (for_statement) (for_in_statement) (catch_clause) (switch_body)] @scope.block
(import_statement) @import
(export_statement) @export
(variable_declarator
  value: (call_expression function: (identifier) arguments: (arguments . (string)))) @require
(expression_statement (assignment_expression left: (member_expression)) @cjs)
(variable_declarator name: (identifier) value: (new_expression)) @typed.declarator
"""

_STRUCTURE_TS = """
[(function_signature) (method_signature) (abstract_method_signature)] @scope.named
[(call_signature) (construct_signature) (function_type) (constructor_type)] @scope.anonymous
(abstract_class_declaration) @scope.class
[(interface_declaration) (type_alias_declaration)] @scope.type
(internal_module) @scope.namespace
(variable_declarator name: (identifier) type: (type_annotation)) @typed.declarator
[(required_parameter pattern: (identifier) type: (type_annotation))
 (optional_parameter pattern: (identifier) type: (type_annotation))
 (required_parameter pattern: (identifier) value: (new_expression))] @typed.param
"""

_TOKENS_COMMON = """
(identifier) @id
(shorthand_property_identifier) @id
(member_expression object: (this) @this)
(variable_declarator name: (identifier) @bind.variable)
(variable_declaration (variable_declarator name: (identifier) @bind.var))
(object_pattern (shorthand_property_identifier_pattern) @bind.local)
(object_assignment_pattern left: (shorthand_property_identifier_pattern) @bind.local)
(pair_pattern value: (identifier) @bind.local)
(array_pattern (identifier) @bind.local)
(rest_pattern (identifier) @bind.local)
(assignment_pattern left: (identifier) @bind.local)
(function_declaration name: (identifier) @bind.function)
(generator_function_declaration name: (identifier) @bind.function)
(function_expression name: (identifier) @bind.local)
(class_declaration name: (_) @bind.class)
(arrow_function parameter: (identifier) @bind.local)
(catch_clause parameter: (identifier) @bind.local)
(for_in_statement left: (identifier) @bind.local)
(import_specifier (identifier) @skip)
(import_clause (identifier) @skip)
(namespace_import (identifier) @skip)
(export_specifier (identifier) @skip)
(namespace_export (identifier) @skip)
(method_definition name: [(property_identifier) (private_property_identifier)] @member.method)
(member_expression object: (super) property: (property_identifier) @super.member)
(call_expression function: (super) @super.call)
(call_expression function: (_) @callee)
(new_expression constructor: (_) @callee)
(decorator (identifier) @callee)
(decorator (member_expression) @callee)
(assignment_expression left: (_) @write)
(assignment_expression left: (subscript_expression object: (_) @write))
(augmented_assignment_expression left: (_) @write)
(augmented_assignment_expression left: (subscript_expression object: (_) @write))
(update_expression argument: (_) @write)
(update_expression argument: (subscript_expression object: (_) @write))
(assignment_expression left: (member_expression object: (this)) @thisdef)
(class_heritage) @type
"""

_TOKENS_JS = """
(formal_parameters (identifier) @bind.local)
(field_definition property: [(property_identifier) (private_property_identifier)] @member.field)
"""

_TOKENS_TS = """
(type_identifier) @tid
(required_parameter pattern: (identifier) @bind.local)
(optional_parameter pattern: (identifier) @bind.local)
(function_signature name: (identifier) @bind.function)
(abstract_class_declaration name: (_) @bind.class)
(interface_declaration name: (_) @bind.type)
(type_alias_declaration name: (_) @bind.type)
(enum_declaration name: (_) @bind.variable)
(internal_module name: (identifier) @bind.namespace)
(type_parameter name: (_) @bind.local)
(import_require_clause (identifier) @skip)
(nested_type_identifier name: (type_identifier) @skip)
(method_signature name: (property_identifier) @member.method)
(abstract_method_signature name: (property_identifier) @member.method)
(public_field_definition name: [(property_identifier) (private_property_identifier)] @member.field)
(interface_body (property_signature name: (property_identifier) @member.field))
(method_definition parameters: (formal_parameters (required_parameter) @constructor.parameter))
(type_annotation) @type
(type_arguments) @type
(extends_type_clause) @type
(implements_clause) @type
(type_alias_declaration value: (_) @type)
(nested_type_identifier module: (_) @type)
"""

_TOKENS_JSX = """
(jsx_self_closing_element name: (identifier) @callee)
(jsx_opening_element name: (identifier) @callee)
"""

_BIND_KINDS: dict[str, DefKind | None] = {
    "bind.function": DefKind.FUNCTION,
    "bind.class": DefKind.CLASS,
    "bind.type": DefKind.TYPE,
    "bind.namespace": DefKind.NAMESPACE,
    "bind.variable": DefKind.VARIABLE,
    "bind.var": DefKind.VARIABLE,
    "bind.local": None,
}

# Destructuring patterns bind locals, but at module level (`const { a, b } = config`) they
# define module variables.
_PATTERN_DEFINES = DefKind.VARIABLE


def _query(grammar: Grammar) -> str:
    if grammar == "javascript":
        return _STRUCTURE_COMMON + _TOKENS_COMMON + _TOKENS_JS + _TOKENS_JSX
    jsx = _TOKENS_JSX if grammar == "tsx" else ""
    return _STRUCTURE_COMMON + _STRUCTURE_TS + _TOKENS_COMMON + _TOKENS_TS + jsx


def extract_ecmascript(source: FileSource) -> ModuleSymbols:
    grammar = source.grammar
    assert grammar is not None and grammar != "python"
    text = source.text
    root = parser(grammar).parse(text).root_node
    symbols = ModuleSymbols(path=source.path, python=False)
    captures = QueryCursor(compiled_query(grammar, _query(grammar))).captures(root)
    scopes, classes = _scopes(text, captures)
    tree = ScopeTree(len(text), scopes, skip_class_scopes=False)
    # Captures come in no fixed order; a class defined twice keeps its first definition.
    for scope, node in sorted(classes, key=lambda item: item[0].start):
        if scope.qualname is not None and scope.qualname not in symbols.class_bases:
            symbols.class_bases[scope.qualname] = _base_classes(text, node)
    skip = {node.start_byte for node in captures.get("skip", ())}
    for node in _in_order(captures, "import"):
        _bind_es_import(text, tree, node, symbols)
    for node in _in_order(captures, "require"):
        _bind_require(text, tree, node, symbols)
    _bind_names(text, tree, captures, skip, symbols)
    _define_members(text, tree, captures, symbols)
    for node in _in_order(captures, "export"):
        _read_export(text, tree, node, symbols)
    for node in _in_order(captures, "cjs"):
        _read_commonjs(text, tree, node, symbols)
    _collect_references(text, tree, captures, skip, symbols)
    return symbols.finalize()


def _in_order(captures: dict[str, list[Node]], name: str) -> list[Node]:
    return sorted(captures.get(name, ()), key=lambda node: node.start_byte)


def _scopes(
    text: bytes, captures: dict[str, list[Node]]
) -> tuple[list[Scope], list[tuple[Scope, Node]]]:
    """Every scope of the file, and the class scopes with their nodes."""
    scopes: list[Scope] = []
    classes: list[tuple[Scope, Node]] = []
    for node in captures.get("scope.named", ()):
        # A declaration's name binds outside it: its scope starts after the name.
        name = node.child_by_field_name("name")
        start = name.end_byte if name is not None else node.start_byte
        scope = Scope(start, node.end_byte, ScopeKind.FUNCTION)
        scope.name = node_text(text, name) if name is not None else None
        scopes.append(scope)
    scopes.extend(
        Scope(node.start_byte, node.end_byte, ScopeKind.FUNCTION)
        for node in captures.get("scope.anonymous", ())
    )
    for node in captures.get("scope.class", ()):
        name = node.child_by_field_name("name")
        start = name.end_byte if name is not None else node.start_byte
        scope = Scope(start, node.end_byte, ScopeKind.CLASS)
        scope.name = node_text(text, name) if name is not None else None
        scopes.append(scope)
        classes.append((scope, node))
    for node in captures.get("scope.type", ()):
        name = node.child_by_field_name("name")
        start = name.end_byte if name is not None else node.start_byte
        # An interface holds members like a class (declarations only); a type alias does not.
        if node.type == "interface_declaration" and name is not None:
            scope = Scope(start, node.end_byte, ScopeKind.CLASS)
            scope.name = node_text(text, name)
            scopes.append(scope)
        else:
            scopes.append(Scope(start, node.end_byte, ScopeKind.BLOCK))
    namespace_bodies: set[int] = set()
    for node in captures.get("scope.namespace", ()):
        name, body = node.child_by_field_name("name"), node.child_by_field_name("body")
        if name is None or body is None:
            continue
        namespace_bodies.add(body.start_byte)
        scope = Scope(body.start_byte, body.end_byte, ScopeKind.NAMESPACE)
        scope.name = node_text(text, name)
        scopes.append(scope)
    # A namespace body is the namespace's own scope, not an extra block inside it.
    scopes.extend(
        Scope(node.start_byte, node.end_byte, ScopeKind.BLOCK)
        for node in captures.get("scope.block", ())
        if node.start_byte not in namespace_bodies
    )
    return scopes, classes


def _base_classes(text: bytes, node: Node) -> list[tuple[str, ...]]:
    """`extends X` of a class (TypeScript wraps it in extends_clause, JavaScript does not)."""
    heritage = next((c for c in node.named_children if c.type == "class_heritage"), None)
    if heritage is None:
        return []
    bases = []
    for child in heritage.named_children:
        value = child.child_by_field_name("value") if child.type == "extends_clause" else child
        if value is not None and value.type in ("identifier", "member_expression"):
            bases.append(chain_at(text, value.start_byte)[0])
    return bases


def _unquote(text: bytes, node: Node) -> str:
    return node_text(text, node)[1:-1]


def _add_import(tree: ScopeTree, symbols: ModuleSymbols, binding: ImportBinding) -> None:
    symbols.all_imports.append(binding)
    if binding.local is None:
        return
    index = tree.bind(binding.offset, binding.local, via=binding)
    if index == 0:
        symbols.imports.setdefault(binding.local, binding)


def _bind_es_import(text: bytes, tree: ScopeTree, node: Node, symbols: ModuleSymbols) -> None:
    source = node.child_by_field_name("source")
    offset = node.start_byte
    for child in node.named_children:
        if child.type == "import_require_clause":
            source = child.child_by_field_name("source")
            name = child.named_children[0]
            if source is not None and name.type == "identifier":
                binding = ImportBinding(node_text(text, name), _unquote(text, source), None, offset)
                _add_import(tree, symbols, binding)
            return
    if source is None:
        return
    module = _unquote(text, source)
    clause = next((c for c in node.named_children if c.type == "import_clause"), None)
    if clause is None:
        return
    type_only = _has_type_keyword(node)
    for part in clause.named_children:
        if part.type == "identifier":
            binding = ImportBinding(node_text(text, part), module, "default", offset)
        elif part.type == "namespace_import":
            local = node_text(text, part.named_children[0])
            binding = ImportBinding(local, module, None, offset)
        else:
            if part.type == "named_imports":
                _bind_named_imports(text, tree, part, module, offset, type_only, symbols)
            continue
        _add_import(tree, symbols, replace(binding, type_only=type_only))


def _bind_named_imports(
    text: bytes,
    tree: ScopeTree,
    named: Node,
    module: str,
    offset: int,
    type_only: bool,
    symbols: ModuleSymbols,
) -> None:
    for spec in named.named_children:
        original = spec.child_by_field_name("name")
        if spec.type != "import_specifier" or original is None:
            continue
        alias = spec.child_by_field_name("alias") or original
        binding = ImportBinding(
            node_text(text, alias),
            module,
            node_text(text, original),
            offset,
            type_only=type_only or _has_type_keyword(spec),
        )
        _add_import(tree, symbols, binding)


def _has_type_keyword(node: Node) -> bool:
    """`import type {...}` / `import { type X }` / `export type {...} from`."""
    return any(child.type == "type" and not child.is_named for child in node.children)


def _bind_require(text: bytes, tree: ScopeTree, declarator: Node, symbols: ModuleSymbols) -> None:
    call = declarator.child_by_field_name("value")
    function = call.child_by_field_name("function") if call is not None else None
    arguments = call.child_by_field_name("arguments") if call is not None else None
    if function is None or arguments is None or node_text(text, function) != "require":
        return
    module = _unquote(text, arguments.named_children[0])
    offset = declarator.start_byte
    target = declarator.child_by_field_name("name")
    if target is None:
        return
    if target.type == "identifier":
        _add_import(tree, symbols, ImportBinding(node_text(text, target), module, None, offset))
    elif target.type == "object_pattern":
        for part in target.named_children:
            if part.type == "shorthand_property_identifier_pattern":
                name = node_text(text, part)
                _add_import(tree, symbols, ImportBinding(name, module, name, offset))
            elif part.type == "pair_pattern":
                key, value = part.child_by_field_name("key"), part.child_by_field_name("value")
                if key is not None and value is not None and value.type == "identifier":
                    binding = ImportBinding(
                        node_text(text, value), module, node_text(text, key), offset
                    )
                    _add_import(tree, symbols, binding)


def _bind_names(
    text: bytes,
    tree: ScopeTree,
    captures: dict[str, list[Node]],
    skip: set[int],
    symbols: ModuleSymbols,
) -> None:
    declared = _declared_types(text, captures)
    local_types: list[tuple[int, str, tuple[str, ...]]] = []
    for capture, kind in _BIND_KINDS.items():
        for node in captures.get(capture, ()):
            offset = node.start_byte
            skip.add(offset)
            name = node_text(text, node)
            index = tree.locate(offset)
            if capture == "bind.var":
                index = tree.function_scope(index)
            scope = tree.scopes[index]
            if scope.bound.get(name) is not None:
                continue  # `const x = require(...)`: an import, not a definition of x
            scope.bound.setdefault(name, None)
            value_type = declared.get(offset)
            if index == 0:
                definition = Definition(name, kind or _PATTERN_DEFINES, offset)
                symbols.define(replace(definition, value_type=value_type))
                continue
            owner = tree.member_owner(index)
            if owner is not None and kind is not None:
                symbols.define(Definition(f"{owner}.{name}", kind, offset, value_type=value_type))
            elif value_type is not None:
                local_types.append((index, name, value_type))
    # After every module-level name is bound: a type the module cannot name is dropped.
    for index, name, value_type in local_types:
        tree.declare_type(index, name, value_type, any_name=bool(symbols.star_imports))


def _declared_types(text: bytes, captures: dict[str, list[Node]]) -> dict[int, tuple[str, ...]]:
    """Class of a name where the code states it (`x: Repo`, `x = new Repo()`, a typed
    parameter), keyed by the offset of the name."""
    declared: dict[int, tuple[str, ...]] = {}
    for capture, field in (("typed.declarator", "name"), ("typed.param", "pattern")):
        for node in captures.get(capture, ()):
            name = node.child_by_field_name(field)
            value_type = _value_type(text, node)
            if name is not None and value_type is not None:
                declared.setdefault(name.start_byte, value_type)
    return declared


def _value_type(text: bytes, holder: Node) -> tuple[str, ...] | None:
    """From the `type` annotation of a declaration, or its `new X(...)` initializer."""
    annotation = holder.child_by_field_name("type")
    if annotation is not None:
        return type_chain(node_text(text, annotation))
    value = holder.child_by_field_name("value") or holder.child_by_field_name("right")
    if value is not None and value.type == "new_expression":
        constructor = value.child_by_field_name("constructor")
        if constructor is not None and constructor.type in ("identifier", "member_expression"):
            return chain_at(text, constructor.start_byte)[0] or None
    return None


def _define_members(
    text: bytes, tree: ScopeTree, captures: dict[str, list[Node]], symbols: ModuleSymbols
) -> None:
    for capture, kind in (("member.method", DefKind.METHOD), ("member.field", DefKind.VARIABLE)):
        for node in captures.get(capture, ()):
            owner = tree.member_owner(tree.locate(node.start_byte))
            if owner is None:
                continue
            value_type = None
            member_kind = kind
            member = node.parent
            container = member.parent if member is not None else None
            if container is not None and container.type == "interface_body":
                member_kind = DefKind.TYPE  # declaration only: any use is a type use
            elif kind is DefKind.METHOD and _is_accessor(node):
                member_kind = DefKind.PROPERTY
            elif kind is DefKind.VARIABLE and member is not None:
                value_type = _value_type(text, member)
            name = f"{owner}.{node_text(text, node)}"
            symbols.define(Definition(name, member_kind, node.start_byte, value_type=value_type))
    for node in captures.get("constructor.parameter", ()):
        # `constructor(private repo: Repo)` declares and assigns the field `repo`.
        first = node.child(0)
        pattern = node.child_by_field_name("pattern")
        if first is None or first.type not in _PARAMETER_PROPERTY or pattern is None:
            continue
        index = tree.locate(node.start_byte)
        owner, method = tree.method_of(index)
        if owner is not None and method == "constructor":
            name = f"{owner}.{node_text(text, pattern)}"
            value_type = _value_type(text, node)
            symbols.define(Definition(name, DefKind.ATTRIBUTE, node.start_byte, method, value_type))
    for node in captures.get("thisdef", ()):
        chain, _ = chain_at(text, node.start_byte)
        if len(chain) != 2:
            continue
        index = tree.locate(node.start_byte)
        owner, method = tree.method_of(index)
        owner = owner or tree.enclosing_class(index)
        if owner is not None:
            value_type = _this_value_type(text, tree, node)
            name = f"{owner}.{chain[1]}"
            symbols.define(Definition(name, DefKind.ATTRIBUTE, node.start_byte, method, value_type))


def _this_value_type(text: bytes, tree: ScopeTree, target: Node) -> tuple[str, ...] | None:
    """`this.repo = new Repo()` or `this.repo = repo` of a typed parameter."""
    assignment = target.parent
    if assignment is None:
        return None
    right = assignment.child_by_field_name("right")
    if right is not None and right.type == "identifier":
        found = tree.lookup(tree.locate(right.start_byte), node_text(text, right))
        if found.value_type is not None:
            return found.value_type
    return _value_type(text, assignment)


_PARAMETER_PROPERTY = frozenset({"accessibility_modifier", "readonly", "override_modifier"})


def _is_accessor(name: Node) -> bool:
    """`get x()` / `set x(v)`: reading `obj.x` runs the method."""
    method = name.parent
    return method is not None and any(
        child.type in ("get", "set") and not child.is_named for child in method.children
    )


def _read_export(text: bytes, tree: ScopeTree, node: Node, symbols: ModuleSymbols) -> None:
    offset = node.start_byte
    if tree.locate(offset) != 0:
        return
    source = node.child_by_field_name("source")
    module = _unquote(text, source) if source is not None else None
    is_default = any(child.type == "default" for child in node.children)
    declaration = node.child_by_field_name("declaration")
    value = node.child_by_field_name("value")
    for child in node.named_children:
        if child.type == "export_clause":
            for spec in child.named_children:
                original = spec.child_by_field_name("name")
                if original is None:
                    continue
                alias = spec.child_by_field_name("alias") or original
                public, local = node_text(text, alias), node_text(text, original)
                if module is None:
                    symbols.export_aliases.setdefault(public, local)
                else:
                    type_only = _has_type_keyword(node) or _has_type_keyword(spec)
                    binding = ImportBinding(
                        public, module, local, offset, reexport=True, type_only=type_only
                    )
                    symbols.all_imports.append(binding)
                    symbols.imports.setdefault(public, binding)
            return
        if child.type == "namespace_export" and module is not None:
            binding = ImportBinding(node_text(text, child.named_children[0]), module, None, offset)
            symbols.all_imports.append(binding)
            symbols.imports.setdefault(binding.local or "", binding)
            return
    if module is not None:  # export * from "..."
        binding = ImportBinding(None, module, None, offset, star=True, reexport=True)
        symbols.all_imports.append(binding)
        symbols.star_imports.append(binding)
        return
    if not is_default:
        # `export = Foo` (TypeScript's CommonJS form)
        target = next((c for c in node.named_children if c.type == "identifier"), None)
        if declaration is None and target is not None:
            symbols.export_aliases.setdefault("default", node_text(text, target))
        return
    exported = declaration or value
    if exported is None:
        return
    exported_name = exported.child_by_field_name("name")
    if exported.type == "object":
        # `export default { read() {} }`: `api.read()` of `import api` reaches `read`'s atom.
        symbols.define(Definition("default", DefKind.NAMESPACE, offset))
        for member, aliased, kind, at in _object_members(text, exported):
            if aliased is None:
                symbols.define(Definition(f"default.{member}", kind, at))
        return
    if exported.type == "identifier":
        symbols.export_aliases.setdefault("default", node_text(text, exported))
    elif exported_name is not None and exported.type != "arrow_function":
        symbols.export_aliases.setdefault("default", node_text(text, exported_name))
    else:
        kind = DefKind.CLASS if exported.type == "class" else DefKind.FUNCTION
        if "function" not in exported.type and exported.type != "class":
            kind = DefKind.VARIABLE
        symbols.define(Definition("default", kind, offset))


def _read_commonjs(text: bytes, tree: ScopeTree, statement: Node, symbols: ModuleSymbols) -> None:
    offset = statement.start_byte
    if tree.locate(offset) != 0:
        return
    left, right = statement.child_by_field_name("left"), statement.child_by_field_name("right")
    if left is None or right is None:
        return
    target_chain, _ = chain_at(text, left.start_byte)
    if target_chain == ("module", "exports"):
        if right.type == "identifier":
            symbols.export_aliases.setdefault("default", node_text(text, right))
        elif right.type == "object":
            # Each property is an export of its own: `lib.read()` after `lib = require(...)`
            # depends on the atom holding `read`, wherever the literal is cut.
            for name, alias, kind, at in _object_members(text, right):
                if alias is not None:
                    symbols.export_aliases.setdefault(name, alias)
                else:
                    symbols.define(Definition(name, kind, at))
        else:
            symbols.define(Definition("default", _value_kind(right), offset))
        return
    if len(target_chain) == 2 and target_chain[0] == "exports":
        name = target_chain[1]
    elif len(target_chain) == 3 and target_chain[:2] == ("module", "exports"):
        name = target_chain[2]
    else:
        return
    if right.type == "identifier":
        symbols.export_aliases.setdefault(name, node_text(text, right))
    else:
        symbols.define(Definition(name, _value_kind(right), offset))


def _object_members(text: bytes, obj: Node) -> list[tuple[str, str | None, DefKind, int]]:
    """Properties of an object literal with a static key: (name, aliased local or None,
    kind, offset of the key). `{ read }` and `{ read: read }` alias a local; `{ read() {} }`,
    `{ read: function () {} }` and `{ read: () => ... }` define a function; a getter reads
    as a call; any other value is a variable."""
    members: list[tuple[str, str | None, DefKind, int]] = []
    for part in obj.named_children:
        name: str | None
        if part.type == "shorthand_property_identifier":
            name = node_text(text, part)
            members.append((name, name, DefKind.VARIABLE, part.start_byte))
        elif part.type == "method_definition":
            key = part.child_by_field_name("name")
            name = _property_name(text, key)
            if key is not None and name is not None:
                kind = DefKind.PROPERTY if _is_accessor(key) else DefKind.FUNCTION
                members.append((name, None, kind, key.start_byte))
        elif part.type == "pair":
            key, value = part.child_by_field_name("key"), part.child_by_field_name("value")
            name = _property_name(text, key)
            if key is None or value is None or name is None:
                continue
            if value.type == "identifier":
                members.append((name, node_text(text, value), DefKind.VARIABLE, key.start_byte))
            else:
                members.append((name, None, _value_kind(value), key.start_byte))
    return members


def _property_name(text: bytes, key: Node | None) -> str | None:
    """`read`, `"read"` or `'read'`; None for computed (`[k]`) and numeric keys."""
    if key is None:
        return None
    if key.type in ("property_identifier", "identifier"):
        return node_text(text, key)
    if key.type == "string":
        return _unquote(text, key) or None  # `lib["a-b"]` is no chain: such keys never match
    return None


def _value_kind(node: Node) -> DefKind:
    if node.type in ("function_expression", "arrow_function", "generator_function"):
        return DefKind.FUNCTION
    if node.type == "class":
        return DefKind.CLASS
    return DefKind.VARIABLE


def _collect_references(
    text: bytes,
    tree: ScopeTree,
    captures: dict[str, list[Node]],
    skip: set[int],
    symbols: ModuleSymbols,
) -> None:
    callee_ends = end_offsets(captures.get("callee", ()))
    write_ends = end_offsets(captures.get("write", ()))
    types = Spans(captures.get("type", ()))
    candidates = set(tree.scopes[0].bound) | set(symbols.imports)
    for scope in tree.scopes[1:]:
        candidates.update(name for name, via in scope.bound.items() if via is not None)
    candidates |= tree.typed_names()
    candidate_bytes = {name.encode("utf-8") for name in candidates}
    open_names = bool(symbols.star_imports)
    shadowable = tree.inner_names()
    references = symbols.references
    for capture in ("id", "tid"):
        is_type = capture == "tid"
        for node in captures.get(capture, ()):
            offset = node.start_byte
            if offset in skip:
                continue
            name_end = node.end_byte
            raw = text[offset:name_end]
            if not open_names and raw not in candidate_bytes:
                continue
            name = raw.decode("utf-8", "replace")
            # Most uses name something no function rebinds: no need to find their scope.
            found = tree.lookup(tree.locate(offset), name) if name in shadowable else MODULE_LEVEL
            if found.local and found.via is None:
                chain, end = chain_after(text, offset, name, name_end)
                if found.value_type is not None and len(chain) > 1 and not is_type:
                    # `repo.save()` with `repo: Repo`: a member of the local's class
                    usage = Usage.CALL if end in callee_ends else Usage.READ
                    references.append(
                        Reference(chain, usage, offset, receiver_type=found.value_type)
                    )
                continue
            chain, end = chain_after(text, offset, name, name_end)
            if is_type or offset in types:
                usage = Usage.TYPE
            elif end in callee_ends:
                usage = Usage.CALL
            elif end in write_ends:
                usage = Usage.WRITE
            else:
                usage = Usage.READ
            references.append(Reference(chain, usage, offset, via=found.via))
    for node in captures.get("this", ()):
        offset = node.start_byte
        chain, end = chain_at(text, offset)
        owner = tree.enclosing_class(tree.locate(offset))
        if len(chain) < 2 or owner is None:
            continue
        if end in callee_ends:
            usage = Usage.CALL
        elif end in write_ends:
            usage = Usage.WRITE
        else:
            usage = Usage.READ
        references.append(Reference(chain, usage, offset, self_class=owner))
    for capture in ("super.member", "super.call"):
        for node in captures.get(capture, ()):
            owner = tree.enclosing_class(tree.locate(node.start_byte))
            if owner is None:
                continue
            if capture == "super.call":
                chain, usage = ("super", "constructor"), Usage.CALL
            else:
                chain = ("super", node_text(text, node))
                usage = Usage.CALL if node.end_byte in callee_ends else Usage.READ
            references.append(
                Reference(chain, usage, node.start_byte, self_class=owner, inherited=True)
            )
