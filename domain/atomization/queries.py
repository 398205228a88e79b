"""One tree-sitter query per language that gathers, in a single pass in C, every node the
engine needs: comments, string bodies, decision points, bindings, type references and imports.

Walking the tree node by node from Python would cost several times the parse itself; a query
visits the tree natively and hands back only the few nodes that matter.
"""

from __future__ import annotations

import functools
import re

import tree_sitter

from .languages import JAVASCRIPT, PYTHON, TSX, TYPESCRIPT, ts_language

# Capture names, shared by all languages.
COMMENT = "comment"
STRING = "string"
DOCSTRING = "docstring"
DOC_OWNER = "documented"
DECISION = "decision"
BIND = "bind"
PARAM = "param"
KEYWORD_ARG = "kwarg"
TYPE_REF = "type"
IMPORT = "import"
INTERPOLATION = "interpolation"

# Node kinds that are decision points of cyclomatic complexity (the native walk reads these).
PYTHON_DECISIONS = (
    "if_statement",
    "elif_clause",
    "for_statement",
    "while_statement",
    "except_clause",
    "except_group_clause",
    "boolean_operator",
    "conditional_expression",
    "for_in_clause",
    "if_clause",
    "case_clause",
)
# (and binary expressions with &&, || or ??: see the pattern below)
JS_DECISIONS = (
    "if_statement",
    "for_statement",
    "for_in_statement",
    "while_statement",
    "do_statement",
    "catch_clause",
    "ternary_expression",
    "switch_case",
)

# ERROR and MISSING nodes are not queried: `(MISSING)` takes minutes on very deep trees
# (a 100k-term expression). The parser walks the error paths of the tree instead.
_COMMON: list[str] = []

_PYTHON = [
    f"(comment) @{COMMENT}",
    # Whole strings (prefix and quotes included: not names), and the interpolations of
    # f-strings, whose names are used.
    f"(string) @{STRING}",
    f"(interpolation) @{INTERPOLATION}",
    # Broken code: a string start error recovery left on its own, and text it could not
    # parse inside a string, are treated as string start and as code respectively.
    f"(ERROR (string_start) @{STRING})",
    f"(ERROR (string_content) @{STRING})",
    f"(string (ERROR) @{INTERPOLATION})",
    # A statement that is only a string literal is documentation (docstrings, and the
    # attribute/module docs tools like Sphinx read): like radon, LOC does not count it.
    f"(expression_statement . (string) @{DOCSTRING} .)",
    # Functions and classes whose body opens with one: their docstring is the first of those
    # statements after their start (nothing in a signature is a statement).
    *(
        f"({kind} body: (block . (expression_statement . (string) .))) @{DOC_OWNER}"
        for kind in ("function_definition", "class_definition")
    ),
    # Decision points of cyclomatic complexity (McCabe, counted as radon does).
    *(f"({kind}) @{DECISION}" for kind in PYTHON_DECISIONS),
    f"(function_definition name: (identifier) @{BIND})",
    f"(class_definition name: (identifier) @{BIND})",
    f"(assignment left: (identifier) @{BIND})",
    f"(assignment left: (pattern_list (identifier) @{BIND}))",
    f"(assignment left: (tuple_pattern (identifier) @{BIND}))",
    f"(for_statement left: (identifier) @{BIND})",
    f"(for_statement left: (pattern_list (identifier) @{BIND}))",
    f"(for_statement left: (tuple_pattern (identifier) @{BIND}))",
    f"(for_in_clause left: (identifier) @{BIND})",
    f"(for_in_clause left: (pattern_list (identifier) @{BIND}))",
    f"(for_in_clause left: (tuple_pattern (identifier) @{BIND}))",
    f"(as_pattern alias: (as_pattern_target (identifier) @{BIND}))",
    f"(named_expression name: (identifier) @{BIND})",
    f"(global_statement (identifier) @{BIND})",
    f"(nonlocal_statement (identifier) @{BIND})",
    f"(aliased_import alias: (identifier) @{BIND})",
    f"(import_statement name: (dotted_name . (identifier) @{BIND}))",
    f"(import_from_statement name: (dotted_name . (identifier) @{BIND}))",
    f"(parameters (identifier) @{PARAM})",
    f"(lambda_parameters (identifier) @{PARAM})",
    f"(default_parameter name: (identifier) @{PARAM})",
    f"(typed_parameter (identifier) @{PARAM})",
    f"(typed_default_parameter name: (identifier) @{PARAM})",
    f"(list_splat_pattern (identifier) @{PARAM})",
    f"(dictionary_splat_pattern (identifier) @{PARAM})",
    f"(keyword_argument name: (identifier) @{KEYWORD_ARG})",
    f"(future_import_statement) @{KEYWORD_ARG}",  # compiler directives, not names
    # Module paths in imports are not variables (the bound name is captured as a binding).
    f"(import_from_statement module_name: (_) @{KEYWORD_ARG})",
    f"(aliased_import name: (_) @{KEYWORD_ARG})",
    # Outermost annotations only: nested `type` nodes would be captured (and paid for) twice.
    f"(typed_parameter type: (type) @{TYPE_REF})",
    f"(typed_default_parameter type: (type) @{TYPE_REF})",
    f"(function_definition return_type: (type) @{TYPE_REF})",
    f"(assignment type: (type) @{TYPE_REF})",
    f"[(import_statement) (import_from_statement) (future_import_statement)] @{IMPORT}",
]

_JS = [
    f"(comment) @{COMMENT}",
    f"(string_fragment) @{STRING}",
    f'(template_substitution "${{" @{STRING})',  # the `$` of `${` is not a name
    *(f"({kind}) @{DECISION}" for kind in JS_DECISIONS),
    f'(binary_expression operator: ["&&" "||" "??"]) @{DECISION}',
    f"(variable_declarator name: (identifier) @{BIND})",
    f"(object_pattern (shorthand_property_identifier_pattern) @{BIND})",
    f"(pair_pattern value: (identifier) @{BIND})",
    f"(array_pattern (identifier) @{BIND})",
    f"(object_assignment_pattern left: (shorthand_property_identifier_pattern) @{BIND})",
    f"(function_declaration name: (identifier) @{BIND})",
    f"(generator_function_declaration name: (identifier) @{BIND})",
    f"(function_expression name: (identifier) @{BIND})",
    f"(function_signature name: (identifier) @{BIND})",
    f"(class_declaration name: (_) @{BIND})",
    f"(class name: (_) @{BIND})",
    f"(abstract_class_declaration name: (_) @{BIND})",
    f"(interface_declaration name: (_) @{BIND})",
    f"(type_alias_declaration name: (_) @{BIND})",
    f"(enum_declaration name: (_) @{BIND})",
    f"(internal_module name: (identifier) @{BIND})",
    f"(catch_clause parameter: (identifier) @{BIND})",
    f"(for_in_statement left: (identifier) @{BIND})",
    f"(import_specifier alias: (identifier) @{BIND})",
    f"(import_specifier !alias name: (identifier) @{BIND})",
    f"(import_clause (identifier) @{BIND})",
    f"(namespace_import (identifier) @{BIND})",
    f"(type_parameter name: (type_identifier) @{BIND})",
    f"(formal_parameters (identifier) @{PARAM})",
    f"(formal_parameters (assignment_pattern left: (identifier) @{PARAM}))",
    f"(rest_pattern (identifier) @{PARAM})",
    f"(required_parameter pattern: (identifier) @{PARAM})",
    f"(optional_parameter pattern: (identifier) @{PARAM})",
    f"(arrow_function parameter: (identifier) @{PARAM})",
    f"(type_identifier) @{TYPE_REF}",
    f"(import_statement) @{IMPORT}",
    # Names that are not variable references although they look like identifiers:
    # member names, object keys, labels, JSX attributes and intrinsic (lower-case) tags.
    f"(method_definition name: (property_identifier) @{KEYWORD_ARG})",
    f"(pair key: (property_identifier) @{KEYWORD_ARG})",
    f"(pair_pattern key: (property_identifier) @{KEYWORD_ARG})",
    f"(public_field_definition name: (property_identifier) @{KEYWORD_ARG})",
    f"(field_definition property: (property_identifier) @{KEYWORD_ARG})",
    f"(property_signature name: (property_identifier) @{KEYWORD_ARG})",
    f"(method_signature name: (property_identifier) @{KEYWORD_ARG})",
    f"(abstract_method_signature name: (property_identifier) @{KEYWORD_ARG})",
    f"(enum_body (property_identifier) @{KEYWORD_ARG})",
    f"(enum_assignment name: (property_identifier) @{KEYWORD_ARG})",
    f"(statement_identifier) @{KEYWORD_ARG}",
    f"(import_specifier name: (identifier) @{KEYWORD_ARG} alias: (identifier))",
    f"(export_specifier alias: (_) @{KEYWORD_ARG})",
    f"(jsx_attribute (property_identifier) @{KEYWORD_ARG})",
    *(
        f'(({tag} name: (identifier) @{KEYWORD_ARG}) (#match? @{KEYWORD_ARG} "^[a-z]"))'
        for tag in ("jsx_opening_element", "jsx_closing_element", "jsx_self_closing_element")
    ),
]

_PATTERNS = {PYTHON: _PYTHON, TYPESCRIPT: _JS, TSX: _JS, JAVASCRIPT: _JS}


@functools.cache
def engine_query(language: str) -> tree_sitter.Query:
    """The combined query for `language`, compiled once.

    Patterns a grammar does not know (node types differ between the JavaScript and TypeScript
    grammars and across grammar versions) are dropped one by one instead of failing the lot:
    each pattern is one line, so the row of a compile error names the pattern to drop.
    """
    lang = ts_language(language)
    patterns = list(_COMMON + _PATTERNS[language])
    for _ in range(len(patterns) + 1):
        try:
            return tree_sitter.Query(lang, "\n".join(patterns))
        except (tree_sitter.QueryError, ValueError) as error:
            row = _ERROR_ROW.search(str(error))
            if row is None or int(row.group(1)) >= len(patterns):
                break
            del patterns[int(row.group(1))]
    # the error did not say where: try the patterns one by one
    valid: list[str] = []
    for pattern in _COMMON + _PATTERNS[language]:
        try:
            tree_sitter.Query(lang, pattern)
        except (tree_sitter.QueryError, ValueError):  # pattern unknown to this grammar
            continue
        valid.append(pattern)
    return tree_sitter.Query(lang, "\n".join(valid))


_ERROR_ROW = re.compile(r"\brow (\d+)")


def run_engine_query(language: str, root: tree_sitter.Node) -> dict[str, list[tree_sitter.Node]]:
    cursor = tree_sitter.QueryCursor(engine_query(language))
    return cursor.captures(root)
