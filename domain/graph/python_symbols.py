"""Python symbols: definitions, imports and module-level uses of one file.

One tree-sitter query does the walking in C (the grammar's TAGS_QUERY finds definitions and
calls but knows nothing of scopes, imports, annotations or writes, so this query extends it);
Python code only places bindings in scopes and keeps the uses that are not shadowed.
"""

from __future__ import annotations

from dataclasses import replace

from tree_sitter import Node, QueryCursor

from domain.graph.parsing import compiled_query, parser
from domain.graph.scopes import MODULE_LEVEL, Scope, ScopeKind, ScopeTree
from domain.graph.sources import FileSource
from domain.graph.symbols import Definition, DefKind, ImportBinding, ModuleSymbols, Reference, Usage
from domain.graph.tokens import (
    Spans,
    after_at,
    after_dot,
    before_paren,
    before_single_equals,
    chain_after,
    chain_at,
    end_offsets,
    node_text,
    parse_dotted,
    type_chain,
)

# One query, one walk of the tree: scopes and imports first, then identifiers by role.
_QUERY = """
(function_definition) @scope.function
(lambda) @scope.anonymous
(class_definition) @scope.class
[(list_comprehension) (set_comprehension) (dictionary_comprehension)
 (generator_expression)] @scope.anonymous
[(import_statement) (import_from_statement)] @import
(identifier) @id
(global_statement (identifier) @global)
(nonlocal_statement (identifier) @nonlocal)
(function_definition name: (identifier) @bind.function)
(class_definition name: (identifier) @bind.class)
(assignment left: (identifier) @bind.variable)
(pattern_list (identifier) @bind.variable)
(tuple_pattern (identifier) @bind.variable)
(list_pattern (identifier) @bind.variable)
(list_splat_pattern (identifier) @bind.variable)
(dictionary_splat_pattern (identifier) @bind.variable)
(for_statement left: (identifier) @bind.variable)
(for_in_clause left: (identifier) @bind.variable)
(as_pattern_target (identifier) @bind.variable)
(as_pattern_target (tuple (identifier) @bind.variable))
(as_pattern_target (list (identifier) @bind.variable))
(named_expression name: (identifier) @bind.variable)
(augmented_assignment left: (identifier) @bind.augmented)
(parameters (identifier) @bind.param)
(lambda_parameters (identifier) @bind.param)
(default_parameter name: (identifier) @bind.param)
(typed_parameter (identifier) @bind.param)
(typed_default_parameter name: (identifier) @bind.param)
(assignment left: (attribute) @write)
(assignment left: (subscript value: (_) @write))
(augmented_assignment left: (_) @write)
(augmented_assignment left: (subscript value: (_) @write))
(delete_statement (attribute) @write)
(delete_statement (subscript value: (_) @write))
(assignment left: (attribute object: (identifier)) @attrdef)
(type) @type
(class_definition superclasses: (argument_list) @type)
(type (string (string_content) @forward))
(attribute object: (call function: (identifier)) attribute: (identifier) @super.member)
(assignment left: (identifier) right: (call)) @typed.assign
(assignment left: (identifier) type: (type)) @typed.assign
[(typed_parameter) (typed_default_parameter)] @typed.param
"""

_BIND_KINDS: dict[str, DefKind | None] = {
    "bind.function": DefKind.FUNCTION,
    "bind.class": DefKind.CLASS,
    "bind.variable": DefKind.VARIABLE,
    "bind.augmented": None,  # rebinds an existing name; never a new definition
    "bind.param": None,
}


def extract_python(source: FileSource) -> ModuleSymbols:
    text = source.text
    root = parser("python").parse(text).root_node
    symbols = ModuleSymbols(path=source.path, python=True)
    captures = QueryCursor(compiled_query("python", _QUERY)).captures(root)
    scope_list: list[Scope] = []
    methods: list[tuple[Scope, Node, Node]] = []
    classes: list[tuple[Scope, Node | None]] = []
    for function in captures.get("scope.function", ()):
        name, params = (
            function.child_by_field_name("name"),
            function.child_by_field_name("parameters"),
        )
        if name is None or params is None:
            continue
        # Parameters bind inside the function, its name outside: the scope starts at "(".
        scope = Scope(params.start_byte, function.end_byte, ScopeKind.FUNCTION)
        scope.name = node_text(text, name)
        methods.append((scope, function, params))
        scope_list.append(scope)
    for cls in captures.get("scope.class", ()):
        name, body = cls.child_by_field_name("name"), cls.child_by_field_name("body")
        if name is None or body is None:
            continue
        scope = Scope(body.start_byte, cls.end_byte, ScopeKind.CLASS)
        scope.name = node_text(text, name)
        classes.append((scope, cls.child_by_field_name("superclasses")))
        scope_list.append(scope)
    scope_list.extend(
        Scope(node.start_byte, node.end_byte, ScopeKind.FUNCTION)
        for node in captures.get("scope.anonymous", ())
    )
    tree = ScopeTree(len(text), scope_list, skip_class_scopes=True)
    for scope, function, params in methods:
        if tree.scopes[scope.parent].kind is ScopeKind.CLASS:
            scope.receiver = _receiver(text, function, params)

    skip = {node.start_byte for node in captures.get("skip", ())}
    _declare_globals(text, tree, captures, skip)
    for node in sorted(captures.get("import", ()), key=lambda n: n.start_byte):
        _bind_import(text, tree, node, symbols)
    global_writes = _bind_names(text, tree, captures, skip, symbols)
    # Captures come in no fixed order; a class defined twice keeps its first definition.
    for scope, bases in sorted(classes, key=lambda item: item[0].start):
        if scope.qualname and bases is not None and scope.qualname not in symbols.class_bases:
            symbols.class_bases[scope.qualname] = [
                chain_at(text, base.start_byte)[0]
                for base in bases.named_children
                if base.type in ("identifier", "attribute")
            ]
    _define_instance_attributes(text, tree, captures, symbols)
    _collect_references(text, tree, captures, skip, symbols, global_writes)
    return symbols.finalize()


def _receiver(text: bytes, function: Node, params: Node) -> str | None:
    parent = function.parent
    if parent is not None and parent.type == "decorated_definition":
        for child in parent.named_children:
            if child.type == "decorator" and node_text(text, child).strip() == "@staticmethod":
                return None
    for child in params.named_children:
        if child.type == "identifier":
            return node_text(text, child)
        if child.type in ("typed_parameter", "default_parameter", "typed_default_parameter"):
            first = child.child_by_field_name("name") or child.named_children[0]
            return node_text(text, first) if first.type == "identifier" else None
        return None
    return None


def _declare_globals(
    text: bytes, tree: ScopeTree, captures: dict[str, list[Node]], skip: set[int]
) -> None:
    for node in captures.get("global", ()):
        skip.add(node.start_byte)
        index = tree.function_scope(tree.locate(node.start_byte))
        tree.scopes[index].declared_global.add(node_text(text, node))
    for node in captures.get("nonlocal", ()):
        skip.add(node.start_byte)
        tree.bind(node.start_byte, node_text(text, node))


def _bind_import(text: bytes, tree: ScopeTree, node: Node, symbols: ModuleSymbols) -> None:
    offset = node.start_byte
    module_level = tree.locate(offset) == 0
    type_only = _under_type_checking(text, node)
    for binding in _import_bindings(text, node):
        if type_only:
            binding = replace(binding, type_only=True)
        symbols.all_imports.append(binding)
        if binding.star:
            if module_level:
                symbols.star_imports.append(binding)
            continue
        assert binding.local is not None
        tree.bind(offset, binding.local, via=binding)
        if module_level:
            symbols.imports.setdefault(binding.local, binding)


def _under_type_checking(text: bytes, node: Node) -> bool:
    """Inside `if TYPE_CHECKING:`: the import exists for the type checker only."""
    block = node.parent
    statement = block.parent if block is not None else None
    if statement is None or statement.type != "if_statement":
        return False
    condition = statement.child_by_field_name("condition")
    return condition is not None and node_text(text, condition) in _TYPE_CHECKING


_TYPE_CHECKING = frozenset({"TYPE_CHECKING", "typing.TYPE_CHECKING", "t.TYPE_CHECKING"})


def _import_bindings(text: bytes, node: Node) -> list[ImportBinding]:
    offset = node.start_byte
    if node.type == "import_statement":
        found: list[ImportBinding] = []
        for child in node.named_children:
            if child.type == "aliased_import":
                name, alias = child.child_by_field_name("name"), child.child_by_field_name("alias")
                if name is not None and alias is not None:
                    module = node_text(text, name)
                    found.append(ImportBinding(node_text(text, alias), module, None, offset))
            elif child.type == "dotted_name":
                # `import a.b.c` binds `a`; the chain `a.b.c.f` walks down from the package.
                module = node_text(text, child)
                found.append(
                    ImportBinding(module.split(".")[0], module.split(".")[0], None, offset)
                )
        return found
    module_node = node.child_by_field_name("module_name")
    if module_node is None:
        return []
    module = "".join(node_text(text, module_node).split())
    found = []
    for child in node.named_children:
        if child == module_node:
            continue
        if child.type == "wildcard_import":
            found.append(ImportBinding(None, module, None, offset, star=True))
        elif child.type == "dotted_name":
            imported = node_text(text, child)
            found.append(ImportBinding(imported, module, imported, offset))
        elif child.type == "aliased_import":
            original = child.child_by_field_name("name")
            alias = child.child_by_field_name("alias")
            if original is not None and alias is not None:
                found.append(
                    ImportBinding(node_text(text, alias), module, node_text(text, original), offset)
                )
    return found


def _bind_names(
    text: bytes,
    tree: ScopeTree,
    captures: dict[str, list[Node]],
    skip: set[int],
    symbols: ModuleSymbols,
) -> list[tuple[str, int]]:
    """Place every binding in its scope; module and class bodies yield definitions.

    Returns assignments to names declared `global` in their function: writes to module state.
    """
    deferred: list[tuple[str, int, int]] = []
    has_globals = any(scope.declared_global for scope in tree.scopes)
    declared = _declared_types(text, captures)
    local_types: list[tuple[int, str, tuple[str, ...]]] = []
    for capture, kind in _BIND_KINDS.items():
        augmented = capture == "bind.augmented"
        for node in captures.get(capture, ()):
            offset = node.start_byte
            if not augmented:
                skip.add(offset)
            name = node_text(text, node)
            index = tree.bind(offset, name)
            if has_globals and not augmented:  # augmented is a use of its own: no second write
                deferred.append((name, offset, index))
            value_type = declared.get(offset)
            if kind is None:
                if value_type is not None:
                    local_types.append((index, name, value_type))
                continue
            if index == 0:
                symbols.define(Definition(name, kind, offset, value_type=value_type))
                continue
            owner = tree.member_owner(index)
            if owner is not None:
                member_kind = kind
                if kind is DefKind.FUNCTION:
                    member_kind = DefKind.PROPERTY if _is_property(text, node) else DefKind.METHOD
                name = f"{owner}.{name}"
                symbols.define(Definition(name, member_kind, offset, value_type=value_type))
            elif value_type is not None:
                local_types.append((index, name, value_type))
    # After every module-level name is bound: a type the module cannot name is dropped.
    for index, name, value_type in local_types:
        tree.declare_type(index, name, value_type, any_name=bool(symbols.star_imports))
    writes: list[tuple[str, int]] = []
    for name, offset, index in deferred:
        if index and name in tree.scopes[tree.function_scope(index)].declared_global:
            writes.append((name, offset))
    return writes


_PROPERTY_DECORATORS = frozenset(
    {"@property", "@cached_property", "@functools.cached_property", "@abc.abstractproperty"}
)


def _is_property(text: bytes, name: Node) -> bool:
    """A method decorated as a property (getter or setter): reading the attribute runs it."""
    function = name.parent
    decorated = function.parent if function is not None else None
    if decorated is None or decorated.type != "decorated_definition":
        return False
    for child in decorated.named_children:
        if child.type == "decorator":
            decorator = node_text(text, child).strip()
            if decorator in _PROPERTY_DECORATORS or decorator.endswith((".setter", ".getter")):
                return True
    return False


def _declared_types(text: bytes, captures: dict[str, list[Node]]) -> dict[int, tuple[str, ...]]:
    """Class of a name where the code states it: `x: Repo = ...`, `x = Repo(...)`, `repo: Repo`
    as a parameter. Keyed by the offset of the name."""
    declared: dict[int, tuple[str, ...]] = {}
    for node in captures.get("typed.assign", ()):
        left = node.child_by_field_name("left")
        if left is not None and left.start_byte not in declared:
            value_type = _value_type(text, node.child_by_field_name("type"), node)
            if value_type is not None:
                declared[left.start_byte] = value_type
    for node in captures.get("typed.param", ()):
        name = node.child_by_field_name("name") or node.named_children[0]
        annotation = node.child_by_field_name("type")
        if name.type == "identifier" and annotation is not None:
            value_type = type_chain(node_text(text, annotation))
            if value_type is not None:
                declared[name.start_byte] = value_type
    return declared


def _value_type(text: bytes, annotation: Node | None, assignment: Node) -> tuple[str, ...] | None:
    if annotation is not None:
        return type_chain(node_text(text, annotation))
    right = assignment.child_by_field_name("right")
    function = right.child_by_field_name("function") if right is not None else None
    if right is None or right.type != "call" or function is None:
        return None
    if function.type not in ("identifier", "attribute"):
        return None
    return chain_at(text, function.start_byte)[0] or None  # a constructor call, if a class


def _define_instance_attributes(
    text: bytes, tree: ScopeTree, captures: dict[str, list[Node]], symbols: ModuleSymbols
) -> None:
    for node in captures.get("attrdef", ()):
        chain, _ = chain_at(text, node.start_byte)
        if len(chain) != 2:
            continue
        index = tree.locate(node.start_byte)
        found = tree.lookup(index, chain[0])
        if found.receiver_class is None:
            continue
        _, method = tree.method_of(index)
        value_type = _attribute_type(text, tree, node)
        symbols.define(
            Definition(
                f"{found.receiver_class}.{chain[1]}",
                DefKind.ATTRIBUTE,
                node.start_byte,
                method,
                value_type,
            )
        )


def _attribute_type(text: bytes, tree: ScopeTree, target: Node) -> tuple[str, ...] | None:
    """`self.repo: Repo = ...`, `self.repo = Repo()`, or `self.repo = repo` of a typed
    parameter."""
    assignment = target.parent
    if assignment is None or assignment.type != "assignment":
        return None
    right = assignment.child_by_field_name("right")
    if right is not None and right.type == "identifier":
        found = tree.lookup(tree.locate(right.start_byte), node_text(text, right))
        if found.value_type is not None:
            return found.value_type
    return _value_type(text, assignment.child_by_field_name("type"), assignment)


def _collect_references(
    text: bytes,
    tree: ScopeTree,
    captures: dict[str, list[Node]],
    skip: set[int],
    symbols: ModuleSymbols,
    global_writes: list[tuple[str, int]],
) -> None:
    write_ends = end_offsets(captures.get("write", ()))
    types = Spans(captures.get("type", ()))
    imports = Spans(captures.get("import", ()))
    # Only names bound at module level, by a local import or as a receiver can lead to another
    # atom; testing that first skips the scope walk for the many locals and builtins.
    candidates = set(tree.scopes[0].bound)
    for scope in tree.scopes[1:]:
        if scope.receiver:
            candidates.add(scope.receiver)
        candidates.update(name for name, via in scope.bound.items() if via is not None)
    candidates |= tree.typed_names()
    candidate_bytes = {name.encode("utf-8") for name in candidates}
    open_names = bool(symbols.star_imports)
    shadowable = tree.inner_names()
    references = symbols.references
    for node in captures.get("id", ()):
        offset = node.start_byte
        name_end = node.end_byte
        raw = text[offset:name_end]
        if not open_names and raw not in candidate_bytes:
            continue
        # Identifiers that are not uses: bindings, `obj.attr` names, `f(name=...)` keywords,
        # names inside import statements. Byte checks on the few candidates are cheaper than
        # asking the query for every attribute and keyword node of the file.
        if offset in skip or after_dot(text, offset) or offset in imports:
            continue
        in_type = offset in types  # `x: T = v`: the `=` follows a type, not a keyword
        if not in_type and before_single_equals(text, name_end):
            continue
        name = raw.decode("utf-8", "replace")
        # Most uses name something no function rebinds: no need to find their scope.
        found = tree.lookup(tree.locate(offset), name) if name in shadowable else MODULE_LEVEL
        if found.local and found.receiver_class is None and found.via is None:
            if found.value_type is None:
                continue
            chain, end = chain_after(text, offset, name, name_end)
            if len(chain) > 1:  # `repo.save()`: a member of the local's class
                usage = Usage.CALL if before_paren(text, end) else Usage.READ
                references.append(Reference(chain, usage, offset, receiver_type=found.value_type))
            continue
        chain, end = chain_after(text, offset, name, name_end)
        if before_paren(text, end) or after_at(text, offset):
            usage = Usage.CALL
        elif end in write_ends:
            usage = Usage.WRITE
        elif in_type:
            usage = Usage.TYPE
        else:
            usage = Usage.READ
        if found.receiver_class is not None:
            # `self.x` is a member; `cls(...)` constructs the class itself.
            if len(chain) > 1 or usage is Usage.CALL:
                references.append(Reference(chain, usage, offset, self_class=found.receiver_class))
            continue
        references.append(Reference(chain, usage, offset, via=found.via))
    for node in captures.get("super.member", ()):
        call = node.prev_named_sibling
        function = call.child_by_field_name("function") if call is not None else None
        if function is None or node_text(text, function) != "super":
            continue
        owner = tree.enclosing_class(tree.locate(node.start_byte))
        if owner is not None:
            usage = Usage.CALL if before_paren(text, node.end_byte) else Usage.READ
            chain = ("super", node_text(text, node))
            references.append(
                Reference(chain, usage, node.start_byte, self_class=owner, inherited=True)
            )
    for node in captures.get("forward", ()):
        chain_or_none = parse_dotted(node_text(text, node))
        if chain_or_none is None:
            continue
        found = tree.lookup(tree.locate(node.start_byte), chain_or_none[0])
        if not found.local:
            references.append(Reference(chain_or_none, Usage.TYPE, node.start_byte))
    for name, offset in global_writes:
        references.append(Reference((name,), Usage.WRITE, offset))
