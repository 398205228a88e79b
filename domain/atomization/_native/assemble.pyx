# The last stage of atomization in native code: from segments and their contexts to Atom
# objects, with the atomicity check of each (api.atomize_parsed and
# AtomicityValidator.check of atomicity.py, which stay the reference; tests compare).
#
# What it saves is the per-atom interpreter work: loops, attribute lookups, keyword calls.
# The regexes of the deterministic / side-effect criteria and the hashes still run in C
# through their Python modules, as in the reference.

from libc.stdint cimport uint32_t
from libc.string cimport memcmp, strcmp

from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize
from cpython.object cimport PyObject_GenericSetAttr

from .ts cimport *

cdef extern from "tree_sitter/api.h":
    TSNode ts_node_child_by_field_name(TSNode self, const char *name, uint32_t name_length) nogil

import hashlib

from ..atomicity import (
    _ALL_PASS,
    _CRITERIA_FOR,
    _VIOLATIONS,
    _EFFECT_SUBSTRING,
    _TESTABLE_KINDS,
    _UNTYPED_PYTHON_PARAMS,
    CRITERIA,
    _context_gaps,
    _criteria,
    _show,
    _violation,
)
from ..identity import _NAMESPACE_BYTES, _VARIANT
from ..model import Atom, AtomicityReport, Violation

cdef object _sha256 = hashlib.sha256
cdef object _sha1 = hashlib.sha1
cdef object _new = object.__new__
cdef Py_ssize_t _CRITERIA_COUNT = len(CRITERIA)


cdef inline object _frozen(type cls, dict values):
    """A frozen dataclass instance with its fields set (model.new_frozen): `values` becomes
    its instance dict as it is, no copy (the tests compare with the reference's objects)."""
    obj = _new(cls)
    PyObject_GenericSetAttr(obj, "__dict__", values)
    return obj


cdef inline object _known_violation(tuple failure):
    """atomicity._violation, its cache read here (the same failures recur)."""
    violation = _VIOLATIONS.get(failure)
    return violation if violation is not None else _violation(failure)


cdef inline dict _criteria_of(frozenset bad):
    """atomicity._criteria, its cache read here."""
    template = _CRITERIA_FOR.get(bad)
    return (<dict>template).copy() if template is not None else _criteria(bad)


cdef str _atom_id(str path, Py_ssize_t ordinal, str digest):
    """identity.atom_id, inlined."""
    name = f"{path}\x00{ordinal}\x00{digest}".encode()
    h = _sha1(_NAMESPACE_BYTES + name, usedforsecurity=False).hexdigest()
    return f"{h[:8]}-{h[8:12]}-5{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:32]}"


cdef tuple _issues_for(tuple issues, list starts, Py_ssize_t start, Py_ssize_t end):
    """api._issues_for: issues located in the atom, and the broken region it lies in."""
    cdef list out = []
    cdef Py_ssize_t lo = 0, n = len(starts), i
    while lo < n and <Py_ssize_t>starts[lo] < start:
        lo += 1
    for i in range(lo, n):
        issue = issues[i]
        if issue.start_byte >= end:
            break
        out.append(issue.describe())
    for i in range(lo):
        issue = issues[i]
        if issue.kind == "error" and issue.end_byte > start:
            out.append(f"inside the syntax error region that starts at line {issue.line}")
    return tuple(out)


cdef class Checker:
    """AtomicityValidator.check for the atoms of one file."""

    cdef object validator
    cdef Py_ssize_t max_loc
    cdef Py_ssize_t max_complexity
    cdef frozenset nondet_words
    cdef frozenset effect_words
    cdef object nondet
    cdef object effects
    cdef bint effect_substrings
    cdef bint python
    cdef bint javascript
    cdef dict clear_io_of
    cdef bytes source

    def __init__(self, validator, config, bytes source):
        self.validator = validator
        self.max_loc = config.max_loc
        self.max_complexity = config.max_complexity
        self.nondet_words = validator._nondet_words
        self.effect_words = validator._effect_words
        self.nondet = validator._nondet
        self.effects = validator._effects
        self.effect_substrings = validator._effect_substrings
        self.python = validator._python
        self.javascript = validator.spec.name == "javascript"
        self.clear_io_of = validator._clear_io_of
        self.source = source

    cdef object check(
        self, bytes code, Py_ssize_t loc, Py_ssize_t complexity, str kind, object oversize_reason,
        bint starts_at_line_start, bint ends_at_line_end, bint has_syntax_issue, object context,
        object facts,
    ):
        cdef list failed = []
        cdef list problems
        cdef Py_ssize_t untyped
        if loc > self.max_loc:
            reason = f": {oversize_reason}" if oversize_reason else ""
            failed.append(("loc_within_max", f"{loc} lines of code, over {self.max_loc}{reason}"))
        if complexity >= self.max_complexity:
            failed.append(
                (
                    "complexity_below_max",
                    f"cyclomatic complexity {complexity}, must stay below {self.max_complexity}",
                )
            )
        definitions = facts.definitions
        if definitions > 1:
            failed.append(("single_responsibility", f"{definitions} definitions in one atom"))
        if not (starts_at_line_start and ends_at_line_end) or has_syntax_issue:
            problems = []
            if has_syntax_issue:
                problems.append("contains a syntax error")
            if not starts_at_line_start:
                problems.append("starts mid-line")
            if not ends_at_line_end:
                problems.append("ends mid-line")
            failed.append(("clear_boundaries", ", ".join(problems)))
        sibling_locals = facts.sibling_locals
        if sibling_locals:
            names = ", ".join(sorted(set(sibling_locals)))
            failed.append(("independent", f"uses locals bound in sibling atoms: {names}"))
        if context.completeness < 0.95:
            failed.append(("context_complete", _context_gaps(context)))
        functions = facts.functions
        if not functions and (facts.inside_function or kind not in _TESTABLE_KINDS):
            failed.append(
                ("testable", "a fragment of a function body: testable only through the function")
            )
        words = facts.words
        if not self.nondet_words.isdisjoint(words):
            nondet = self.nondet.search(code)
            if nondet is not None:
                failed.append(("deterministic", f"depends on {_show(nondet.group(0))}"))
        if not self.effect_words.isdisjoint(words) or (
            self.effect_substrings and _EFFECT_SUBSTRING.search(code) is not None
        ):
            effect = self.effects.search(code)
            if effect is not None:
                failed.append(("side_effect_free", f"side effect via {_show(effect.group(0))}"))
        if functions:
            untyped = 0
            known = self.clear_io_of
            for f in functions:
                key = f.id
                clear = known.get(key)
                if clear is None:
                    clear = known[key] = self.clear_io(f)
                if not clear:
                    untyped += 1
            if untyped:
                failed.append(
                    ("clear_io", f"{untyped} function(s) without typed parameters and return")
                )
        if not failed:
            return _frozen(
                AtomicityReport, {"score": 1.0, "criteria": _ALL_PASS, "violations": ()}
            )
        bad = frozenset([criterion for criterion, _ in failed])
        violations = tuple([_known_violation(failure) for failure in failed])
        if has_syntax_issue and "clear_boundaries" in bad:
            violations = tuple(
                Violation(v.criterion, "high", v.message)
                if v.criterion == "clear_boundaries"
                else v
                for v in violations
            )
        score = round(<double>(_CRITERIA_COUNT - len(bad)) / _CRITERIA_COUNT, 4)
        return _frozen(
            AtomicityReport,
            {"score": score, "criteria": _criteria_of(bad), "violations": violations},
        )

    cdef bint clear_io(self, function):
        """AtomicityValidator._clear_io (typed inputs and output), on the C API."""
        if self.javascript:
            return self.validator._clear_io(function)  # reads the JSDoc: rare, keep one copy
        cdef TSNode node = mge_node_of(function)
        cdef TSNode params = _field(node, b"parameters")
        cdef TSNode p
        cdef TSNode name
        cdef uint32_t i, count
        cdef const char *t
        if not ts_node_is_null(params):
            count = ts_node_named_child_count(params)
            for i in range(count):
                p = ts_node_named_child(params, i)
                t = ts_node_type(p)
                if self.python:
                    if strcmp(t, "identifier") == 0:
                        if _text_is(self.source, p, b"self") or _text_is(self.source, p, b"cls"):
                            continue
                        return False
                    if _untyped_python_parameter(t):
                        return False
                elif strcmp(t, "required_parameter") == 0 or strcmp(t, "optional_parameter") == 0:
                    if ts_node_is_null(_field(p, b"type")):
                        return False
                elif strcmp(t, "identifier") == 0:
                    return False
        if self.python:
            name = _field(node, b"name")
            if not ts_node_is_null(name) and _text_is(self.source, name, b"__init__"):
                return True
            return not ts_node_is_null(_field(node, b"return_type"))
        return (
            not ts_node_is_null(_field(node, b"return_type"))
            or strcmp(ts_node_type(node), "arrow_function") == 0
        )


cdef tuple _UNTYPED = tuple(sorted(kind.encode() for kind in _UNTYPED_PYTHON_PARAMS))


cdef inline bint _untyped_python_parameter(const char *kind):
    for untyped in _UNTYPED:
        if strcmp(kind, PyBytes_AS_STRING(untyped)) == 0:
            return True
    return False


cdef inline TSNode _field(TSNode node, bytes name) noexcept:
    return ts_node_child_by_field_name(node, name, len(name))


cdef inline bint _text_is(bytes source, TSNode node, bytes text) noexcept:
    """The node's text is `text` (what `(node.text or b"") == text` asks)."""
    cdef uint32_t start = ts_node_start_byte(node)
    cdef uint32_t end = ts_node_end_byte(node)
    cdef Py_ssize_t n = len(text)
    if end < start or end - start != n or end > <uint32_t>len(source):
        return False
    return memcmp(PyBytes_AS_STRING(source) + start, PyBytes_AS_STRING(text), n) == 0


def assemble(parsed, config, list segments, list contexts, validator):
    """The atoms of one file: api.atomize_parsed's loop over (segment, (context, facts))."""
    cdef bytes source = parsed.source
    cdef const char *src = PyBytes_AS_STRING(source)
    cdef Py_ssize_t size = len(source)
    cdef str path = parsed.path
    cdef str language = parsed.language
    cdef tuple issues = parsed.issues
    cdef list issue_starts = [issue.start_byte for issue in issues]
    cdef Checker checker = Checker(validator, config, source)
    cdef list atoms = []
    cdef Py_ssize_t line = 1, ordinal, start, end, newlines, i
    cdef bint ends_at_line_end
    cdef bytes code
    cdef tuple atom_issues
    for ordinal in range(len(segments)):
        seg = segments[ordinal]
        start = seg.start
        end = seg.end
        code = PyBytes_FromStringAndSize(src + start, end - start)
        digest = _sha256(code).hexdigest()
        atom_issues = _issues_for(issues, issue_starts, start, end) if issues else ()
        context, facts = contexts[ordinal]
        newlines = 0
        for i in range(start, end):
            if src[i] == 10:
                newlines += 1
        ends_at_line_end = end > start and src[end - 1] == 10
        loc = seg.loc
        complexity = seg.complexity
        kind = seg.kind
        reason = seg.oversize_reason
        report = checker.check(
            code,
            loc,
            complexity,
            kind,
            reason,
            start == 0 or src[start - 1] == 10,
            ends_at_line_end or end == size,
            bool(atom_issues),
            context,
            facts,
        )
        atoms.append(
            _frozen(
                Atom,
                {
                    "id": _atom_id(path, ordinal, digest),
                    "path": path,
                    "language": language,
                    "ordinal": ordinal,
                    "kind": kind,
                    "name": seg.name,
                    "code_bytes": code,
                    "start_byte": start,
                    "end_byte": end,
                    "start_line": line,
                    "end_line": line + newlines - ends_at_line_end,
                    "loc": loc,
                    "complexity": complexity,
                    "oversized": seg.oversized,
                    "oversize_reason": reason,
                    "content_hash": digest,
                    "context": context,
                    "atomicity": report,
                    "issues": atom_issues,
                },
            )
        )
        line += newlines
    return tuple(atoms)
