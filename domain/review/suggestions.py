"""Rule-based review suggestions: common problems in an atom's code, each with a line and a fix.

Rules look at the tree-sitter syntax tree, not at the text, because text patterns misfire: a
``print(`` or ``==`` inside a string or a comment is not a call or a comparison, and a TODO in a
string literal is data. Parsing reuses the atomization parser (same grammars, loaded once).

Python: bare ``except:``, ``except Exception: pass``, ``print()``, ``global``, mutable default
arguments, hard-coded absolute paths, TODO/FIXME comments.
TypeScript/JavaScript: ``console.log``, ``any`` (TypeScript), ``var``, ``==``/``!=``,
``@ts-ignore``, global state (a function that reassigns a module-level ``let``/``var`` or a
name it does not declare, writes to ``globalThis``/``window``/``global``), hard-coded absolute
paths, TODO/FIXME comments.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import tree_sitter

from domain.atomization.errors import UnsupportedLanguageError
from domain.atomization.languages import PYTHON, resolve_language
from domain.atomization.parser import MultiLanguageParser

_PARSER = MultiLanguageParser()

# Absolute paths into places that differ between machines. Deliberately a list of roots rather
# than "anything starting with /": "/api/users" is a URL route, not a file.
_PATH = re.compile(
    r"^(?:/(?:home|Users|tmp|var|etc|usr|opt|root|mnt|srv|data|private|Volumes)(?:/|$)"
    r"|[A-Za-z]:[\\/]|~[\\/])"
)
_TODO = re.compile(r"\b(TODO|FIXME|XXX|HACK)\b")
_MUTABLE_LITERALS = frozenset({"list", "dictionary", "set", "list_comprehension"})
_MUTABLE_CALLS = frozenset({"list", "dict", "set", "bytearray", "defaultdict", "deque"})
_BROAD_EXCEPTIONS = frozenset({"Exception", "BaseException"})
_CONSOLE_METHODS = frozenset({"log", "debug", "trace", "dir"})
_JS_FUNCTIONS = frozenset(
    {
        "function_declaration",
        "function_expression",
        "function",
        "generator_function_declaration",
        "generator_function",
        "arrow_function",
        "method_definition",
    }
)
_JS_GLOBAL_OBJECTS = frozenset({"globalThis", "window", "global"})
# Assignment-like expressions and the field holding what they write.
_JS_WRITES = {
    "assignment_expression": "left",
    "augmented_assignment_expression": "left",
    "update_expression": "argument",
}
# Wrappers around an expression that change nothing about what it names: (x), x as T, x!.
_JS_WRAPPERS = frozenset(
    {"parenthesized_expression", "as_expression", "non_null_expression", "satisfies_expression"}
)


@dataclass(frozen=True)
class Suggestion:
    line: int  # 1-based, in the atom's code
    rule: str
    message: str
    fix: str

    def to_dict(self) -> dict[str, object]:
        return {"line": self.line, "rule": self.rule, "message": self.message, "fix": self.fix}


def _text(node: tree_sitter.Node) -> str:
    return (node.text or b"").decode("utf-8", errors="replace")


def _line(node: tree_sitter.Node) -> int:
    return node.start_point[0] + 1


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _walk(root: tree_sitter.Node) -> Iterator[tree_sitter.Node]:
    # Iterative: generated code can nest deeply, and recursion would hit Python's limit.
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(node.children))


def _todo(node: tree_sitter.Node) -> Iterator[Suggestion]:
    match = _TODO.search(_text(node))
    if match:
        yield Suggestion(
            _line(node),
            "todo-comment",
            f"{match.group(1)} comment: unfinished work left in the code",
            "finish the work now, or remove the marker and track it in an issue",
        )


def _hardcoded_path(node: tree_sitter.Node, fragment: str) -> Iterator[Suggestion]:
    if _PATH.match(fragment):
        yield Suggestion(
            _line(node),
            "hardcoded-path",
            f"hard-coded path {_short(fragment)!r} will not exist on other machines",
            "take the path from configuration, a parameter or an environment variable",
        )


# --- Python ---------------------------------------------------------------------------------


def _except_type(clause: tree_sitter.Node) -> tree_sitter.Node | None:
    """The exception expression of an except clause, or None for a bare ``except:``."""
    for child in clause.named_children:
        if child.type in ("block", "comment"):
            continue
        if child.type == "as_pattern":
            return child.named_children[0] if child.named_children else None
        return child
    return None


def _swallows(clause: tree_sitter.Node) -> bool:
    """True when the clause body does nothing: only ``pass`` or ``...``."""
    body = next((c for c in clause.named_children if c.type == "block"), None)
    if body is None:
        return False
    statements = [c for c in body.named_children if c.type != "comment"]
    return bool(statements) and all(
        s.type == "pass_statement"
        or (s.type == "expression_statement" and _text(s).strip() == "...")
        for s in statements
    )


def _py_except(node: tree_sitter.Node) -> Iterator[Suggestion]:
    caught = _except_type(node)
    if caught is None:
        yield Suggestion(
            _line(node),
            "bare-except",
            "bare 'except:' also catches KeyboardInterrupt and SystemExit",
            "catch the exceptions you expect, e.g. 'except (ValueError, KeyError):'",
        )
    names = (
        {_text(caught)} | {_text(n) for n in caught.named_children} if caught is not None else set()
    )
    broad = caught is None or bool(names & _BROAD_EXCEPTIONS)
    if broad and _swallows(node):
        yield Suggestion(
            _line(node),
            "swallowed-exception",
            "a broad except that does nothing ('pass') hides every error",
            "log the error (logger.exception(...)) or handle it; narrow the exception type",
        )


def _py_call(node: tree_sitter.Node) -> Iterator[Suggestion]:
    function = node.child_by_field_name("function")
    if function is not None and function.type == "identifier" and _text(function) == "print":
        yield Suggestion(
            _line(node),
            "print-call",
            "print() writes to stdout, which callers cannot filter or silence",
            "use logging: logger = logging.getLogger(__name__); logger.info(...)",
        )


def _py_global(node: tree_sitter.Node) -> Iterator[Suggestion]:
    names = ", ".join(_text(n) for n in node.named_children)
    yield Suggestion(
        _line(node),
        "global-state",
        f"'global {names}' mutates module-level state",
        "pass the value in as an argument and return the result, or keep it on an object",
    )


def _is_mutable(value: tree_sitter.Node) -> bool:
    if value.type in _MUTABLE_LITERALS:
        return True
    if value.type == "call":
        function = value.child_by_field_name("function")
        return function is not None and _text(function) in _MUTABLE_CALLS
    return False


def _py_default(node: tree_sitter.Node) -> Iterator[Suggestion]:
    name = node.child_by_field_name("name")
    value = node.child_by_field_name("value")
    if name is not None and value is not None and _is_mutable(value):
        yield Suggestion(
            _line(node),
            "mutable-default",
            f"mutable default '{_short(_text(node))}' is shared by every call",
            f"default to None and create it inside: "
            f"'if {_text(name)} is None: {_text(name)} = {_empty(value)}'",
        )


def _empty(value: tree_sitter.Node) -> str:
    if value.type == "call":
        function = value.child_by_field_name("function")
        return f"{_text(function) if function is not None else 'list'}()"
    return {"list": "[]", "dictionary": "{}", "set": "set()"}.get(value.type, "[]")


def _is_docstring(node: tree_sitter.Node) -> bool:
    # A string that is a statement on its own documents code; it does not use a path.
    parent = node.parent
    return parent is not None and parent.type == "expression_statement"


def _py_string(node: tree_sitter.Node) -> Iterator[Suggestion]:
    if _is_docstring(node):
        return
    content = "".join(_text(c) for c in node.named_children if c.type == "string_content")
    yield from _hardcoded_path(node, content)


# --- TypeScript / JavaScript ----------------------------------------------------------------


def _js_call(node: tree_sitter.Node) -> Iterator[Suggestion]:
    function = node.child_by_field_name("function")
    if function is None or function.type != "member_expression":
        return
    target = function.child_by_field_name("object")
    method = function.child_by_field_name("property")
    if (
        target is not None
        and method is not None
        and _text(target) == "console"
        and _text(method) in _CONSOLE_METHODS
    ):
        yield Suggestion(
            _line(node),
            "console-log",
            f"console.{_text(method)}() left in the code",
            "remove it, or use the project's logger with a level",
        )


def _js_any(node: tree_sitter.Node) -> Iterator[Suggestion]:
    if _text(node) == "any":
        yield Suggestion(
            _line(node),
            "explicit-any",
            "'any' turns type checking off for this value",
            "use a precise type, a generic, or 'unknown' narrowed with a type guard",
        )


def _js_var(node: tree_sitter.Node) -> Iterator[Suggestion]:
    yield Suggestion(
        _line(node),
        "var-declaration",
        "'var' is function-scoped and hoisted",
        "use 'const' (or 'let' when the variable is reassigned)",
    )


def _js_binary(node: tree_sitter.Node) -> Iterator[Suggestion]:
    operator = node.child_by_field_name("operator")
    if operator is None or operator.type not in ("==", "!="):
        return
    # 'x == null' is the one idiomatic loose comparison (null or undefined), as in eqeqeq's
    # "smart" mode; flagging it would push reviewers to write longer, equivalent code.
    operands = (node.child_by_field_name("left"), node.child_by_field_name("right"))
    if any(o is not None and o.type == "null" for o in operands):
        return
    strict = operator.type + "="
    yield Suggestion(
        _line(node),
        "loose-equality",
        f"'{operator.type}' converts types before comparing",
        f"use '{strict}'",
    )


def _bindings(target: tree_sitter.Node | None) -> Iterator[str]:
    """The names a declaration or assignment target binds: an identifier, or the names
    inside a destructuring pattern (``[a, b]``, ``{a, b: c}``)."""
    if target is None:
        return
    for node in _walk(target):
        if node.type in ("identifier", "shorthand_property_identifier_pattern"):
            yield _text(node)


def _declaration_kind(declarator: tree_sitter.Node) -> str:
    parent = declarator.parent
    if parent is None or parent.type == "variable_declaration":
        return "var"
    kind = parent.child_by_field_name("kind")
    return _text(kind) if kind is not None else "let"


def _js_declarations(scope: tree_sitter.Node) -> dict[str, str]:
    """Names declared in a function (its parameters included) or the program, with their
    kind (let, const, var, function, class, parameter...). Nested functions are scopes of
    their own: only the name a function declaration gives is taken from them. Block scopes
    are not told apart, which can only leave a write unflagged, never flag a local one."""
    found: dict[str, str] = {}
    params = scope.child_by_field_name("parameters") or scope.child_by_field_name("parameter")
    for param in _bindings(params):
        found[param] = "parameter"
    own_name = scope.child_by_field_name("name") if scope.type in _JS_FUNCTIONS else None
    if own_name is not None and own_name.type == "identifier":
        found[_text(own_name)] = "function"  # a named function expression sees its name
    stack = [c for c in scope.children if c is not params]
    while stack:
        node = stack.pop()
        if node.type in _JS_FUNCTIONS:
            name = node.child_by_field_name("name")
            if node.type.endswith("_declaration") and name is not None:
                found[_text(name)] = "function"
            continue
        if node.type == "class_declaration":
            name = node.child_by_field_name("name")
            if name is not None:
                found[_text(name)] = "class"
        elif node.type == "variable_declarator":
            kind = _declaration_kind(node)
            for name_text in _bindings(node.child_by_field_name("name")):
                found[name_text] = kind
        elif node.type == "catch_clause":
            for name_text in _bindings(node.child_by_field_name("parameter")):
                found[name_text] = "catch"
        elif node.type == "for_in_statement":
            kind_node = node.child_by_field_name("kind")
            if kind_node is not None:
                for name_text in _bindings(node.child_by_field_name("left")):
                    found[name_text] = _text(kind_node)
        stack.extend(node.children)
    return found


def _unwrap(node: tree_sitter.Node | None) -> tree_sitter.Node | None:
    while node is not None and node.type in _JS_WRAPPERS:
        node = node.named_children[0] if node.named_children else None
    return node


def _member_root(target: tree_sitter.Node) -> tuple[tree_sitter.Node | None, str | None]:
    """The object a member chain starts from, and the first property taken from it:
    ``window.app.state`` gives (``window``, "app")."""
    node: tree_sitter.Node | None = target
    first: str | None = None
    while node is not None and node.type in ("member_expression", "subscript_expression"):
        key = node.child_by_field_name("property") or node.child_by_field_name("index")
        first = _text(key).strip("'\"`") if key is not None else None
        node = _unwrap(node.child_by_field_name("object"))
    return node, first


def _js_global_state(program: tree_sitter.Node) -> Iterator[Suggestion]:
    """Functions that change state they do not own: a module-level ``let``/``var`` they
    reassign, a name they assign without declaring it (another atom's module variable, or
    an implicit global), and any write to the global object."""
    module = _js_declarations(program)
    scopes: dict[int, dict[str, str]] = {}

    def declared_in(scope: tree_sitter.Node) -> dict[str, str]:
        if scope.id not in scopes:
            scopes[scope.id] = _js_declarations(scope)
        return scopes[scope.id]

    for node in _walk(program):
        field = _JS_WRITES.get(node.type)
        if field is None:
            continue
        target = _unwrap(node.child_by_field_name(field))
        if target is None:
            continue
        functions = []
        parent = node.parent
        while parent is not None:
            if parent.type in _JS_FUNCTIONS:
                functions.append(parent)
            parent = parent.parent

        def local(name: str, functions: list[tree_sitter.Node] = functions) -> bool:
            return any(name in declared_in(f) for f in functions)

        if target.type in ("member_expression", "subscript_expression"):
            root, first = _member_root(target)
            if (
                root is not None
                and root.type == "identifier"
                and _text(root) in _JS_GLOBAL_OBJECTS
                and not local(_text(root))
                # Setting location navigates; it keeps no state of the program's own.
                and first != "location"
            ):
                yield Suggestion(
                    _line(node),
                    "global-state",
                    f"'{_short(_text(target))}' writes to the global object: state every "
                    "module shares",
                    "keep the value in a module of its own, or pass it to the code that needs it",
                )
            continue
        if not functions:
            continue  # module-level code setting up its own variables
        for name in _bindings(target):
            if local(name):
                continue
            kind = module.get(name)
            if kind in ("let", "var"):
                message = f"function changes module-level '{kind} {name}'"
            elif kind is None:
                message = (
                    f"'{name}' is not declared in this function: assigning it changes "
                    "module-level (or global) state"
                )
            else:
                continue  # a const, function or class: reassigning it fails on its own
            yield Suggestion(
                _line(node),
                "global-state",
                message,
                "pass the value in as an argument and return the result, or keep it on an "
                "object the caller owns",
            )


def _js_comment(node: tree_sitter.Node) -> Iterator[Suggestion]:
    if "@ts-ignore" in _text(node):
        yield Suggestion(
            _line(node),
            "ts-ignore",
            "'@ts-ignore' silences every type error on the next line",
            "fix the type error, or use '@ts-expect-error' with a reason",
        )
    yield from _todo(node)


def _js_string(node: tree_sitter.Node) -> Iterator[Suggestion]:
    # The literal text up to the first ${...}: only a string's start makes it an absolute
    # path. Escapes are decoded where they matter for paths ("C:\\temp" is C:\temp).
    parts: list[str] = []
    for child in node.named_children:
        if child.type == "string_fragment":
            parts.append(_text(child))
        elif child.type == "escape_sequence":
            parts.append(_text(child)[1:] or "\\")
        else:
            break
    yield from _hardcoded_path(node, "".join(parts))


_Rule = Callable[[tree_sitter.Node], Iterator[Suggestion]]

_PYTHON_RULES: dict[str, _Rule] = {
    "except_clause": _py_except,
    "except_group_clause": _py_except,
    "call": _py_call,
    "global_statement": _py_global,
    "default_parameter": _py_default,
    "typed_default_parameter": _py_default,
    "string": _py_string,
    "comment": _todo,
}

_ECMA_RULES: dict[str, _Rule] = {
    "call_expression": _js_call,
    "predefined_type": _js_any,
    "variable_declaration": _js_var,
    "binary_expression": _js_binary,
    "comment": _js_comment,
    "string": _js_string,
    "template_string": _js_string,
    "program": _js_global_state,
}


def suggest(code: str, language: str) -> list[Suggestion]:
    """Suggestions for ``code`` in ``language`` (python, typescript, tsx, javascript or an
    alias such as ts/js), ordered by line. Unsupported languages get none."""
    try:
        lang = resolve_language(language, "")
    except UnsupportedLanguageError:
        return []
    rules = _PYTHON_RULES if lang == PYTHON else _ECMA_RULES
    tree = _PARSER.parse_tree(code.encode("utf-8"), lang)
    found: list[Suggestion] = []
    for node in _walk(tree.root_node):
        rule = rules.get(node.type)
        if rule is not None:
            found.extend(rule(node))
    # Identical findings on one line (two console.log calls) need one fix, not two.
    unique: dict[tuple[int, str, str], Suggestion] = {}
    for s in found:  # in document order, which the stable sort keeps within a line and rule
        unique.setdefault((s.line, s.rule, s.message), s)
    return sorted(unique.values(), key=lambda s: (s.line, s.rule))
