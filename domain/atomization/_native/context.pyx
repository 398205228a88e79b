# The context stage of the atomizer (context.ContextInjector), compiled.
#
# Every name of a file is interned once to a small integer. What the Python stage asks of
# frozensets and dicts of bytes for each atom (is this name a keyword, a module symbol, an
# import; is it bound in this atom, in that enclosing scope, and where first) becomes flag
# tests, stamps and binary searches over C arrays. Python objects are made only for what an
# atom's context holds (its strings and tuples, the words frozenset), and those strings are
# cached per name or per definition. The helpers the stage spent most of the rest in are
# ported along: docstring and JSDoc contracts (contracts.parse_contract), imports
# (imports.collect_imports) and the few questions it asks of the tree.
#
# The Python stage stays the reference: same results, field for field and in the same order
# (test_native_context compares the two on generated, mutated and real sources).

from libc.stdint cimport int32_t, uint8_t, uint32_t, uint64_t
from libc.stdlib cimport free, malloc, qsort, realloc
from libc.string cimport memchr, memcmp, memcpy, strcmp
from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize, PyBytes_GET_SIZE
from cpython.list cimport PyList_GET_ITEM, PyList_New, PyList_SET_ITEM
from cpython.object cimport PyObject_GenericSetAttr, PyTypeObject
from cpython.ref cimport PyObject, Py_INCREF
from cpython.tuple cimport PyTuple_New, PyTuple_SET_ITEM
from cpython.unicode cimport (
    Py_UNICODE_ISLINEBREAK,
    Py_UNICODE_ISSPACE,
    PyUnicode_1BYTE_DATA,
    PyUnicode_4BYTE_KIND,
    PyUnicode_DecodeASCII,
    PyUnicode_DecodeUTF8,
    PyUnicode_FromKindAndData,
    PyUnicode_GET_LENGTH,
    PyUnicode_READ_CHAR,
)

from .ts cimport *

cdef extern from "tree_sitter/api.h":
    TSNode ts_node_child_by_field_name(TSNode self, const char *name, uint32_t name_length) nogil

cdef extern from "Python.h":
    # what a slots class's member descriptor knows of its field (see _slot_offset)
    ctypedef struct PyMemberDef:
        int type
        Py_ssize_t offset
    ctypedef struct PyMemberDescrObject:
        PyMemberDef *d_member
    int T_OBJECT_EX

import sys

import tree_sitter

from domain.atomization import context as _reference
from domain.atomization import contracts as _contracts
from domain.atomization import syntax as _syntax
from domain.atomization.context import ContextFacts
from domain.atomization.decomposer import Segment
from domain.atomization.model import AtomContext

cdef type _Node = tree_sitter.Node
cdef tuple _EMPTY = ()
cdef object _EMPTY_WORDS = frozenset()
cdef object _frozenset = frozenset
cdef object _round = round
cdef object _sum = sum
# sum() of floats adds left to right before 3.12 (compensated from 3.12 on)
cdef bint _PLAIN_SUM = sys.version_info < (3, 12)
cdef dict _ROUNDED = {}  # round(x, 4) by x

# What the reference stage (context.py) works with.
cdef dict _COMPLETE = _reference._COMPLETE
cdef object _TYPING_MODULES = _reference._TYPING_MODULES
cdef object _WORD = _reference._WORD
cdef object _b = _reference._b
cdef int _TYPE_SUMMARY_LINES = _reference._TYPE_SUMMARY_LINES
cdef int _MAX_DOC_SOURCES = _reference._MAX_DOC_SOURCES
_JS_NAMING_WRAPPERS = frozenset(t.encode() for t in _syntax._JS_NAMING_WRAPPERS)

# What contracts.parse_contract works with.
cdef dict _GOOGLE_SECTIONS = _contracts._GOOGLE_SECTIONS
cdef dict _SECTION_LABEL = _contracts._SECTION_LABEL
cdef object _SECTION_MATCH = _contracts._SECTION_RE.match
cdef object _NUMPY_RULE_MATCH = _contracts._NUMPY_RULE.match
cdef object _SPHINX_MATCH = _contracts._SPHINX_RE.match
cdef object _JSDOC_LINE_SEARCH = _contracts._JSDOC_LINE.search
cdef object _ITEM_START_MATCH = _contracts._ITEM_START.match
cdef object _STRUCTURE_SEARCH = _contracts._STRUCTURE.search
cdef object _JSDOC_TAG_MATCH = _contracts._JSDOC_TAG.match
cdef object _JSDOC_TYPE_MATCH = _contracts._JSDOC_TYPE.match
# The JSDoc tags _jsdoc reads (the others are skipped, with the lines that continue them).
cdef frozenset _JSDOC_TAGS = frozenset(
    ["param", "arg", "argument", "returns", "return", "throws", "throw", "exception", "yields",
     "yield", "requires", "pre", "precondition", "ensures", "post", "postcondition"]
)
cdef enum:
    _MAX_ITEM = 200  # contracts._MAX_ITEM, as a constant (checked below)
if _contracts._MAX_ITEM != _MAX_ITEM:
    raise ImportError("contracts._MAX_ITEM changed: update _MAX_ITEM here")
# The longest section heading: a longer line is none, whatever lower() makes of it (it
# never shortens a string).
cdef Py_ssize_t _LONGEST_SECTION = max(map(len, _GOOGLE_SECTIONS))
# What contracts._STRUCTURE accepts after a line's leading ":" (then a word boundary), and
# the section headings it accepts (then a ":"), in ASCII lowercase.
_FIELD_WORDS = frozenset(
    [b"param", b"parameter", b"arg", b"argument", b"key", b"keyword", b"return", b"returns",
     b"raise", b"raises", b"except", b"yield", b"yields"]
)
_SECTION_WORDS = tuple(sorted(k.encode() for k in _GOOGLE_SECTIONS))

# Name flags.
cdef enum:
    F_KEYWORD = 1
    F_BUILTIN = 2
    F_SYMBOL = 4
    F_IMPORT = 8
    F_TYPE_SYMBOL = 16
    F_IGNORABLE = 32  # keyword, or builtin not rebound in the file

# Scope kinds.
cdef enum:
    S_MODULE = 0
    S_CLASS
    S_FUNCTION
    S_METHOD
    S_TYPE
    S_BLOCK
    S_OTHER

# Owner of a local name (>= 0: a scope id).
cdef enum:
    O_NONE = -2
    O_PARAM = -1

# The bytes context._words keeps: name bytes (as NAME_PATTERN sees them) and dots.
cdef uint8_t TOKEN[256]


cdef int _token_table() except -1:
    cdef int c
    for c in range(256):
        TOKEN[c] = (
            (48 <= c <= 57) or (65 <= c <= 90) or (97 <= c <= 122)
            or c == 95 or c == 36 or c == 46 or c >= 128
        )
    return 0


_token_table()


cdef struct Slot:
    uint32_t tag  # high bits of the name's hash: most probes end without touching the name
    int32_t id  # -1: empty


cdef struct Name:
    const char *ptr  # into the name's bytes object (kept alive in ContextInjector.raws)
    Py_ssize_t len
    uint64_t hash
    uint32_t flags
    int32_t rank  # position in the file's names sorted as bytes
    int32_t seen  # stamps: last atom (+1) the name was seen in as a word / bound / typed
    int32_t bound
    int32_t typed
    int32_t counted  # last _Around (+1) whose locals counted it
    int32_t binds_lo  # slice of ContextInjector.binds_by_name: where the name is bound
    int32_t binds_hi
    int32_t params_lo  # slice of ContextInjector.params_by_name: where it is a parameter
    int32_t params_hi
    int32_t statement  # index of the import statement it needs, or -1
    int32_t symbol_where  # atom of the module symbol's binding (-1: not worked out yet)


cdef struct ScopeInfo:
    Py_ssize_t start
    Py_ssize_t end
    int kind
    bint has_container
    Py_ssize_t params_start  # the parameter list's range; params_start -2: not looked up
    Py_ssize_t params_end  # (-1: none)


cdef struct Hint:
    int32_t rank
    PyObject *text  # borrowed: every hint text is held by a cache of the injector


cdef struct IntVec:
    int32_t *data
    Py_ssize_t size
    Py_ssize_t cap


cdef int _push(IntVec *v, int32_t x) except -1:
    cdef Py_ssize_t cap
    cdef int32_t *grown
    if v.size == v.cap:
        cap = v.cap * 2 if v.cap else 64
        grown = <int32_t *>realloc(v.data, cap * sizeof(int32_t))
        if grown == NULL:
            raise MemoryError()
        v.data = grown
        v.cap = cap
    v.data[v.size] = x
    v.size += 1
    return 0


cdef inline uint64_t _hash(const char *p, Py_ssize_t n) noexcept nogil:
    """A multiplicative hash, eight bytes at a time (names are short)."""
    cdef uint64_t h = <uint64_t>n * 0x9E3779B97F4A7C15ULL
    cdef uint64_t chunk
    while n >= 8:
        memcpy(&chunk, p, 8)
        h = (h ^ chunk) * 0xFF51AFD7ED558CCDULL
        h ^= h >> 32
        p += 8
        n -= 8
    if n:
        chunk = 0
        while n:
            n -= 1
            chunk = (chunk << 8) | <uint8_t>p[n]
        h = (h ^ chunk) * 0xC4CEB9FE1A85EC53ULL
        h ^= h >> 29
    return h


cdef inline Py_ssize_t _lower(const Py_ssize_t *a, Py_ssize_t n, Py_ssize_t x) noexcept nogil:
    """bisect_left"""
    cdef Py_ssize_t lo = 0, hi = n, mid
    while lo < hi:
        mid = (lo + hi) >> 1
        if a[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    return lo


cdef inline Py_ssize_t _upper(const Py_ssize_t *a, Py_ssize_t n, Py_ssize_t x) noexcept nogil:
    """bisect_right"""
    cdef Py_ssize_t lo = 0, hi = n, mid
    while lo < hi:
        mid = (lo + hi) >> 1
        if a[mid] <= x:
            lo = mid + 1
        else:
            hi = mid
    return lo


cdef inline void _sort_ints(int32_t *a, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t i, j
    cdef int32_t x
    if n > 24:
        qsort(a, n, sizeof(int32_t), _cmp_int)
        return
    for i in range(1, n):  # the common case: a handful of names
        x = a[i]
        j = i - 1
        while j >= 0 and a[j] > x:
            a[j + 1] = a[j]
            j -= 1
        a[j + 1] = x


cdef int _cmp_int(const void *a, const void *b) noexcept nogil:
    cdef int32_t x = (<const int32_t *>a)[0], y = (<const int32_t *>b)[0]
    return (x > y) - (x < y)


cdef int _cmp_hint(const void *a, const void *b) noexcept nogil:
    cdef int32_t x = (<const Hint *>a).rank, y = (<const Hint *>b).rank
    return (x > y) - (x < y)


# The names being ranked (qsort's comparator takes no context).
cdef Name *_ranking


cdef int _cmp_name(const void *a, const void *b) noexcept nogil:
    """bytes ordering of two names, by id."""
    cdef Name *x = &_ranking[(<const int32_t *>a)[0]]
    cdef Name *y = &_ranking[(<const int32_t *>b)[0]]
    cdef Py_ssize_t n = x.len if x.len < y.len else y.len
    cdef int c = memcmp(x.ptr, y.ptr, n) if n else 0
    if c:
        return c
    return (x.len > y.len) - (x.len < y.len)


cdef TSNode *_named_children(TSNode node, uint32_t *count) except NULL:
    """The named children of a node, in a malloc'd array (one cursor walk: indexing them
    one by one would be quadratic in wide nodes)."""
    cdef uint32_t n = ts_node_named_child_count(node), k = 0
    cdef TSNode *out = <TSNode *>malloc((n + 1) * sizeof(TSNode))
    cdef TSTreeCursor cursor
    cdef TSNode child
    cdef bint ok
    if out == NULL:
        raise MemoryError()
    cursor = ts_tree_cursor_new(node)
    ok = ts_tree_cursor_goto_first_child(&cursor)
    while ok and k < n:
        child = ts_tree_cursor_current_node(&cursor)
        if ts_node_is_named(child):
            out[k] = child
            k += 1
        ok = ts_tree_cursor_goto_next_sibling(&cursor)
    ts_tree_cursor_delete(&cursor)
    count[0] = k
    return out


cdef int _scope_kind(str kind):
    if kind == "function":
        return S_FUNCTION
    if kind == "method":
        return S_METHOD
    if kind == "class":
        return S_CLASS
    if kind == "block":
        return S_BLOCK
    if kind == "type":
        return S_TYPE
    if kind == "module":
        return S_MODULE
    return S_OTHER


cdef dict _LANGUAGE_IGNORABLE = {}


cdef tuple _language_ignorable(keywords, builtins):
    """(keywords | builtins, builtins - keywords) of a language, made once."""
    key = (keywords, builtins)
    found = _LANGUAGE_IGNORABLE.get(key)
    if found is None:
        found = _LANGUAGE_IGNORABLE[key] = (keywords | builtins, builtins - keywords)
    return <tuple>found


cdef inline object _new(type cls):
    """cls.__new__(cls) (model.new_frozen's object.__new__), without the call machinery."""
    return (<PyTypeObject *>cls).tp_new(cls, <PyObject *>_EMPTY, NULL)


# What syntax.describe_member says of a module's child from its type alone (M_OTHER: it
# takes a look at the node).
cdef enum:
    M_OTHER = 0
    M_COMMENT  # a comment: binds nothing
    M_IMPORT  # an import statement (not a CommonJS require): the imports have it already
    M_STATEMENT  # a plain statement: binds what its bindings say
    M_EXPRESSION  # an expression statement: the same, unless a Python docstring ("comment")


cdef class _Language:
    """What the injector needs of a language, worked out once per LanguageSpec."""

    cdef object spec
    cdef object keywords  # as bytes
    cdef object builtins
    cdef dict flags  # F_KEYWORD and F_BUILTIN by name
    cdef tuple comment_types  # as bytes
    cdef TSFieldId field_name, field_alias, field_module_name, field_source
    cdef uint8_t *members  # M_* by grammar symbol
    cdef uint32_t symbol_count

    def __dealloc__(self):
        free(self.members)

    cdef inline int member(self, TSNode node) noexcept:
        cdef TSSymbol symbol = ts_node_symbol(node)
        return self.members[symbol] if symbol < self.symbol_count else M_OTHER


cdef dict _LANGUAGES = {}


cdef _Language _language_of(spec, const TSLanguage *grammar):
    key = (id(spec), <size_t>grammar)
    cdef _Language found = _LANGUAGES.get(key)
    if found is not None and found.spec is spec:
        return found
    found = _Language.__new__(_Language)
    found.spec = spec
    found.keywords = _b(spec.keywords)
    found.builtins = _b(spec.builtins)
    found.flags = {raw: F_BUILTIN for raw in found.builtins}
    for raw in found.keywords:
        found.flags[raw] = found.flags.get(raw, 0) | F_KEYWORD | F_IGNORABLE
    found.comment_types = tuple(t.encode() for t in spec.comment_types)
    found.field_name = ts_language_field_id_for_name(grammar, "name", 4)
    found.field_alias = ts_language_field_id_for_name(grammar, "alias", 5)
    found.field_module_name = ts_language_field_id_for_name(grammar, "module_name", 11)
    found.field_source = ts_language_field_id_for_name(grammar, "source", 6)
    # by symbol name, as node.type names them (an alias names its own symbol)
    comments = set(spec.comment_types)
    imports = set(spec.import_types)
    statements = set(_syntax._PLAIN_STATEMENTS)
    found.symbol_count = ts_language_symbol_count(grammar)
    found.members = <uint8_t *>malloc(found.symbol_count + 1)
    if found.members == NULL:
        raise MemoryError()
    cdef uint32_t symbol
    cdef const char *symbol_name
    for symbol in range(found.symbol_count):
        symbol_name = ts_language_symbol_name(grammar, <TSSymbol>symbol)
        kind = symbol_name.decode("utf-8", "replace") if symbol_name != NULL else ""
        found.members[symbol] = (
            M_COMMENT if kind in comments
            else M_IMPORT if kind in imports
            else M_STATEMENT if kind in statements
            else M_EXPRESSION if kind == "expression_statement"
            else M_OTHER
        )
    _LANGUAGES[key] = found
    return found


cdef inline bint _is_docstring(TSNode statement) noexcept:
    """An expression statement that is only a string (describe_member: a "comment")."""
    return (
        ts_node_named_child_count(statement) == 1
        and strcmp(ts_node_type(ts_node_named_child(statement, 0)), "string") == 0
    )


cdef inline bint _is_one_of(const char *kind, tuple names):
    for name in names:
        if strcmp(kind, PyBytes_AS_STRING(<bytes>name)) == 0:
            return True
    return False


cdef Py_ssize_t _slot_offset(type cls, str name) except -2:
    """Where `cls` (a slots dataclass) keeps the field `name` in its instances, or -1."""
    descriptor = cls.__dict__.get(name)
    if type(descriptor).__name__ != "member_descriptor":
        return -1
    cdef PyMemberDef *member = (<PyMemberDescrObject *><PyObject *>descriptor).d_member
    return member.offset if member.type == T_OBJECT_EX else -1


# Segment's fields the injector reads for every atom: read from the instance directly, as
# their slot descriptors would (each attribute lookup is a type lookup, then the descriptor)
cdef Py_ssize_t[9] _SEGMENT_SLOTS
_SEGMENT_FIELDS = (
    "start", "end", "enclosing", "opened", "lca", "members", "member_kinds", "member_names",
    "member_inners",
)
cdef int _segment_slots() except -1:
    cdef Py_ssize_t k
    for k in range(len(_SEGMENT_FIELDS)):
        _SEGMENT_SLOTS[k] = _slot_offset(Segment, _SEGMENT_FIELDS[k])
    return 0


_segment_slots()
cdef enum:
    SEG_START = 0
    SEG_END
    SEG_ENCLOSING
    SEG_OPENED
    SEG_LCA
    SEG_MEMBERS
    SEG_MEMBER_KINDS
    SEG_MEMBER_NAMES
    SEG_MEMBER_INNERS


cdef inline object _seg_field(object seg, int field):
    """getattr(seg, _SEGMENT_FIELDS[field])"""
    cdef Py_ssize_t offset = _SEGMENT_SLOTS[field]
    cdef PyObject *value
    if offset >= 0 and type(seg) is Segment:
        value = (<PyObject **>((<char *><PyObject *>seg) + offset))[0]
        if value != NULL:
            return <object>value
    return getattr(seg, _SEGMENT_FIELDS[field])


cdef class _Ordered:
    """Strings in first-seen order, once each (a dict's keys, for the few an atom has)."""

    cdef list items
    cdef set seen  # made when there are too many items to search the list

    cdef inline add(self, text):
        if self.seen is None:
            if text in self.items:
                return
            self.items.append(text)
            if len(self.items) > 16:
                self.seen = set(self.items)
        elif text not in self.seen:
            self.seen.add(text)
            self.items.append(text)


cdef class _Around:
    """What every atom whose innermost enclosing scope is the same one shares."""

    cdef int32_t *scopes  # the enclosing scopes' ids, outermost first
    cdef Py_ssize_t n_scopes
    cdef int32_t *functions  # function/method scope ids, innermost first
    cdef Py_ssize_t n_functions
    cdef int32_t *blocks  # block scope ids, innermost first
    cdef Py_ssize_t n_blocks
    cdef object text
    cdef bint scope_complete
    cdef Py_ssize_t n_locals  # len(context._Around.locals) (-1: not counted yet)
    cdef object locals_set  # context._Around.locals, made only to order sibling locals

    def __dealloc__(self):
        free(self.scopes)
        free(self.functions)
        free(self.blocks)


cdef class ContextInjector:
    """context.ContextInjector, native: builds the context of every atom of one file."""

    cdef object parsed
    cdef object spec
    cdef bytes source
    cdef bytes names_text
    cdef list scopes_list
    cdef list segments
    cdef bint python
    cdef dict symbols  # name -> (name, kind, offset, node), as context.Symbol
    cdef dict imports  # name -> (module, statement, offset): imports.ImportEntry
    cdef TSFieldId field_name, field_alias, field_module_name, field_source
    cdef object tree  # the tree_sitter.Tree the nodes are made for
    cdef dict js_docs  # parsed.js_doc's cache, by node id (the validator reads it too)
    cdef tuple comment_types  # spec.comment_types, as bytes
    cdef list js_lines
    cdef list stars
    cdef object keywords
    cdef object builtins
    cdef object ignorable  # context.ContextInjector._ignorable, for sibling ordering only
    cdef bint any_type_symbols
    cdef list bind_names
    cdef list bind_texts
    cdef list param_names
    cdef dict docs
    cdef dict local_hints
    cdef dict test_words
    cdef list statements  # import statements, in the order atoms list them
    cdef list arounds  # _Around by innermost enclosing scope id (0: none)

    # names
    cdef Name *names
    cdef Py_ssize_t n_names
    cdef Py_ssize_t names_cap
    cdef Slot *slots
    cdef Py_ssize_t mask
    cdef dict language_flags  # _Language.flags
    cdef _Language language
    cdef list raws  # bytes of each name
    cdef list texts  # str of each name (None until asked)
    # per name, made when first asked (None until then)
    cdef list symbol_hints  # the hint pointing at a module symbol's atom
    cdef list star_hints  # the hint naming the star import it presumably comes from
    cdef list type_texts  # what a type resolving to a symbol or an import shows (False: none)
    cdef int32_t *by_rank

    # per-file offsets
    cdef Py_ssize_t n_segments
    cdef Py_ssize_t *seg_starts
    cdef Py_ssize_t *seg_ends
    cdef Py_ssize_t *word_lo  # the atom's words: word_ids[word_lo[i]:word_lo[i + 1]]
    cdef IntVec word_ids
    cdef Py_ssize_t n_binds
    cdef Py_ssize_t *bind_offsets
    cdef int32_t *bind_ids
    cdef Py_ssize_t *binds_by_name  # offsets, grouped by name, ascending within a name
    cdef Py_ssize_t n_params
    cdef Py_ssize_t *param_offsets
    cdef int32_t *param_ids
    cdef Py_ssize_t *params_by_name
    cdef Py_ssize_t n_types
    cdef Py_ssize_t *type_offsets
    cdef int32_t *type_ids
    cdef Py_ssize_t n_scopes
    cdef ScopeInfo *scope_info
    cdef list scope_qualnames
    cdef list scope_containers
    cdef list scope_headers
    cdef int32_t *statement_seen
    cdef Py_ssize_t n_statements

    # per-atom scratch
    cdef IntVec words
    cdef IntVec bound
    cdef IntVec free_names
    cdef IntVec unresolved
    cdef IntVec locals_here
    cdef int32_t count_stamp
    cdef int32_t inject_stamp
    cdef dict scope_names
    cdef IntVec found
    cdef IntVec scratch
    cdef Hint *hints
    cdef Py_ssize_t hints_cap

    def __dealloc__(self):
        free(self.names)
        free(self.slots)
        free(self.by_rank)
        free(self.seg_starts)
        free(self.seg_ends)
        free(self.word_lo)
        free(self.word_ids.data)
        free(self.bind_offsets)
        free(self.bind_ids)
        free(self.binds_by_name)
        free(self.param_offsets)
        free(self.param_ids)
        free(self.params_by_name)
        free(self.type_offsets)
        free(self.type_ids)
        free(self.scope_info)
        free(self.statement_seen)
        free(self.words.data)
        free(self.bound.data)
        free(self.free_names.data)
        free(self.unresolved.data)
        free(self.locals_here.data)
        free(self.found.data)
        free(self.scratch.data)
        free(self.hints)

    def __init__(self, parsed, decomposition, tests=None):
        self.parsed = parsed
        self.spec = parsed.spec
        self.source = parsed.source
        self.names_text = parsed.names_text
        self.python = self.spec.doc_comment_prefix is None
        self.scopes_list = decomposition.scopes
        self.segments = decomposition.segments
        self.bind_names = parsed.bind_names
        self.bind_texts = parsed.bind_texts
        self.param_names = parsed.param_names
        self.docs = {}
        self.local_hints = {}
        self.scope_names = {}
        self.raws = []
        self.texts = []
        self.test_words = (
            {path: set(_WORD.findall(text)) for path, text in tests.items()} if tests else {}
        )
        self.mask = 255
        self.slots = <Slot *>malloc((self.mask + 1) * sizeof(Slot))
        if self.slots == NULL:
            raise MemoryError()
        cdef Py_ssize_t i
        for i in range(self.mask + 1):
            self.slots[i].id = -1
        self.imports = {}
        self.stars = []
        self.tree = parsed.tree
        cdef _Language language = _language_of(self.spec, ts_tree_language(mge_tree_of(self.tree)))
        self.language = language
        self.keywords = language.keywords
        self.builtins = language.builtins
        self.language_flags = language.flags
        self.comment_types = language.comment_types
        self.field_name = language.field_name
        self.field_alias = language.field_alias
        self.field_module_name = language.field_module_name
        self.field_source = language.field_source
        if not self.python:
            self.js_docs = parsed._js_docs
        self._collect_imports()
        self.symbols = {}
        self._offsets()
        self._module_symbols()
        self._segments()
        self._scopes()
        self._name_facts()

    # -- per-file indexes ---------------------------------------------------------------

    cdef int32_t _find(self, const char *p, Py_ssize_t n, uint64_t h) noexcept:
        """The id of the name p[:n] (hash h), or -1."""
        cdef Py_ssize_t at = <Py_ssize_t>(h & <uint64_t>self.mask)
        cdef uint32_t tag = <uint32_t>(h >> 32)
        cdef int32_t found
        cdef Name *name
        while True:
            found = self.slots[at].id
            if found < 0:
                return -1
            if self.slots[at].tag == tag:
                name = &self.names[found]
                if name.len == n and (n == 0 or memcmp(name.ptr, p, n) == 0):
                    return found
            at = (at + 1) & self.mask

    cdef int32_t _intern(self, const char *p, Py_ssize_t n, object raw) except -1:
        """The id of the name p[:n] (`raw`, its bytes, or None to make them)."""
        cdef uint64_t h = _hash(p, n)
        cdef int32_t found = self._find(p, n, h)
        cdef Name *name
        cdef Py_ssize_t at
        if found >= 0:
            return found
        if raw is None:
            raw = PyBytes_FromStringAndSize(p, n)
        self.raws.append(raw)
        self.texts.append(None)
        if self.n_names == self.names_cap:
            self._grow_names()
        found = <int32_t>self.n_names
        name = &self.names[found]
        name.ptr = PyBytes_AS_STRING(raw)
        name.len = n
        name.hash = h
        name.flags = self.language_flags.get(raw, 0)
        name.rank = 0
        name.seen = name.bound = name.typed = name.counted = 0
        name.binds_lo = name.binds_hi = name.params_lo = name.params_hi = 0
        name.statement = -1
        name.symbol_where = -1
        at = <Py_ssize_t>(h & <uint64_t>self.mask)
        while self.slots[at].id >= 0:
            at = (at + 1) & self.mask
        self.slots[at].tag = <uint32_t>(h >> 32)
        self.slots[at].id = found
        self.n_names += 1
        if self.n_names * 2 > self.mask:
            self._rehash()
        return found

    cdef int _grow_names(self) except -1:
        cdef Py_ssize_t cap = self.names_cap * 2 if self.names_cap else 256
        cdef Name *grown = <Name *>realloc(self.names, cap * sizeof(Name))
        if grown == NULL:
            raise MemoryError()
        self.names = grown
        self.names_cap = cap
        return 0

    cdef int _rehash(self) except -1:
        cdef Py_ssize_t mask = self.mask * 2 + 1
        cdef Slot *slots = <Slot *>malloc((mask + 1) * sizeof(Slot))
        cdef Py_ssize_t i, at
        if slots == NULL:
            raise MemoryError()
        for i in range(mask + 1):
            slots[i].id = -1
        for i in range(self.n_names):
            at = <Py_ssize_t>(self.names[i].hash & <uint64_t>mask)
            while slots[at].id >= 0:
                at = (at + 1) & mask
            slots[at].tag = <uint32_t>(self.names[i].hash >> 32)
            slots[at].id = <int32_t>i
        free(self.slots)
        self.slots = slots
        self.mask = mask
        return 0

    cdef int32_t _intern_bytes(self, bytes raw) except -1:
        return self._intern(PyBytes_AS_STRING(raw), PyBytes_GET_SIZE(raw), raw)

    cdef int32_t _find_bytes(self, bytes raw) noexcept:
        cdef const char *p = PyBytes_AS_STRING(raw)
        cdef Py_ssize_t n = PyBytes_GET_SIZE(raw)
        return self._find(p, n, _hash(p, n))

    cdef int _offsets(self) except -1:
        """Bindings, parameters and type names as (offset, name id) arrays."""
        parsed = self.parsed
        self.n_binds = self._index(
            parsed.bind_offsets, self.bind_names, &self.bind_offsets, &self.bind_ids
        )
        self.n_params = self._index(
            parsed.param_offsets, self.param_names, &self.param_offsets, &self.param_ids
        )
        self.n_types = self._index(
            parsed.type_offsets, parsed.type_names, &self.type_offsets, &self.type_ids
        )
        return 0

    cdef Py_ssize_t _index(
        self, list offsets, list raws, Py_ssize_t **out_offsets, int32_t **out_ids
    ) except -1:
        cdef Py_ssize_t n = len(offsets), i
        out_offsets[0] = <Py_ssize_t *>malloc((n + 1) * sizeof(Py_ssize_t))
        out_ids[0] = <int32_t *>malloc((n + 1) * sizeof(int32_t))
        if out_offsets[0] == NULL or out_ids[0] == NULL:
            raise MemoryError()
        for i in range(n):
            out_offsets[0][i] = <object>PyList_GET_ITEM(offsets, i)
            out_ids[0][i] = self._intern_bytes(<bytes>PyList_GET_ITEM(raws, i))
        return n

    cdef str _node_text(self, TSNode node):
        """syntax.text_of"""
        cdef Py_ssize_t start = ts_node_start_byte(node), end = ts_node_end_byte(node)
        cdef Py_ssize_t size = PyBytes_GET_SIZE(self.source)
        if end > size:
            end = size
        if start > end:
            start = end
        return PyUnicode_DecodeUTF8(PyBytes_AS_STRING(self.source) + start, end - start, "replace")

    cdef str _field_text(self, TSNode node, TSFieldId field):
        """text_of(node.child_by_field_name(field))"""
        cdef TSNode child = ts_node_child_by_field_id(node, field)
        return "" if ts_node_is_null(child) else self._node_text(child)

    cdef int _collect_imports(self) except -1:
        """imports.collect_imports, on the C API: by bound name (first binding wins)."""
        cdef list nodes = self.parsed.import_nodes
        cdef TSNode ts
        for node in nodes:
            ts = mge_node_of(node)
            if self.python:
                self._python_imports(ts)
            else:
                self._js_imports(ts)
        return 0

    cdef int _add_import(self, str name, str module, str statement, TSNode node) except -1:
        key = name.encode()
        if key not in self.imports:
            self.imports[key] = (module, statement, ts_node_start_byte(node))
        return 0

    cdef int _python_imports(self, TSNode node) except -1:
        """imports.python_imports"""
        cdef const char *kind = ts_node_type(node)
        cdef TSTreeCursor cursor
        cdef TSNode child
        cdef bint ok, from_import = strcmp(kind, "import_from_statement") == 0
        cdef bint star = False
        if not from_import and strcmp(kind, "import_statement") != 0:
            return 0  # `from __future__ import ...`
        module = None
        if from_import:
            module = "".join(self._field_text(node, self.field_module_name).split())
        cursor = ts_tree_cursor_new(node)
        try:
            ok = ts_tree_cursor_goto_first_child(&cursor)
            while ok:
                child = ts_tree_cursor_current_node(&cursor)
                if from_import and strcmp(ts_node_type(child), "wildcard_import") == 0:
                    star = True
                # (node.children_by_field_name("name") walks the children with a cursor too)
                if self.field_name and ts_tree_cursor_current_field_id(&cursor) == self.field_name:
                    if strcmp(ts_node_type(child), "aliased_import") == 0:
                        dotted = self._field_text(child, self.field_name)
                        alias = self._field_text(child, self.field_alias)
                        if from_import:
                            self._add_import(
                                alias, module, f"from {module} import {dotted} as {alias}", node
                            )
                        else:
                            self._add_import(alias, dotted, f"import {dotted} as {alias}", node)
                    else:
                        dotted = self._node_text(child)
                        if from_import:
                            self._add_import(dotted, module, f"from {module} import {dotted}", node)
                        else:
                            head = dotted.split(".")[0].strip()
                            self._add_import(head, dotted, f"import {dotted}", node)
                ok = ts_tree_cursor_goto_next_sibling(&cursor)
        finally:
            ts_tree_cursor_delete(&cursor)
        if star:
            self.stars.append(module)
        return 0

    cdef int _js_imports(self, TSNode node) except -1:
        """imports.js_imports"""
        cdef TSNode source = ts_node_child_by_field_id(node, self.field_source)
        cdef TSNode clause, part, spec, child
        cdef uint32_t i, j, k
        cdef Py_ssize_t start = ts_node_start_byte(node)
        if ts_node_is_null(source):
            module = ""
            quoted = '""'
        else:
            quoted = self._node_text(source)
            module = quoted.strip("'\"`")
        type_only = (
            PyBytes_GET_SIZE(self.source) >= start + 11
            and ts_node_end_byte(node) >= start + 11
            and memcmp(PyBytes_AS_STRING(self.source) + start, b"import type", 11) == 0
        )
        kw = "import type" if type_only else "import"
        cdef uint32_t n_clauses, n_parts, n_specs
        cdef TSNode *clauses = _named_children(node, &n_clauses)
        cdef TSNode *parts = NULL
        cdef TSNode *specs = NULL
        try:
            for i in range(n_clauses):
                clause = clauses[i]
                if strcmp(ts_node_type(clause), "import_clause") != 0:
                    continue
                free(parts)
                parts = NULL
                parts = _named_children(clause, &n_parts)
                for j in range(n_parts):
                    part = parts[j]
                    kind = ts_node_type(part)
                    if strcmp(kind, "identifier") == 0:
                        name = self._node_text(part)
                        self._add_import(name, module, f"{kw} {name} from {quoted};", node)
                    elif strcmp(kind, "namespace_import") == 0:
                        free(specs)
                        specs = NULL
                        specs = _named_children(part, &n_specs)
                        for k in range(n_specs):
                            child = specs[k]
                            if strcmp(ts_node_type(child), "identifier") == 0:
                                name = self._node_text(child)
                                stmt = f"{kw} * as {name} from {quoted};"
                                self._add_import(name, module, stmt, node)
                                break
                    elif strcmp(kind, "named_imports") == 0:
                        free(specs)
                        specs = NULL
                        specs = _named_children(part, &n_specs)
                        for k in range(n_specs):
                            spec = specs[k]
                            if strcmp(ts_node_type(spec), "import_specifier") != 0:
                                continue
                            orig = self._field_text(spec, self.field_name)
                            child = ts_node_child_by_field_id(spec, self.field_alias)
                            alias = orig if ts_node_is_null(child) else self._node_text(child)
                            inner = f"{orig} as {alias}" if alias != orig else orig
                            stmt = f"{kw} {{ {inner} }} from {quoted};"
                            self._add_import(alias, module, stmt, node)
        finally:
            free(clauses)
            free(parts)
            free(specs)
        return 0

    cdef object _describe_definition(self, TSNode node):
        """syntax.describe_member of a Python function or class definition, decorated or not
        (the root children the decomposer opened, so never described); None for others."""
        cdef TSNode inner = node, name_node
        cdef const char *kind = ts_node_type(node)
        if strcmp(kind, "decorated_definition") == 0:
            inner = ts_node_child_by_field_name(node, "definition", 10)
            if ts_node_is_null(inner):
                return None
            kind = ts_node_type(inner)
        if strcmp(kind, "function_definition") == 0:
            member_kind = "function"
        elif strcmp(kind, "class_definition") == 0:
            member_kind = "class"
        else:
            return None
        name = None
        name_node = ts_node_child_by_field_id(inner, self.field_name)
        if not ts_node_is_null(name_node):
            kind = ts_node_type(name_node)
            if strcmp(kind, "string") != 0 and strcmp(kind, "computed_property_name") != 0:
                name = self._node_text(name_node)
        return (member_kind, name, mge_node_new(_Node, inner, self.tree))

    cdef int _module_symbols(self) except -1:
        """Names bound at module level, with where they are bound (context._module_symbols)."""
        parsed = self.parsed
        cdef dict symbols = self.symbols
        cdef dict imports = self.imports
        cdef list bind_names = self.bind_names
        # parsed.describe's cache (the decomposer described most root children already)
        cdef dict described = parsed._members
        describe = parsed.describe
        import_types = self.spec.import_types
        cdef Py_ssize_t lo, hi, k, start, end, offset
        cdef TSNode ts, name_node
        cdef TSTreeCursor cursor = ts_tree_cursor_new(mge_node_of(parsed.root))
        cdef bint ok
        try:
            ok = ts_tree_cursor_goto_first_child(&cursor)
            while ok:
                ts = ts_tree_cursor_current_node(&cursor)
                ok = ts_tree_cursor_goto_next_sibling(&cursor)
                if not ts_node_is_named(ts):
                    continue
                # describe_member from the type alone where it can: no lookup in its cache
                # (each a cache miss), and what the loop below does with the answer
                member = self.language.member(ts)
                if member == M_EXPRESSION and self.python and _is_docstring(ts):
                    member = M_COMMENT
                if member == M_COMMENT or member == M_IMPORT:
                    continue  # binds nothing / the imports have it already
                node = None
                if member == M_STATEMENT or member == M_EXPRESSION:
                    kind, name, inner = "statement", None, None  # (no name matters here)
                else:
                    info = described.get(<size_t>ts.id)
                    if info is None and self.python:
                        info = self._describe_definition(ts)
                    if info is None:
                        node = mge_node_new(_Node, ts, self.tree)
                        info = describe(node)
                    kind, name, inner = <tuple>info
                if kind == "comment":
                    continue
                if name and (kind == "function" or kind == "class" or kind == "type"):
                    name_node = ts_node_child_by_field_id(mge_node_of(inner), self.field_name)
                    offset = ts_node_start_byte(ts if ts_node_is_null(name_node) else name_node)
                    raw = name.encode()
                    if raw not in symbols:
                        if node is None:
                            node = mge_node_new(_Node, ts, self.tree)
                        symbols[raw] = (name, kind, offset, node)
                    continue
                start = ts_node_start_byte(ts)
                end = ts_node_end_byte(ts)
                lo = _lower(self.bind_offsets, self.n_binds, start)
                hi = _lower(self.bind_offsets, self.n_binds, end)
                if kind == "import":
                    if (<bytes>ts_node_type(ts)).decode() not in import_types:  # CommonJS require
                        # imports.require_imports: the declaration itself binds the names
                        text = " ".join(self._node_text(ts).split())
                        for k in range(lo, hi):
                            raw = <bytes>PyList_GET_ITEM(bind_names, k)
                            name = raw.decode("utf-8", "replace")
                            imports.setdefault(name.encode(), ("", text, start))
                    continue
                for k in range(lo, hi):
                    raw = <bytes>PyList_GET_ITEM(bind_names, k)
                    if raw not in imports and raw not in symbols:
                        if node is None:
                            node = mge_node_new(_Node, ts, self.tree)
                        symbols[raw] = (
                            raw.decode("utf-8", "replace"), "variable", self.bind_offsets[k], node
                        )
        finally:
            ts_tree_cursor_delete(&cursor)
        return 0

    cdef int _segments(self) except -1:
        """Segment bounds, and every atom's words (context._words), as name ids."""
        cdef Py_ssize_t n = len(self.segments), i
        cdef const unsigned char *text = <const unsigned char *>PyBytes_AS_STRING(self.names_text)
        cdef Py_ssize_t size = PyBytes_GET_SIZE(self.names_text)
        cdef Py_ssize_t start, end, at, run, name_end
        cdef int32_t id_
        cdef int32_t stamp
        self.n_segments = n
        self.seg_starts = <Py_ssize_t *>malloc((n + 1) * sizeof(Py_ssize_t))
        self.seg_ends = <Py_ssize_t *>malloc((n + 1) * sizeof(Py_ssize_t))
        self.word_lo = <Py_ssize_t *>malloc((n + 1) * sizeof(Py_ssize_t))
        if self.seg_starts == NULL or self.seg_ends == NULL or self.word_lo == NULL:
            raise MemoryError()
        for i in range(n):
            seg = <object>PyList_GET_ITEM(self.segments, i)
            start = _seg_field(seg, SEG_START)
            end = _seg_field(seg, SEG_END)
            self.seg_starts[i] = start
            self.seg_ends[i] = end
            self.word_lo[i] = self.word_ids.size
            if end > size:
                end = size
            stamp = <int32_t>(i + 1)
            if 0 < start < end and TOKEN[text[start - 1]] and TOKEN[text[start]]:
                # the range starts inside a run that began before it: not a name
                while start < end and TOKEN[text[start]]:
                    start += 1
            at = start
            while at < end:
                if not TOKEN[text[at]]:
                    at += 1
                    continue
                # a run of name bytes and dots: the part before its first dot is a name,
                # unless it starts with a digit (the rest are attributes)
                run = at
                while at < end and TOKEN[text[at]] and text[at] != 46:
                    at += 1
                name_end = at
                while at < end and TOKEN[text[at]]:
                    at += 1
                if name_end > run and not (48 <= text[run] <= 57):
                    id_ = self._intern(<const char *>text + run, name_end - run, None)
                    if self.names[id_].seen != stamp:
                        self.names[id_].seen = stamp
                        _push(&self.word_ids, id_)
        self.word_lo[n] = self.word_ids.size
        return 0

    cdef int _scopes(self) except -1:
        cdef Py_ssize_t n = len(self.scopes_list), i
        cdef ScopeInfo *info
        self.n_scopes = n
        self.scope_info = <ScopeInfo *>malloc((n + 1) * sizeof(ScopeInfo))
        if self.scope_info == NULL:
            raise MemoryError()
        self.scope_qualnames = []
        self.scope_containers = []
        self.scope_headers = []
        self.arounds = [None] * (n + 1)
        for i in range(n):
            scope = <object>PyList_GET_ITEM(self.scopes_list, i)
            info = &self.scope_info[i]
            info.start = scope.start
            info.end = scope.end
            info.kind = _scope_kind(scope.kind)
            container = scope.container
            info.has_container = container is not None
            info.params_start = -2
            info.params_end = -1
            self.scope_qualnames.append(scope.qualname)
            self.scope_containers.append(container)
            self.scope_headers.append(scope.header)
        return 0

    cdef int _name_facts(self) except -1:
        """Flags and sort ranks of every name, and where each one is bound."""
        global _ranking
        cdef Py_ssize_t n = self.n_names, i
        cdef Name *name
        cdef dict symbols = self.symbols
        cdef dict imports = self.imports
        cdef bint any_types = False
        cdef int32_t id_
        # module symbols and imports, asked of the (fewer) names they hold
        for raw in symbols:
            id_ = self._find_bytes(raw)
            if id_ >= 0:
                self.names[id_].flags |= F_SYMBOL
                if (<tuple>symbols[raw])[1] == "type":
                    self.names[id_].flags |= F_TYPE_SYMBOL
                    any_types = True
        for raw in imports:
            id_ = self._find_bytes(raw)
            if id_ >= 0:
                self.names[id_].flags |= F_IMPORT
        for i in range(n):
            name = &self.names[i]
            if name.flags & F_BUILTIN and not name.flags & (F_SYMBOL | F_IMPORT):
                name.flags |= F_IGNORABLE  # a builtin rebound in the file is not the builtin
        self.any_type_symbols = any_types
        # ranks: names sorted as bytes, as the Python stage sorts them
        self.by_rank = <int32_t *>malloc((n + 1) * sizeof(int32_t))
        if self.by_rank == NULL:
            raise MemoryError()
        for i in range(n):
            self.by_rank[i] = <int32_t>i
        _ranking = self.names
        qsort(self.by_rank, n, sizeof(int32_t), _cmp_name)
        for i in range(n):
            self.names[self.by_rank[i]].rank = <int32_t>i
        # where each name is bound / a parameter: offsets grouped by name (a counting sort,
        # stable, so ascending within each name)
        self.binds_by_name = self._group(self.bind_offsets, self.bind_ids, self.n_binds, True)
        self.params_by_name = self._group(self.param_offsets, self.param_ids, self.n_params, False)
        # import statements in the order an atom lists them: by (offset, statement)
        chosen = {}
        for module, statement, offset in imports.values():
            chosen.setdefault(statement, offset)
        ordered = sorted([(offset, statement) for statement, offset in chosen.items()])
        self.statements = [statement for _, statement in ordered]
        index = {statement: k for k, statement in enumerate(self.statements)}
        self.n_statements = len(self.statements)
        self.statement_seen = <int32_t *>malloc((self.n_statements + 1) * sizeof(int32_t))
        if self.statement_seen == NULL:
            raise MemoryError()
        for i in range(self.n_statements):
            self.statement_seen[i] = 0
        for i in range(n):
            if self.names[i].flags & F_IMPORT:
                raw = <object>PyList_GET_ITEM(self.raws, i)
                self.names[i].statement = index[(<tuple>imports[raw])[1]]
        return 0

    cdef Py_ssize_t *_group(
        self, Py_ssize_t *offsets, int32_t *ids, Py_ssize_t count, bint binds
    ) except NULL:
        """The offsets grouped by name id (a counting sort: stable, so ascending within a
        name); each name's slice goes to its binds_lo/hi (params_lo/hi when not `binds`)."""
        cdef Py_ssize_t n = self.n_names, i, k
        cdef Py_ssize_t *out = <Py_ssize_t *>malloc((count + 1) * sizeof(Py_ssize_t))
        cdef int32_t *fill = <int32_t *>malloc((n + 1) * sizeof(int32_t))
        cdef int32_t at = 0
        if out == NULL or fill == NULL:
            free(out)
            free(fill)
            raise MemoryError()
        for i in range(n + 1):
            fill[i] = 0
        for k in range(count):
            fill[ids[k]] += 1
        for i in range(n):
            k = fill[i]
            fill[i] = at
            if binds:
                self.names[i].binds_lo = at
                self.names[i].binds_hi = at + <int32_t>k
            else:
                self.names[i].params_lo = at
                self.names[i].params_hi = at + <int32_t>k
            at += <int32_t>k
        for k in range(count):
            out[fill[ids[k]]] = offsets[k]
            fill[ids[k]] += 1
        free(fill)
        return out

    # -- questions about names ----------------------------------------------------------

    cdef inline Py_ssize_t _first_bind(
        self, int32_t id_, Py_ssize_t start, Py_ssize_t end
    ) noexcept:
        """First offset in [start, end) where the name is bound, or -1."""
        cdef Name *name = &self.names[id_]
        cdef Py_ssize_t lo = name.binds_lo
        cdef Py_ssize_t at = lo + _lower(self.binds_by_name + lo, name.binds_hi - lo, start)
        if at < name.binds_hi and self.binds_by_name[at] < end:
            return self.binds_by_name[at]
        return -1

    cdef inline bint _is_param(self, int32_t id_, ScopeInfo *scope):
        cdef Name *name = &self.names[id_]
        cdef Py_ssize_t lo = name.params_lo
        cdef Py_ssize_t at
        if scope.params_start == -2:
            self._param_range(scope)
        if scope.params_start < 0 or lo == name.params_hi:
            return False
        at = lo + _lower(self.params_by_name + lo, name.params_hi - lo, scope.params_start)
        return at < name.params_hi and self.params_by_name[at] < scope.params_end

    cdef int _param_range(self, ScopeInfo *scope) except -1:
        cdef Py_ssize_t sid = scope - self.scope_info
        cdef TSNode ts
        scope.params_start = -1
        node = self.scope_containers[sid]
        if node is None:
            return 0
        plist = node.child_by_field_name("parameters") or node.child_by_field_name("parameter")
        if plist is not None:
            ts = mge_node_of(plist)
            scope.params_start = ts_node_start_byte(ts)
            scope.params_end = ts_node_end_byte(ts)
        return 0

    cdef inline Py_ssize_t _atom_at(self, Py_ssize_t offset) noexcept:
        cdef Py_ssize_t at = _upper(self.seg_starts, self.n_segments, offset) - 1
        return at if at > 0 else 0

    cdef inline str _text(self, int32_t id_):
        text = <object>PyList_GET_ITEM(self.texts, id_)
        if text is None:
            raw = <object>PyList_GET_ITEM(self.raws, id_)
            text = (<bytes>raw).decode("utf-8", "replace")
            self.texts[id_] = text
        return <str>text

    cdef object _symbol_hint(self, int32_t id_):
        """The hint pointing at a module symbol's atom (context._symbol_hint)."""
        if self.symbol_hints is None:
            self.symbol_hints = [None] * self.n_names
        hint = <object>PyList_GET_ITEM(self.symbol_hints, id_)
        if hint is None:
            raw = <object>PyList_GET_ITEM(self.raws, id_)
            name, kind, offset, _ = <tuple>self.symbols[raw]
            where = self._atom_at(offset)
            self.names[id_].symbol_where = <int32_t>where
            hint = f"{name}: module-level {kind} in atom #{where}"
            self.symbol_hints[id_] = hint
        return hint

    cdef object _local_hint(self, int32_t id_, Py_ssize_t owner, Py_ssize_t where, bint block):
        key = (<Py_ssize_t>id_) * (self.n_scopes + 1) + owner
        hint = self.local_hints.get(key)
        if hint is None:
            name = self._text(id_)
            if block:
                hint = f"{name}: bound in atom #{where}"
            else:
                who = self.scope_qualnames[owner] or "the enclosing function"
                hint = f"{name}: local of {who}, bound in atom #{where}"
            self.local_hints[key] = hint
        return hint

    cdef object _star_hint(self, int32_t id_):
        if self.star_hints is None:
            self.star_hints = [None] * self.n_names
        hint = <object>PyList_GET_ITEM(self.star_hints, id_)
        if hint is None:
            hint = f"{self._text(id_)}: presumably from `from {self.stars[0]} import *`"
            self.star_hints[id_] = hint
        return hint

    cdef TSNode _unwrap(self, TSNode node):
        """syntax.unwrap: the definition inside decorators / `export` wrappers."""
        passthrough = self.spec.passthrough
        cdef TSNode inner
        cdef int step
        cdef bytes encoded
        for step in range(8):  # wrappers nest at most a few levels; bound it anyway
            kind = (<bytes>ts_node_type(node)).decode()
            field_name = passthrough.get(kind)
            if field_name is None:
                if kind == "export_statement":
                    inner = ts_node_child_by_field_name(node, "value", 5)
                    if not ts_node_is_null(inner):
                        node = inner
                        continue
                elif kind == "ambient_declaration" and ts_node_named_child_count(node):
                    node = ts_node_named_child(node, 0)
                    continue
                return node
            encoded = (<str>field_name).encode()
            inner = ts_node_child_by_field_name(node, encoded, len(encoded))
            if ts_node_is_null(inner):
                if kind == "export_statement":
                    inner = ts_node_child_by_field_name(node, "value", 5)
                if ts_node_is_null(inner):
                    return node
            node = inner
        return node

    cdef object _type_text(self, int32_t id_):
        """What a type name shows when it resolves to a module symbol or an import."""
        cdef Py_ssize_t n, k
        if self.type_texts is None:
            self.type_texts = [None] * self.n_names
        text = <object>PyList_GET_ITEM(self.type_texts, id_)
        if text is not None:
            return text
        raw = <object>PyList_GET_ITEM(self.raws, id_)
        name = self._text(id_)
        if self.names[id_].flags & F_SYMBOL:
            symbol_name, kind, _, node = <tuple>self.symbols[raw]
            whole = self._node_text(self._unwrap(mge_node_of(node))).strip()
            if kind == "type" and len(whole.splitlines()) <= _TYPE_SUMMARY_LINES:
                text = whole
            elif not whole:
                text = symbol_name
            else:
                # its first line, and " ..." when there are more (stripped, it does not
                # end with a line break): what splitlines() would say, without splitting
                # a whole class
                n = PyUnicode_GET_LENGTH(whole)
                k = 0
                while k < n and not Py_UNICODE_ISLINEBREAK(PyUnicode_READ_CHAR(whole, k)):
                    k += 1
                text = whole[:k].rstrip() + (" ..." if k < n else "")
        else:
            module = (<tuple>self.imports[raw])[0]
            if module not in _TYPING_MODULES:
                text = f"{name} (from {module})" if module else name
            else:
                text = False  # resolves, shows nothing
        self.type_texts[id_] = text
        return text

    cdef _Around _around_of(self, list enclosing_ids):
        cdef Py_ssize_t n = len(enclosing_ids), k
        cdef Py_ssize_t key = <object>enclosing_ids[n - 1] if n else 0
        cdef _Around around = <_Around>self.arounds[key]
        cdef int32_t sid
        cdef int kind
        if around is not None:
            return around
        around = _Around.__new__(_Around)
        around.n_locals = -1
        around.scopes = <int32_t *>malloc((n + 1) * sizeof(int32_t))
        around.functions = <int32_t *>malloc((n + 1) * sizeof(int32_t))
        around.blocks = <int32_t *>malloc((n + 1) * sizeof(int32_t))
        if around.scopes == NULL or around.functions == NULL or around.blocks == NULL:
            raise MemoryError()
        around.n_scopes = n
        for k in range(n):
            around.scopes[k] = <int32_t>(<object>enclosing_ids[k])
        for k in range(n - 1, -1, -1):
            sid = around.scopes[k]
            kind = self.scope_info[sid].kind
            if kind == S_FUNCTION or kind == S_METHOD:
                around.functions[around.n_functions] = sid
                around.n_functions += 1
            elif kind == S_BLOCK:
                around.blocks[around.n_blocks] = sid
                around.n_blocks += 1
        headers = [self.scope_headers[s] for s in enclosing_ids]
        around.text = "\n".join([h for h in headers if h]) or None
        around.scope_complete = all(headers)
        self.arounds[key] = around
        return around

    cdef Py_ssize_t _owner(self, _Around around, int32_t id_, Py_ssize_t *first) except -3:
        """The innermost enclosing function (or its parameters), else block, binding a name.

        context._around_of's resolver, asked for one name: parameters over a function's
        other names, functions (inner first) over blocks (inner first).
        """
        cdef Py_ssize_t k, at
        cdef int32_t sid
        cdef ScopeInfo *scope
        for k in range(around.n_functions):
            sid = around.functions[k]
            scope = &self.scope_info[sid]
            if self._is_param(id_, scope):
                return O_PARAM
            at = self._first_bind(id_, scope.start, scope.end)
            if at >= 0:
                first[0] = at
                return sid
        for k in range(around.n_blocks):
            sid = around.blocks[k]
            scope = &self.scope_info[sid]
            at = self._first_bind(id_, scope.start, scope.end)
            if at >= 0:
                first[0] = at
                return sid
        return O_NONE

    # -- per atom -----------------------------------------------------------------------

    def inject(self, Py_ssize_t index):
        if index < 0:
            index += self.n_segments
        if not 0 <= index < self.n_segments:
            raise IndexError(index)
        return self._inject(index)

    def inject_all(self):
        """(context, facts) of every atom, in order."""
        cdef Py_ssize_t i
        return [self._inject(i) for i in range(self.n_segments)]

    cdef int _add_hint(self, Py_ssize_t *count, int32_t rank, object text) except -1:
        cdef Py_ssize_t cap
        cdef Hint *grown
        if count[0] == self.hints_cap:
            cap = self.hints_cap * 2 if self.hints_cap else 32
            grown = <Hint *>realloc(self.hints, cap * sizeof(Hint))
            if grown == NULL:
                raise MemoryError()
            self.hints = grown
            self.hints_cap = cap
        self.hints[count[0]].rank = rank
        self.hints[count[0]].text = <PyObject *>text
        count[0] += 1
        return 0

    cdef tuple _texts_of(self, IntVec *ids):
        cdef tuple out = PyTuple_New(ids.size)
        cdef Py_ssize_t k
        for k in range(ids.size):
            text = self._text(ids.data[k])
            Py_INCREF(text)
            PyTuple_SET_ITEM(out, k, text)
        return out

    cdef tuple _inject(self, Py_ssize_t index):
        seg = <object>PyList_GET_ITEM(self.segments, index)
        cdef Py_ssize_t start = self.seg_starts[index], end = self.seg_ends[index]
        # a fresh stamp per call (not the index: an atom asked for twice starts clean)
        self.inject_stamp += 1
        cdef int32_t stamp = self.inject_stamp
        cdef Py_ssize_t k, lo, hi, n, first, where, owner
        cdef int32_t id_
        cdef Name *name
        cdef Name *names = self.names
        cdef uint32_t flags

        # words, in bytes order (as sorted(): ranks are that order)
        cdef IntVec *words = &self.words
        words.size = 0
        for k in range(self.word_lo[index], self.word_lo[index + 1]):
            _push(words, names[self.word_ids.data[k]].rank)
        _sort_ints(words.data, words.size)
        for k in range(words.size):
            words.data[k] = self.by_rank[words.data[k]]
        cdef list word_list = PyList_New(words.size)
        for k in range(words.size):
            raw = <object>PyList_GET_ITEM(self.raws, words.data[k])
            Py_INCREF(raw)
            PyList_SET_ITEM(word_list, k, raw)
        facts_words = _frozenset(word_list) if words.size else _EMPTY_WORDS

        # bound here: the names bound in the atom's range
        cdef Py_ssize_t bind_lo = _lower(self.bind_offsets, self.n_binds, start)
        cdef Py_ssize_t bind_hi = _lower(self.bind_offsets, self.n_binds, end)
        cdef IntVec *bound = &self.bound
        bound.size = 0
        for k in range(bind_lo, bind_hi):
            id_ = self.bind_ids[k]
            if names[id_].bound != stamp:
                names[id_].bound = stamp
                _push(bound, id_)

        # free names: the words not bound here and not ignorable, in bytes order
        cdef IntVec *free_names = &self.free_names
        free_names.size = 0
        for k in range(words.size):
            id_ = words.data[k]
            if names[id_].bound != stamp and not names[id_].flags & F_IGNORABLE:
                _push(free_names, id_)

        # the segment's fields, read once (slots descriptors: a type lookup each)
        cdef list opened = _seg_field(seg, SEG_OPENED)
        cdef list members = _seg_field(seg, SEG_MEMBERS)
        cdef list kinds = _seg_field(seg, SEG_MEMBER_KINDS)
        cdef list member_names = _seg_field(seg, SEG_MEMBER_NAMES)
        cdef list inners = _seg_field(seg, SEG_MEMBER_INNERS)
        if not len(members) == len(kinds) == len(member_names) == len(inners):
            raise ValueError("segment member lists differ in length")
        cdef _Around around = self._around_of(_seg_field(seg, SEG_ENCLOSING))
        cdef bint inside_function = around.n_functions > 0

        # resolution: enclosing locals, module symbols, imports, star imports
        cdef Py_ssize_t n_hints = 0
        cdef Py_ssize_t internal = 0, external = 0, resolved_external = 0
        cdef Py_ssize_t n_statements = 0
        cdef IntVec *unresolved_ids = &self.unresolved
        unresolved_ids.size = 0
        cdef IntVec *locals_here = &self.locals_here
        locals_here.size = 0
        cdef list sibling_locals = []
        cdef list sibling_raws = []
        cdef bint stars = bool(self.stars)
        for k in range(free_names.size):
            id_ = free_names.data[k]
            name = &names[id_]
            owner = O_NONE
            if around.n_functions or around.n_blocks:
                owner = self._owner(around, id_, &first)
            if owner != O_NONE:
                internal += 1
                _push(locals_here, id_)
                if owner == O_PARAM:
                    continue  # the enclosing signature says it
                where = self._atom_at(first)
                if self.scope_info[owner].kind == S_BLOCK:
                    # e.g. a name bound earlier in a big module-level `if`
                    self._add_hint(&n_hints, name.rank, self._local_hint(id_, owner, where, True))
                    continue
                if where == index:
                    continue
                sibling_locals.append(self._text(id_))
                sibling_raws.append(<object>PyList_GET_ITEM(self.raws, id_))
                self._add_hint(&n_hints, name.rank, self._local_hint(id_, owner, where, False))
                continue
            flags = name.flags
            if flags & F_SYMBOL:
                internal += 1
                hint = self._symbol_hint(id_)
                if name.symbol_where != index:
                    self._add_hint(&n_hints, name.rank, hint)
                continue
            external += 1
            if flags & F_IMPORT:
                resolved_external += 1
                if self.statement_seen[name.statement] != stamp:
                    self.statement_seen[name.statement] = stamp
                    n_statements += 1
                continue
            if stars:
                resolved_external += 1
                self._add_hint(&n_hints, name.rank, self._star_hint(id_))
            else:
                _push(unresolved_ids, id_)

        if len(sibling_locals) > 1:
            sibling_locals = self._sibling_order(
                around, facts_words, bind_lo, bind_hi, sibling_raws, free_names.size
            )

        # imports, in the file's statement order
        cdef tuple import_lines = _EMPTY
        if n_statements:
            import_lines = PyTuple_New(n_statements)
            n = 0
            for k in range(self.n_statements):
                if self.statement_seen[k] == stamp:
                    line = <object>PyList_GET_ITEM(self.statements, k)
                    Py_INCREF(line)
                    PyTuple_SET_ITEM(import_lines, n, line)
                    n += 1
                    if n == n_statements:
                        break

        cdef tuple unresolved = self._texts_of(unresolved_ids) if unresolved_ids.size else _EMPTY
        cdef tuple uses = self._texts_of(free_names) if free_names.size else _EMPTY

        # types
        cdef Py_ssize_t types_total = 0, types_ok = 0
        cdef tuple types = self._types(start, end, stamp, around, &types_total, &types_ok)

        # contract
        facts = _new(ContextFacts)
        cdef list functions = []
        cdef Py_ssize_t definitions = 0, documented = 0, doc_total = 0
        pre, post = self._contract(
            opened, kinds, member_names, inners, around, functions, &definitions, &documented,
            &doc_total
        )
        defines = self._defines(
            _seg_field(seg, SEG_LCA), opened, members, kinds, member_names, inside_function, stamp
        )
        tests = self._tests(around, defines) if self.test_words else _EMPTY

        cdef Py_ssize_t needed = external + internal
        if (
            resolved_external == external
            and around.scope_complete
            and types_ok == types_total
            and documented == doc_total
        ):
            components = _COMPLETE.copy()
            completeness = 1.0
        else:
            imports_part = self._ratio(resolved_external, external)
            scope_part = 1.0 if around.scope_complete else 0.0
            types_part = self._ratio(types_ok, types_total)
            contract_part = self._ratio(documented, doc_total)
            dependencies_part = self._ratio(resolved_external + internal, needed)
            components = {
                "imports": imports_part,
                "scope": scope_part,
                "types": types_part,
                "contract": contract_part,
                "dependencies": dependencies_part,
            }
            if _PLAIN_SUM:  # sum() of floats: left to right (compensated from 3.12 on)
                total = (
                    <double>imports_part + <double>scope_part + <double>types_part
                    + <double>contract_part + <double>dependencies_part
                )
            else:
                total = _sum(
                    (imports_part, scope_part, types_part, contract_part, dependencies_part)
                )
            completeness = self._rounded(total * 0.2)

        # hints, by name (names are unique among them: each resolves one way)
        cdef tuple dependency_hints = _EMPTY
        if n_hints:
            if n_hints > 1:
                qsort(self.hints, n_hints, sizeof(Hint), _cmp_hint)
            dependency_hints = PyTuple_New(n_hints)
            for k in range(n_hints):
                text = <object>self.hints[k].text
                Py_INCREF(text)
                PyTuple_SET_ITEM(dependency_hints, k, text)

        context = _new(AtomContext)
        # model.new_frozen: the instance dict filled at once (frozen: no __setattr__)
        PyObject_GenericSetAttr(context, "__dict__", {
            "imports": import_lines,
            "enclosing_scope": around.text,
            "types": types,
            "preconditions": pre,
            "postconditions": post,
            "defines": defines,
            "uses": uses,
            "dependency_hints": dependency_hints,
            "tests": tests,
            "completeness": completeness,
            "components": components,
            "unresolved": unresolved,
        })
        facts.words = facts_words
        facts.sibling_locals = sibling_locals
        facts.functions = functions
        facts.definitions = definitions
        facts.inside_function = inside_function
        return (context, facts)

    cdef object _rounded(self, double x):
        """round(x, 4): correctly rounded through a decimal string (as Python does it), so
        worth remembering: the same few ratios come back atom after atom, file after file."""
        key = x
        value = _ROUNDED.get(key)
        if value is None:
            if len(_ROUNDED) >= 65536:  # ratios of small counts: a bound never reached
                _ROUNDED.clear()
            value = _ROUNDED[key] = _round(x, 4)
        return value

    cdef object _ratio(self, Py_ssize_t part, Py_ssize_t whole):
        """1.0 for nothing to resolve, else round(part / whole, 4)"""
        if whole == 0:
            return 1.0
        return self._rounded(<double>part / <double>whole)

    cdef list _sibling_order(
        self, _Around around, object words, Py_ssize_t bind_lo, Py_ssize_t bind_hi,
        list sibling_raws, Py_ssize_t n_free
    ):
        """The sibling locals in the order the Python stage finds them.

        It appends them while iterating `free_set & around.locals`, a frozenset whose order
        follows the hashes and the history of the sets it was made from. Rare enough (two
        or more siblings) to make those sets as it does and read the order off them.
        """
        cdef Py_ssize_t k
        if self.ignorable is None:
            # context.ContextInjector._ignorable: only its content matters here (what set
            # differences iterate is the left operand), so made without set algebra
            self.ignorable = self._ignorable()
        bound_here = frozenset(self.bind_names[bind_lo:bind_hi])
        free_set = words - bound_here - self.ignorable
        if self._count_locals(around) > n_free:
            # An intersection iterates the smaller set and adds the common names to a new
            # one: here free_set, so the (large) locals set itself is not needed, only which
            # free names are local.
            local_raws = {
                <object>PyList_GET_ITEM(self.raws, self.locals_here.data[k])
                for k in range(self.locals_here.size)
            }
            common = set()
            for raw in free_set:
                if raw in local_raws:
                    common.add(raw)
        else:
            if around.locals_set is None:
                around.locals_set = self._locals_set(around)
            common = free_set & around.locals_set
        wanted = set(sibling_raws)
        return [raw.decode("utf-8", "replace") for raw in common if raw in wanted]

    cdef object _ignorable(self):
        """keywords | (builtins - module symbols - imports)"""
        base, rebindable = _language_ignorable(self.keywords, self.builtins)
        out = set(base)  # a copy of the table, at C speed
        for names in (self.symbols, self.imports):
            for raw in names:
                if raw in rebindable:
                    out.discard(raw)
        return out

    cdef Py_ssize_t _count_locals(self, _Around around) except -1:
        """How many names the enclosing functions and blocks bind (their parameters too)."""
        cdef Py_ssize_t k, j, lo, hi, count = 0
        cdef int32_t sid, id_, stamp
        cdef ScopeInfo *scope
        if around.n_locals >= 0:
            return around.n_locals
        self.count_stamp += 1
        stamp = self.count_stamp
        for k in range(around.n_functions + around.n_blocks):
            if k < around.n_functions:
                sid = around.functions[k]
            else:
                sid = around.blocks[k - around.n_functions]
            scope = &self.scope_info[sid]
            lo = _lower(self.bind_offsets, self.n_binds, scope.start)
            hi = _lower(self.bind_offsets, self.n_binds, scope.end)
            for j in range(lo, hi):
                id_ = self.bind_ids[j]
                if self.names[id_].counted != stamp:
                    self.names[id_].counted = stamp
                    count += 1
            if k < around.n_functions:
                if scope.params_start == -2:
                    self._param_range(scope)
                if scope.params_start >= 0:
                    lo = _lower(self.param_offsets, self.n_params, scope.params_start)
                    hi = _lower(self.param_offsets, self.n_params, scope.params_end)
                    for j in range(lo, hi):
                        id_ = self.param_ids[j]
                        if self.names[id_].counted != stamp:
                            self.names[id_].counted = stamp
                            count += 1
        around.n_locals = count
        return count

    cdef object _locals_set(self, _Around around):
        """context._Around.locals, built as context._around_of builds it."""
        cdef Py_ssize_t k
        resolver = {}
        for k in range(around.n_blocks - 1, -1, -1):
            resolver.update(dict.fromkeys(self._names_of(around.blocks[k])))
        for k in range(around.n_functions - 1, -1, -1):
            resolver.update(dict.fromkeys(self._names_of(around.functions[k])))
            resolver.update(dict.fromkeys(self._params_of(around.functions[k])))
        return frozenset(resolver)

    cdef dict _names_of(self, int32_t sid):
        """context._names_of: first binding offset of every name bound inside a scope."""
        cdef ScopeInfo *scope = &self.scope_info[sid]
        cdef Py_ssize_t lo, hi
        names = self.scope_names.get(sid)
        if names is None:
            lo = _lower(self.bind_offsets, self.n_binds, scope.start)
            hi = _lower(self.bind_offsets, self.n_binds, scope.end)
            parsed = self.parsed
            # reversed, so that the first binding of a name is the one that stays
            names = dict(
                zip(
                    reversed(parsed.bind_names[lo:hi]),
                    reversed(parsed.bind_offsets[lo:hi]),
                    strict=True,
                )
            )
            self.scope_names[sid] = names
        return <dict>names

    cdef object _params_of(self, int32_t sid):
        cdef ScopeInfo *scope = &self.scope_info[sid]
        if scope.params_start == -2:
            self._param_range(scope)
        if scope.params_start < 0:
            return frozenset()
        return frozenset(self.parsed.param_names_in(scope.params_start, scope.params_end))

    cdef tuple _types(
        self, Py_ssize_t start, Py_ssize_t end, int32_t stamp, _Around around,
        Py_ssize_t *total, Py_ssize_t *ok
    ):
        cdef Py_ssize_t lo = _lower(self.type_offsets, self.n_types, start)
        cdef Py_ssize_t hi = _lower(self.type_offsets, self.n_types, end)
        cdef Py_ssize_t k, j
        cdef int32_t id_
        cdef uint32_t flags
        cdef bint by_value = False, bound_around
        cdef IntVec *found = &self.found
        cdef IntVec *free_names = &self.free_names
        cdef ScopeInfo *scope
        # TS interfaces, type aliases and enums used by value (enum members, `satisfies`...)
        if self.any_type_symbols:
            for k in range(free_names.size):
                if self.names[free_names.data[k]].flags & F_TYPE_SYMBOL:
                    by_value = True
                    break
        if lo == hi and not by_value:
            return _EMPTY
        found.size = 0
        for k in range(lo, hi):
            id_ = self.type_ids[k]
            if self.names[id_].typed != stamp:
                self.names[id_].typed = stamp
                _push(found, id_)
        if by_value:
            for k in range(free_names.size):
                id_ = free_names.data[k]
                if self.names[id_].flags & F_TYPE_SYMBOL and self.names[id_].typed != stamp:
                    self.names[id_].typed = stamp
                    _push(found, id_)
        out = []
        for k in range(found.size):
            id_ = found.data[k]
            flags = self.names[id_].flags
            if flags & F_KEYWORD or self.names[id_].bound == stamp:
                continue
            total[0] += 1
            if flags & F_BUILTIN and not flags & F_SYMBOL:
                ok[0] += 1
                continue
            bound_around = False
            for j in range(around.n_scopes):  # type parameters and local aliases
                scope = &self.scope_info[around.scopes[j]]
                if self._first_bind(id_, scope.start, scope.end) >= 0:
                    bound_around = True
                    break
            if bound_around:
                ok[0] += 1
                continue
            if flags & (F_SYMBOL | F_IMPORT):
                ok[0] += 1
                text = self._type_text(id_)
                if text is not False:
                    out.append(text)
                continue
            ok[0] += bool(self.stars)
            out.append(self._text(id_))
        return tuple(out)

    cdef tuple _doc(self, node):
        """(documented, preconditions, postconditions) of a definition (context._doc)."""
        cdef TSNode ts = mge_node_of(node)
        key = <size_t>ts.id
        cached = self.docs.get(key)
        if cached is None:
            lines = None
            if self.python:  # the parser's query found the docstrings already
                found = self.parsed.docstrings.get(ts_node_start_byte(ts))
                if found is None:
                    doc = None
                else:
                    cached = _docstring_contract(
                        self._slice_text((<tuple>found)[0], (<tuple>found)[1])
                    )
                    self.docs[key] = cached
                    return <tuple>cached
            else:
                doc = self._js_doc(ts)
                lines = self.js_lines
                self.js_lines = None
            pre, post = _parse_contract(doc, lines)
            cached = (bool(doc), tuple(pre), tuple(post))
            self.docs[key] = cached
        return <tuple>cached

    cdef str _slice_text(self, Py_ssize_t start, Py_ssize_t end):
        cdef Py_ssize_t size = PyBytes_GET_SIZE(self.source)
        if end > size:
            end = size
        if start > end:
            start = end
        return PyUnicode_DecodeUTF8(PyBytes_AS_STRING(self.source) + start, end - start, "replace")

    cdef object _js_doc(self, TSNode definition):
        """parsed.js_doc, sharing its cache: syntax.js_doc_comment on the C API (its lines
        go to self.js_lines when it made the text)."""
        key = <size_t>definition.id
        self.js_lines = None
        doc = self.js_docs.get(key, self)
        if doc is not self:
            return doc
        doc = None
        cdef TSNode node = definition, prev, parent
        cdef int step
        for step in range(5):
            prev = ts_node_prev_named_sibling(node)
            while not ts_node_is_null(prev) and strcmp(ts_node_type(prev), "decorator") == 0:
                prev = ts_node_prev_named_sibling(prev)
            if not ts_node_is_null(prev) and _is_one_of(ts_node_type(prev), self.comment_types):
                start = ts_node_start_byte(prev)
                end = ts_node_end_byte(prev)
                if self.source.startswith(self.spec.doc_comment_prefix, start, end):
                    doc, self.js_lines = _clean_jsdoc_lines(self._slice_text(start, end))
                break
            parent = ts_node_parent(node)
            if ts_node_is_null(parent) or <bytes>ts_node_type(parent) not in _JS_NAMING_WRAPPERS:
                break
            node = parent
        self.js_docs[key] = doc
        return doc

    cdef tuple _contract(
        self, list opened_ids, list kinds, list member_names, list inners, _Around around,
        list functions, Py_ssize_t *definitions, Py_ssize_t *documented, Py_ssize_t *total
    ):
        cdef list sources = []
        cdef Py_ssize_t k, n = len(kinds)
        cdef int32_t sid
        cdef int kind_code
        for k in range(n):
            kind = <object>PyList_GET_ITEM(kinds, k)
            if kind == "function" or kind == "class":
                definitions[0] += 1
                inner = <object>PyList_GET_ITEM(inners, k)
                sources.append((<object>PyList_GET_ITEM(member_names, k), inner))
                if kind == "function":
                    functions.append(inner)
            elif kind == "type":
                definitions[0] += 1
        for opened in opened_ids:
            sid = opened
            kind_code = self.scope_info[sid].kind
            if (
                (kind_code == S_FUNCTION or kind_code == S_METHOD or kind_code == S_CLASS)
                and self.scope_info[sid].has_container
            ):
                container = self.scope_containers[sid]
                sources.append((self.scope_qualnames[sid], container))
                if kind_code != S_CLASS:
                    functions.append(container)
        for k in range(around.n_functions):
            sid = around.functions[k]
            if self.scope_info[sid].has_container:
                sources.append((self.scope_qualnames[sid], self.scope_containers[sid]))
                break
        if not sources:
            return _EMPTY, _EMPTY
        if len(sources) > _MAX_DOC_SOURCES:
            del sources[_MAX_DOC_SOURCES:]
        total[0] = len(sources)
        if total[0] == 1:  # the common case: one definition, its contract as it is
            has_doc, p, q = self._doc((<tuple>sources[0])[1])
            if has_doc:
                documented[0] += 1
                return p, q
            return _EMPTY, _EMPTY
        pre = []
        post = []
        for name, node in sources:
            has_doc, p, q = self._doc(node)
            if not has_doc:
                continue
            documented[0] += 1
            if name:
                prefix = f"{name}: "
                pre.extend([prefix + x for x in p])
                post.extend([prefix + x for x in q])
            else:
                pre.extend(p)
                post.extend(q)
        return tuple(pre), tuple(post)

    cdef tuple _defines(
        self, Py_ssize_t lca, list opened_ids, list members, list kinds, list member_names,
        bint inside_function, int32_t stamp
    ):
        cdef _Ordered out = _Ordered.__new__(_Ordered)
        cdef int32_t sid
        cdef Py_ssize_t k, j, n = len(kinds), lo, hi
        cdef TSNode ts
        cdef IntVec *bound = &self.bound
        out.items = []
        base = self.scope_qualnames[lca]
        for opened in opened_ids:
            sid = opened
            qualname = self.scope_qualnames[sid]
            if qualname and self.scope_info[sid].kind != S_BLOCK:
                out.add(qualname)
        for k in range(n):
            kind = <object>PyList_GET_ITEM(kinds, k)
            name = <object>PyList_GET_ITEM(member_names, k)
            if name and kind != "statement":
                out.add(f"{base}.{name}" if base else name)
            elif kind == "statement" or kind == "import":
                ts = mge_node_of(<object>PyList_GET_ITEM(members, k))
                lo = _lower(self.bind_offsets, self.n_binds, ts_node_start_byte(ts))
                hi = _lower(self.bind_offsets, self.n_binds, ts_node_end_byte(ts))
                for j in range(lo, hi):
                    out.add(<object>PyList_GET_ITEM(self.bind_texts, j))
        if inside_function and bound.size:
            # bound here, in bytes order
            sorted_bound = &self.scratch
            sorted_bound.size = 0
            for k in range(bound.size):
                _push(sorted_bound, self.names[bound.data[k]].rank)
            _sort_ints(sorted_bound.data, sorted_bound.size)
            for k in range(sorted_bound.size):
                out.add(self._text(self.by_rank[sorted_bound.data[k]]))
        return tuple(out.items) if out.items else _EMPTY

    cdef tuple _tests(self, _Around around, tuple defines):
        """context._tests: the test files that mention a name the atom defines or sits in."""
        cdef Py_ssize_t k
        names = {d.rpartition(".")[2] for d in defines}  # (no negative indexing here)
        for k in range(around.n_scopes):
            scope = self.scopes_list[around.scopes[k]]
            if scope.name and scope.kind != "block":
                names.add(scope.name)
        keywords = self.spec.keywords
        wanted = {n for n in names if len(n) >= 3 and n not in keywords and not n.startswith("__")}
        if not wanted:
            return _EMPTY
        own = self.parsed.path
        return tuple(
            sorted(
                path
                for path, words in self.test_words.items()
                if path != own and not wanted.isdisjoint(words)
            )
        )


# -- contracts.parse_contract, compiled ----------------------------------------------------
#
# The same steps on the same str methods and regexes, minus the interpreter; and
# contracts._STRUCTURE, the test every docstring with a ":" goes through, answered by a scan
# of the text when it is ASCII (the regex, case-insensitive over Unicode, otherwise).


cdef inline bint _ascii_word(unsigned char c) noexcept nogil:
    return (48 <= c <= 57) or (65 <= c <= 90) or (97 <= c <= 122) or c == 95


cdef inline unsigned char _ascii_lower(unsigned char c) noexcept nogil:
    return c + 32 if 65 <= c <= 90 else c


cdef bint _starts_with_lower(const unsigned char *t, Py_ssize_t n, bytes word):
    cdef const unsigned char *w = <const unsigned char *>PyBytes_AS_STRING(word)
    cdef Py_ssize_t m = PyBytes_GET_SIZE(word), i
    if n < m:
        return False
    for i in range(m):
        if _ascii_lower(t[i]) != w[i]:
            return False
    return True


cdef bint _ascii_structure(const unsigned char *t, Py_ssize_t n):
    """contracts._STRUCTURE.search(text) is not None, for ASCII text, line by line: after
    spaces and tabs, "@" and a word character, ":" and a field name (a whole word), a rule of
    three dashes or more alone on its line, or a section heading then a ":".
    """
    cdef Py_ssize_t line = 0, j, k, m
    cdef const unsigned char *nl
    cdef unsigned char c
    cdef unsigned char lowered[16]
    cdef bytes word
    while True:
        j = line
        while j < n and (t[j] == 32 or t[j] == 9):
            j += 1
        if j < n:
            c = t[j]
            if c == 64:  # "@" and a word character
                if j + 1 < n and _ascii_word(t[j + 1]):
                    return True
            elif c == 58:  # ":" and a field name that is a whole word
                k = j + 1
                while k < n and _ascii_word(t[k]):
                    k += 1
                if 3 <= k - j - 1 <= 9:
                    for m in range(k - j - 1):
                        lowered[m] = _ascii_lower(t[j + 1 + m])
                    if PyBytes_FromStringAndSize(<char *>lowered, k - j - 1) in _FIELD_WORDS:
                        return True
            elif c == 45:  # a rule of dashes alone on its line
                k = j
                while k < n and t[k] == 45:
                    k += 1
                if k - j >= 3:
                    while k < n and (t[k] == 32 or t[k] == 9):
                        k += 1
                    if k == n or t[k] == 10:
                        return True
            elif (65 <= c <= 90) or (97 <= c <= 122):  # a section heading and a ":"
                for word in _SECTION_WORDS:
                    if _starts_with_lower(t + j, n - j, word):
                        k = j + PyBytes_GET_SIZE(word)
                        while k < n and (t[k] == 32 or t[k] == 9):
                            k += 1
                        if k < n and t[k] == 58:
                            return True
        nl = <const unsigned char *>memchr(t + line, 10, n - line)
        if nl == NULL:
            return False
        line = nl - t + 1


cdef bint _has_structure(str doc):
    if doc.isascii():
        return _ascii_structure(PyUnicode_1BYTE_DATA(doc), PyUnicode_GET_LENGTH(doc))
    return _STRUCTURE_SEARCH(doc) is not None


cdef inline Py_ssize_t _indent(str line):
    """len(line) - len(line.lstrip())"""
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(line), i = 0
    while i < n and Py_UNICODE_ISSPACE(PyUnicode_READ_CHAR(line, i)):
        i += 1
    return i


cdef str _short_parts(list parts):
    """contracts._short(" ".join(parts)): whitespace runs made one space, cut at _MAX_ITEM
    characters; only as much of the text is read as the cut keeps."""
    cdef Py_UCS4 out[_MAX_ITEM + 1]
    cdef unsigned char ascii_out[_MAX_ITEM + 1]
    cdef Py_ssize_t n = 0, i, m
    cdef bint gap = False  # whitespace since the last character kept
    cdef Py_UCS4 ch
    cdef const unsigned char *text
    cdef unsigned char c
    cdef bint ascii = True
    for part in parts:
        if not (<str>part).isascii():
            ascii = False
            break
    if ascii:  # the common case, on the bytes (ASCII whitespace: \t-\r, \x1c-\x1f, space)
        for part in parts:
            gap = n > 0  # the join's separator
            text = PyUnicode_1BYTE_DATA(<str>part)
            m = PyUnicode_GET_LENGTH(<str>part)
            for i in range(m):
                c = text[i]
                if c == 32 or 9 <= c <= 13 or 28 <= c <= 31:
                    gap = n > 0
                    continue
                if gap:
                    ascii_out[n] = 32
                    n += 1
                    gap = False
                    if n > _MAX_ITEM:
                        break
                ascii_out[n] = c
                n += 1
                if n > _MAX_ITEM:
                    break
            if n > _MAX_ITEM:
                return PyUnicode_DecodeASCII(<char *>ascii_out, _MAX_ITEM - 1, NULL) + "…"
        return PyUnicode_DecodeASCII(<char *>ascii_out, n, NULL)
    n = 0
    for part in parts:
        gap = n > 0  # the join's separator
        m = PyUnicode_GET_LENGTH(<str>part)
        for i in range(m):
            ch = PyUnicode_READ_CHAR(<str>part, i)
            if Py_UNICODE_ISSPACE(ch):
                gap = n > 0
                continue
            if gap:
                out[n] = 32
                n += 1
                gap = False
                if n > _MAX_ITEM:
                    break
            out[n] = ch
            n += 1
            if n > _MAX_ITEM:
                break
        if n > _MAX_ITEM:
            return PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, out, _MAX_ITEM - 1) + "…"
    return PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, out, n)


cdef str _short(str text):
    """contracts._short"""
    return _short_parts([text])


cdef str _summary(list lines):
    cdef list out = []
    cdef str line, bare
    for raw in lines:
        line = (<str>raw).strip()
        if not line:
            if out:
                break
            continue
        if line[0] == ":" and _SPHINX_MATCH(line):
            break
        bare = line.rstrip(":")
        if PyUnicode_GET_LENGTH(bare) <= _LONGEST_SECTION and bare.lower() in _GOOGLE_SECTIONS:
            break
        out.append(line)
    return " ".join(out)


cdef class _Items:
    """The item being read in a section (parse_contract's `flush` closure)."""

    cdef list pre
    cdef list post
    cdef object section
    cdef str label
    cdef list item

    cdef flush(self):
        if self.item and self.section is not None:
            text = _short_parts(self.item)
            if self.section == "pre":
                self.pre.append(text)
            else:
                self.post.append(f"{self.label}: {text}" if self.label else text)
        self.item = None


cdef tuple _parse_contract(doc, list lines):
    """contracts.parse_contract of `doc`, or, when doc is None, of "\n".join(lines).

    `lines`: doc.splitlines() when the caller has them. Without doc they must be a cleaned
    text's: none blank at either end, the first without indentation (see _docstring_text);
    the text is then only made when a regex needs it.
    """
    cdef str text = None, line
    cdef Py_ssize_t n, k
    cdef bint marked_text, ascii_text, tagged = True
    if doc is None:
        if not lines:
            return [], []
        marked_text = tagged = False
        ascii_text = True
        for item in lines:
            line = <str>item
            if "@" in line:
                marked_text = tagged = True
            elif not marked_text and (":" in line or "---" in line):
                marked_text = True
            if ascii_text and not line.isascii():
                ascii_text = False
        if marked_text:
            if ascii_text:  # line by line, as the regex reads the text
                marked_text = False
                for item in lines:
                    line = <str>item
                    if _ascii_structure(PyUnicode_1BYTE_DATA(line), PyUnicode_GET_LENGTH(line)):
                        marked_text = True
                        break
            else:
                text = "\n".join(lines)
                marked_text = _STRUCTURE_SEARCH(text) is not None
    else:
        if not doc or (<str>doc).isspace():
            return [], []
        text = <str>doc
        marked_text = (":" in text or "@" in text or "---" in text) and _has_structure(text)
    if not marked_text:
        # no section, tag or field list: the summary line is the whole contract
        summary = _summary(text.splitlines() if lines is None else lines)
        return [], [_short(f"ensures: {summary}")] if summary else []
    if tagged:  # (a text of lines holds an "@": was seen above)
        if text is None:
            text = "\n".join(lines)
        if "@" in text and _JSDOC_LINE_SEARCH(text):
            return _jsdoc(text if lines is None else None, lines)
    cdef _Items items = _Items.__new__(_Items)
    items.pre = []
    items.post = []
    items.section = None
    items.label = ""
    items.item = None
    if lines is None:
        lines = text.splitlines()
    summary = _summary(lines)
    n = len(lines)
    # per line: holds "---" (a NumPy rule may be under it); holds ":" or sits on a rule
    # (outside a section, only such lines do anything)
    cdef uint8_t *dashed = <uint8_t *>malloc(n + 1)
    cdef uint8_t *marked = <uint8_t *>malloc(n + 1)
    if dashed == NULL or marked == NULL:
        free(dashed)
        free(marked)
        raise MemoryError()
    try:
        for k in range(n):
            dashed[k] = "---" in <str>lines[k]
        dashed[n] = False
        for k in range(n):
            marked[k] = dashed[k + 1] or ":" in <str>lines[k]
        return _sections(items, lines, n, dashed, marked, summary)
    finally:
        free(dashed)
        free(marked)


cdef tuple _sections(
    _Items items, list lines, Py_ssize_t n, const uint8_t *dashed, const uint8_t *marked,
    str summary
):
    """parse_contract's walk over the lines of a text with sections, tags or field lists."""
    cdef str line, raw, heading, key
    cdef Py_ssize_t k, indent, section_indent = 0
    k = 0
    while k < n:
        if items.section is None and not marked[k]:
            # outside a section only marked lines do anything
            while k < n and not marked[k]:
                k += 1
            if k == n:
                break
        raw = <str>lines[k]
        line = raw.strip()
        if line and line[0] == ":":
            sphinx = _SPHINX_MATCH(line)
            if sphinx:
                items.flush()
                tag = sphinx.group(1)
                arg = (sphinx.group(2) or "").strip()
                field_text = sphinx.group(3)
                if tag in ("param", "parameter", "arg", "argument", "key", "keyword"):
                    words = arg.split()
                    name = words[len(words) - 1] if words else ""  # (arg was stripped)
                    items.pre.append(_short(f"{name}: {field_text}" if name else field_text))
                elif tag in ("returns", "return"):
                    items.post.append(_short(f"returns: {field_text}"))
                elif tag in ("raises", "raise", "except"):
                    items.post.append(
                        _short(f"raises {arg}: {field_text}" if arg else f"raises: {field_text}")
                    )
                elif tag in ("yields", "yield"):
                    items.post.append(_short(f"yields: {field_text}"))
                items.section = None
                k += 1
                continue
        if line and dashed[k + 1] and _NUMPY_RULE_MATCH((<str>lines[k + 1]).strip()):
            # NumPy style: a heading underlined with dashes; items sit at the heading's indent
            items.flush()
            heading = line.rstrip(":").lower()
            items.section = _GOOGLE_SECTIONS.get(heading)
            items.label = _SECTION_LABEL.get(heading, "")
            section_indent = _indent(raw) - 1
            k += 2
            continue
        if ":" in line:
            match = _SECTION_MATCH(line)
            if match:
                key = match.group(1).lower()
                if key in _GOOGLE_SECTIONS:
                    if line.endswith(":"):
                        items.flush()
                        items.section = _GOOGLE_SECTIONS[key]
                        items.label = _SECTION_LABEL.get(key, "")
                        section_indent = _indent(raw)
                        k += 1
                        continue
                    rest = match.group(2)
                    if rest:
                        # one-line form: "Returns: the count"
                        items.flush()
                        sec = _GOOGLE_SECTIONS[key]
                        lab = _SECTION_LABEL.get(key, "")
                        short = _short(rest)
                        if sec == "pre":
                            items.pre.append(short)
                        else:
                            items.post.append(f"{lab}: {short}" if lab else short)
                        items.section = None
                        k += 1
                        continue
        if items.section is not None:
            indent = _indent(raw)
            if not line:
                items.flush()
            elif indent <= section_indent:
                items.flush()
                items.section = None
                continue
            elif items.item is None or _starts_item(line, indent, lines, k):
                items.flush()
                items.item = [line]
            else:
                items.item.append(line)
        k += 1
    items.flush()
    if not items.post and summary:
        items.post.append(_short(f"ensures: {summary}"))
    return items.pre, items.post


cdef tuple _jsdoc(str doc, list lines):
    """contracts._jsdoc (`lines`: doc.splitlines(), when the caller has them)"""
    cdef list pre = [], post = [], description = [], tags = []
    cdef list last = None  # the tag continuation lines go to ([name, text]; None: skipped)
    cdef bint tagged = False
    cdef str line
    if lines is None:
        lines = doc.splitlines()
    for raw in lines:
        line = (<str>raw).strip()
        tag = _JSDOC_TAG_MATCH(line) if line and line[0] == "@" else None
        if tag:
            tagged = True
            name = tag.group(1)
            if name in _JSDOC_TAGS:
                last = [name, tag.group(2)]
                tags.append(last)
            else:
                last = None
        elif tagged:
            if last is not None:
                last[1] += " " + line
        elif line:
            description.append(line)
    for name, rest in tags:
        rest = (<str>rest).strip()
        type_match = _JSDOC_TYPE_MATCH(rest) if rest and rest[0] == "{" else None
        if type_match:
            type_text, rest = type_match.group(1), type_match.group(2)
        else:
            type_text = ""
        if name in ("param", "arg", "argument"):
            parts = rest.split(None, 1)
            pname = parts[0] if parts else ""
            desc = parts[1].lstrip("- ").strip() if len(parts) > 1 else ""
            typed = f"{pname} ({type_text})" if type_text else pname
            pre.append(_short(f"{typed}: {desc}" if desc else typed))
        elif name in ("returns", "return"):
            typed = f"returns ({type_text})" if type_text else "returns"
            post.append(_short(f"{typed}: {rest.lstrip('- ')}" if rest else typed))
        elif name in ("throws", "throw", "exception"):
            post.append(_short(f"throws {type_text}: {rest}".strip().rstrip(":")))
        elif name in ("yields", "yield"):
            post.append(_short(f"yields: {rest}"))
        elif name in ("requires", "pre", "precondition"):
            pre.append(_short(rest))
        else:  # ensures, post, postcondition
            post.append(_short(rest))
    summary = description[0] if description else ""
    if not post and summary:
        post.append(_short(f"ensures: {summary}"))
    return pre, post


cdef tuple _clean_jsdoc_lines(str raw):
    """(syntax._clean_jsdoc(raw), its splitlines()): each line stripped, then its leading
    "*" and one space after it dropped."""
    cdef str body = raw[3 : len(raw) - 2] if raw.endswith("*/") else raw[3:]
    cdef list out = []
    cdef str line
    cdef Py_ssize_t n, i0, i1
    for item in body.splitlines():
        line = (<str>item).strip()
        if line and line[0] == "*":
            line = line[2:] if PyUnicode_GET_LENGTH(line) > 1 and line[1] == " " else line[1:]
        out.append(line)
    doc = "\n".join(out).strip()
    # its lines: none blank at either end, the first without its indentation (a stripped
    # line ends in no whitespace, and dropping a prefix adds none)
    n = len(out)
    i0 = 0
    while i0 < n and not out[i0]:
        i0 += 1
    if i0 == n:
        return doc, []
    i1 = n
    while not out[i1 - 1]:
        i1 -= 1
    out = out[i0:i1]
    out[0] = (<str>out[0]).lstrip()
    return doc, out


cdef bint _starts_item(str line, Py_ssize_t indent, list lines, Py_ssize_t k):
    # "name (type): text" or "name : type" (numpy) at the section's first indentation level
    if _ITEM_START_MATCH(line):
        return True
    return indent < (_indent(<str>lines[k - 1]) if k else 0)


cdef tuple _docstring_text(str raw):
    """(syntax.docstring_text(raw), its splitlines()): the lines come out of the cleaning."""
    cdef list lines = _docstring_lines(raw)
    return "\n".join(lines), lines


cdef list _docstring_lines(str raw):
    """syntax.docstring_text(raw).splitlines(), without making the text: the cleaned lines,
    none blank at either end, the first one without its indentation."""
    cdef str text = raw.lstrip("rRbBuUfF")
    cdef Py_ssize_t n, k, i0, i1, margin, indent
    cdef str line
    for quote in ('"""', "'''", '"', "'"):
        if text.startswith(quote):
            text = text[len(quote) :]
            if text.endswith(quote):
                text = text[: len(text) - len(quote)]
            break
    # syntax._clean_doc (inspect.cleandoc)
    if "\t" in text:
        text = text.expandtabs()
    cdef list lines = text.splitlines()
    n = len(lines)
    if n == 0:
        return []
    if n == 1:
        line = (<str>lines[0]).strip()
        return [line] if line else []
    margin = -1  # smallest indentation of the lines after the first that hold something
    for k in range(1, n):
        line = <str>lines[k]
        indent = _indent(line)
        if indent < PyUnicode_GET_LENGTH(line) and (margin < 0 or indent < margin):
            margin = indent
    if margin < 0:
        margin = 0
    cdef list out = [(<str>lines[0]).strip()]
    cdef Py_ssize_t end
    for k in range(1, n):
        # line[margin:].rstrip(), in one copy (none when it is the line itself)
        line = <str>lines[k]
        end = PyUnicode_GET_LENGTH(line)
        while end > margin and Py_UNICODE_ISSPACE(PyUnicode_READ_CHAR(line, end - 1)):
            end -= 1
        if end <= margin:
            out.append("")
        elif margin == 0 and end == PyUnicode_GET_LENGTH(line):
            out.append(line)
        else:
            out.append(line[margin:end])
    # what "\n".join(out).strip() splits into: no blank lines at either end (the lines
    # after the first were right-stripped: a non-blank one ends in no whitespace), the
    # first one without its indentation
    i0 = 0
    while i0 < n and not out[i0]:
        i0 += 1
    if i0 == n:
        return []
    i1 = n
    while not out[i1 - 1]:
        i1 -= 1
    out = out[i0:i1]
    out[0] = (<str>out[0]).lstrip()
    return out


# -- plain docstrings, read in place -------------------------------------------------------
#
# Nearly every docstring is ASCII without tabs or line breaks other than "\n". For those the
# cleaning (syntax.docstring_text) and the contract are worked out on the literal's bytes:
# lines are offsets, indentation is a count of spaces, and a str is made only for a line the
# contract reads with a regex or keeps (summary, items) - not for the many lines, in examples
# and notes, that it skips. Anything else takes the general path (_docstring_lines).


cdef struct PlainLine:
    Py_ssize_t start  # where the cleaned line starts (after the docstring's margin)
    Py_ssize_t text  # where its text starts (after its own indentation)
    Py_ssize_t end  # where it ends (trailing spaces dropped); text == end: blank
    bint dashed  # holds "---"
    bint colon  # holds ":"


cdef class _PlainDoc:
    """The cleaned lines of a plain docstring, as offsets into it."""

    cdef str raw
    cdef const unsigned char *t
    cdef PlainLine *lines
    cdef Py_ssize_t n

    def __dealloc__(self):
        free(self.lines)

    cdef inline str text(self, Py_ssize_t k):
        """The k-th line, stripped."""
        return self.raw[self.lines[k].text : self.lines[k].end]

    cdef inline Py_ssize_t indent(self, Py_ssize_t k) noexcept:
        """_indent of the k-th cleaned line (0 for a blank one)."""
        cdef PlainLine *line = &self.lines[k]
        return line.text - line.start if line.text < line.end else 0

    cdef inline bint blank(self, Py_ssize_t k) noexcept:
        return self.lines[k].text >= self.lines[k].end


cdef bint _plain_byte[256]  # bytes a plain docstring may hold


cdef int _plain_table() except -1:
    cdef int c
    for c in range(256):
        # printable ASCII and the control characters that are neither whitespace nor a
        # line break for str.splitlines() (tab, \r, \v, \f, \x1c-\x1f are)
        _plain_byte[c] = c < 128 and c not in (9, 11, 12, 13, 28, 29, 30, 31)
    return 0


_plain_table()


cdef _PlainDoc _plain_lines(str raw):
    """The cleaned lines of a docstring literal (syntax.docstring_text, then splitlines()),
    or None when it is not plain."""
    if not raw.isascii():
        return None
    cdef const unsigned char *t = PyUnicode_1BYTE_DATA(raw)
    cdef Py_ssize_t size = PyUnicode_GET_LENGTH(raw), a = 0, end, i, count, k, s, e
    cdef Py_ssize_t lead, margin, i0, i1
    cdef const unsigned char *nl
    cdef _PlainDoc doc
    cdef PlainLine *line
    # prefix and quotes (docstring_text)
    while a < size and t[a] in b"rRbBuUfF":
        a += 1
    end = size
    for quote in (b'"""', b"'''", b'"', b"'"):
        if size - a >= len(quote) and memcmp(t + a, <const char *>quote, len(quote)) == 0:
            a += len(quote)
            if end - a >= len(quote) and memcmp(
                t + end - len(quote), <const char *>quote, len(quote)
            ) == 0:
                end -= len(quote)
            break
    count = 1
    for i in range(a, end):
        if not _plain_byte[t[i]]:
            return None
        if t[i] == 10:
            count += 1
    doc = _PlainDoc.__new__(_PlainDoc)
    doc.raw = raw
    doc.t = t
    doc.lines = <PlainLine *>malloc(count * sizeof(PlainLine))
    if doc.lines == NULL:
        raise MemoryError()
    # split at "\n" (no line after a final one), each line's indentation and end
    k = 0
    s = a
    while s < end:
        nl = <const unsigned char *>memchr(t + s, 10, end - s)
        e = (nl - t) if nl != NULL else end
        line = &doc.lines[k]
        line.start = s
        line.text = s
        while line.text < e and t[line.text] == 32:
            line.text += 1
        line.end = e
        while line.end > line.text and t[line.end - 1] == 32:
            line.end -= 1
        k += 1
        s = e + 1
    doc.n = k
    if k == 0:
        return doc
    # the margin: the smallest indentation of the lines after the first that hold something
    margin = -1
    for i in range(1, k):
        line = &doc.lines[i]
        if line.text < line.end:
            lead = line.text - line.start
            if margin < 0 or lead < margin:
                margin = lead
    if margin < 0:
        margin = 0
    for i in range(1, k):
        doc.lines[i].start += margin  # (blank lines: empty either way)
    doc.lines[0].start = doc.lines[0].text  # the first line is stripped
    # no blank lines at either end, the first one without its indentation
    i0 = 0
    while i0 < k and doc.lines[i0].text >= doc.lines[i0].end:
        i0 += 1
    if i0 == k:
        doc.n = 0
        return doc
    i1 = k
    while doc.lines[i1 - 1].text >= doc.lines[i1 - 1].end:
        i1 -= 1
    if i0:
        for i in range(i0, i1):
            doc.lines[i - i0] = doc.lines[i]
    doc.n = i1 - i0
    doc.lines[0].start = doc.lines[0].text
    for i in range(doc.n):
        line = &doc.lines[i]
        line.colon = memchr(t + line.text, 58, line.end - line.text) != NULL
        line.dashed = _has_dashes(t + line.text, line.end - line.text)
    return doc


cdef inline bint _has_dashes(const unsigned char *t, Py_ssize_t n) noexcept nogil:
    """b"---" in t[:n]"""
    cdef const unsigned char *end = t + n
    cdef const unsigned char *dash
    while end - t >= 3:
        dash = <const unsigned char *>memchr(t, 45, end - t - 2)
        if dash == NULL:
            return False
        if dash[1] == 45 and dash[2] == 45:
            return True
        t = dash + 1
    return False


cdef tuple _plain_contract(_PlainDoc doc):
    """parse_contract of a plain docstring's text, or None when it holds an "@" (JSDoc-like
    tags: the general path reads those)."""
    cdef Py_ssize_t n = doc.n, k
    cdef bint marked_text = False
    cdef PlainLine *line
    if n == 0:
        return [], []
    for k in range(n):
        line = &doc.lines[k]
        if memchr(doc.t + line.text, 64, line.end - line.text) != NULL:
            return None
        if line.colon or line.dashed:
            marked_text = True
    if marked_text:
        marked_text = False
        for k in range(n):  # contracts._STRUCTURE, line by line
            line = &doc.lines[k]
            if _ascii_structure(doc.t + line.text, line.end - line.text):
                marked_text = True
                break
    summary = _plain_summary(doc)
    if not marked_text:
        # no section, tag or field list: the summary line is the whole contract
        return [], [_short(f"ensures: {summary}")] if summary else []
    cdef _Items items = _Items.__new__(_Items)
    items.pre = []
    items.post = []
    items.section = None
    items.label = ""
    items.item = None
    return _plain_sections(items, doc, summary)


cdef str _plain_summary(_PlainDoc doc):
    """contracts._summary of the lines."""
    cdef list out = []
    cdef Py_ssize_t k, m, i
    cdef PlainLine *line
    cdef str text
    cdef unsigned char lowered[32]
    for k in range(doc.n):
        line = &doc.lines[k]
        if line.text >= line.end:
            if out:
                break
            continue
        text = doc.text(k)
        if doc.t[line.text] == 58 and _SPHINX_MATCH(text):
            break
        # line.rstrip(":").lower() in _GOOGLE_SECTIONS (ASCII: lowered here)
        m = line.end - line.text
        while m and doc.t[line.text + m - 1] == 58:
            m -= 1
        if m <= _LONGEST_SECTION:
            for i in range(m):
                lowered[i] = _ascii_lower(doc.t[line.text + i])
            if PyUnicode_DecodeASCII(<char *>lowered, m, NULL) in _GOOGLE_SECTIONS:
                break
        out.append(text)
    return " ".join(out)


cdef bint _plain_rule(_PlainDoc doc, Py_ssize_t k) noexcept:
    """_NUMPY_RULE.match(lines[k].strip()): a stripped line of three dashes or more."""
    cdef PlainLine *line = &doc.lines[k]
    cdef Py_ssize_t i
    if line.end - line.text < 3:
        return False
    for i in range(line.text, line.end):
        if doc.t[i] != 45:
            return False
    return True


cdef tuple _plain_sections(_Items items, _PlainDoc doc, str summary):
    """_sections, on a plain docstring's lines."""
    cdef Py_ssize_t n = doc.n, k = 0, indent, section_indent = 0
    cdef PlainLine *current
    cdef str line, heading, key
    while k < n:
        if items.section is None:
            # outside a section only lines with a ":" or on a rule do anything
            while k < n and not (doc.lines[k].colon or (k + 1 < n and doc.lines[k + 1].dashed)):
                k += 1
            if k == n:
                break
        current = &doc.lines[k]
        line = None
        if current.text < current.end and doc.t[current.text] == 58:
            line = doc.text(k)
            sphinx = _SPHINX_MATCH(line)
            if sphinx:
                items.flush()
                tag = sphinx.group(1)
                arg = (sphinx.group(2) or "").strip()
                field_text = sphinx.group(3)
                if tag in ("param", "parameter", "arg", "argument", "key", "keyword"):
                    words = arg.split()
                    name = words[len(words) - 1] if words else ""  # (arg was stripped)
                    items.pre.append(_short(f"{name}: {field_text}" if name else field_text))
                elif tag in ("returns", "return"):
                    items.post.append(_short(f"returns: {field_text}"))
                elif tag in ("raises", "raise", "except"):
                    items.post.append(
                        _short(f"raises {arg}: {field_text}" if arg else f"raises: {field_text}")
                    )
                elif tag in ("yields", "yield"):
                    items.post.append(_short(f"yields: {field_text}"))
                items.section = None
                k += 1
                continue
        if (
            current.text < current.end
            and k + 1 < n
            and doc.lines[k + 1].dashed
            and _plain_rule(doc, k + 1)
        ):
            # NumPy style: a heading underlined with dashes; items sit at the heading's indent
            items.flush()
            if line is None:
                line = doc.text(k)
            heading = line.rstrip(":").lower()
            items.section = _GOOGLE_SECTIONS.get(heading)
            items.label = _SECTION_LABEL.get(heading, "")
            section_indent = doc.indent(k) - 1
            k += 2
            continue
        if current.colon:
            if line is None:
                line = doc.text(k)
            match = _SECTION_MATCH(line)
            if match:
                key = match.group(1).lower()
                if key in _GOOGLE_SECTIONS:
                    if doc.t[current.end - 1] == 58:  # line.endswith(":")
                        items.flush()
                        items.section = _GOOGLE_SECTIONS[key]
                        items.label = _SECTION_LABEL.get(key, "")
                        section_indent = doc.indent(k)
                        k += 1
                        continue
                    rest = match.group(2)
                    if rest:
                        # one-line form: "Returns: the count"
                        items.flush()
                        sec = _GOOGLE_SECTIONS[key]
                        lab = _SECTION_LABEL.get(key, "")
                        short = _short(rest)
                        if sec == "pre":
                            items.pre.append(short)
                        else:
                            items.post.append(f"{lab}: {short}" if lab else short)
                        items.section = None
                        k += 1
                        continue
        if items.section is not None:
            indent = doc.indent(k)
            if current.text >= current.end:
                items.flush()
            elif indent <= section_indent:
                items.flush()
                items.section = None
                continue
            else:
                if line is None:
                    line = doc.text(k)
                if (
                    items.item is None
                    or _ITEM_START_MATCH(line)
                    or indent < (doc.indent(k - 1) if k else 0)
                ):
                    items.flush()
                    items.item = [line]
                else:
                    items.item.append(line)
        k += 1
    items.flush()
    if not items.post and summary:
        items.post.append(_short(f"ensures: {summary}"))
    return items.pre, items.post


cdef tuple _docstring_contract(str raw):
    """(documented, preconditions, postconditions) of a docstring literal: contracts.
    parse_contract(syntax.docstring_text(raw)), documented when that text is not empty."""
    cdef _PlainDoc doc = _plain_lines(raw)
    cdef tuple found
    if doc is not None:
        found = _plain_contract(doc)
        if found is not None:
            return (doc.n > 0, tuple(found[0]), tuple(found[1]))
    cdef list lines = _docstring_lines(raw)
    pre, post = _parse_contract(None, lines)
    return (bool(lines), tuple(pre), tuple(post))


# -- the compiled helpers, for the tests that compare them with the Python ones -------------


def parse_contract(doc):
    """contracts.parse_contract, compiled."""
    return _parse_contract(doc, None)


def docstring_text(raw):
    """(syntax.docstring_text(raw), its lines), compiled."""
    return _docstring_text(raw)


def docstring_contract(raw):
    """(documented, preconditions, postconditions) of a docstring literal, as the injector
    works them out."""
    return _docstring_contract(raw)


def clean_jsdoc(raw):
    """(syntax._clean_jsdoc(raw), its lines), compiled."""
    return _clean_jsdoc_lines(raw)
