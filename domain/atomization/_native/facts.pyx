# The per-file facts of the atomizer in one native walk of the tree: what the engine query of
# domain/atomization/queries.py captures (comments, strings, decision points, bindings,
# parameters, names that are not variables, type annotations, imports), as byte ranges.
#
# Same results as running that query (tests compare the two on every input they generate),
# at a fraction of the cost: no query state machine, no Node object per capture.

from libc.stdint cimport uint8_t, uint16_t, uint32_t
from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize
from cpython.unicode cimport PyUnicode_DecodeUTF8
from libc.stdlib cimport calloc, free, malloc, qsort, realloc
from libc.string cimport memcmp, memcpy

from .ts cimport *

import tree_sitter

from ..queries import JS_DECISIONS, PYTHON_DECISIONS

# Node kinds the rules name (one code per (name, named) pair; 0: a kind no rule names).
cdef enum Kind:
    K_OTHER = 0
    K_COMMENT
    K_STRING
    K_INTERPOLATION
    K_ERROR
    K_STRING_START
    K_STRING_CONTENT
    K_EXPRESSION_STATEMENT
    K_FUNCTION_DEFINITION
    K_CLASS_DEFINITION
    K_BLOCK
    K_IDENTIFIER
    K_ASSIGNMENT
    K_PATTERN_LIST
    K_TUPLE_PATTERN
    K_FOR_STATEMENT
    K_FOR_IN_CLAUSE
    K_AS_PATTERN
    K_AS_PATTERN_TARGET
    K_NAMED_EXPRESSION
    K_GLOBAL_STATEMENT
    K_NONLOCAL_STATEMENT
    K_ALIASED_IMPORT
    K_IMPORT_STATEMENT
    K_IMPORT_FROM_STATEMENT
    K_FUTURE_IMPORT_STATEMENT
    K_DOTTED_NAME
    K_PARAMETERS
    K_LAMBDA_PARAMETERS
    K_DEFAULT_PARAMETER
    K_TYPED_PARAMETER
    K_TYPED_DEFAULT_PARAMETER
    K_LIST_SPLAT_PATTERN
    K_DICTIONARY_SPLAT_PATTERN
    K_KEYWORD_ARGUMENT
    K_TYPE
    # JavaScript / TypeScript
    K_STRING_FRAGMENT
    K_TEMPLATE_SUBSTITUTION
    K_DOLLAR_BRACE
    K_BINARY_EXPRESSION
    K_AND_AND
    K_OR_OR
    K_NULLISH
    K_VARIABLE_DECLARATOR
    K_OBJECT_PATTERN
    K_SHORTHAND_PROPERTY_IDENTIFIER_PATTERN
    K_PAIR_PATTERN
    K_ARRAY_PATTERN
    K_OBJECT_ASSIGNMENT_PATTERN
    K_FUNCTION_DECLARATION
    K_GENERATOR_FUNCTION_DECLARATION
    K_FUNCTION_EXPRESSION
    K_FUNCTION_SIGNATURE
    K_CLASS_DECLARATION
    K_CLASS
    K_ABSTRACT_CLASS_DECLARATION
    K_INTERFACE_DECLARATION
    K_TYPE_ALIAS_DECLARATION
    K_ENUM_DECLARATION
    K_INTERNAL_MODULE
    K_CATCH_CLAUSE
    K_FOR_IN_STATEMENT
    K_IMPORT_SPECIFIER
    K_IMPORT_CLAUSE
    K_NAMESPACE_IMPORT
    K_TYPE_PARAMETER
    K_TYPE_IDENTIFIER
    K_FORMAL_PARAMETERS
    K_ASSIGNMENT_PATTERN
    K_REST_PATTERN
    K_REQUIRED_PARAMETER
    K_OPTIONAL_PARAMETER
    K_ARROW_FUNCTION
    K_METHOD_DEFINITION
    K_PROPERTY_IDENTIFIER
    K_PAIR
    K_PUBLIC_FIELD_DEFINITION
    K_FIELD_DEFINITION
    K_PROPERTY_SIGNATURE
    K_METHOD_SIGNATURE
    K_ABSTRACT_METHOD_SIGNATURE
    K_ENUM_BODY
    K_ENUM_ASSIGNMENT
    K_STATEMENT_IDENTIFIER
    K_EXPORT_SPECIFIER
    K_JSX_ATTRIBUTE
    K_JSX_OPENING_ELEMENT
    K_JSX_CLOSING_ELEMENT
    K_JSX_SELF_CLOSING_ELEMENT
    K_COUNT

# (kind, grammar name, named)
_KINDS = [
    (K_COMMENT, "comment", True),
    (K_STRING, "string", True),
    (K_INTERPOLATION, "interpolation", True),
    (K_ERROR, "ERROR", True),
    (K_STRING_START, "string_start", True),
    (K_STRING_CONTENT, "string_content", True),
    (K_EXPRESSION_STATEMENT, "expression_statement", True),
    (K_FUNCTION_DEFINITION, "function_definition", True),
    (K_CLASS_DEFINITION, "class_definition", True),
    (K_BLOCK, "block", True),
    (K_IDENTIFIER, "identifier", True),
    (K_ASSIGNMENT, "assignment", True),
    (K_PATTERN_LIST, "pattern_list", True),
    (K_TUPLE_PATTERN, "tuple_pattern", True),
    (K_FOR_STATEMENT, "for_statement", True),
    (K_FOR_IN_CLAUSE, "for_in_clause", True),
    (K_AS_PATTERN, "as_pattern", True),
    (K_AS_PATTERN_TARGET, "as_pattern_target", True),
    (K_NAMED_EXPRESSION, "named_expression", True),
    (K_GLOBAL_STATEMENT, "global_statement", True),
    (K_NONLOCAL_STATEMENT, "nonlocal_statement", True),
    (K_ALIASED_IMPORT, "aliased_import", True),
    (K_IMPORT_STATEMENT, "import_statement", True),
    (K_IMPORT_FROM_STATEMENT, "import_from_statement", True),
    (K_FUTURE_IMPORT_STATEMENT, "future_import_statement", True),
    (K_DOTTED_NAME, "dotted_name", True),
    (K_PARAMETERS, "parameters", True),
    (K_LAMBDA_PARAMETERS, "lambda_parameters", True),
    (K_DEFAULT_PARAMETER, "default_parameter", True),
    (K_TYPED_PARAMETER, "typed_parameter", True),
    (K_TYPED_DEFAULT_PARAMETER, "typed_default_parameter", True),
    (K_LIST_SPLAT_PATTERN, "list_splat_pattern", True),
    (K_DICTIONARY_SPLAT_PATTERN, "dictionary_splat_pattern", True),
    (K_KEYWORD_ARGUMENT, "keyword_argument", True),
    (K_TYPE, "type", True),
    (K_STRING_FRAGMENT, "string_fragment", True),
    (K_TEMPLATE_SUBSTITUTION, "template_substitution", True),
    (K_DOLLAR_BRACE, "${", False),
    (K_BINARY_EXPRESSION, "binary_expression", True),
    (K_AND_AND, "&&", False),
    (K_OR_OR, "||", False),
    (K_NULLISH, "??", False),
    (K_VARIABLE_DECLARATOR, "variable_declarator", True),
    (K_OBJECT_PATTERN, "object_pattern", True),
    (K_SHORTHAND_PROPERTY_IDENTIFIER_PATTERN, "shorthand_property_identifier_pattern", True),
    (K_PAIR_PATTERN, "pair_pattern", True),
    (K_ARRAY_PATTERN, "array_pattern", True),
    (K_OBJECT_ASSIGNMENT_PATTERN, "object_assignment_pattern", True),
    (K_FUNCTION_DECLARATION, "function_declaration", True),
    (K_GENERATOR_FUNCTION_DECLARATION, "generator_function_declaration", True),
    (K_FUNCTION_EXPRESSION, "function_expression", True),
    (K_FUNCTION_SIGNATURE, "function_signature", True),
    (K_CLASS_DECLARATION, "class_declaration", True),
    (K_CLASS, "class", True),
    (K_ABSTRACT_CLASS_DECLARATION, "abstract_class_declaration", True),
    (K_INTERFACE_DECLARATION, "interface_declaration", True),
    (K_TYPE_ALIAS_DECLARATION, "type_alias_declaration", True),
    (K_ENUM_DECLARATION, "enum_declaration", True),
    (K_INTERNAL_MODULE, "internal_module", True),
    (K_CATCH_CLAUSE, "catch_clause", True),
    (K_FOR_IN_STATEMENT, "for_in_statement", True),
    (K_IMPORT_SPECIFIER, "import_specifier", True),
    (K_IMPORT_CLAUSE, "import_clause", True),
    (K_NAMESPACE_IMPORT, "namespace_import", True),
    (K_TYPE_PARAMETER, "type_parameter", True),
    (K_TYPE_IDENTIFIER, "type_identifier", True),
    (K_FORMAL_PARAMETERS, "formal_parameters", True),
    (K_ASSIGNMENT_PATTERN, "assignment_pattern", True),
    (K_REST_PATTERN, "rest_pattern", True),
    (K_REQUIRED_PARAMETER, "required_parameter", True),
    (K_OPTIONAL_PARAMETER, "optional_parameter", True),
    (K_ARROW_FUNCTION, "arrow_function", True),
    (K_METHOD_DEFINITION, "method_definition", True),
    (K_PROPERTY_IDENTIFIER, "property_identifier", True),
    (K_PAIR, "pair", True),
    (K_PUBLIC_FIELD_DEFINITION, "public_field_definition", True),
    (K_FIELD_DEFINITION, "field_definition", True),
    (K_PROPERTY_SIGNATURE, "property_signature", True),
    (K_METHOD_SIGNATURE, "method_signature", True),
    (K_ABSTRACT_METHOD_SIGNATURE, "abstract_method_signature", True),
    (K_ENUM_BODY, "enum_body", True),
    (K_ENUM_ASSIGNMENT, "enum_assignment", True),
    (K_STATEMENT_IDENTIFIER, "statement_identifier", True),
    (K_EXPORT_SPECIFIER, "export_specifier", True),
    (K_JSX_ATTRIBUTE, "jsx_attribute", True),
    (K_JSX_OPENING_ELEMENT, "jsx_opening_element", True),
    (K_JSX_CLOSING_ELEMENT, "jsx_closing_element", True),
    (K_JSX_SELF_CLOSING_ELEMENT, "jsx_self_closing_element", True),
]

_FIELDS = (
    "name", "left", "alias", "body", "module_name", "type", "return_type", "value",
    "parameter", "pattern", "operator", "key", "property",
)
# A field the grammar lacks: matches no node (0 would match the nodes without a field).
cdef uint16_t NO_FIELD = 0xFFFF

cdef enum Field:
    F_NAME = 0
    F_LEFT
    F_ALIAS
    F_BODY
    F_MODULE_NAME
    F_TYPE
    F_RETURN_TYPE
    F_VALUE
    F_PARAMETER
    F_PATTERN
    F_OPERATOR
    F_KEY
    F_PROPERTY
    F_COUNT


# Parents whose children's fields no rule reads: the cursor's field lookup (a search of the
# parent's field map) is skipped under them, and under K_OTHER. Rules read fields only after
# naming the parent's kind, so a kind missing here costs time, never correctness.
cdef uint8_t READS_FIELDS[<int>K_COUNT]

cdef void _field_parents() noexcept:
    cdef int k
    for k in range(K_COUNT):
        READS_FIELDS[k] = 1
    for k in (
        K_OTHER, K_IDENTIFIER, K_COMMENT, K_STRING, K_BLOCK, K_EXPRESSION_STATEMENT, K_ERROR,
        K_INTERPOLATION, K_STRING_START, K_STRING_CONTENT, K_PATTERN_LIST, K_TUPLE_PATTERN,
        K_AS_PATTERN_TARGET, K_GLOBAL_STATEMENT, K_NONLOCAL_STATEMENT, K_DOTTED_NAME,
        K_PARAMETERS, K_LAMBDA_PARAMETERS, K_LIST_SPLAT_PATTERN, K_DICTIONARY_SPLAT_PATTERN,
        K_TYPE, K_STRING_FRAGMENT, K_TEMPLATE_SUBSTITUTION, K_OBJECT_PATTERN, K_ARRAY_PATTERN,
        K_FORMAL_PARAMETERS, K_REST_PATTERN, K_IMPORT_CLAUSE, K_NAMESPACE_IMPORT, K_ENUM_BODY,
        K_JSX_ATTRIBUTE, K_TYPE_IDENTIFIER, K_PROPERTY_IDENTIFIER, K_STATEMENT_IDENTIFIER,
        K_SHORTHAND_PROPERTY_IDENTIFIER_PATTERN, K_FUTURE_IMPORT_STATEMENT, K_BINARY_EXPRESSION,
        K_DOLLAR_BRACE, K_AND_AND, K_OR_OR, K_NULLISH,
    ):
        READS_FIELDS[k] = 0

_field_parents()


cdef class Grammar:
    """Kind and decision tables of one language, built once from its symbol names."""

    cdef uint8_t *kinds
    cdef uint8_t *decisions
    cdef uint8_t *named  # by symbol, up to 65535 (ERROR): what ts_node_is_named answers
    cdef uint16_t fields[<int>F_COUNT]
    cdef bint python
    cdef uint32_t symbol_count

    def __dealloc__(self):
        free(self.kinds)
        free(self.decisions)
        free(self.named)


cdef dict _GRAMMARS = {}


cdef Grammar _grammar(const TSLanguage *language, bint python):
    key = (<size_t>language, python)
    cached = _GRAMMARS.get(key)
    if cached is not None:
        return <Grammar>cached
    cdef Grammar g = Grammar.__new__(Grammar)
    cdef uint32_t count = ts_language_symbol_count(language)
    cdef uint32_t sym
    cdef TSSymbolType st
    g.symbol_count = count
    g.python = python
    g.kinds = <uint8_t *>malloc(count + 1)
    g.decisions = <uint8_t *>malloc(count + 1)
    g.named = <uint8_t *>calloc(65536, 1)
    if g.kinds == NULL or g.decisions == NULL or g.named == NULL:
        raise MemoryError()
    g.named[65535] = 1  # ERROR
    by_name = {(name, named): kind for kind, name, named in _KINDS}
    decisions = set(PYTHON_DECISIONS if python else JS_DECISIONS)
    for sym in range(count):
        g.kinds[sym] = 0
        g.decisions[sym] = 0
        raw = ts_language_symbol_name(language, <TSSymbol>sym)
        if raw == NULL:
            continue
        name = (<bytes>raw).decode("utf-8", "replace")
        st = ts_language_symbol_type(language, <TSSymbol>sym)
        named = st == TSSymbolTypeRegular
        if st != TSSymbolTypeRegular and st != TSSymbolTypeAnonymous:
            continue  # supertypes and hidden rules never appear as nodes
        g.kinds[sym] = by_name.get((name, named), K_OTHER)
        g.named[sym] = named
        if named and name in decisions:
            g.decisions[sym] = 1
    g.kinds[count] = 0
    g.decisions[count] = 0
    cdef int i
    for i, field_name in enumerate(_FIELDS):
        raw_field = field_name.encode()
        fid = ts_language_field_id_for_name(language, raw_field, len(raw_field))
        g.fields[i] = fid if fid else NO_FIELD
    _GRAMMARS[key] = g
    return g


# Captures, by index in the walk results.
cdef enum:  # capture indexes of the walk results
    C_COMMENT = 0
    C_STRING
    C_INTERPOLATION
    C_KWARG
    C_DOCSTRING
    C_DOC_OWNER
    C_TYPE
    C_DECISION
    C_BIND
    C_PARAM
    C_IMPORT
    C_COUNT


cdef inline uint8_t _kind_of_symbol(Grammar g, TSSymbol sym) noexcept nogil:
    if sym >= g.symbol_count:  # builtins outside the grammar's table
        return K_ERROR if sym == 65535 else K_OTHER  # 65535: ts_builtin_sym_error
    return g.kinds[sym]


cdef inline uint8_t _kind(Grammar g, TSNode node) noexcept nogil:
    return _kind_of_symbol(g, ts_node_symbol(node))


cdef inline bint _has_field(TSNode parent, uint16_t field) noexcept nogil:
    if field == NO_FIELD:
        return False
    return not ts_node_is_null(ts_node_child_by_field_id(parent, field))


cdef inline bint _is_doc_string(Grammar g, TSNode statement) noexcept nogil:
    """An expression statement whose only named child is a string."""
    if ts_node_named_child_count(statement) != 1:
        return False
    return _kind_of_symbol(g, ts_node_symbol(ts_node_named_child(statement, 0))) == K_STRING


cdef inline bint _documents(Grammar g, TSNode definition) noexcept nogil:
    """`(definition body: (block . (expression_statement . (string) .)))`"""
    cdef uint16_t body_field = g.fields[<int>F_BODY]
    if body_field == NO_FIELD:
        return False
    cdef TSNode body = ts_node_child_by_field_id(definition, body_field)
    if ts_node_is_null(body) or _kind_of_symbol(g, ts_node_symbol(body)) != K_BLOCK:
        return False
    if ts_node_named_child_count(body) == 0:
        return False
    cdef TSNode first = ts_node_named_child(body, 0)
    if _kind_of_symbol(g, ts_node_symbol(first)) != K_EXPRESSION_STATEMENT:
        return False
    return _is_doc_string(g, first)


cdef inline uint16_t _python_captures(
    Grammar g, uint8_t k, uint8_t pk, uint8_t gk, uint16_t f, uint16_t pf, bint named,
    bint first_named, TSNode parent
) noexcept nogil:
    """Bit set of the captures (1 << Capture) a Python node gets."""
    cdef uint16_t *F = g.fields
    cdef uint16_t out = 0
    if k == K_IDENTIFIER:
        if (
            ((pk == K_FUNCTION_DEFINITION or pk == K_CLASS_DEFINITION) and f == F[<int>F_NAME])
            or (pk == K_ASSIGNMENT and f == F[<int>F_LEFT])
            or (
                (pk == K_PATTERN_LIST or pk == K_TUPLE_PATTERN)
                and (gk == K_ASSIGNMENT or gk == K_FOR_STATEMENT or gk == K_FOR_IN_CLAUSE)
                and pf == F[<int>F_LEFT]
            )
            or ((pk == K_FOR_STATEMENT or pk == K_FOR_IN_CLAUSE) and f == F[<int>F_LEFT])
            or (pk == K_AS_PATTERN_TARGET and gk == K_AS_PATTERN and pf == F[<int>F_ALIAS])
            or (pk == K_NAMED_EXPRESSION and f == F[<int>F_NAME])
            or pk == K_GLOBAL_STATEMENT
            or pk == K_NONLOCAL_STATEMENT
            or (pk == K_ALIASED_IMPORT and f == F[<int>F_ALIAS])
            or (
                pk == K_DOTTED_NAME
                and first_named
                and (gk == K_IMPORT_STATEMENT or gk == K_IMPORT_FROM_STATEMENT)
                and pf == F[<int>F_NAME]
            )
        ):
            out |= 1 << C_BIND
        if (
            pk == K_PARAMETERS
            or pk == K_LAMBDA_PARAMETERS
            or pk == K_TYPED_PARAMETER
            or pk == K_LIST_SPLAT_PATTERN
            or pk == K_DICTIONARY_SPLAT_PATTERN
            or (
                (pk == K_DEFAULT_PARAMETER or pk == K_TYPED_DEFAULT_PARAMETER)
                and f == F[<int>F_NAME]
            )
        ):
            out |= 1 << C_PARAM
        if pk == K_KEYWORD_ARGUMENT and f == F[<int>F_NAME]:
            out |= 1 << C_KWARG
    elif k == K_COMMENT:
        out |= 1 << C_COMMENT
    elif k == K_STRING:
        out |= 1 << C_STRING
        if pk == K_EXPRESSION_STATEMENT and _is_doc_string(g, parent):
            out |= 1 << C_DOCSTRING
    elif k == K_INTERPOLATION:
        out |= 1 << C_INTERPOLATION
    elif k == K_STRING_START or k == K_STRING_CONTENT:
        if pk == K_ERROR:
            out |= 1 << C_STRING
    elif k == K_ERROR:
        if pk == K_STRING:
            out |= 1 << C_INTERPOLATION
    elif k == K_FUTURE_IMPORT_STATEMENT:
        out |= (1 << C_KWARG) | (1 << C_IMPORT)
    elif k == K_IMPORT_STATEMENT or k == K_IMPORT_FROM_STATEMENT:
        out |= 1 << C_IMPORT
    elif k == K_TYPE:
        if (
            (
                (pk == K_TYPED_PARAMETER or pk == K_TYPED_DEFAULT_PARAMETER or pk == K_ASSIGNMENT)
                and f == F[<int>F_TYPE]
            )
            or (pk == K_FUNCTION_DEFINITION and f == F[<int>F_RETURN_TYPE])
        ):
            out |= 1 << C_TYPE
    if named:
        if (pk == K_IMPORT_FROM_STATEMENT and f == F[<int>F_MODULE_NAME]) or (
            pk == K_ALIASED_IMPORT and f == F[<int>F_NAME]
        ):
            out |= 1 << C_KWARG
    return out


cdef inline uint16_t _js_captures(
    Grammar g, uint8_t k, uint8_t pk, uint8_t gk, uint16_t f, bint named, TSNode node,
    TSNode parent, const unsigned char *source, Py_ssize_t size
) noexcept nogil:
    """Bit set of the captures (1 << Capture) a JavaScript / TypeScript node gets."""
    cdef uint16_t *F = g.fields
    cdef uint16_t out = 0
    cdef uint32_t start
    cdef unsigned char first
    cdef TSNode op
    if k == K_IDENTIFIER:
        if (
            (pk == K_VARIABLE_DECLARATOR and f == F[<int>F_NAME])
            or (pk == K_PAIR_PATTERN and f == F[<int>F_VALUE])
            or pk == K_ARRAY_PATTERN
            or (
                (
                    pk == K_FUNCTION_DECLARATION
                    or pk == K_GENERATOR_FUNCTION_DECLARATION
                    or pk == K_FUNCTION_EXPRESSION
                    or pk == K_FUNCTION_SIGNATURE
                    or pk == K_INTERNAL_MODULE
                )
                and f == F[<int>F_NAME]
            )
            or (pk == K_CATCH_CLAUSE and f == F[<int>F_PARAMETER])
            or (pk == K_FOR_IN_STATEMENT and f == F[<int>F_LEFT])
            or (pk == K_IMPORT_SPECIFIER and f == F[<int>F_ALIAS])
            or (
                pk == K_IMPORT_SPECIFIER
                and f == F[<int>F_NAME]
                and not _has_field(parent, F[<int>F_ALIAS])
            )
            or pk == K_IMPORT_CLAUSE
            or pk == K_NAMESPACE_IMPORT
        ):
            out |= 1 << C_BIND
        if (
            pk == K_FORMAL_PARAMETERS
            or (pk == K_ASSIGNMENT_PATTERN and f == F[<int>F_LEFT] and gk == K_FORMAL_PARAMETERS)
            or pk == K_REST_PATTERN
            or (
                (pk == K_REQUIRED_PARAMETER or pk == K_OPTIONAL_PARAMETER)
                and f == F[<int>F_PATTERN]
            )
            or (pk == K_ARROW_FUNCTION and f == F[<int>F_PARAMETER])
        ):
            out |= 1 << C_PARAM
        if pk == K_IMPORT_SPECIFIER and f == F[<int>F_NAME] and _has_field(parent, F[<int>F_ALIAS]):
            out |= 1 << C_KWARG
        elif (
            pk == K_JSX_OPENING_ELEMENT
            or pk == K_JSX_CLOSING_ELEMENT
            or pk == K_JSX_SELF_CLOSING_ELEMENT
        ) and f == F[<int>F_NAME]:
            start = ts_node_start_byte(node)
            if start < ts_node_end_byte(node) and start < size:
                first = source[start]
                if first >= 97 and first <= 122:  # (#match? "^[a-z]"): intrinsic tags
                    out |= 1 << C_KWARG
    elif k == K_COMMENT:
        out |= 1 << C_COMMENT
    elif k == K_STRING_FRAGMENT:
        out |= 1 << C_STRING
    elif k == K_DOLLAR_BRACE:
        if pk == K_TEMPLATE_SUBSTITUTION:
            out |= 1 << C_STRING
    elif k == K_SHORTHAND_PROPERTY_IDENTIFIER_PATTERN:
        if pk == K_OBJECT_PATTERN or (pk == K_OBJECT_ASSIGNMENT_PATTERN and f == F[<int>F_LEFT]):
            out |= 1 << C_BIND
    elif k == K_TYPE_IDENTIFIER:
        out |= 1 << C_TYPE
        if pk == K_TYPE_PARAMETER and f == F[<int>F_NAME]:
            out |= 1 << C_BIND
    elif k == K_PROPERTY_IDENTIFIER:
        if (
            (pk == K_METHOD_DEFINITION and f == F[<int>F_NAME])
            or (pk == K_PAIR and f == F[<int>F_KEY])
            or (pk == K_PAIR_PATTERN and f == F[<int>F_KEY])
            or (pk == K_PUBLIC_FIELD_DEFINITION and f == F[<int>F_NAME])
            or (pk == K_FIELD_DEFINITION and f == F[<int>F_PROPERTY])
            or (
                (
                    pk == K_PROPERTY_SIGNATURE
                    or pk == K_METHOD_SIGNATURE
                    or pk == K_ABSTRACT_METHOD_SIGNATURE
                    or pk == K_ENUM_ASSIGNMENT
                )
                and f == F[<int>F_NAME]
            )
            or pk == K_ENUM_BODY
            or pk == K_JSX_ATTRIBUTE
        ):
            out |= 1 << C_KWARG
    elif k == K_STATEMENT_IDENTIFIER:
        out |= 1 << C_KWARG
    elif k == K_IMPORT_STATEMENT:
        out |= 1 << C_IMPORT
    elif k == K_BINARY_EXPRESSION:
        if F[<int>F_OPERATOR] != NO_FIELD:
            op = ts_node_child_by_field_id(node, F[<int>F_OPERATOR])
            if not ts_node_is_null(op):
                k = _kind_of_symbol(g, ts_node_symbol(op))
            if k == K_AND_AND or k == K_OR_OR or k == K_NULLISH:
                out |= 1 << C_DECISION
    if named and (
        (
            (
                pk == K_CLASS_DECLARATION
                or pk == K_CLASS
                or pk == K_ABSTRACT_CLASS_DECLARATION
                or pk == K_INTERFACE_DECLARATION
                or pk == K_TYPE_ALIAS_DECLARATION
                or pk == K_ENUM_DECLARATION
            )
            and f == F[<int>F_NAME]
        )
    ):
        out |= 1 << C_BIND
    if named and pk == K_EXPORT_SPECIFIER and f == F[<int>F_ALIAS]:
        out |= 1 << C_KWARG
    return out


cdef struct Frame:
    TSNode node
    uint16_t field  # the node's field in its parent (0: none)
    uint8_t kind
    uint32_t named_seen  # named children of this node visited so far


cdef struct Span:
    uint32_t start
    uint32_t end


cdef struct Spans:
    Span *items
    Py_ssize_t count
    Py_ssize_t capacity


cdef int _push(Spans *spans, uint32_t start, uint32_t end) except -1:
    cdef Span *grown
    if spans.count == spans.capacity:
        spans.capacity = spans.capacity * 2 if spans.capacity else 64
        grown = <Span *>realloc(spans.items, spans.capacity * sizeof(Span))
        if grown == NULL:
            raise MemoryError()
        spans.items = grown
    spans.items[spans.count].start = start
    spans.items[spans.count].end = end
    spans.count += 1
    return 0


cdef int _by_range(const void *a, const void *b) noexcept nogil:
    cdef const Span *x = <const Span *>a
    cdef const Span *y = <const Span *>b
    if x.start != y.start:
        return -1 if x.start < y.start else 1
    if x.end != y.end:
        return -1 if x.end < y.end else 1
    return 0


cdef void _sort(Spans *spans) noexcept nogil:
    if spans.count > 1:
        qsort(spans.items, spans.count, sizeof(Span), _by_range)


cdef class Captures:
    """What one walk captured: a growable array of spans per capture, and the imports."""

    cdef Spans spans[<int>C_COUNT]
    cdef list imports

    def __cinit__(self):
        cdef int c
        for c in range(C_COUNT):
            self.spans[c].items = NULL
            self.spans[c].count = 0
            self.spans[c].capacity = 0
        self.imports = []

    def __dealloc__(self):
        cdef int c
        for c in range(C_COUNT):
            free(self.spans[c].items)


cdef Captures _walk(tree, bytes source, bint python):
    """Visit every node of `tree` once, in document order, and record what the rules capture.

    Spans come out in document order (preorder: by start, enclosing before enclosed).
    """
    cdef Captures out = Captures()
    cdef TSTree *ts_tree = mge_tree_of(tree)
    cdef TSNode root = ts_tree_root_node(ts_tree)
    cdef Grammar g = _grammar(ts_tree_language(ts_tree), python)
    cdef const unsigned char *src = source
    cdef Py_ssize_t size = len(source)
    cdef type node_type = tree_sitter.Node
    cdef list imports = out.imports
    cdef TSTreeCursor cursor = ts_tree_cursor_new(root)
    cdef Py_ssize_t capacity = 256
    cdef Frame *stack = <Frame *>malloc(capacity * sizeof(Frame))
    cdef Frame *grown
    cdef Py_ssize_t depth = 0
    cdef TSNode node
    cdef TSNode parent
    cdef uint8_t k, pk, gk
    cdef uint16_t caps
    cdef uint16_t f, pf
    cdef TSSymbol sym
    cdef bint named, first_named
    cdef uint32_t start, end
    cdef int c
    if stack == NULL:
        ts_tree_cursor_delete(&cursor)
        raise MemoryError()
    try:
        stack[0].node = root
        stack[0].field = 0
        stack[0].kind = _kind(g, root)
        stack[0].named_seen = 0
        while True:
            # visit the node under the cursor (the root is never captured)
            if depth > 0:
                node = ts_tree_cursor_current_node(&cursor)
                sym = ts_node_symbol(node)
                k = _kind_of_symbol(g, sym)
                pk = stack[depth - 1].kind
                f = ts_tree_cursor_current_field_id(&cursor) if READS_FIELDS[pk] else 0
                named = g.named[sym]
                parent = stack[depth - 1].node
                gk = stack[depth - 2].kind if depth >= 2 else K_OTHER
                pf = stack[depth - 1].field
                first_named = named and stack[depth - 1].named_seen == 0
                if named:
                    stack[depth - 1].named_seen += 1
                if python:
                    caps = _python_captures(g, k, pk, gk, f, pf, named, first_named, parent)
                    if (k == K_FUNCTION_DEFINITION or k == K_CLASS_DEFINITION) and _documents(g, node):
                        caps |= 1 << C_DOC_OWNER
                else:
                    caps = _js_captures(g, k, pk, gk, f, named, node, parent, src, size)
                if sym < g.symbol_count and g.decisions[sym]:
                    caps |= 1 << C_DECISION
                if caps:
                    start = ts_node_start_byte(node)
                    end = ts_node_end_byte(node)
                    for c in range(C_COUNT):
                        if caps & (1 << c):
                            if c == C_IMPORT:
                                imports.append(mge_node_new(node_type, node, tree))
                            elif end > start or c == C_DECISION or c == C_DOC_OWNER:
                                # (zero-width: a MISSING node error recovery made up, which
                                # names nothing; parser._query_facts drops them too)
                                _push(&out.spans[c], start, end)
                stack[depth].node = node
                stack[depth].field = f
                stack[depth].kind = k
                stack[depth].named_seen = 0
            # next node in document order
            if ts_tree_cursor_goto_first_child(&cursor):
                depth += 1
                if depth >= capacity:
                    capacity *= 2
                    grown = <Frame *>realloc(stack, capacity * sizeof(Frame))
                    if grown == NULL:
                        raise MemoryError()
                    stack = grown
                continue
            while not ts_tree_cursor_goto_next_sibling(&cursor):
                if not ts_tree_cursor_goto_parent(&cursor):
                    return out
                depth -= 1
    finally:
        ts_tree_cursor_delete(&cursor)
        free(stack)


cdef list _ranges(Spans *spans):
    cdef Py_ssize_t i
    return [(spans.items[i].start, spans.items[i].end) for i in range(spans.count)]


cdef list _starts(Spans *spans):
    cdef Py_ssize_t i
    return [spans.items[i].start for i in range(spans.count)]


def collect(tree, bytes source, bint python):
    """The engine query's captures for `tree` (a tree_sitter.Tree of `source`), as lists.

    Returns (comments, strings, interpolations, kwargs, docstrings: ranges; doc owners: start
    offsets; types: ranges; decisions: start offsets; binds, params: ranges; imports: Nodes),
    in document order. What `file_facts` starts from; tests compare it with the query.
    """
    cdef Captures caps = _walk(tree, source, python)
    return (
        _ranges(&caps.spans[C_COMMENT]),
        _ranges(&caps.spans[C_STRING]),
        _ranges(&caps.spans[C_INTERPOLATION]),
        _ranges(&caps.spans[C_KWARG]),
        _ranges(&caps.spans[C_DOCSTRING]),
        _starts(&caps.spans[C_DOC_OWNER]),
        _ranges(&caps.spans[C_TYPE]),
        _starts(&caps.spans[C_DECISION]),
        _ranges(&caps.spans[C_BIND]),
        _ranges(&caps.spans[C_PARAM]),
        caps.imports,
    )


# -- from captures to the facts ParsedSource holds (parser.py does the same in Python) --------

cdef uint8_t NAME_BYTE[256]  # [\w$\x80-\xff]: may continue a name
cdef uint8_t NAME_START[256]  # [A-Za-z_$\x80-\xff]: may start one
cdef uint8_t NOT_BEFORE[256]  # a name does not start right after these (names, dots)
cdef uint8_t SPACE[256]  # what bytes.lstrip strips: ASCII whitespace

cdef void _tables() noexcept:
    cdef int b
    for b in range(256):
        NAME_START[b] = (
            (b >= 65 and b <= 90) or (b >= 97 and b <= 122) or b == 95 or b == 36 or b >= 128
        )
        NAME_BYTE[b] = NAME_START[b] or (b >= 48 and b <= 57)
        NOT_BEFORE[b] = NAME_BYTE[b] or b == 46
        SPACE[b] = b == 32 or (b >= 9 and b <= 13)

_tables()


cdef inline void _blank(unsigned char *buf, Py_ssize_t size, uint32_t start, uint32_t end) noexcept nogil:
    """Every byte of [start, end) but newlines becomes a space (offsets and lines stay)."""
    cdef Py_ssize_t i
    if end > size:
        end = size
    for i in range(start, end):
        if buf[i] != 10:
            buf[i] = 32


cdef list _anchors(const unsigned char *code, Py_ssize_t size):
    """lines.code_anchors: the first non-whitespace byte of every line that has one."""
    cdef list out = []
    cdef Py_ssize_t i
    cdef bint seeking = True
    cdef unsigned char b
    for i in range(size):
        b = code[i]
        if b == 10:
            seeking = True
        elif seeking and not SPACE[b]:
            out.append(i)
            seeking = False
    return out


cdef struct TypeName:
    uint32_t key  # start of the annotation it is in
    uint32_t start
    uint32_t end

cdef const unsigned char *_SORT_TEXT = NULL  # the text qsort's comparator reads (GIL held)

cdef int _by_key_and_name(const void *a, const void *b) noexcept nogil:
    cdef const TypeName *x = <const TypeName *>a
    cdef const TypeName *y = <const TypeName *>b
    cdef uint32_t lx, ly
    cdef int c
    if x.key != y.key:
        return -1 if x.key < y.key else 1
    lx = x.end - x.start
    ly = y.end - y.start
    c = memcmp(_SORT_TEXT + x.start, _SORT_TEXT + y.start, lx if lx < ly else ly)
    if c != 0:
        return c
    return (lx > ly) - (lx < ly)


cdef tuple _type_names(Spans *types, const unsigned char *text, Py_ssize_t size):
    """parser._type_names: (annotation start, name) of every name in an annotation, sorted."""
    global _SORT_TEXT
    cdef TypeName *found = NULL
    cdef TypeName *grown
    cdef Py_ssize_t count = 0, capacity = 0, t, i, j, stop
    cdef list offsets = []
    cdef list names = []
    try:
        for t in range(types.count):
            stop = types.items[t].end if types.items[t].end <= size else size
            i = types.items[t].start
            while i < stop:
                if NAME_START[text[i]] and (i == 0 or not NOT_BEFORE[text[i - 1]]):
                    j = i + 1
                    while j < stop and NAME_BYTE[text[j]]:
                        j += 1
                    if count == capacity:
                        capacity = capacity * 2 if capacity else 64
                        grown = <TypeName *>realloc(found, capacity * sizeof(TypeName))
                        if grown == NULL:
                            raise MemoryError()
                        found = grown
                    found[count].key = types.items[t].start
                    found[count].start = i
                    found[count].end = j
                    count += 1
                    i = j
                else:
                    i += 1
        if count > 1:
            _SORT_TEXT = text
            qsort(found, count, sizeof(TypeName), _by_key_and_name)
            _SORT_TEXT = NULL
        for i in range(count):
            offsets.append(found[i].key)
            names.append(PyBytes_FromStringAndSize(<const char *>text + found[i].start, found[i].end - found[i].start))
        return offsets, names
    finally:
        free(found)


cdef bytes _fresh_copy(bytes source):
    """A new bytes object holding `source`, safe to write into before anyone sees it.

    Not PyBytes_FromStringAndSize(data, 1): that hands out CPython's shared one-byte
    singletons, and writing into one would change b"#" for the whole interpreter. With NULL
    data a one-byte object is always new; the empty one is shared, but nothing writes to it.
    """
    cdef Py_ssize_t size = len(source)
    cdef bytes out = PyBytes_FromStringAndSize(NULL, size)
    if size:
        memcpy(PyBytes_AS_STRING(out), <const char *>source, size)
    return out


cdef bytes _names_text(bytes source, Captures caps):
    """parser._names_text: comments, string bodies and non-variable names blanked."""
    cdef Py_ssize_t size = len(source)
    cdef bytes out = _fresh_copy(source)
    cdef unsigned char *buf = <unsigned char *>PyBytes_AS_STRING(out)
    cdef const unsigned char *src = source
    cdef Spans *strings = &caps.spans[C_STRING]
    cdef Spans *interpolations = &caps.spans[C_INTERPOLATION]
    cdef Spans *others
    cdef Py_ssize_t i, s, lo
    cdef uint32_t start, end
    _sort(strings)
    for i in range(strings.count):
        _blank(buf, size, strings.items[i].start, strings.items[i].end)
    if strings.count and interpolations.count:
        # f-string interpolations hold names: put them back, then blank the strings nested
        # in them again (in order of starts, so the innermost string or interpolation wins)
        _sort(interpolations)
        lo = 0
        for i in range(interpolations.count):
            start = interpolations.items[i].start
            end = interpolations.items[i].end
            if end > size:
                end = size
            if end > start:
                memcpy(buf + start, src + start, end - start)
            while lo < strings.count and strings.items[lo].start < start:
                lo += 1
            s = lo
            while s < strings.count and strings.items[s].start < end:
                _blank(buf, size, strings.items[s].start, strings.items[s].end)
                s += 1
    for c in (C_COMMENT, C_KWARG):
        others = &caps.spans[<int>c]
        for i in range(others.count):
            _blank(buf, size, others.items[i].start, others.items[i].end)
    # `...` (spread, rest, Ellipsis) would hide the name after it from the identifier scans
    i = 0
    while i + 2 < size:
        if buf[i] == 46 and buf[i + 1] == 46 and buf[i + 2] == 46:
            buf[i] = buf[i + 1] = buf[i + 2] = 32
            i += 3
        else:
            i += 1
    return out


cdef tuple _offsets_and_texts(const unsigned char *src, Spans *spans, bint decode):
    cdef list offsets = []
    cdef list names = []
    cdef list texts = [] if decode else None
    cdef Py_ssize_t i
    cdef uint32_t start, end
    for i in range(spans.count):
        start = spans.items[i].start
        end = spans.items[i].end
        offsets.append(start)
        names.append(PyBytes_FromStringAndSize(<const char *>src + start, end - start))
        if decode:
            texts.append(PyUnicode_DecodeUTF8(<const char *>src + start, end - start, "replace"))
    return offsets, names, texts


def file_facts(tree, bytes source, bint python):
    """What parser.MultiLanguageParser.parse derives from the captures, all in one call.

    Returns (code anchors of the LineIndex, names_text, type_offsets, type_names, decisions,
    bind_offsets, bind_names, bind_texts, param_offsets, param_names, imports, docstrings),
    each equal to what the pure-Python path computes.
    """
    cdef Captures caps = _walk(tree, source, python)
    cdef Py_ssize_t size = len(source)
    cdef const unsigned char *src = source
    cdef Spans *comments = &caps.spans[C_COMMENT]
    cdef Spans *docs = &caps.spans[C_DOCSTRING]
    cdef Spans *binds = &caps.spans[C_BIND]
    cdef Spans *params = &caps.spans[C_PARAM]
    cdef Spans *owners = &caps.spans[C_DOC_OWNER]
    cdef Py_ssize_t i, at
    # lines of code: comments and docstrings blanked
    _sort(docs)
    cdef bytes code = _fresh_copy(source)
    cdef unsigned char *code_buf = <unsigned char *>PyBytes_AS_STRING(code)
    for i in range(comments.count):
        _blank(code_buf, size, comments.items[i].start, comments.items[i].end)
    for i in range(docs.count):
        _blank(code_buf, size, docs.items[i].start, docs.items[i].end)
    anchors = _anchors(code_buf, size)
    del code
    names_text = _names_text(source, caps)
    type_offsets, type_names = _type_names(
        &caps.spans[C_TYPE], <const unsigned char *>PyBytes_AS_STRING(names_text), size
    )
    _sort(&caps.spans[C_DECISION])
    decisions = _starts(&caps.spans[C_DECISION])
    # bindings include the parameters
    _sort(params)
    for i in range(params.count):
        _push(binds, params.items[i].start, params.items[i].end)
    _sort(binds)
    bind_offsets, bind_names, bind_texts = _offsets_and_texts(src, binds, True)
    param_offsets, param_names, _ = _offsets_and_texts(src, params, False)
    # a documented definition's docstring: the first docstring at or after its start
    docstrings = {}
    at = 0
    for i in range(owners.count):
        while at < docs.count and docs.items[at].start < owners.items[i].start:
            at += 1
        if at < docs.count:
            docstrings[owners.items[i].start] = (docs.items[at].start, docs.items[at].end)
    imports = caps.imports
    return (
        anchors, names_text, type_offsets, type_names, decisions, bind_offsets, bind_names,
        bind_texts, param_offsets, param_names, imports, docstrings,
    )


def check_layout(tree, node):
    """True when `tree` and `node` (its root node) have the layout this module was built for."""
    if type(tree).__basicsize__ != MGE_TREE_SIZE or type(node).__basicsize__ != MGE_NODE_SIZE:
        return False
    cdef TSNode root = ts_tree_root_node(mge_tree_of(tree))
    cdef TSNode seen = mge_node_of(node)
    return (
        ts_node_eq(root, seen)
        and ts_node_start_byte(root) == node.start_byte
        and ts_node_end_byte(root) == node.end_byte
        and ts_node_child_count(root) == node.child_count
        and (<bytes>ts_node_type(root)).decode() == node.type
    )
