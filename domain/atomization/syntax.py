"""Small, shallow questions about tree-sitter nodes: what kind of member is this, what does it
define, what is its docstring. Shallow on purpose: they touch a handful of nodes each.
"""

from __future__ import annotations

import re
from itertools import compress
from operator import itemgetter, sub

import tree_sitter

from .languages import LanguageSpec

Node = tree_sitter.Node

_FUNCTION_VALUES = frozenset(
    {"arrow_function", "function_expression", "function", "generator_function"}
)
_CLASS_VALUES = frozenset({"class"})
# Wrappers between a JS function value and the statement that names it.
_JS_NAMING_WRAPPERS = frozenset(
    {
        "variable_declarator",
        "lexical_declaration",
        "variable_declaration",
        "export_statement",
        "pair",
        "public_field_definition",
        "field_definition",
        "assignment_expression",
        "expression_statement",
        "parenthesized_expression",
    }
)


# Statements that never define a function, class, type or import at their own level.
_PLAIN_STATEMENTS = frozenset(
    {
        "return_statement", "if_statement", "for_statement", "for_in_statement",
        "while_statement", "do_statement", "try_statement", "with_statement", "raise_statement",
        "throw_statement", "pass_statement", "break_statement", "continue_statement",
        "assert_statement", "delete_statement", "global_statement", "nonlocal_statement",
        "switch_statement", "match_statement", "empty_statement", "labeled_statement",
        "print_statement", "exec_statement", "yield", "statement_block",
    }
)  # fmt: skip


def text_of(node: Node | None) -> str:
    if node is None:
        return ""
    return (node.text or b"").decode("utf-8", errors="replace")


def unwrap(node: Node, spec: LanguageSpec) -> Node:
    """The definition inside decorators / `export` wrappers."""
    passthrough = spec.passthrough
    for _ in range(8):  # wrappers nest at most a few levels; bound it anyway
        t = node.type
        field_name = passthrough.get(t)
        if field_name is None:
            if t == "export_statement":
                inner = node.child_by_field_name("value")
                if inner is not None:
                    node = inner
                    continue
            elif t == "ambient_declaration" and node.named_child_count:
                node = node.named_child(0)
                continue
            return node
        inner = node.child_by_field_name(field_name)
        if inner is None:
            if t == "export_statement":
                inner = node.child_by_field_name("value")
            if inner is None:
                return node
        node = inner
    return node


def _js_declarators(node: Node) -> list[Node]:
    if node.type in ("lexical_declaration", "variable_declaration"):
        return [c for c in node.named_children if c.type == "variable_declarator"]
    return []


def _is_require(value: Node | None) -> bool:
    if value is None:
        return False
    if value.type == "await_expression" and value.named_child_count:
        value = value.named_child(0)
    if value.type != "call_expression":
        return False
    fn = value.child_by_field_name("function")
    return fn is not None and fn.type in ("identifier", "import") and text_of(fn) == "require"


def member_kind(node: Node, spec: LanguageSpec) -> str:
    """function | class | type | import | comment | statement."""
    t = node.type
    if t in _PLAIN_STATEMENTS:
        return "statement"  # the common case, answered without touching children
    if t in spec.comment_types:
        return "comment"
    if t in spec.import_types:
        return "import"
    if t == "expression_statement":
        if node.named_child_count == 1:
            only = node.named_child(0)
            if only.type == "string" and spec.doc_comment_prefix is None:
                return "comment"  # a docstring documents, like a comment
        if spec.doc_comment_prefix is None:
            return "statement"
    inner = unwrap(node, spec)
    it = inner.type
    if it in spec.function_types or it == "function_signature":
        return "function"
    if it in spec.class_types:
        return "class"
    if it in spec.type_decl_types:
        return "type"
    declarators = _js_declarators(inner)
    if declarators:
        values = [d.child_by_field_name("value") for d in declarators]
        if all(_is_require(v) for v in values):
            return "import"
        if len(values) == 1 and values[0] is not None:
            if values[0].type in _FUNCTION_VALUES:
                return "function"
            if values[0].type in _CLASS_VALUES:
                return "class"
    return "statement"


def member_name(node: Node, spec: LanguageSpec) -> str | None:
    """The name a member defines, for functions, classes, types and single declarations."""
    return _inner_name(unwrap(node, spec))


_NAMED_KINDS = frozenset({"function", "class", "type", "statement"})


def describe_member(node: Node, spec: LanguageSpec) -> tuple[str, str | None, Node]:
    """(member_kind, member_name or None, unwrap) of a member in one pass.

    The name is given for the kinds that carry one (function, class, type, statement) and is
    None for the others, which is what the decomposer and the context injector ask for.
    """
    t = node.type
    if t in _PLAIN_STATEMENTS:
        return "statement", None, node  # no name field, no declarators, nothing to unwrap
    if t in spec.comment_types:
        return "comment", None, node
    if t in spec.import_types:
        return "import", None, node
    if t == "expression_statement":
        # The commonest member after comments, and one that no language wraps, declares or
        # gives a `name` field: what the general path below would find, without its lookups.
        count = node.named_child_count
        if count == 1 and spec.doc_comment_prefix is None and node.named_child(0).type == "string":
            return "comment", None, node  # a Python docstring documents, like a comment
        return "statement", _statement_name(node) if count else None, node
    inner = unwrap(node, spec)
    it = inner.type
    if it in spec.function_types or it == "function_signature":
        kind = "function"
    elif it in spec.class_types:
        kind = "class"
    elif it in spec.type_decl_types:
        kind = "type"
    else:
        kind = "statement"
        declarators = _js_declarators(inner)
        if declarators:
            values = [d.child_by_field_name("value") for d in declarators]
            if all(map(_is_require, values)):
                return "import", None, inner
            if len(values) == 1 and values[0] is not None:
                if values[0].type in _FUNCTION_VALUES:
                    kind = "function"
                elif values[0].type in _CLASS_VALUES:
                    kind = "class"
        return kind, _inner_name(inner, declarators), inner
    return kind, _inner_name(inner), inner


def _inner_name(inner: Node, declarators: list[Node] | None = None) -> str | None:
    """member_name of an already unwrapped member (`declarators`: its _js_declarators, when
    the caller has them already)."""
    name = inner.child_by_field_name("name")
    if name is not None and name.type not in ("string", "computed_property_name"):
        return text_of(name)
    if declarators is None:
        declarators = _js_declarators(inner)
    if len(declarators) == 1:
        dn = declarators[0].child_by_field_name("name")
        if dn is not None and dn.type == "identifier":
            return text_of(dn)
    if inner.named_child_count and inner.type == "expression_statement":
        return _statement_name(inner)
    return None


def _statement_name(statement: Node) -> str | None:
    """`X` of `X = ...`, or the name of a TS namespace, in an expression statement."""
    first = statement.named_child(0)
    ft = first.type
    if ft == "assignment":
        left = first.child_by_field_name("left")
        if left is not None and left.type == "identifier":
            return text_of(left)
    elif ft == "internal_module":
        return text_of(first.child_by_field_name("name")) or None
    return None


def scope_name(container: Node, unit: Node, spec: LanguageSpec) -> str | None:
    """Name of a split node: its own name, or the variable/key/field it is assigned to."""
    name = container.child_by_field_name("name")
    if name is not None and name.type not in ("string", "computed_property_name"):
        return text_of(name)
    node: Node | None = container
    for _ in range(6):
        if node is None or node.id == unit.id:
            break
        parent = node.parent
        if parent is None:
            break
        if parent.type in ("variable_declarator", "public_field_definition", "field_definition"):
            n = parent.child_by_field_name("name")
            return text_of(n) if n is not None else None
        if parent.type == "pair":
            k = parent.child_by_field_name("key")
            return text_of(k).strip("'\"`") if k is not None else None
        if parent.type in ("assignment_expression", "assignment"):
            left = parent.child_by_field_name("left")
            return text_of(left) if left is not None else None
        node = parent
    return None


def python_docstring(definition: Node) -> str | None:
    """Docstring of a Python function or class node, cleaned, or None."""
    body = definition.child_by_field_name("body")
    if body is None or body.named_child_count == 0:
        return None
    first = body.named_child(0)
    if first.type != "expression_statement" or first.named_child_count != 1:
        return None
    string = first.named_child(0)
    if string.type != "string":
        return None
    return docstring_text(text_of(string))


def docstring_text(raw: str) -> str:
    """A docstring literal's text, cleaned (prefix, quotes and common indentation removed)."""
    # Strip prefix and quotes by hand: ast.literal_eval would compile every docstring.
    text = raw.lstrip("rRbBuUfF")
    for quote in ('"""', "'''", '"', "'"):
        if text.startswith(quote):
            text = text[len(quote) :]
            if text.endswith(quote):
                text = text[: -len(quote)]
            break
    return _clean_doc(text)


def js_doc_comment(definition: Node, spec: LanguageSpec) -> str | None:
    """JSDoc block (`/** ... */`) right before a JS/TS definition, cleaned, or None."""
    prefix = spec.doc_comment_prefix
    if prefix is None:
        return None
    node = definition
    for _ in range(5):
        prev = node.prev_named_sibling
        while prev is not None and prev.type == "decorator":
            prev = prev.prev_named_sibling
        if prev is not None and prev.type in spec.comment_types:
            raw = prev.text or b""
            if raw.startswith(prefix):
                return _clean_jsdoc(raw.decode("utf-8", errors="replace"))
            return None
        parent = node.parent
        if parent is None or parent.type not in _JS_NAMING_WRAPPERS:
            return None
        node = parent
    return None


def doc_of(definition: Node, spec: LanguageSpec) -> str | None:
    if spec.doc_comment_prefix is None:
        return python_docstring(definition)
    return js_doc_comment(definition, spec)


def _clean_doc(text: str) -> str:
    """inspect.cleandoc, as C-level passes over the lines."""
    lines = text.expandtabs().splitlines()
    if not lines:
        return ""
    if len(lines) == 1:
        return lines[0].strip()
    rest = lines[1:]
    content = list(map(str.lstrip, rest))
    # indentation of the lines that hold something (compress keeps those)
    margin = min(compress(map(sub, map(len, rest), map(len, content)), content), default=0)
    out = [lines[0].strip()]
    out.extend(map(str.rstrip, map(itemgetter(slice(margin, None)), rest)))
    return "\n".join(out).strip()


_JSDOC_STAR = re.compile(r"(?m)^\* ?")


def _clean_jsdoc(raw: str) -> str:
    """The text of a `/** ... */` block: each line stripped, then its leading `* ` dropped."""
    body = raw[3:-2] if raw.endswith("*/") else raw[3:]
    # (a stripped line has no trailing whitespace, and dropping a prefix adds none)
    return _JSDOC_STAR.sub("", "\n".join(map(str.strip, body.splitlines()))).strip()
