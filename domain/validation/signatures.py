"""Signatures of the functions, methods and classes a file defines, and of its call sites.

Used twice: level 2 compares the signatures of the assembled file with the skeleton's, and
level 3 checks that every call of a plan function passes a number of arguments it accepts.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import tree_sitter

from domain.atomization.languages import ts_language
from domain.atomization.parser import ParsedSource

Node = tree_sitter.Node

POSITIONAL_ONLY = "positional_only"
POSITIONAL = "positional"
KEYWORD_ONLY = "keyword_only"
VAR_POSITIONAL = "var_positional"
VAR_KEYWORD = "var_keyword"

# Decorators that leave a function's call signature alone.
_TRANSPARENT = frozenset(
    {
        "staticmethod",
        "classmethod",
        "abstractmethod",
        "abc.abstractmethod",
        "cache",
        "functools.cache",
        "lru_cache",
        "functools.lru_cache",
        "override",
        "typing.override",
        "typing_extensions.override",
        "wraps",
        "final",
        "typing.final",
    }
)


@dataclass(frozen=True)
class Param:
    name: str
    kind: str
    has_default: bool
    annotation: str | None = None

    def render(self) -> str:
        prefix = {VAR_POSITIONAL: "*", VAR_KEYWORD: "**"}.get(self.kind, "")
        text = prefix + self.name
        if self.annotation:
            text += f": {self.annotation}"
        if self.has_default:
            text += " = …" if self.annotation else "=…"
        return text


@dataclass(frozen=True)
class Signature:
    qualname: str  # "f", "Cls", "Cls.method", "Outer.Inner.method"
    kind: str  # function | method | class
    params: tuple[Param, ...]
    returns: str | None
    line: int
    start_byte: int
    decorators: tuple[str, ...] = ()
    is_async: bool = False
    # For arity: False when decorators, overloads or metaclasses may change how it is called.
    callable_known: bool = True

    @property
    def name(self) -> str:
        return self.qualname.rsplit(".", 1)[-1]

    @property
    def is_static(self) -> bool:
        return "staticmethod" in self.decorators

    @property
    def is_classmethod(self) -> bool:
        return "classmethod" in self.decorators

    def render(self) -> str:
        params = ", ".join(p.render() for p in self.params)
        returns = f" -> {self.returns}" if self.returns else ""
        return f"{'async ' if self.is_async else ''}{self.qualname}({params}){returns}"

    def shape(self) -> tuple[object, ...]:
        """What callers and the skeleton depend on: parameter names, kinds, defaults,
        annotations, the return annotation and async-ness."""
        return (
            tuple((p.name, p.kind, p.has_default, p.annotation) for p in self.params),
            self.returns,
            self.is_async,
        )


@dataclass(frozen=True)
class CallSite:
    positional: int
    keywords: tuple[str, ...]
    has_star: bool  # *args / **kwargs / ...spread: the count is not known statically
    line: int
    column: int


def _text(node: Node | None) -> str:
    return (node.text or b"").decode("utf-8", "replace") if node is not None else ""


def _norm(annotation: str | None) -> str | None:
    if annotation is None:
        return None
    text = " ".join(annotation.split()).lstrip(":").strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        text = text[1:-1]
    return text or None


@cache
def _definitions_query(language: str) -> tree_sitter.Query:
    if language == "python":
        source = "[(function_definition) (class_definition)] @def"
    else:
        source = """
        [(function_declaration) (generator_function_declaration) (function_signature)
         (method_definition) (class_declaration) (abstract_class_declaration)
         (method_signature) (abstract_method_signature)] @def
        (variable_declarator name: (identifier)
                             value: [(arrow_function) (function_expression)]) @def
        """
    lang = ts_language(language)
    try:
        return tree_sitter.Query(lang, source)
    except (tree_sitter.QueryError, ValueError):
        # Grammar differences: fall back to the node types every ES grammar knows.
        return tree_sitter.Query(
            lang,
            "[(function_declaration) (method_definition) (class_declaration)] @def",
        )


def collect_signatures(parsed: ParsedSource) -> dict[str, Signature]:
    """Module-level functions and classes, methods of classes (nested classes included);
    functions nested in functions are private to them and left out."""
    nodes = tree_sitter.QueryCursor(_definitions_query(parsed.language)).captures(parsed.root)
    python = parsed.language == "python"
    out: dict[str, Signature] = {}
    overloaded: set[str] = set()
    for node in sorted(nodes.get("def", []), key=lambda n: n.start_byte):
        owners = _owners(node, python)
        if owners is None:
            continue
        signature = _python_signature(node, owners) if python else _es_signature(node, owners)
        if signature is None:
            continue
        if signature.qualname in out:
            overloaded.add(signature.qualname)
            if "overload" in out[signature.qualname].decorators:
                out[signature.qualname] = signature  # the implementation after the overloads
            continue
        out[signature.qualname] = signature
    for name in overloaded:
        out[name] = _unknown(out[name])
    if python:
        _python_constructors(out)
        for qualname, signature in list(out.items()):
            if signature.kind == "class" and not signature.callable_known:
                if f"{qualname}.__init__" in out:
                    continue
                fields = dataclass_fields(parsed, signature)
                if fields is not None:
                    out[qualname] = _class(signature, fields, True)
    else:
        _es_constructors(out, parsed)
    return out


def _unknown(signature: Signature) -> Signature:
    return Signature(
        signature.qualname,
        signature.kind,
        signature.params,
        signature.returns,
        signature.line,
        signature.start_byte,
        signature.decorators,
        signature.is_async,
        callable_known=False,
    )


_ES_CLASS = frozenset({"class_declaration", "abstract_class_declaration", "class"})
_ES_FUNCTION = frozenset(
    {
        "function_declaration",
        "generator_function_declaration",
        "function_expression",
        "arrow_function",
        "method_definition",
        "function",
        "generator_function",
    }
)


def _owners(node: Node, python: bool) -> list[str] | None:
    """Names of the classes around `node`, outermost first; None inside a function."""
    owners: list[str] = []
    parent = node.parent
    while parent is not None:
        kind = parent.type
        if python:
            if kind == "function_definition":
                return None
            if kind == "class_definition":
                owners.append(_text(parent.child_by_field_name("name")))
        else:
            if kind in _ES_FUNCTION:
                return None
            if kind in _ES_CLASS or kind in ("interface_declaration",):
                name = parent.child_by_field_name("name")
                if name is None:
                    return None
                owners.append(_text(name))
        parent = parent.parent
    owners.reverse()
    return owners


# ---- Python --------------------------------------------------------------------------------


def _decorators(node: Node) -> tuple[str, ...]:
    parent = node.parent
    if parent is None or parent.type != "decorated_definition":
        return ()
    names = []
    for child in parent.named_children:
        if child.type == "decorator":
            text = _text(child).lstrip("@").strip()
            names.append(text.split("(", 1)[0].strip())
    return tuple(names)


def _python_signature(node: Node, owners: list[str]) -> Signature | None:
    name = _text(node.child_by_field_name("name"))
    if not name:
        return None
    qualname = ".".join([*owners, name])
    decorators = _decorators(node)
    line = node.start_point[0] + 1
    if node.type == "class_definition":
        bases = node.child_by_field_name("superclasses")
        base_names = tuple(_text(b) for b in bases.named_children) if bases is not None else ()
        return Signature(
            qualname,
            "class",
            (),
            None,
            line,
            node.start_byte,
            decorators + tuple(f"base:{b}" for b in base_names),
            callable_known=False,  # settled by _python_constructors
        )
    params = _python_params(node.child_by_field_name("parameters"))
    returns = _norm(_text(node.child_by_field_name("return_type")) or None)
    is_async = _text(node).lstrip().startswith("async")
    known = all(d in _TRANSPARENT or d.endswith(".setter") for d in decorators)
    known = known and "property" not in decorators
    return Signature(
        qualname,
        "method" if owners else "function",
        params,
        returns,
        line,
        node.start_byte,
        decorators,
        is_async,
        callable_known=known,
    )


def _python_params(params: Node | None) -> tuple[Param, ...]:
    if params is None:
        return ()
    out: list[Param] = []
    keyword_only = False
    for child in params.named_children:
        kind = child.type
        if kind == "positional_separator":
            out = [
                Param(p.name, POSITIONAL_ONLY, p.has_default, p.annotation)
                if p.kind == POSITIONAL
                else p
                for p in out
            ]
            continue
        if kind == "keyword_separator":
            keyword_only = True
            continue
        plain = KEYWORD_ONLY if keyword_only else POSITIONAL
        if kind == "identifier":
            out.append(Param(_text(child), plain, False))
        elif kind in ("default_parameter", "typed_default_parameter"):
            annotation = _norm(_text(child.child_by_field_name("type")) or None)
            out.append(Param(_text(child.child_by_field_name("name")), plain, True, annotation))
        elif kind == "typed_parameter":
            inner = child.named_children[0] if child.named_children else None
            annotation = _norm(_text(child.child_by_field_name("type")) or None)
            if inner is not None and inner.type == "list_splat_pattern":
                out.append(Param(_text(inner).lstrip("*"), VAR_POSITIONAL, False, annotation))
                keyword_only = True
            elif inner is not None and inner.type == "dictionary_splat_pattern":
                out.append(Param(_text(inner).lstrip("*"), VAR_KEYWORD, False, annotation))
            else:
                out.append(Param(_text(inner), plain, False, annotation))
        elif kind == "list_splat_pattern":
            out.append(Param(_text(child).lstrip("*"), VAR_POSITIONAL, False))
            keyword_only = True
        elif kind == "dictionary_splat_pattern":
            out.append(Param(_text(child).lstrip("*"), VAR_KEYWORD, False))
    return tuple(out)


def _python_constructors(out: dict[str, Signature]) -> None:
    """A class is called through its `__init__`; a plain dataclass through its fields."""
    for qualname, signature in list(out.items()):
        if signature.kind != "class":
            continue
        decorators = [d for d in signature.decorators if not d.startswith("base:")]
        bases = [d[5:] for d in signature.decorators if d.startswith("base:")]
        init = out.get(f"{qualname}.__init__")
        if init is not None:
            known = init.callable_known and "__new__" not in _members(out, qualname)
            params = init.params[1:] if init.params else ()
            out[qualname] = _class(signature, params, known and not _meta(bases))
        elif not bases and not decorators and "__new__" not in _members(out, qualname):
            out[qualname] = _class(signature, (), True)  # object(): no arguments
        # dataclasses, external bases, metaclasses: not known statically (left as is)


def _members(out: dict[str, Signature], qualname: str) -> set[str]:
    prefix = qualname + "."
    return {name[len(prefix) :] for name in out if name.startswith(prefix)}


def _meta(bases: list[str]) -> bool:
    return any("metaclass" in b for b in bases)


def _class(signature: Signature, params: tuple[Param, ...], known: bool) -> Signature:
    return Signature(
        signature.qualname,
        "class",
        params,
        None,
        signature.line,
        signature.start_byte,
        signature.decorators,
        callable_known=known,
    )


def dataclass_fields(parsed: ParsedSource, signature: Signature) -> tuple[Param, ...] | None:
    """Constructor parameters of a plain `@dataclass` without bases, else None."""
    decorators = [d for d in signature.decorators if not d.startswith("base:")]
    bases = [d for d in signature.decorators if d.startswith("base:")]
    if bases or decorators not in (["dataclass"], ["dataclasses.dataclass"]):
        return None
    node = parsed.root.descendant_for_byte_range(signature.start_byte, signature.start_byte)
    while node is not None and node.type != "class_definition":
        node = node.parent
    body = node.child_by_field_name("body") if node is not None else None
    if body is None:
        return None
    params: list[Param] = []
    for statement in body.named_children:
        if statement.type != "expression_statement" or not statement.named_children:
            continue
        assignment = statement.named_children[0]
        if assignment.type != "assignment":
            continue
        left, annotation = (
            assignment.child_by_field_name("left"),
            assignment.child_by_field_name("type"),
        )
        if left is None or left.type != "identifier" or annotation is None:
            continue
        ann = _norm(_text(annotation))
        if ann and "ClassVar" in ann:
            continue
        right = assignment.child_by_field_name("right")
        if right is not None and "init=False" in _text(right).replace(" ", ""):
            continue
        params.append(Param(_text(left), POSITIONAL, right is not None, ann))
    return tuple(params)


# ---- TypeScript / JavaScript ----------------------------------------------------------------


def _es_signature(node: Node, owners: list[str]) -> Signature | None:
    kind = node.type
    if kind in _ES_CLASS:
        name = _text(node.child_by_field_name("name"))
        if not name:
            return None
        heritage = any(c.type == "class_heritage" for c in node.children)
        return Signature(
            ".".join([*owners, name]),
            "class",
            (),
            None,
            node.start_point[0] + 1,
            node.start_byte,
            ("extends",) if heritage else (),
            callable_known=False,
        )
    function = node
    if kind == "variable_declarator":
        value = node.child_by_field_name("value")
        if value is None:
            return None
        function = value
    name = _text(node.child_by_field_name("name"))
    if not name:
        return None
    params = _es_params(function.child_by_field_name("parameters"), function)
    returns = _norm(_text(function.child_by_field_name("return_type")) or None)
    is_async = _text(function).lstrip().startswith("async")
    decorators = tuple(
        _text(c).lstrip("@").split("(", 1)[0] for c in node.children if c.type == "decorator"
    )
    static = any(c.type == "static" or _text(c) == "static" for c in node.children)
    getter = any(_text(c) in ("get", "set") for c in node.children if not c.is_named)
    return Signature(
        ".".join([*owners, name]),
        "method" if owners else "function",
        params,
        returns,
        node.start_point[0] + 1,
        node.start_byte,
        decorators + (("staticmethod",) if static else ()),
        is_async,
        callable_known=not decorators and not getter,
    )


def _es_params(params: Node | None, function: Node) -> tuple[Param, ...]:
    if params is None:
        single = function.child_by_field_name("parameter")  # `x => ...`
        return (Param(_text(single), POSITIONAL, False),) if single is not None else ()
    out: list[Param] = []
    for child in params.named_children:
        kind = child.type
        if kind in ("comment", "decorator"):
            continue
        pattern = child.child_by_field_name("pattern") or child
        annotation = _norm(_text(child.child_by_field_name("type")) or None)
        if pattern.type == "this":
            continue  # TypeScript's `this` parameter is not passed
        if pattern.type == "rest_pattern":
            out.append(Param(_text(pattern).lstrip("."), VAR_POSITIONAL, False, annotation))
            continue
        if kind == "assignment_pattern":
            left = child.child_by_field_name("left")
            out.append(Param(_text(left), POSITIONAL, True, annotation))
            continue
        optional = kind == "optional_parameter" or child.child_by_field_name("value") is not None
        out.append(Param(_text(pattern), POSITIONAL, optional, annotation))
    return tuple(out)


def _es_constructors(out: dict[str, Signature], parsed: ParsedSource) -> None:
    del parsed
    for qualname, signature in list(out.items()):
        if signature.kind != "class":
            continue
        constructor = out.get(f"{qualname}.constructor")
        if constructor is not None:
            out[qualname] = _class(signature, constructor.params, constructor.callable_known)
        elif "extends" not in signature.decorators:
            out[qualname] = _class(signature, (), True)


# ---- arity ---------------------------------------------------------------------------------


def call_site(node: Node) -> CallSite:
    """Arguments of a call node (`call`, `call_expression` or `new_expression`)."""
    args = node.child_by_field_name("arguments")
    positional = 0
    keywords: list[str] = []
    star = False
    if args is not None and args.type == "generator_expression":
        positional = 1  # `f(x for x in xs)`: the generator is the only argument
    elif args is not None:
        for child in args.named_children:
            kind = child.type
            if kind == "comment":
                continue
            if kind == "keyword_argument":
                keywords.append(_text(child.child_by_field_name("name")))
            elif kind in ("list_splat", "dictionary_splat", "spread_element"):
                star = True
            else:
                positional += 1
    return CallSite(
        positional, tuple(keywords), star, node.start_point[0] + 1, node.start_point[1] + 1
    )


def arity_problem(params: tuple[Param, ...], call: CallSite, *, typed: bool = True) -> str | None:
    """Why `call` cannot bind to `params`, or None. `typed`: TypeScript and Python check
    too few arguments; plain JavaScript allows them."""
    if call.has_star:
        return None
    positional = [p for p in params if p.kind in (POSITIONAL_ONLY, POSITIONAL)]
    var_positional = any(p.kind == VAR_POSITIONAL for p in params)
    var_keyword = any(p.kind == VAR_KEYWORD for p in params)
    by_name = {p.name: p for p in params if p.kind in (POSITIONAL, KEYWORD_ONLY)}
    if call.positional > len(positional) and not var_positional:
        return (
            f"takes {_count(len(positional))} positional argument"
            f"{'' if len(positional) == 1 else 's'} but {call.positional} "
            f"{'was' if call.positional == 1 else 'were'} given"
        )
    filled = {p.name for p in positional[: call.positional]}
    for keyword in call.keywords:
        if keyword in filled:
            return f"got multiple values for argument '{keyword}'"
        if keyword not in by_name and not var_keyword:
            return f"got an unexpected keyword argument '{keyword}'"
        filled.add(keyword)
    if not typed:
        return None
    missing = [
        p.name
        for p in params
        if p.kind in (POSITIONAL_ONLY, POSITIONAL, KEYWORD_ONLY)
        and not p.has_default
        and p.name not in filled
    ]
    if missing:
        names = ", ".join(f"'{m}'" for m in missing)
        return f"missing {len(missing)} required argument{'s' if len(missing) > 1 else ''}: {names}"
    return None


def _count(n: int) -> str:
    return str(n)
