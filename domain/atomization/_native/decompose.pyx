# The decomposer (domain/atomization/decomposer.py) on the tree-sitter C API.
#
# `decompose(config, parsed)` returns exactly what `RecursiveDecomposer(config).decompose(parsed)`
# returns in pure Python (tests compare the two on generated, mutated and real sources): the
# same Scope, LeafTable and Segment objects, field for field. The Python module stays the
# reference; every function here names the one it mirrors, and follows it step by step.
#
# Where the time went in Python was touching Node objects (types, children, byte ranges). Here
# units, leaves, scopes and the grouping are computed on TSNodes, offsets and C arrays, node
# types are compared as symbol codes looked up once per language (never as strings), and the
# Python objects the result is made of are built at the end, once each.
#
# Nothing recurses: the walk keeps its own stack, and every descent (wrappers, the value of a
# statement) is a bounded loop, so 500-deep nesting or a 100k-term expression cannot overflow
# the C stack.

from libc.stdint cimport int64_t, uint8_t, uint16_t, uint32_t
from libc.stdlib cimport free, malloc, realloc
from libc.string cimport memchr, memcmp
from cpython.list cimport PyList_GET_ITEM, PyList_New, PyList_SET_ITEM
from cpython.long cimport PyLong_FromVoidPtr
from cpython.ref cimport Py_INCREF
from cpython.unicode cimport PyUnicode_DecodeASCII, PyUnicode_DecodeUTF8

from .ts cimport *

import tree_sitter

cdef extern from "tree_sitter/api.h":
    # (not in ts.pxd)
    void ts_tree_cursor_reset(TSTreeCursor *self, TSNode node) nogil


# Walking children is most of what the stage does to the tree, and the API's ways (a tree
# cursor, ts_node_child) cost some 80 ns a child. This iterator yields the very same TSNodes
# (what ts_node_child(node, i) gives for i = 0, 1, ...) for about half that, from the
# runtime's internal headers: the runtime is vendored and compiled into this module, and is
# the one the binding's trees come from (see ts.pxd). tests/unit/atomization/
# test_native_decompose.py compares it with ts_node_child on every node of real trees.
cdef extern from *:
    """
    #include "subtree.h"
    #include "language.h"
    #include "tree.h"

    /* One level of the walk: the children of a node, or of a hidden node inside it. */
    typedef struct {
      Subtree parent;
      Length position;
      uint32_t count;
      uint32_t child_index;
      uint32_t structural_child_index;
      const TSSymbol *alias_sequence;
    } MgeLevel;

    /* The visible children of one node. Hidden nodes (repetitions, hidden rules) are walked
       through, as ts_node_child and tree cursors do; `levels` grows as deep as they nest. */
    typedef struct {
      const TSTree *tree;
      MgeLevel *levels;
      uint32_t depth;
      uint32_t capacity;
    } MgeChildren;

    static inline void mge_level_init(
      MgeLevel *level, const TSTree *tree, Subtree subtree, Length position
    ) {
      level->parent = subtree;
      level->position = position;
      level->count = ts_subtree_child_count(subtree);
      level->child_index = 0;
      level->structural_child_index = 0;
      level->alias_sequence = level->count
        ? ts_language_alias_sequence(tree->language, subtree.ptr->production_id)
        : NULL;
    }

    /* Starts walking the children of `node`; -1 when out of memory. */
    static inline int mge_children_start(MgeChildren *self, TSNode node) {
      if (self->capacity == 0) {
        self->levels = (MgeLevel *)malloc(16 * sizeof(MgeLevel));
        if (self->levels == NULL) return -1;
        self->capacity = 16;
      }
      Length position = {node.context[0], {node.context[1], node.context[2]}};
      self->tree = node.tree;
      self->depth = 1;
      mge_level_init(&self->levels[0], node.tree, *(const Subtree *)node.id, position);
      return 0;
    }

    /* The next child in *out: 1, or 0 after the last one, or -1 when out of memory. This is
       node.c's NodeChildIterator step, with the descent into hidden nodes of ts_node__child. */
    static inline int mge_children_next(MgeChildren *self, TSNode *out) {
      while (self->depth > 0) {
        MgeLevel *level = &self->levels[self->depth - 1];
        if (level->child_index == level->count) {
          self->depth--;
          continue;
        }
        const Subtree *child = &ts_subtree_children(level->parent)[level->child_index];
        TSSymbol alias = 0;
        if (!ts_subtree_extra(*child)) {
          if (level->alias_sequence) {
            alias = level->alias_sequence[level->structural_child_index];
          }
          level->structural_child_index++;
        }
        if (level->child_index > 0) {
          level->position = length_add(level->position, ts_subtree_padding(*child));
        }
        Length position = level->position;
        level->position = length_add(level->position, ts_subtree_size(*child));
        level->child_index++;
        if (ts_subtree_visible(*child) || alias) {
          *out = ts_node_new(self->tree, child, position, alias);
          return 1;
        }
        if (ts_subtree_visible_child_count(*child) > 0) {
          if (self->depth == self->capacity) {
            MgeLevel *grown = (MgeLevel *)realloc(
              self->levels, 2 * self->capacity * sizeof(MgeLevel)
            );
            if (grown == NULL) return -1;
            self->levels = grown;
            self->capacity *= 2;
          }
          mge_level_init(&self->levels[self->depth], self->tree, *child, position);
          self->depth++;
        }
      }
      return 0;
    }

    /* The node's symbol before ts_node_symbol maps it to the first symbol of the same name:
       the stage's tables go by name, so either does. */
    static inline TSSymbol mge_symbol(TSNode node) {
      TSSymbol alias = (TSSymbol)node.context[3];
      return alias ? alias : ts_subtree_symbol(*(const Subtree *)node.id);
    }
    """
    ctypedef struct MgeChildren:
        void *levels
        uint32_t capacity
    int mge_children_start(MgeChildren *self, TSNode node) nogil
    int mge_children_next(MgeChildren *self, TSNode *out) nogil
    TSSymbol mge_symbol(TSNode node) nogil


cdef inline int _start(MgeChildren *it, TSNode node) except -1:
    if mge_children_start(it, node) < 0:
        raise MemoryError()
    return 0


cdef inline int _next(MgeChildren *it, TSNode *out) except -1:
    """1 with the next child in *out, 0 after the last."""
    cdef int got = mge_children_next(it, out)
    if got < 0:
        raise MemoryError()
    return got


cdef extern from *:
    """
    #include <structmember.h>
    /* Offset of the slot a member descriptor (a __slots__ attribute) stands for, or -1 when
       `descr` is anything else. */
    static Py_ssize_t mge_slot_offset(PyObject *descr) {
        if (!Py_IS_TYPE(descr, &PyMemberDescr_Type)) return -1;
        PyMemberDef *m = ((PyMemberDescrObject *)descr)->d_member;
        if (m->type != T_OBJECT_EX || (m->flags & READONLY)) return -1;
        return m->offset;
    }
    /* A new instance of `type` with every slot empty: what object.__new__(type) makes. */
    static PyObject *mge_alloc(PyObject *type) {
        PyTypeObject *t = (PyTypeObject *)type;
        return t->tp_alloc(t, 0);
    }
    /* Sets the (empty) slot at `offset` of an instance fresh from mge_alloc. */
    static void mge_fill(PyObject *obj, Py_ssize_t offset, PyObject *value) {
        Py_INCREF(value);
        *(PyObject **)((char *)obj + offset) = value;
    }
    """
    Py_ssize_t mge_slot_offset(object descr)
    object mge_alloc(object type)
    void mge_fill(object obj, Py_ssize_t offset, object value)


# -- per-language symbol tables ----------------------------------------------------------------

# What the decomposer asks of a node type, as bits: the LanguageSpec sets and syntax.py's own.
cdef enum:
    S_COMMENT = 1 << 0
    S_FORWARD = 1 << 1  # attach_forward_types
    S_BLOCK = 1 << 2
    S_CLAUSE = 1 << 3
    S_BODY_FIELD = 1 << 4
    S_MEMBER_OBJECT = 1 << 5
    S_FUNCTION = 1 << 6
    S_CLASS = 1 << 7
    S_TYPE_DECL = 1 << 8
    S_IMPORT = 1 << 9
    S_PLAIN = 1 << 10  # syntax._PLAIN_STATEMENTS
    S_FUNCTION_VALUE = 1 << 11  # syntax._FUNCTION_VALUES
    S_CLASS_VALUE = 1 << 12  # syntax._CLASS_VALUES
    S_PASSTHROUGH = 1 << 13  # a key of spec.passthrough

# Node types the Python code compares with a literal.
cdef enum Code:
    X_OTHER = 0
    X_ERROR
    X_EXPORT_STATEMENT
    X_AMBIENT_DECLARATION
    X_PAIR
    X_EXPRESSION_STATEMENT
    X_FUNCTION_SIGNATURE
    X_STRING
    X_COMPUTED_PROPERTY_NAME
    X_LEXICAL_DECLARATION
    X_VARIABLE_DECLARATION
    X_VARIABLE_DECLARATOR
    X_AWAIT_EXPRESSION
    X_CALL_EXPRESSION
    X_IDENTIFIER
    X_IMPORT
    X_ASSIGNMENT
    X_ASSIGNMENT_EXPRESSION
    X_INTERNAL_MODULE
    X_PUBLIC_FIELD_DEFINITION
    X_FIELD_DEFINITION

_CODES = {
    "ERROR": X_ERROR,
    "export_statement": X_EXPORT_STATEMENT,
    "ambient_declaration": X_AMBIENT_DECLARATION,
    "pair": X_PAIR,
    "expression_statement": X_EXPRESSION_STATEMENT,
    "function_signature": X_FUNCTION_SIGNATURE,
    "string": X_STRING,
    "computed_property_name": X_COMPUTED_PROPERTY_NAME,
    "lexical_declaration": X_LEXICAL_DECLARATION,
    "variable_declaration": X_VARIABLE_DECLARATION,
    "variable_declarator": X_VARIABLE_DECLARATOR,
    "await_expression": X_AWAIT_EXPRESSION,
    "call_expression": X_CALL_EXPRESSION,
    "identifier": X_IDENTIFIER,
    "import": X_IMPORT,
    "assignment": X_ASSIGNMENT,
    "assignment_expression": X_ASSIGNMENT_EXPRESSION,
    "internal_module": X_INTERNAL_MODULE,
    "public_field_definition": X_PUBLIC_FIELD_DEFINITION,
    "field_definition": X_FIELD_DEFINITION,
}

cdef enum Field:
    F_BODY = 0
    F_VALUE
    F_NAME
    F_KEY
    F_LEFT
    F_FUNCTION
    F_COUNT

_FIELDS = ("body", "value", "name", "key", "left", "function")

cdef uint16_t ERROR_SYMBOL = 0xFFFF


cdef class Grammar:
    """The bits and codes of every symbol of one language under one LanguageSpec.

    Built from symbol names, like the Python code's string comparisons: two symbols of the
    same name (a keyword and a node both called `class`) get the same answers, as they do there.
    Slot `count` is the ERROR symbol (65535); slot `count + 1` any other builtin.
    """

    cdef uint16_t *bits
    cdef uint8_t *codes
    cdef uint16_t *pass_field  # field of spec.passthrough to follow (0: the grammar lacks it)
    cdef uint32_t count
    cdef uint16_t fields[<int>F_COUNT]
    cdef bint python  # spec.doc_comment_prefix is None
    cdef object spec  # kept alive: the cache key holds its id

    def __dealloc__(self):
        free(self.bits)
        free(self.codes)
        free(self.pass_field)


cdef dict _GRAMMARS = {}


cdef tuple _describe_name(str name, spec, frozenset plain):
    cdef uint16_t bits = 0
    if name in spec.comment_types:
        bits |= S_COMMENT
    if name in spec.attach_forward_types:
        bits |= S_FORWARD
    if name in spec.block_types:
        bits |= S_BLOCK
    if name in spec.clause_types:
        bits |= S_CLAUSE
    if name in spec.body_field_types:
        bits |= S_BODY_FIELD
    if name in spec.member_object_types:
        bits |= S_MEMBER_OBJECT
    if name in spec.function_types:
        bits |= S_FUNCTION
    if name in spec.class_types:
        bits |= S_CLASS
    if name in spec.type_decl_types:
        bits |= S_TYPE_DECL
    if name in spec.import_types:
        bits |= S_IMPORT
    if name in plain:
        bits |= S_PLAIN
    if name in _FUNCTION_VALUES:
        bits |= S_FUNCTION_VALUE
    if name in _CLASS_VALUES:
        bits |= S_CLASS_VALUE
    field_name = spec.passthrough.get(name)
    if field_name is not None:
        bits |= S_PASSTHROUGH
    return bits, _CODES.get(name, X_OTHER), field_name


cdef const TSLanguage *_last_language = NULL
cdef Grammar _last_grammar = None


cdef Grammar _grammar(const TSLanguage *language, spec):
    global _last_language, _last_grammar
    # files come in runs of one language: skip the dict for the same one as last time
    if language == _last_language and _last_grammar.spec is spec:
        return _last_grammar
    key = (<size_t>language, id(spec))
    cached = _GRAMMARS.get(key)
    if cached is not None:
        _last_language = language
        _last_grammar = <Grammar>cached
        return _last_grammar
    from ..syntax import _PLAIN_STATEMENTS

    cdef Grammar g = Grammar.__new__(Grammar)
    cdef uint32_t count = ts_language_symbol_count(language)
    cdef uint32_t sym, slot
    cdef const char *raw
    g.spec = spec
    g.count = count
    g.python = spec.doc_comment_prefix is None
    g.bits = <uint16_t *>malloc((count + 2) * sizeof(uint16_t))
    g.codes = <uint8_t *>malloc(count + 2)
    g.pass_field = <uint16_t *>malloc((count + 2) * sizeof(uint16_t))
    if g.bits == NULL or g.codes == NULL or g.pass_field == NULL:
        raise MemoryError()
    for slot in range(count + 2):
        if slot < count:
            raw = ts_language_symbol_name(language, <TSSymbol>slot)
        elif slot == count:
            raw = ts_language_symbol_name(language, ERROR_SYMBOL)
        else:
            raw = ts_language_symbol_name(language, <TSSymbol>(ERROR_SYMBOL - 1))
        g.bits[slot] = 0
        g.codes[slot] = X_OTHER
        g.pass_field[slot] = 0
        if raw == NULL:
            continue
        name = (<bytes>raw).decode("utf-8", "replace")
        bits, code, field_name = _describe_name(name, spec, _PLAIN_STATEMENTS)
        g.bits[slot] = bits
        g.codes[slot] = code
        if field_name is not None:
            encoded = field_name.encode()
            g.pass_field[slot] = ts_language_field_id_for_name(language, encoded, len(encoded))
    cdef int i
    for i, field_name in enumerate(_FIELDS):
        encoded = field_name.encode()
        # 0 when the grammar lacks the field: ts_node_child_by_field_id then finds nothing,
        # as child_by_field_name does
        g.fields[i] = ts_language_field_id_for_name(language, encoded, len(encoded))
    _GRAMMARS[key] = g
    _last_language = language
    _last_grammar = g
    return g


_FUNCTION_VALUES = frozenset(
    {"arrow_function", "function_expression", "function", "generator_function"}
)
_CLASS_VALUES = frozenset({"class"})


cdef inline uint32_t _slot(Grammar g, TSNode node) noexcept nogil:
    cdef TSSymbol sym = mge_symbol(node)
    if sym < g.count:
        return sym
    return g.count if sym == ERROR_SYMBOL else g.count + 1


cdef inline uint16_t _bits(Grammar g, TSNode node) noexcept nogil:
    return g.bits[_slot(g, node)]


cdef inline uint8_t _code(Grammar g, TSNode node) noexcept nogil:
    return g.codes[_slot(g, node)]


# -- buffers -----------------------------------------------------------------------------------

cdef struct NodeVec:
    TSNode *data
    Py_ssize_t size
    Py_ssize_t cap


cdef int _grow(void **data, Py_ssize_t *cap, Py_ssize_t need, size_t item) except -1:
    cdef Py_ssize_t new_cap = cap[0] * 2 if cap[0] else 16
    while new_cap < need:
        new_cap *= 2
    cdef void *grown = realloc(data[0], new_cap * item)
    if grown == NULL:
        raise MemoryError()
    data[0] = grown
    cap[0] = new_cap
    return 0


cdef inline int _push(NodeVec *v, TSNode node) except -1:
    if v.size >= v.cap:
        _grow(<void **>&v.data, &v.cap, v.size + 1, sizeof(TSNode))
    v.data[v.size] = node
    v.size += 1
    return 0


cdef struct Unit:
    TSNode node
    bint has_node
    int64_t start  # while units are gathered: first byte (leading comments included)
    int64_t end  # while units are gathered: last byte (trailing comment included)


cdef struct Work:
    TSNode node
    bint has_node
    int64_t start
    int64_t end
    Py_ssize_t scope


cdef struct LeafRec:
    TSNode node
    bint has_node
    bint has_reason
    int64_t start
    int64_t end
    int64_t loc
    int64_t decisions
    int64_t lines
    Py_ssize_t scope


cdef struct ScopeRec:
    TSNode unit
    TSNode container
    Py_ssize_t parent
    Py_ssize_t depth
    uint8_t kind
    int64_t start
    int64_t end
    Py_ssize_t first_leaf
    Py_ssize_t last_leaf


# Scope kinds.
cdef enum:
    K_MODULE = 0
    K_CLASS
    K_FUNCTION
    K_METHOD
    K_TYPE
    K_BLOCK

_SCOPE_KINDS = ("module", "class", "function", "method", "type", "block")

# Member kinds (syntax.describe_member).
cdef enum:
    M_STATEMENT = 0
    M_COMMENT
    M_IMPORT
    M_FUNCTION
    M_CLASS
    M_TYPE

_MEMBER_KINDS = ("statement", "comment", "import", "function", "class", "type")

# Grouping costs and bounds: decomposer.py's.
cdef int64_t SMALL = 1000
cdef int64_t CROSSING = 300
cdef int64_t COMPLEXITY = 40
cdef int64_t OVERSIZED = 100_000
cdef Py_ssize_t MAX_GROUP_LEAVES = 128
cdef int64_t WIDE_LINE = 400
cdef int MAX_DESCENT = 64
cdef int64_t SPLIT_FACTOR = 2
cdef int UNWRAP_LEVELS = 8
cdef int NAMING_LEVELS = 6
cdef int HEADER_LINES = 6


# -- bytes --------------------------------------------------------------------------------------

cdef inline Py_ssize_t _bisect(const int64_t *values, Py_ssize_t n, int64_t x) noexcept nogil:
    """bisect_left"""
    cdef Py_ssize_t lo = 0, hi = n, mid
    while lo < hi:
        mid = (lo + hi) >> 1
        if values[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    return lo


cdef inline Py_ssize_t _bisect_from(
    const int64_t *values, Py_ssize_t n, Py_ssize_t lo, int64_t x
) noexcept nogil:
    """bisect_left, knowing that values[:lo] are all below x: gallops from lo, so that a
    nearby answer (the end of a small unit) costs a few steps."""
    cdef Py_ssize_t step = 1, hi = lo, mid
    while hi < n and values[hi] < x:
        lo = hi + 1
        hi = lo + step
        step <<= 1
    if hi > n:
        hi = n
    while lo < hi:
        mid = (lo + hi) >> 1
        if values[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    return lo


cdef inline int64_t _count_nl(
    const unsigned char *src, int64_t size, int64_t a, int64_t b
) noexcept nogil:
    """source.count(b"\\n", a, b)"""
    cdef int64_t n = 0
    cdef const unsigned char *p
    cdef const unsigned char *stop
    if b > size:
        b = size
    if a < 0:
        a = 0
    if b <= a:
        return 0
    p = src + a
    stop = src + b
    while p < stop:
        p = <const unsigned char *>memchr(p, 10, stop - p)
        if p == NULL:
            break
        n += 1
        p += 1
    return n


cdef inline int64_t _rfind_nl(const unsigned char *src, int64_t a, int64_t b) noexcept nogil:
    """source.rfind(b"\\n", a, b) (a >= 0, b <= len(source))"""
    while b > a:
        b -= 1
        if src[b] == 10:
            return b
    return -1


cdef inline bint _blank(const unsigned char *src, int64_t a, int64_t b) noexcept nogil:
    """not source[a:b].strip(): only ASCII whitespace in [a, b)."""
    cdef unsigned char c
    while a < b:
        c = src[a]
        if c != 32 and c != 9 and c != 10 and c != 13 and c != 11 and c != 12:
            return False
        a += 1
    return True


cdef inline int64_t _width(int64_t nbytes, int64_t lines_spanned) noexcept nogil:
    """decomposer._width"""
    return nbytes // WIDE_LINE if nbytes > WIDE_LINE * lines_spanned else 0


# -- the stage ------------------------------------------------------------------------------------

# Bound on first use (decomposer.py imports this module, so it cannot import that one first).
cdef bint _bound = False
cdef object _header_text = None

_SCOPE_FIELDS = (
    "id", "parent", "depth", "kind", "name", "qualname", "header", "unit", "container", "start",
    "end", "first_leaf", "last_leaf",
)
_SEGMENT_FIELDS = (
    "start", "end", "first_leaf", "last_leaf", "loc", "complexity", "oversized",
    "oversize_reason", "kind", "name", "lca", "enclosing", "opened", "members", "member_kinds",
    "member_names", "member_inners",
)
_TABLE_FIELDS = ("starts", "ends", "nodes", "scopes", "locs", "decisions", "lines", "reasons")
_DECOMPOSITION_FIELDS = ("scopes", "table", "segments")


cdef class _Maker:
    """Makes instances of a slotted class by filling its slots (in `fields` order) directly.

    Scopes and segments are made by the ten thousand; their dataclass __init__, Python code,
    would cost about as much as the rest of the stage. Filling the slots is what that
    __init__ does, and is only done when the class is still such a plain slotted class
    (`direct`); otherwise the class is called.
    """

    cdef object cls
    cdef tuple fields
    cdef bint dataclass  # else: a class whose __init__ takes no arguments
    cdef bint direct
    cdef Py_ssize_t offsets[20]

    cdef object make(self, tuple values):
        cdef Py_ssize_t k
        if not self.direct:
            if self.dataclass:
                return self.cls(*values)
            obj = self.cls()
            for name, value in zip(self.fields, values):
                setattr(obj, name, value)
            return obj
        obj = mge_alloc(self.cls)
        for k in range(len(values)):
            mge_fill(obj, self.offsets[k], values[k])
        return obj


cdef _Maker _maker(cls, tuple fields, bint dataclass):
    import dataclasses

    cdef _Maker maker = _Maker.__new__(_Maker)
    cdef Py_ssize_t k, offset
    maker.cls = cls
    maker.fields = fields
    maker.dataclass = dataclass
    maker.direct = False
    if (
        type(cls) is not type
        or cls.__new__ is not object.__new__
        or hasattr(cls, "__post_init__")
        or set(getattr(cls, "__slots__", ())) != set(fields)
        or len(fields) > 20
    ):
        return maker
    if dataclass and (
        not dataclasses.is_dataclass(cls)
        or not cls.__dataclass_params__.init  # an __init__ of its own
        or tuple(f.name for f in dataclasses.fields(cls) if f.init) != fields
    ):
        return maker
    for k, name in enumerate(fields):
        offset = mge_slot_offset(cls.__dict__.get(name))
        if offset < 0:
            return maker
        maker.offsets[k] = offset
    maker.direct = True
    return maker


cdef _Maker _make_scope = None
cdef _Maker _make_segment = None
cdef _Maker _make_table = None
cdef _Maker _make_decomposition = None


cdef object _new_segment(
    start,
    end,
    Py_ssize_t first_leaf,
    Py_ssize_t last_leaf,
    int64_t loc,
    int64_t complexity,
    reason,
    kind,
    name,
    Py_ssize_t lca,
    list enclosing,
    list opened,
    list members,
    list kinds,
    list names,
    list inners,
):
    """Segment(...), without the argument tuple of _Maker.make: there is one per atom."""
    cdef _Maker maker = _make_segment
    if not maker.direct:
        return maker.cls(
            start, end, first_leaf, last_leaf, loc, complexity, reason is not None, reason,
            kind, name, lca, enclosing, opened, members, kinds, names, inners,
        )
    cdef Py_ssize_t *at = maker.offsets
    obj = mge_alloc(maker.cls)
    mge_fill(obj, at[0], start)
    mge_fill(obj, at[1], end)
    mge_fill(obj, at[2], first_leaf)
    mge_fill(obj, at[3], last_leaf)
    mge_fill(obj, at[4], loc)
    mge_fill(obj, at[5], complexity)
    mge_fill(obj, at[6], reason is not None)
    mge_fill(obj, at[7], reason)
    mge_fill(obj, at[8], kind)
    mge_fill(obj, at[9], name)
    mge_fill(obj, at[10], lca)
    mge_fill(obj, at[11], enclosing)
    mge_fill(obj, at[12], opened)
    mge_fill(obj, at[13], members)
    mge_fill(obj, at[14], kinds)
    mge_fill(obj, at[15], names)
    mge_fill(obj, at[16], inners)
    return obj


cdef _bind():
    """The reference module's classes, and its header formatting for the rare headers."""
    global _bound, _header_text, _make_scope, _make_segment, _make_table, _make_decomposition
    from .. import decomposer as ref

    _header_text = ref._header_text
    _make_decomposition = _maker(ref.Decomposition, _DECOMPOSITION_FIELDS, True)
    _make_scope = _maker(ref.Scope, _SCOPE_FIELDS, True)
    _make_segment = _maker(ref.Segment, _SEGMENT_FIELDS, True)
    # LeafTable's __init__ makes empty lists, which the stage would replace at once
    _make_table = _maker(ref.LeafTable, _TABLE_FIELDS, False)
    _bound = True


def makers_are_direct():
    """Whether scopes, segments and leaf tables are made by filling their slots (tests)."""
    if not _bound:
        _bind()
    return (
        _make_scope.direct
        and _make_segment.direct
        and _make_table.direct
        and _make_decomposition.direct
    )


def decompose(config, parsed):
    """RecursiveDecomposer(config).decompose(parsed), natively."""
    if not _bound:
        _bind()
    cdef _Decomposer d = _Decomposer.__new__(_Decomposer)
    d.setup(config, parsed)
    return d.run()


cdef class _Decomposer:
    cdef Grammar g
    cdef object parsed
    cdef object tree
    cdef type node_type
    cdef bytes source
    cdef const unsigned char *src
    cdef int64_t size
    cdef int64_t *anchors
    cdef Py_ssize_t n_anchors
    cdef int64_t *decisions
    cdef Py_ssize_t n_decisions
    cdef MgeChildren outer  # child walks (two: one nests in the other)
    cdef MgeChildren inner
    cdef TSTreeCursor cursor  # for field ids (JS switch cases), made on first use
    cdef bint has_cursor
    cdef TSNode root
    # configuration
    cdef int64_t target, max_loc, min_loc, max_cx
    # work buffers
    cdef NodeVec kids  # children an opened node is cut between
    cdef NodeVec decls  # declarators of a member
    cdef NodeVec path  # open(): from the unit down to the container
    cdef Unit *gathered  # _units: primary nodes, before the cuts are placed
    cdef Py_ssize_t gathered_cap
    cdef Unit *units  # _units' result: (node, start, end) tiling a span
    cdef Py_ssize_t n_units
    cdef Py_ssize_t units_cap
    cdef Work *stack
    cdef Py_ssize_t stack_size
    cdef Py_ssize_t stack_cap
    # result
    cdef LeafRec *leaves
    cdef Py_ssize_t n_leaves
    cdef Py_ssize_t leaves_cap
    cdef ScopeRec *scopes
    cdef Py_ssize_t n_scopes
    cdef Py_ssize_t scopes_cap
    cdef list names  # by scope
    cdef list quals
    cdef list headers
    cdef dict reasons
    cdef TSNode described  # describe()'s results besides the kind
    cdef object described_name

    def __dealloc__(self):
        if self.has_cursor:
            ts_tree_cursor_delete(&self.cursor)
        free(self.outer.levels)
        free(self.inner.levels)
        free(self.anchors)
        free(self.decisions)
        free(self.kids.data)
        free(self.decls.data)
        free(self.path.data)
        free(self.gathered)
        free(self.units)
        free(self.stack)
        free(self.leaves)
        free(self.scopes)

    cdef setup(self, config, parsed):
        self.parsed = parsed
        self.tree = parsed.tree
        self.node_type = tree_sitter.Node
        self.source = parsed.source
        self.src = self.source
        self.size = len(self.source)
        cdef TSTree *ts_tree = mge_tree_of(self.tree)
        self.root = ts_tree_root_node(ts_tree)
        self.g = _grammar(ts_tree_language(ts_tree), parsed.spec)
        self.target = config.target_loc
        self.max_loc = config.max_loc
        self.min_loc = config.min_loc
        self.max_cx = config.max_complexity
        self.anchors = _int_array(parsed.lines.anchors, &self.n_anchors)
        self.decisions = _int_array(parsed.decisions, &self.n_decisions)
        self.names = []
        self.quals = []
        self.headers = []
        self.reasons = {}

    cdef object node(self, TSNode node):
        return mge_node_new(self.node_type, node, self.tree)

    cdef inline int64_t loc(self, int64_t start, int64_t end) noexcept:
        """parsed.lines.loc"""
        cdef Py_ssize_t n = self.n_anchors
        return _bisect(self.anchors, n, end) - _bisect(self.anchors, n, start)

    cdef str text(self, TSNode node):
        """syntax.text_of"""
        cdef int64_t start = ts_node_start_byte(node)
        cdef int64_t end = ts_node_end_byte(node)
        if end > self.size:
            end = self.size
        if start > end:
            start = end
        return PyUnicode_DecodeUTF8(<const char *>self.src + start, end - start, "replace")

    # -- children ----------------------------------------------------------------------------

    cdef int children(self, TSNode node, NodeVec *out, bint named_only) except -1:
        """Append node.children (node.named_children) to `out`."""
        cdef MgeChildren *it = &self.outer
        cdef TSNode child
        _start(it, node)
        while _next(it, &child):
            if not named_only or ts_node_is_named(child):
                _push(out, child)
        return 0

    # -- syntax.py --------------------------------------------------------------------------------

    cdef TSNode unwrap(self, TSNode node, NodeVec *path=NULL) except *:
        """syntax.unwrap (appending the nodes it steps into to `path`, if given)"""
        cdef TSNode inner
        cdef bint stepped
        cdef int level
        for level in range(UNWRAP_LEVELS):
            inner = self.unwrap_step(node, &stepped)
            if not stepped:
                return node
            node = inner
            if path != NULL:
                _push(path, node)
        return node

    cdef TSNode unwrap_step(self, TSNode node, bint *stepped) noexcept:
        """One turn of syntax.unwrap's loop: the wrapped node (a child), if `node` wraps one."""
        cdef Grammar g = self.g
        cdef uint32_t slot = _slot(g, node)
        cdef uint8_t code = g.codes[slot]
        cdef TSNode inner
        stepped[0] = True
        if not (g.bits[slot] & S_PASSTHROUGH):
            if code == X_EXPORT_STATEMENT:
                inner = ts_node_child_by_field_id(node, g.fields[<int>F_VALUE])
                if not ts_node_is_null(inner):
                    return inner
            elif code == X_AMBIENT_DECLARATION and ts_node_named_child_count(node):
                return ts_node_named_child(node, 0)
            stepped[0] = False
            return node
        inner = ts_node_child_by_field_id(node, g.pass_field[slot])
        if ts_node_is_null(inner):
            if code == X_EXPORT_STATEMENT:
                inner = ts_node_child_by_field_id(node, g.fields[<int>F_VALUE])
            if ts_node_is_null(inner):
                stepped[0] = False
                return node
        return inner

    cdef int js_declarators(self, TSNode node) except -1:
        """syntax._js_declarators, into self.decls"""
        cdef Grammar g = self.g
        cdef uint8_t code = _code(g, node)
        cdef MgeChildren *it = &self.outer
        cdef TSNode child
        self.decls.size = 0
        if code != X_LEXICAL_DECLARATION and code != X_VARIABLE_DECLARATION:
            return 0
        _start(it, node)
        while _next(it, &child):
            if ts_node_is_named(child) and _code(g, child) == X_VARIABLE_DECLARATOR:
                _push(&self.decls, child)
        return 0

    cdef bint is_require(self, TSNode value) noexcept:
        """syntax._is_require"""
        cdef Grammar g = self.g
        cdef TSNode fn
        cdef int64_t start
        cdef uint8_t code
        if ts_node_is_null(value):
            return False
        if _code(g, value) == X_AWAIT_EXPRESSION and ts_node_named_child_count(value):
            value = ts_node_named_child(value, 0)
        if _code(g, value) != X_CALL_EXPRESSION:
            return False
        fn = ts_node_child_by_field_id(value, g.fields[<int>F_FUNCTION])
        if ts_node_is_null(fn):
            return False
        code = _code(g, fn)
        if code != X_IDENTIFIER and code != X_IMPORT:
            return False
        start = ts_node_start_byte(fn)
        # text_of(fn) == "require": decoding cannot make "require" of other bytes
        return (
            ts_node_end_byte(fn) - start == 7
            and start + 7 <= self.size
            and memcmp(self.src + start, b"require", 7) == 0
        )

    cdef object statement_name(self, TSNode statement):
        """syntax._statement_name"""
        cdef Grammar g = self.g
        cdef TSNode first = ts_node_named_child(statement, 0)
        cdef uint8_t code = _code(g, first)
        cdef TSNode part
        if code == X_ASSIGNMENT:
            part = ts_node_child_by_field_id(first, g.fields[<int>F_LEFT])
            if not ts_node_is_null(part) and _code(g, part) == X_IDENTIFIER:
                return self.text(part)
        elif code == X_INTERNAL_MODULE:
            part = ts_node_child_by_field_id(first, g.fields[<int>F_NAME])
            if ts_node_is_null(part):
                return None
            return self.text(part) or None
        return None

    cdef object inner_name(self, TSNode inner):
        """syntax._inner_name, with self.decls holding _js_declarators(inner)"""
        cdef Grammar g = self.g
        cdef TSNode name = ts_node_child_by_field_id(inner, g.fields[<int>F_NAME])
        cdef uint8_t code
        if not ts_node_is_null(name):
            code = _code(g, name)
            if code != X_STRING and code != X_COMPUTED_PROPERTY_NAME:
                return self.text(name)
        if self.decls.size == 1:
            name = ts_node_child_by_field_id(self.decls.data[0], g.fields[<int>F_NAME])
            if not ts_node_is_null(name) and _code(g, name) == X_IDENTIFIER:
                return self.text(name)
        if ts_node_named_child_count(inner) and _code(g, inner) == X_EXPRESSION_STATEMENT:
            return self.statement_name(inner)
        return None

    cdef int describe(self, TSNode node) except -1:
        """syntax.describe_member: returns the kind; the unwrapped node and the name go to
        self.described and self.described_name."""
        cdef Grammar g = self.g
        cdef uint32_t slot = _slot(g, node)
        cdef uint16_t bits = g.bits[slot]
        cdef uint32_t count
        cdef TSNode inner, value
        cdef uint16_t inner_bits
        cdef int kind
        cdef Py_ssize_t k
        cdef bint all_require
        self.described = node
        self.described_name = None
        if bits & S_PLAIN:
            return M_STATEMENT
        if bits & S_COMMENT:
            return M_COMMENT
        if bits & S_IMPORT:
            return M_IMPORT
        if g.codes[slot] == X_EXPRESSION_STATEMENT:
            count = ts_node_named_child_count(node)
            if (
                count == 1
                and g.python
                and _code(g, ts_node_named_child(node, 0)) == X_STRING
            ):
                return M_COMMENT
            if count:
                self.described_name = self.statement_name(node)
            return M_STATEMENT
        inner = self.unwrap(node)
        self.described = inner
        inner_bits = _bits(g, inner)
        self.js_declarators(inner)
        if inner_bits & S_FUNCTION or _code(g, inner) == X_FUNCTION_SIGNATURE:
            kind = M_FUNCTION
        elif inner_bits & S_CLASS:
            kind = M_CLASS
        elif inner_bits & S_TYPE_DECL:
            kind = M_TYPE
        else:
            kind = M_STATEMENT
            if self.decls.size:
                all_require = True
                for k in range(self.decls.size):
                    value = ts_node_child_by_field_id(self.decls.data[k], g.fields[<int>F_VALUE])
                    if not self.is_require(value):
                        all_require = False
                        break
                if all_require:
                    return M_IMPORT
                if self.decls.size == 1:
                    if not ts_node_is_null(value):
                        inner_bits = _bits(g, value)
                        if inner_bits & S_FUNCTION_VALUE:
                            kind = M_FUNCTION
                        elif inner_bits & S_CLASS_VALUE:
                            kind = M_CLASS
        self.described_name = self.inner_name(inner)
        return kind

    cdef object scope_name(self, TSNode container, TSNode unit):
        """syntax.scope_name, right after open(): the parents are those in self.path"""
        cdef Grammar g = self.g
        cdef TSNode name = ts_node_child_by_field_id(container, g.fields[<int>F_NAME])
        cdef TSNode node, parent, part
        cdef uint8_t code
        cdef int level
        cdef Py_ssize_t at = self.path.size - 1  # node's place in the path
        if not ts_node_is_null(name):
            code = _code(g, name)
            if code != X_STRING and code != X_COMPUTED_PROPERTY_NAME:
                return self.text(name)
        node = container
        for level in range(NAMING_LEVELS):
            if node.id == unit.id:
                break
            if at > 0:
                at -= 1
                parent = self.path.data[at]
            else:  # (the path starts at the unit: not reached)
                parent = ts_node_parent(node)
            if ts_node_is_null(parent):
                break
            code = _code(g, parent)
            if (
                code == X_VARIABLE_DECLARATOR
                or code == X_PUBLIC_FIELD_DEFINITION
                or code == X_FIELD_DEFINITION
            ):
                part = ts_node_child_by_field_id(parent, g.fields[<int>F_NAME])
                return None if ts_node_is_null(part) else self.text(part)
            if code == X_PAIR:
                part = ts_node_child_by_field_id(parent, g.fields[<int>F_KEY])
                return None if ts_node_is_null(part) else self.text(part).strip("'\"`")
            if code == X_ASSIGNMENT_EXPRESSION or code == X_ASSIGNMENT:
                part = ts_node_child_by_field_id(parent, g.fields[<int>F_LEFT])
                return None if ts_node_is_null(part) else self.text(part)
            node = parent
        return None

    # -- step 1 and 2: units and leaves -----------------------------------------------------------

    cdef Py_ssize_t gather_units(
        self, NodeVec *nodes, int64_t span_start, int64_t span_end
    ) except -1:
        """decomposer._units: fills self.units, returns how many."""
        cdef Grammar g = self.g
        cdef const unsigned char *src = self.src
        cdef Unit *prims
        cdef Py_ssize_t m = 0, k, kept
        cdef int64_t pending_first = -1, pending_last = -1
        cdef int64_t sb, eb, first, line_start, cut, nl
        cdef uint16_t bits
        cdef TSNode n
        cdef Py_ssize_t idx
        if self.gathered_cap < nodes.size + 1:
            _grow(<void **>&self.gathered, &self.gathered_cap, nodes.size + 1, sizeof(Unit))
        prims = self.gathered
        for idx in range(nodes.size):
            n = nodes.data[idx]
            sb = ts_node_start_byte(n)
            eb = ts_node_end_byte(n)
            if eb <= sb or sb < span_start or eb > span_end:
                continue  # zero-width MISSING nodes live inside their neighbours
            if m and sb < prims[m - 1].end:
                continue  # overlapping recovery nodes: keep the first
            bits = _bits(g, n)
            if bits & S_COMMENT:
                if (
                    m
                    and pending_first < 0
                    and memchr(src + prims[m - 1].end, 10, sb - prims[m - 1].end) == NULL
                ):
                    prims[m - 1].end = eb  # trailing comment on the unit's last line
                    continue
                if pending_first < 0:
                    pending_first = sb
                pending_last = eb
                continue
            if bits & S_FORWARD:
                if pending_first < 0:
                    pending_first = sb
                pending_last = eb
                continue
            if not ts_node_is_named(n):
                continue
            prims[m].node = n
            prims[m].has_node = True
            prims[m].start = pending_first if pending_first >= 0 else sb
            prims[m].end = eb
            m += 1
            pending_first = -1
        if pending_first >= 0:
            if m:
                if pending_last > prims[m - 1].end:
                    prims[m - 1].end = pending_last
            else:
                prims[0].has_node = False
                prims[0].start = pending_first
                prims[0].end = pending_last
                m = 1
        self.n_units = 0
        if m == 0:
            return 0
        if self.units_cap < m + 1:
            _grow(<void **>&self.units, &self.units_cap, m + 1, sizeof(Unit))
        cdef Unit *out = self.units
        out[0].node = prims[0].node
        out[0].has_node = prims[0].has_node
        out[0].start = span_start
        kept = 1
        for k in range(1, m):
            first = prims[k].start
            # line_start = rfind(b"\n", 0, first) + 1 is at or after the previous unit's end
            # only when a newline lies in [end - 1, first): look there only (a minified line
            # of thousands of statements would otherwise be scanned back once per statement)
            nl = _rfind_nl(src, prims[k - 1].end - 1, first)
            if nl >= 0 and _blank(src, nl + 1, first):
                cut = nl + 1  # whole lines: indentation goes with the unit it indents
            else:
                cut = first
            if cut <= out[kept - 1].start or cut >= span_end:
                continue  # cannot cut here (pathological recovery trees): merge into previous
            out[kept - 1].end = cut
            out[kept].node = prims[k].node
            out[kept].has_node = prims[k].has_node
            out[kept].start = cut
            kept += 1
        out[kept - 1].end = span_end
        self.n_units = kept
        return kept

    cdef int structural_children(self, TSNode node, TSNode *best) except -2:
        """decomposer._structural_children: 1 with the children in self.kids, else 0 or -1.

        0 also sets `best` to what _open descends into when there are none (the largest named
        child that is not a comment; null if none), found in the same pass over the children;
        -1 leaves that to the caller.
        """
        cdef Grammar g = self.g
        cdef uint32_t slot = _slot(g, node)
        cdef uint16_t bits = g.bits[slot]
        cdef MgeChildren *it = &self.outer
        cdef MgeChildren *inner = &self.inner
        cdef TSTreeCursor *cursor = &self.cursor
        cdef TSNode child, value, grandchild
        cdef uint16_t child_bits
        cdef uint16_t field
        cdef bint found
        cdef int64_t best_size = -1, size
        self.kids.size = 0
        if bits & S_BODY_FIELD:
            field = g.fields[<int>F_BODY]
            if field == 0:
                return -1  # children_by_field_name of an unknown field: []
            if not self.has_cursor:
                self.cursor = ts_tree_cursor_new(node)
                self.has_cursor = True
            ts_tree_cursor_reset(cursor, node)
            if ts_tree_cursor_goto_first_child(cursor):
                while True:
                    if ts_tree_cursor_current_field_id(cursor) == field:
                        _push(&self.kids, ts_tree_cursor_current_node(cursor))
                    if not ts_tree_cursor_goto_next_sibling(cursor):
                        break
            return 1 if self.kids.size > 0 else -1
        if bits & S_BLOCK:  # a bare `{ ... }` block used as a statement
            self.children(node, &self.kids, False)
            return 1
        if bits & S_MEMBER_OBJECT:
            # an object literal with methods is a namespace; plain data objects stay whole
            found = False
            _start(it, node)
            while _next(it, &child):
                if ts_node_is_named(child):
                    if _bits(g, child) & S_FUNCTION:
                        found = True
                        break
                    if _code(g, child) == X_PAIR:
                        value = ts_node_child_by_field_id(child, g.fields[<int>F_VALUE])
                        if not ts_node_is_null(value) and _bits(g, value) & S_FUNCTION:
                            found = True
                            break
            if found:
                self.children(node, &self.kids, False)
                return 1
        if g.codes[slot] == X_ERROR:
            # error recovery still yields complete statements inside
            self.children(node, &self.kids, True)
            return 1 if self.kids.size >= 2 else -1
        found = False
        best.id = NULL
        _start(it, node)
        while _next(it, &child):
            child_bits = _bits(g, child)
            if child_bits & S_BLOCK:
                found = True
                _start(inner, child)
                while _next(inner, &grandchild):
                    _push(&self.kids, grandchild)
            elif child_bits & S_CLAUSE:
                found = True
                _push(&self.kids, child)
            if not found and ts_node_is_named(child) and not (child_bits & S_COMMENT):
                size = <int64_t>ts_node_end_byte(child) - <int64_t>ts_node_start_byte(child)
                if size > best_size:
                    best[0] = child
                    best_size = size
        return 1 if found else 0

    cdef TSNode largest_child(self, TSNode node) except *:
        """_open's descent: the largest named child that is not a comment (null if none)."""
        cdef Grammar g = self.g
        cdef MgeChildren *it = &self.outer
        cdef TSNode best, child
        cdef int64_t best_size = -1, size
        best.id = NULL
        _start(it, node)
        while _next(it, &child):
            if ts_node_is_named(child):
                size = <int64_t>ts_node_end_byte(child) - <int64_t>ts_node_start_byte(child)
                if size > best_size and not (_bits(g, child) & S_COMMENT):
                    best = child
                    best_size = size
        return best

    cdef bint open(self, TSNode node, TSNode *container) except -1:
        """decomposer._open: True with the container set and its children in self.kids.

        self.path gets the nodes from `node` down to the container, each the parent of the
        next: scope_name asks for parents, which ts_node_parent finds again from the root.
        """
        cdef TSNode cur
        cdef TSNode best
        cdef int level, found
        self.path.size = 0
        _push(&self.path, node)
        cur = self.unwrap(node, &self.path)
        for level in range(MAX_DESCENT):
            found = self.structural_children(cur, &best)
            if found == 1:
                container[0] = cur
                return True
            if found < 0:
                best = self.largest_child(cur)
            if best.id == NULL:
                return False
            if self.loc(ts_node_start_byte(best), ts_node_end_byte(best)) <= self.max_loc // 2:
                return False
            _push(&self.path, best)
            cur = self.unwrap(best, &self.path)
        return False

    cdef Py_ssize_t new_scope(self, Py_ssize_t parent_id, TSNode unit, TSNode container) except -1:
        """decomposer.RecursiveDecomposer._new_scope (children: self.kids)"""
        cdef Grammar g = self.g
        cdef ScopeRec *parent = &self.scopes[parent_id]
        cdef uint16_t bits = _bits(g, container)
        cdef uint8_t kind
        cdef int64_t header_end, cs, ce
        cdef Py_ssize_t k
        cdef TSNode c
        if bits & S_FUNCTION:
            kind = K_METHOD if parent.kind == K_CLASS else K_FUNCTION
        elif bits & S_CLASS:
            kind = K_CLASS
        elif bits & S_TYPE_DECL:
            kind = K_TYPE
        else:
            kind = K_BLOCK
        name = self.scope_name(container, unit) if kind != K_BLOCK else None
        qual = self.quals[parent_id]
        if name:
            qual = f"{qual}.{name}" if qual else name
        # the header ends where the first child (or the comment leading into it) begins
        header_end = ts_node_end_byte(container)
        for k in range(self.kids.size):
            c = self.kids.data[k]
            if ts_node_is_named(c):
                cs = ts_node_start_byte(c)
                ce = ts_node_end_byte(c)
                if ce > cs:
                    header_end = cs
                    break
        header = self.header(ts_node_start_byte(unit), header_end)
        cdef Py_ssize_t sid = self.n_scopes
        self.add_scope(parent_id, parent.depth + 1, kind, name, qual, header)
        self.scopes[sid].unit = unit
        self.scopes[sid].container = container
        return sid

    cdef int add_scope(
        self, Py_ssize_t parent, Py_ssize_t depth, uint8_t kind, name, qual, header
    ) except -1:
        if self.n_scopes >= self.scopes_cap:
            _grow(<void **>&self.scopes, &self.scopes_cap, self.n_scopes + 1, sizeof(ScopeRec))
        cdef ScopeRec *s = &self.scopes[self.n_scopes]
        s.parent = parent
        s.depth = depth
        s.kind = kind
        s.start = 0
        s.end = 0
        s.first_leaf = -1
        s.last_leaf = -1
        self.n_scopes += 1
        self.names.append(name)
        self.quals.append(qual)
        self.headers.append(header)
        return 0

    cdef str header(self, int64_t start, int64_t end):
        """decomposer._header_text: plain ASCII headers here, the rest (rare) there."""
        cdef const unsigned char *src = self.src
        cdef int64_t line_start = _rfind_nl(src, 0, start) + 1
        cdef int64_t lo, hi, p, lines, cut, last
        cdef unsigned char c
        if end > self.size:
            end = self.size
        if end < start:
            end = start
        lo = line_start if _blank(src, line_start, start) else start
        for p in range(lo, end):
            c = src[p]
            # what str.rstrip or str.splitlines treat unlike bytes: non-ASCII, \v \f \r \x1c-\x1f
            if c >= 0x80 or c == 11 or c == 12 or c == 13 or (c >= 0x1C and c <= 0x1F):
                return _header_text(self.parsed, start, end)
        hi = end
        while hi > lo and (src[hi - 1] == 32 or src[hi - 1] == 9 or src[hi - 1] == 10):
            hi -= 1
        lines = _count_nl(src, self.size, lo, hi) + 1
        if lines <= HEADER_LINES:
            return PyUnicode_DecodeASCII(<const char *>src + lo, hi - lo, NULL)
        # a long signature: its first lines, "    ...", and its last line
        cut = lo
        for p in range(HEADER_LINES - 1):
            cut = <int64_t>(<const unsigned char *>memchr(src + cut, 10, hi - cut) - src) + 1
        last = _rfind_nl(src, lo, hi) + 1
        return (
            PyUnicode_DecodeASCII(<const char *>src + lo, cut - lo, NULL)
            + "    ...\n"
            + PyUnicode_DecodeASCII(<const char *>src + last, hi - last, NULL)
        )

    cdef str oversize_reason(self, LeafRec *leaf):
        """decomposer._oversize_reason of a leaf just made"""
        cdef int64_t loc = leaf.loc, max_loc = self.max_loc
        cdef int64_t nbytes = leaf.end - leaf.start
        cdef int64_t header, own
        cdef TSNode node = leaf.node
        if _width(nbytes, leaf.lines) > max(loc, max_loc):
            what = self.type_name(node) if leaf.has_node else "text"
            return (
                f"{what} of {nbytes:,} bytes on {loc} line(s) of code (long lines, "
                f"minified code or data) with nothing to cut between (limit {max_loc} lines "
                f"of {WIDE_LINE} bytes)"
            )
        if not leaf.has_node:
            return f"{loc} lines of code with nothing to cut between (limit {max_loc})"
        what = self.type_name(node)
        if _code(self.g, node) == X_ERROR or ts_node_has_error(node):
            return (
                f"{what} of {loc} lines contains a syntax error and cannot be split safely "
                f"(limit {max_loc})"
            )
        header = self.loc(leaf.start, ts_node_start_byte(node))
        own = loc - header
        if header and own <= max_loc:
            return (
                f"the enclosing header ({header} lines) and the first {what} ({own} lines) "
                f"cannot be separated and together exceed the limit of {max_loc}"
            )
        return (
            f"{what} of {own} lines has no complete sibling statements or members to cut "
            f"between (limit {max_loc})"
        )

    cdef str type_name(self, TSNode node):
        """node.type"""
        return (<bytes>ts_node_type(node)).decode("utf-8")

    cdef int push_units(self, Py_ssize_t scope) except -1:
        cdef Py_ssize_t k
        cdef Work *w
        if self.stack_size + self.n_units > self.stack_cap:
            _grow(
                <void **>&self.stack, &self.stack_cap, self.stack_size + self.n_units, sizeof(Work)
            )
        for k in range(self.n_units - 1, -1, -1):
            w = &self.stack[self.stack_size]
            w.node = self.units[k].node
            w.has_node = self.units[k].has_node
            w.start = self.units[k].start
            w.end = self.units[k].end
            w.scope = scope
            self.stack_size += 1
        return 0

    cdef LeafRec *add_leaf(self) except NULL:
        if self.n_leaves >= self.leaves_cap:
            _grow(<void **>&self.leaves, &self.leaves_cap, self.n_leaves + 1, sizeof(LeafRec))
        self.n_leaves += 1
        return &self.leaves[self.n_leaves - 1]

    cdef int build_leaves(self) except -1:
        """decomposer.RecursiveDecomposer._build_leaves"""
        cdef const unsigned char *src = self.src
        cdef int64_t size = self.size
        cdef int64_t max_loc = self.max_loc
        cdef int64_t max_cx = self.max_cx
        cdef int64_t split_depth = max(2, self.min_loc * SPLIT_FACTOR)
        cdef int64_t merge_bytes = WIDE_LINE * max_loc
        # below this many bytes, long lines cannot make a range count as over max_loc
        cdef int64_t wide_min = WIDE_LINE * (max_loc + 1)
        cdef Work w
        cdef int64_t loc, decisions, start, end
        cdef bint big
        cdef TSNode container
        cdef Py_ssize_t sid, last, index
        cdef LeafRec *leaf
        cdef LeafRec *prev
        cdef ScopeRec *scope
        cdef const int64_t *anchors = self.anchors
        cdef const int64_t *decision_offsets = self.decisions
        cdef Py_ssize_t n_anchors = self.n_anchors, n_decisions = self.n_decisions
        cdef Py_ssize_t anchor_at = 0, decision_at = 0
        cdef int64_t last_start = 0
        self.children(self.root, &self.kids, False)
        if self.gather_units(&self.kids, 0, size) == 0:
            leaf = self.add_leaf()
            leaf.start = 0
            leaf.end = size
            leaf.has_node = False
            leaf.has_reason = False
            leaf.scope = 0
            leaf.loc = _bisect(self.anchors, self.n_anchors, size)
            leaf.decisions = 0
            leaf.lines = 1
            self.scopes[0].first_leaf = self.scopes[0].last_leaf = 0
            return 0
        self.push_units(0)
        while self.stack_size:
            self.stack_size -= 1
            w = self.stack[self.stack_size]
            start = w.start
            end = w.end
            # Units come in document order, so their starts never decrease: each search
            # starts from the last one's answer, and the end's from the start's.
            if start < last_start:
                anchor_at = decision_at = 0  # (cannot happen; stay right if it did)
            last_start = start
            anchor_at = _bisect_from(anchors, n_anchors, anchor_at, start)
            decision_at = _bisect_from(decision_offsets, n_decisions, decision_at, start)
            loc = _bisect_from(anchors, n_anchors, anchor_at, end) - anchor_at
            decisions = _bisect_from(decision_offsets, n_decisions, decision_at, end) - decision_at
            big = loc > max_loc
            if not big and end - start >= wide_min:
                big = _width(end - start, _count_nl(src, size, start, end - 1) + 1) > max_loc
            if (
                w.has_node
                and (big or (decisions + 1 >= max_cx and loc >= split_depth))
                and self.open(w.node, &container)
            ):
                if self.gather_units(&self.kids, start, end):
                    sid = self.new_scope(w.scope, w.node, container)
                    scope = &self.scopes[sid]
                    scope.start = start
                    scope.end = end
                    self.push_units(sid)
                    continue
                # nothing to cut between: fall through to a single leaf
            if loc == 0 and self.n_leaves and not big:
                prev = &self.leaves[self.n_leaves - 1]
                if prev.scope == w.scope and end - prev.start <= merge_bytes:
                    # nothing but comments, or more statements on the line of the last
                    # leaf: no atom of its own (keeps the grouping window small, too)
                    prev.end = end
                    prev.decisions += decisions
                    prev.lines = _count_nl(src, size, prev.start, end - 1) + 1
                    continue
            leaf = self.add_leaf()
            leaf.start = start
            leaf.end = end
            leaf.node = w.node
            leaf.has_node = w.has_node
            leaf.has_reason = big
            leaf.scope = w.scope
            leaf.loc = loc
            leaf.decisions = decisions
            leaf.lines = _count_nl(src, size, start, end - 1) + 1
            if big:
                self.reasons[self.n_leaves - 1] = self.oversize_reason(leaf)
        # first/last leaf of every scope, for the grouping's boundary test: the scope's own
        # leaves, then each scope's span folded into its parent (parents come first in ids)
        cdef ScopeRec *scopes = self.scopes
        cdef ScopeRec *up
        for index in range(self.n_leaves):
            scope = &scopes[self.leaves[index].scope]
            if scope.first_leaf < 0:
                scope.first_leaf = index
            scope.last_leaf = index
        for sid in range(self.n_scopes - 1, 0, -1):
            scope = &scopes[sid]
            if scope.first_leaf < 0:
                continue
            up = &scopes[scope.parent]
            if up.first_leaf < 0 or scope.first_leaf < up.first_leaf:
                up.first_leaf = scope.first_leaf
            if scope.last_leaf > up.last_leaf:
                up.last_leaf = scope.last_leaf
        return 0

    # -- the stage, and step 3: grouping ---------------------------------------------------------

    cdef run(self):
        """RecursiveDecomposer.decompose"""
        cdef int64_t size = self.size
        self.add_scope(-1, 0, K_MODULE, None, None, "")
        self.scopes[0].container = self.root
        self.scopes[0].start = 0
        self.scopes[0].end = size
        if size:
            self.build_leaves()
        cdef Py_ssize_t n = self.n_leaves
        cdef Py_ssize_t *bounds = NULL
        cdef Py_ssize_t *open_depth = NULL
        cdef Py_ssize_t n_bounds = 0
        segments = []
        try:
            if n:
                bounds = <Py_ssize_t *>malloc(2 * (n + 1) * sizeof(Py_ssize_t))
                open_depth = <Py_ssize_t *>malloc((n + 1) * sizeof(Py_ssize_t))
                if bounds == NULL or open_depth == NULL:
                    raise MemoryError()
                n_bounds = self.group(bounds, open_depth)
            table, nodes = self.table()
            scope_objects, units = self.scope_objects(table.starts, table.ends)
            if n:
                segments = self.segments(
                    bounds, n_bounds, open_depth, nodes, units, table.starts, table.ends
                )
        finally:
            free(bounds)
            free(open_depth)
        return _make_decomposition.make((scope_objects, table, segments))

    cdef Py_ssize_t group(self, Py_ssize_t *bounds, Py_ssize_t *open_depth) except -1:
        """The dynamic programme of decomposer.RecursiveDecomposer._group.

        Fills `bounds` with (first leaf, last leaf) pairs in order, `open_depth` with
        _boundary_depths' opens; returns the number of groups.
        """
        cdef Py_ssize_t n = self.n_leaves
        cdef LeafRec *leaves = self.leaves
        cdef ScopeRec *scopes = self.scopes
        cdef int64_t target = self.target, max_loc = self.max_loc, min_loc = self.min_loc
        cdef int64_t free_decisions = self.max_cx - 1
        cdef Py_ssize_t *close_depth = NULL
        cdef Py_ssize_t *adj = NULL
        cdef int64_t *best = NULL
        cdef Py_ssize_t *back = NULL
        cdef Py_ssize_t i, j, sid, a, b, cur, prev, lca, closes, start_here, count, stop
        cdef Py_ssize_t d
        cdef int64_t end_j, loc_sum, span_sum, sz, nbytes, dec_sum, best_here, cost
        try:
            close_depth = <Py_ssize_t *>malloc(n * sizeof(Py_ssize_t))
            adj = <Py_ssize_t *>malloc((n + 1) * sizeof(Py_ssize_t))
            best = <int64_t *>malloc((n + 1) * sizeof(int64_t))
            back = <Py_ssize_t *>malloc((n + 1) * sizeof(Py_ssize_t))
            if close_depth == NULL or adj == NULL or best == NULL or back == NULL:
                raise MemoryError()
            # _boundary_depths: the depth above which each leaf opens (closes) all its scopes
            for i in range(n):
                sid = leaves[i].scope
                d = scopes[sid].depth
                while sid > 0 and scopes[sid].first_leaf == i:
                    sid = scopes[sid].parent
                    d -= 1
                open_depth[i] = d
                sid = leaves[i].scope
                d = scopes[sid].depth
                while sid > 0 and scopes[sid].last_leaf == i:
                    sid = scopes[sid].parent
                    d -= 1
                close_depth[i] = d
            # adj[i]: depth of the common scope of leaf i-1 and leaf i
            adj[0] = 0
            prev = leaves[0].scope
            for i in range(1, n):
                cur = leaves[i].scope
                if cur == prev:
                    adj[i] = scopes[cur].depth
                else:
                    a = prev
                    b = cur
                    while a != b:
                        if scopes[a].depth >= scopes[b].depth:
                            a = scopes[a].parent
                        else:
                            b = scopes[b].parent
                    adj[i] = scopes[a].depth
                prev = cur
            # best[j]: cheapest grouping of leaves[:j]; back[j]: where its last group starts
            best[0] = 0
            back[0] = 0
            for j in range(n):
                end_j = leaves[j].end
                closes = close_depth[j]
                # the group of leaf j alone
                loc_sum = leaves[j].loc
                span_sum = leaves[j].lines
                sz = loc_sum
                nbytes = end_j - leaves[j].start
                if nbytes > WIDE_LINE * span_sum and nbytes // WIDE_LINE > sz:
                    sz = nbytes // WIDE_LINE  # long lines: minified code, data blobs
                if sz > max_loc:  # an unsplittable leaf over the limit stands alone
                    best[j + 1] = best[j] + OVERSIZED
                    back[j + 1] = j
                    continue
                dec_sum = leaves[j].decisions
                lca = scopes[leaves[j].scope].depth
                best_here = best[j] + _size_cost(sz, min_loc, target)
                if dec_sum > free_decisions:
                    best_here += COMPLEXITY * (dec_sum - free_decisions)
                if open_depth[j] > lca or closes > lca:
                    best_here += CROSSING
                start_here = j
                stop = j - MAX_GROUP_LEAVES
                if stop < -1:
                    stop = -1
                i = j - 1
                while i > stop:
                    loc_sum += leaves[i].loc
                    span_sum += leaves[i].lines
                    sz = loc_sum
                    nbytes = end_j - leaves[i].start
                    if nbytes > WIDE_LINE * span_sum and nbytes // WIDE_LINE > sz:
                        sz = nbytes // WIDE_LINE
                    if sz > max_loc:
                        break
                    dec_sum += leaves[i].decisions
                    if adj[i + 1] < lca:
                        lca = adj[i + 1]
                    cost = best[i] + _size_cost(sz, min_loc, target)
                    if dec_sum > free_decisions:
                        cost += COMPLEXITY * (dec_sum - free_decisions)
                    if open_depth[i] > lca or closes > lca:
                        cost += CROSSING
                    if cost < best_here:
                        best_here = cost
                        start_here = i
                    i -= 1
                best[j + 1] = best_here
                back[j + 1] = start_here
            # the groups, first to last: count them walking back, then fill in order
            count = 0
            j = n
            while j > 0:
                count += 1
                j = back[j]
            j = n
            i = count
            while j > 0:
                i -= 1
                bounds[2 * i] = back[j]
                bounds[2 * i + 1] = j - 1
                j = back[j]
            return count
        finally:
            free(close_depth)
            free(adj)
            free(best)
            free(back)

    cdef tuple scope_objects(self, list starts, list ends):
        """The Scope objects, and the unit Node of each (None for the module).

        `starts`, `ends`: the leaf table's, whose int objects serve again where equal.
        """
        cdef Py_ssize_t sid
        cdef ScopeRec *s
        cdef list out = []
        cdef list units = [None]
        kinds = _SCOPE_KINDS
        s = &self.scopes[0]
        out.append(
            _make_scope.make((
                0, -1, 0, "module", None, None, "", None, self.parsed.root, 0, self.size,
                s.first_leaf, s.last_leaf,
            ))
        )
        for sid in range(1, self.n_scopes):
            s = &self.scopes[sid]
            unit = self.node(s.unit)
            container = unit if ts_node_eq(s.container, s.unit) else self.node(s.container)
            units.append(unit)
            out.append(
                _make_scope.make((
                    sid,
                    s.parent,
                    s.depth,
                    kinds[s.kind],
                    self.names[sid],
                    self.quals[sid],
                    self.headers[sid],
                    unit,
                    container,
                    _same_int(starts, s.first_leaf, s.start),
                    _same_int(ends, s.last_leaf, s.end),
                    s.first_leaf,
                    s.last_leaf,
                ))
            )
        return out, units

    cdef tuple table(self):
        """The LeafTable, and its nodes list."""
        cdef Py_ssize_t n = self.n_leaves, k
        cdef LeafRec *leaf
        cdef list starts = PyList_New(n)
        cdef list ends = PyList_New(n)
        cdef list nodes = PyList_New(n)
        cdef list scopes = PyList_New(n)
        cdef list locs = PyList_New(n)
        cdef list decisions = PyList_New(n)
        cdef list lines = PyList_New(n)
        cdef object start
        cdef int64_t end
        for k in range(n):
            leaf = &self.leaves[k]
            start = leaf.start
            _set(starts, k, start)
            if k:  # leaves tile the file: an end is the next start, and can be the same int
                end = self.leaves[k - 1].end
                _set(ends, k - 1, start if leaf.start == end else end)
            _set(nodes, k, self.node(leaf.node) if leaf.has_node else None)
            _set(scopes, k, leaf.scope)
            _set(locs, k, leaf.loc)
            _set(decisions, k, leaf.decisions)
            _set(lines, k, leaf.lines)
        if n:
            _set(ends, n - 1, self.leaves[n - 1].end)
        table = _make_table.make(
            (starts, ends, nodes, scopes, locs, decisions, lines, self.reasons)
        )
        return table, nodes

    cdef list segments(
        self,
        Py_ssize_t *bounds,
        Py_ssize_t n_bounds,
        Py_ssize_t *open_depth,
        list nodes,
        list units,
        list starts,
        list ends,
    ):
        """decomposer.RecursiveDecomposer._segment of every group."""
        cdef LeafRec *leaves = self.leaves
        cdef ScopeRec *scopes = self.scopes
        cdef Py_ssize_t n = self.n_leaves
        cdef Py_ssize_t g_index, i, j, k, sid, up, lca, a, first_scope, od, depth, m, n_seen
        cdef int64_t loc, complexity
        # (a segment has at most one member per leaf)
        cdef Py_ssize_t *seen = <Py_ssize_t *>malloc((n + 1) * sizeof(Py_ssize_t))
        cdef Py_ssize_t *chain = <Py_ssize_t *>malloc((self.n_scopes + 1) * sizeof(Py_ssize_t))
        cdef int *kind_codes = <int *>malloc((n + 1) * sizeof(int))
        cdef bint found
        cdef TSNode member, inner
        cdef int kind
        cdef object name
        cdef dict cache = self.parsed._members
        cdef list out = []
        cdef list members, kinds, names, inners, enclosing, opened
        member_kinds = _MEMBER_KINDS
        if seen == NULL or chain == NULL or kind_codes == NULL:
            free(seen)
            free(chain)
            free(kind_codes)
            raise MemoryError()
        try:
            for g_index in range(n_bounds):
                i = bounds[2 * g_index]
                j = bounds[2 * g_index + 1]
                first_scope = leaves[i].scope
                reason = None
                if i == j:
                    loc = leaves[i].loc
                    complexity = 1 + leaves[i].decisions
                    if leaves[i].has_reason:
                        reason = self.reasons[i]
                    lca = first_scope
                else:
                    loc = 0
                    complexity = 1
                    lca = first_scope
                    for k in range(i, j + 1):
                        loc += leaves[k].loc
                        complexity += leaves[k].decisions
                        if reason is None and leaves[k].has_reason:
                            reason = self.reasons[k]
                        # common scope of the segment
                        a = leaves[k].scope
                        while a != lca:
                            if scopes[a].depth >= scopes[lca].depth:
                                a = scopes[a].parent
                            else:
                                lca = scopes[lca].parent
                # a segment holding all of a split definition is that definition, seen from
                # outside
                while lca > 0 and scopes[lca].first_leaf == i and scopes[lca].last_leaf == j:
                    lca = scopes[lca].parent
                # chain: module ... innermost scope of the first leaf, by depth
                depth = scopes[first_scope].depth
                sid = first_scope
                while sid >= 0:
                    chain[scopes[sid].depth] = sid
                    sid = scopes[sid].parent
                od = open_depth[i]
                enclosing = [chain[k] for k in range(1, min(od, depth) + 1)]
                opened = [chain[k] for k in range(od + 1, depth + 1)]
                # top-level members at the lca level: leaves directly in it, or opened
                # children of it
                members = []
                n_seen = 0
                for k in range(i, j + 1):
                    sid = leaves[k].scope
                    if sid == lca:
                        if leaves[k].has_node:
                            members.append(nodes[k])
                        continue
                    up = scopes[sid].parent
                    while up != lca and up >= 0:
                        sid = up
                        up = scopes[sid].parent
                    found = False
                    for m in range(n_seen):
                        if seen[m] == sid:
                            found = True
                            break
                    if not found:
                        seen[n_seen] = sid
                        n_seen += 1
                        unit = units[sid]
                        if unit is not None:
                            members.append(unit)
                m = len(members)
                kinds = PyList_New(m)
                names = PyList_New(m)
                inners = PyList_New(m)
                for k in range(m):
                    node = members[k]
                    member = mge_node_of(node)
                    if lca == 0:
                        # root children: the context injector describes them too, share that
                        key = PyLong_FromVoidPtr(<void *>member.id)
                        info = cache.get(key)
                        if info is None:
                            kind = self.describe(member)
                            inner = self.described
                            name = self.described_name
                            inner_obj = node if ts_node_eq(inner, member) else self.node(inner)
                            info = cache[key] = (member_kinds[kind], name, inner_obj)
                        else:
                            kind = member_kinds.index(info[0])
                        _set(kinds, k, info[0])
                        _set(names, k, info[1])
                        _set(inners, k, info[2])
                    else:
                        kind = self.describe(member)
                        inner = self.described
                        _set(kinds, k, member_kinds[kind])
                        _set(names, k, self.described_name)
                        _set(inners, k, node if ts_node_eq(inner, member) else self.node(inner))
                    kind_codes[k] = kind
                seg_kind, seg_name = self.kind_and_name(
                    lca, enclosing, opened, kind_codes, names, i == 0 and j == n - 1, j
                )
                out.append(
                    _new_segment(
                        starts[i],
                        ends[j],
                        i,
                        j,
                        loc,
                        complexity,
                        reason,
                        seg_kind,
                        seg_name,
                        lca,
                        enclosing,
                        opened,
                        members,
                        kinds,
                        names,
                        inners,
                    )
                )
        finally:
            free(seen)
            free(chain)
            free(kind_codes)
        return out

    cdef tuple kind_and_name(
        self,
        Py_ssize_t lca,
        list enclosing,
        list opened,
        int *kinds,
        list names,
        bint whole,
        Py_ssize_t j,
    ):
        """decomposer._kind_and_name"""
        cdef ScopeRec *scopes = self.scopes
        cdef uint8_t lca_kind = scopes[lca].kind
        cdef uint8_t head_kind, inner_kind
        cdef Py_ssize_t sid, k, m = len(names)
        cdef int only, code_kinds
        lca_qual = self.quals[lca]
        # a segment that opens a scope without holding all of it: the head of a split definition
        for sid in opened:
            if scopes[sid].last_leaf > j:
                head_kind = scopes[sid].kind
                if (
                    head_kind == K_FUNCTION
                    or head_kind == K_METHOD
                    or head_kind == K_CLASS
                    or head_kind == K_TYPE
                ):
                    return _SCOPE_KINDS[head_kind], self.quals[sid]
                return "block", self.quals[sid] or lca_qual
        # name after the first definition; failing that, the first named statement
        simple = None
        first_named = None
        for k in range(m):
            n = names[k]
            if n:
                if kinds[k] != M_STATEMENT:
                    simple = n
                    break
                if first_named is None:
                    first_named = n
        if simple is None and (lca_kind == K_MODULE or lca_kind == K_CLASS):
            simple = first_named
        name = None
        if simple:
            name = f"{lca_qual}.{simple}" if lca_qual else simple
        if whole and lca == 0:
            return "module", name
        if enclosing:
            sid = enclosing[len(enclosing) - 1]
            inner_kind = scopes[sid].kind
            if inner_kind == K_FUNCTION or inner_kind == K_METHOD or inner_kind == K_BLOCK:
                return "block", name or self.quals[sid] or lca_qual
        # the kinds present, comments aside, as bits
        code_kinds = 0
        for k in range(m):
            if kinds[k] != M_COMMENT:
                code_kinds |= 1 << kinds[k]
        if not code_kinds:
            return "comment", name
        if code_kinds & (code_kinds - 1) == 0:  # all of one kind
            only = 0
            while not (code_kinds & (1 << only)):
                only += 1
            if only == M_IMPORT:
                return "imports", name
            if only == M_FUNCTION:
                return ("method" if lca_kind == K_CLASS else "function"), name
            if only == M_CLASS:
                return "class", name
            if only == M_TYPE:
                return "type", name
        if lca_kind == K_FUNCTION or lca_kind == K_METHOD or lca_kind == K_BLOCK:
            return "block", name or lca_qual
        if lca_kind == K_CLASS and code_kinds & (1 << M_FUNCTION):
            return "method", name
        return "statements", name or (lca_qual if lca else None)


cdef inline object _same_int(list ints, Py_ssize_t index, int64_t value):
    """ints[index] when it equals `value`, else a new int (fewer objects to make and free)."""
    if 0 <= index < len(ints):
        known = <object>PyList_GET_ITEM(ints, index)
        if <int64_t>known == value:
            return known
    return value


cdef inline void _set(list items, Py_ssize_t index, object value):
    """items[index] = value, for a list fresh from PyList_New (its slots still empty)."""
    Py_INCREF(value)
    PyList_SET_ITEM(items, index, value)


cdef inline int64_t _size_cost(int64_t size, int64_t min_loc, int64_t target) noexcept nogil:
    if size < min_loc:
        return SMALL + (min_loc - size) * 10
    return (size - target) * (size - target)


cdef int64_t *_int_array(list values, Py_ssize_t *count) except? NULL:
    """A sorted list of offsets as a C array (bisected far more often than it is built)."""
    cdef Py_ssize_t n = len(values), k
    cdef int64_t *out = <int64_t *>malloc((n + 1) * sizeof(int64_t))
    if out == NULL:
        raise MemoryError()
    for k in range(n):
        out[k] = values[k]
    count[0] = n
    return out


def check_children(tree):
    """Nodes of `tree` whose children, as this module walks them, differ from what
    ts_node_child gives (0 when the walk is right; for tests)."""
    cdef TSNode root = ts_tree_root_node(mge_tree_of(tree))
    cdef NodeVec todo
    cdef MgeChildren it
    cdef TSNode node, child, expected
    cdef uint32_t index
    cdef Py_ssize_t wrong = 0
    todo.data = NULL
    todo.size = todo.cap = 0
    it.levels = NULL
    it.capacity = 0
    try:
        _push(&todo, root)
        while todo.size:
            todo.size -= 1
            node = todo.data[todo.size]
            index = 0
            _start(&it, node)
            while _next(&it, &child):
                expected = ts_node_child(node, index)
                if (
                    not ts_node_eq(child, expected)
                    or memcmp(&child, &expected, sizeof(TSNode)) != 0
                ):
                    wrong += 1
                index += 1
                _push(&todo, child)
            if index != ts_node_child_count(node):
                wrong += 1
        return wrong
    finally:
        free(todo.data)
        free(it.levels)
