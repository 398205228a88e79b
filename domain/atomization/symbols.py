"""The outline of a file: functions, classes, methods, imports and exports, each with its
location, lines of code and cyclomatic complexity.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import tree_sitter

from .imports import collect_imports
from .languages import PYTHON, ts_language
from .parser import ParsedSource
from .syntax import member_name, scope_name, text_of, unwrap

Node = tree_sitter.Node


@dataclass(frozen=True)
class CodeSymbol:
    kind: str  # function | method | class | type | import | export
    name: str
    qualified_name: str
    start_byte: int
    end_byte: int
    start_line: int
    end_line: int
    loc: int
    complexity: int

    def to_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


_DEFINITIONS = {
    "python": ["function_definition", "class_definition"],
    "js": [
        "function_declaration",
        "generator_function_declaration",
        "method_definition",
        "class_declaration",
        "abstract_class_declaration",
        "class",
        "interface_declaration",
        "type_alias_declaration",
        "enum_declaration",
        "arrow_function",
        "function_expression",
    ],
}


@functools.cache
def _definition_query(language: str) -> tree_sitter.Query:
    lang = ts_language(language)
    family = "python" if language == PYTHON else "js"
    patterns = []
    for kind in _DEFINITIONS[family]:
        try:
            tree_sitter.Query(lang, f"({kind}) @def")
        except (tree_sitter.QueryError, ValueError):  # node type unknown to this grammar
            continue
        patterns.append(f"({kind}) @def")
    return tree_sitter.Query(lang, "\n".join(patterns))


def extract_symbols(parsed: ParsedSource) -> list[CodeSymbol]:
    """All definitions at any depth, then imports and exports, in source order."""
    spec = parsed.spec
    caps = tree_sitter.QueryCursor(_definition_query(parsed.language)).captures(parsed.root)
    out: list[CodeSymbol] = []
    for node in sorted(caps.get("def", []), key=lambda n: n.start_byte):
        t = node.type
        if t in ("arrow_function", "function_expression", "class"):
            name = scope_name(node, parsed.root, spec)
            if not name:
                continue  # anonymous callbacks are not symbols
        else:
            name_node = node.child_by_field_name("name")
            name = text_of(name_node) if name_node is not None else ""
        if not name:
            continue
        owners = _owners(node, spec)
        if t in spec.class_types:
            kind = "class"
        elif t in spec.type_decl_types:
            kind = "type"
        elif owners and owners[-1][1] == "class":
            kind = "method"
        else:
            kind = "function"
        qual = ".".join([o for o, _ in owners] + [name])
        out.append(_symbol(parsed, kind, name, qual, node))
    imports, _ = collect_imports(parsed.import_nodes, spec)
    for entry in imports.values():
        node = next(n for n in parsed.import_nodes if n.start_byte == entry.offset)
        out.append(_symbol(parsed, "import", entry.name, entry.statement, node))
    for name, node in _exports(parsed):
        out.append(_symbol(parsed, "export", name, name, node))
    out.sort(key=lambda s: (s.start_byte, s.kind))
    return out


def _owners(node: Node, spec: object) -> list[tuple[str, str]]:
    from .languages import LanguageSpec

    assert isinstance(spec, LanguageSpec)
    owners: list[tuple[str, str]] = []
    parent = node.parent
    steps = 0
    while parent is not None and steps < 10_000:
        steps += 1
        if parent.type in spec.class_types or parent.type in spec.function_types:
            name = scope_name(parent, parent, spec)
            if name:
                owners.append((name, "class" if parent.type in spec.class_types else "function"))
        parent = parent.parent
    owners.reverse()
    return owners


def _exports(parsed: ParsedSource) -> list[tuple[str, Node]]:
    spec = parsed.spec
    out: list[tuple[str, Node]] = []
    for node in parsed.root.named_children:
        if node.type in spec.export_types:
            inner = unwrap(node, spec)
            name = member_name(node, spec) if inner is not node else None
            if name:
                out.append((name, node))
                continue
            clause = next((c for c in node.named_children if c.type == "export_clause"), None)
            if clause is not None:
                for spec_node in clause.named_children:
                    alias = spec_node.child_by_field_name("alias")
                    orig = spec_node.child_by_field_name("name")
                    label = text_of(alias if alias is not None else orig)
                    if label:
                        out.append((label, node))
            elif b"default" in (node.text or b"")[:20]:
                out.append(("default", node))
        elif parsed.language == PYTHON and node.type == "expression_statement":
            text = text_of(node)
            if text.startswith("__all__"):
                for part in text.split("=", 1)[-1].replace("(", "[").split(","):
                    name = part.strip(" \t\n[]()'\"+")
                    if name.isidentifier():
                        out.append((name, node))
    return out


def _symbol(parsed: ParsedSource, kind: str, name: str, qual: str, node: Node) -> CodeSymbol:
    lines = parsed.lines
    start, end = node.start_byte, node.end_byte
    return CodeSymbol(
        kind=kind,
        name=name,
        qualified_name=qual,
        start_byte=start,
        end_byte=end,
        start_line=lines.line_of(start),
        end_line=lines.end_line(start, end) if end > start else lines.line_of(start),
        loc=lines.loc_touched(start, end),
        complexity=parsed.complexity(start, end),
    )
