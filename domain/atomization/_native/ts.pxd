# The tree-sitter C API the native core uses, and the layout of the binding's objects.
#
# The core walks trees that py-tree-sitter built: it reads the TSTree inside a
# `tree_sitter.Tree` and makes `tree_sitter.Node` objects where Python code needs nodes. Both
# structs are those of py-tree-sitter 0.26.1 (binding/types.h), whose runtime is vendored in
# third_party/tree-sitter; `domain.atomization._native` checks them at import and falls back
# to pure Python when they do not match.

from libc.stdint cimport uint16_t, uint32_t

cdef extern from "tree_sitter/api.h":
    ctypedef uint16_t TSSymbol
    ctypedef uint16_t TSFieldId
    ctypedef struct TSLanguage:
        pass
    ctypedef struct TSTree:
        pass
    ctypedef struct TSNode:
        uint32_t context[4]
        const void *id
        const TSTree *tree
    ctypedef struct TSTreeCursor:
        pass
    ctypedef enum TSSymbolType:
        TSSymbolTypeRegular
        TSSymbolTypeAnonymous
        TSSymbolTypeSupertype
        TSSymbolTypeAuxiliary

    TSNode ts_tree_root_node(const TSTree *self) nogil
    const TSLanguage *ts_tree_language(const TSTree *self) nogil

    const char *ts_node_type(TSNode self) nogil
    TSSymbol ts_node_symbol(TSNode self) nogil
    uint32_t ts_node_start_byte(TSNode self) nogil
    uint32_t ts_node_end_byte(TSNode self) nogil
    bint ts_node_is_null(TSNode self) nogil
    bint ts_node_is_named(TSNode self) nogil
    bint ts_node_is_missing(TSNode self) nogil
    bint ts_node_is_extra(TSNode self) nogil
    bint ts_node_is_error(TSNode self) nogil
    bint ts_node_has_error(TSNode self) nogil
    TSNode ts_node_parent(TSNode self) nogil
    TSNode ts_node_child(TSNode self, uint32_t child_index) nogil
    uint32_t ts_node_child_count(TSNode self) nogil
    TSNode ts_node_named_child(TSNode self, uint32_t child_index) nogil
    uint32_t ts_node_named_child_count(TSNode self) nogil
    TSNode ts_node_child_by_field_id(TSNode self, TSFieldId field_id) nogil
    TSNode ts_node_next_sibling(TSNode self) nogil
    TSNode ts_node_prev_sibling(TSNode self) nogil
    TSNode ts_node_next_named_sibling(TSNode self) nogil
    TSNode ts_node_prev_named_sibling(TSNode self) nogil
    bint ts_node_eq(TSNode self, TSNode other) nogil

    TSTreeCursor ts_tree_cursor_new(TSNode node) nogil
    void ts_tree_cursor_delete(TSTreeCursor *self) nogil
    TSNode ts_tree_cursor_current_node(const TSTreeCursor *self) nogil
    TSFieldId ts_tree_cursor_current_field_id(const TSTreeCursor *self) nogil
    bint ts_tree_cursor_goto_first_child(TSTreeCursor *self) nogil
    bint ts_tree_cursor_goto_next_sibling(TSTreeCursor *self) nogil
    bint ts_tree_cursor_goto_parent(TSTreeCursor *self) nogil
    uint32_t ts_tree_cursor_current_depth(const TSTreeCursor *self) nogil

    uint32_t ts_language_symbol_count(const TSLanguage *self) nogil
    const char *ts_language_symbol_name(const TSLanguage *self, TSSymbol symbol) nogil
    TSSymbolType ts_language_symbol_type(const TSLanguage *self, TSSymbol symbol) nogil
    uint32_t ts_language_field_count(const TSLanguage *self) nogil
    const char *ts_language_field_name_for_id(const TSLanguage *self, TSFieldId id) nogil
    TSFieldId ts_language_field_id_for_name(const TSLanguage *self, const char *name, uint32_t name_length) nogil


cdef extern from *:
    """
    typedef struct { PyObject_HEAD TSTree *tree; PyObject *source; PyObject *language; } MgePyTree;
    typedef struct { PyObject_HEAD TSNode node; PyObject *children; PyObject *tree; } MgePyNode;

    /* A tree_sitter.Node for `node` of `tree`, as the binding itself makes them. */
    static PyObject *mge_node_new(PyTypeObject *type, TSNode node, PyObject *tree) {
        MgePyNode *self = PyObject_New(MgePyNode, type);
        if (self == NULL) return NULL;
        self->node = node;
        Py_INCREF(tree);
        self->tree = tree;
        self->children = NULL;
        return (PyObject *)self;
    }
    static TSTree *mge_tree_of(PyObject *tree) { return ((MgePyTree *)tree)->tree; }
    static TSNode mge_node_of(PyObject *node) { return ((MgePyNode *)node)->node; }
    static const Py_ssize_t MGE_TREE_SIZE = sizeof(MgePyTree);
    static const Py_ssize_t MGE_NODE_SIZE = sizeof(MgePyNode);
    """
    TSTree *mge_tree_of(object tree)
    TSNode mge_node_of(object node)
    object mge_node_new(type node_type, TSNode node, object tree)
    const Py_ssize_t MGE_TREE_SIZE
    const Py_ssize_t MGE_NODE_SIZE
