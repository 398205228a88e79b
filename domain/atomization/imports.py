"""Import statements as (bound name → minimal import statement) entries.

An atom gets exactly the imports for the names it uses, rendered one name per statement
(`from m import a`), not the whole multi-name statement it came from.
"""

from __future__ import annotations

from dataclasses import dataclass

import tree_sitter

from .languages import LanguageSpec
from .syntax import text_of

Node = tree_sitter.Node


@dataclass(frozen=True, slots=True)
class ImportEntry:
    name: str  # the name bound in the importing module
    module: str
    statement: str  # minimal statement binding just `name`
    offset: int


def python_imports(node: Node) -> tuple[list[ImportEntry], list[str]]:
    """Entries and star-imported modules of one Python import statement."""
    entries: list[ImportEntry] = []
    stars: list[str] = []
    if node.type == "import_statement":
        for child in node.children_by_field_name("name"):
            if child.type == "aliased_import":
                dotted = text_of(child.child_by_field_name("name"))
                alias = text_of(child.child_by_field_name("alias"))
                entries.append(
                    ImportEntry(alias, dotted, f"import {dotted} as {alias}", node.start_byte)
                )
            else:
                dotted = text_of(child)
                head = dotted.split(".")[0].strip()
                entries.append(ImportEntry(head, dotted, f"import {dotted}", node.start_byte))
    elif node.type == "import_from_statement":
        module_node = node.child_by_field_name("module_name")
        module = "".join(text_of(module_node).split())
        for child in node.children_by_field_name("name"):
            if child.type == "aliased_import":
                orig = text_of(child.child_by_field_name("name"))
                alias = text_of(child.child_by_field_name("alias"))
                stmt = f"from {module} import {orig} as {alias}"
                entries.append(ImportEntry(alias, module, stmt, node.start_byte))
            else:
                name = text_of(child)
                stmt = f"from {module} import {name}"
                entries.append(ImportEntry(name, module, stmt, node.start_byte))
        if any(c.type == "wildcard_import" for c in node.children):
            stars.append(module)
    return entries, stars


def js_imports(node: Node) -> list[ImportEntry]:
    """Entries of one ES import statement (`import X, { a as b } from "m"`)."""
    source = node.child_by_field_name("source")
    module = text_of(source).strip("'\"`") if source is not None else ""
    quoted = text_of(source) if source is not None else '""'
    type_only = text_of(node).startswith("import type")
    kw = "import type" if type_only else "import"
    entries: list[ImportEntry] = []
    for clause in node.named_children:
        if clause.type != "import_clause":
            continue
        for part in clause.named_children:
            if part.type == "identifier":
                name = text_of(part)
                entries.append(
                    ImportEntry(name, module, f"{kw} {name} from {quoted};", node.start_byte)
                )
            elif part.type == "namespace_import":
                ident = next((c for c in part.named_children if c.type == "identifier"), None)
                if ident is not None:
                    name = text_of(ident)
                    stmt = f"{kw} * as {name} from {quoted};"
                    entries.append(ImportEntry(name, module, stmt, node.start_byte))
            elif part.type == "named_imports":
                for spec in part.named_children:
                    if spec.type != "import_specifier":
                        continue
                    orig = text_of(spec.child_by_field_name("name"))
                    alias_node = spec.child_by_field_name("alias")
                    alias = text_of(alias_node) if alias_node is not None else orig
                    inner = f"{orig} as {alias}" if alias != orig else orig
                    stmt = f"{kw} {{ {inner} }} from {quoted};"
                    entries.append(ImportEntry(alias, module, stmt, node.start_byte))
    return entries


def require_imports(node: Node, names: list[str]) -> list[ImportEntry]:
    """CommonJS `const x = require("m")`: the declaration itself binds the names."""
    text = " ".join(text_of(node).split())
    return [ImportEntry(n, "", text, node.start_byte) for n in names]


def collect_imports(
    nodes: list[Node], spec: LanguageSpec
) -> tuple[dict[str, ImportEntry], list[str]]:
    """All imports of a file by bound name (first binding wins) and star-imported modules."""
    table: dict[str, ImportEntry] = {}
    stars: list[str] = []
    for node in nodes:
        if spec.doc_comment_prefix is None:
            entries, star = python_imports(node)
            stars.extend(star)
        else:
            entries = js_imports(node)
        for entry in entries:
            table.setdefault(entry.name, entry)
    return table, stars
