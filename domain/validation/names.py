"""Names that nothing defines: neither the code around them, an import, nor the language.

Python: CPython's own symbol table (`symtable`) decides scopes exactly — comprehensions,
class bodies, `global`/`nonlocal`, `except ... as`, `match` captures — so a name is undefined
exactly when the compiler would look it up as a global that the module never binds and that
is no builtin. TypeScript and JavaScript (and Python the compiler cannot read, e.g. newer
syntax than the validator's CPython): the parser's bindings for the whole file, which is
coarser (a name bound in any scope counts as defined) but never wrong the other way.
"""

from __future__ import annotations

import builtins
import re
import symtable
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import tree_sitter

from domain.atomization.lines import blank
from domain.atomization.parser import MultiLanguageParser, ParsedSource
from domain.atomization.queries import run_engine_query

_PARSER = MultiLanguageParser()
_ID = re.compile(rb"(?<![\w$\x80-\xff.])[A-Za-z_$\x80-\xff][\w$\x80-\xff]*")

_PY_MODULE_NAMES = frozenset(
    {
        "__name__",
        "__file__",
        "__doc__",
        "__spec__",
        "__loader__",
        "__package__",
        "__builtins__",
        "__path__",
        "__annotations__",
        "__cached__",
        "__debug__",
        "__dict__",
        "__module__",
        "__qualname__",
        "__class__",
        # Platform builtins that portable code mentions behind a platform check.
        "WindowsError",
        "unicode",
        "long",
        "basestring",
        "xrange",
        "unichr",
        "raw_input",
        "reduce",
        "buffer",
        "file",
        "cmp",
        "execfile",
        "reload",
    }
)
_PY_BUILTINS = frozenset(dir(builtins)) | _PY_MODULE_NAMES


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Globals of JavaScript runtimes (ECMAScript, Node, browsers, test runners) and the types
# TypeScript's standard library declares. A name missing here would be a false "undefined".
_ES_GLOBALS = _words(
    """
    undefined NaN Infinity globalThis window document console process require module exports
    __dirname __filename Object Function Array Number parseFloat parseInt Boolean String
    Symbol Date Promise RegExp Error AggregateError EvalError RangeError ReferenceError
    SyntaxError TypeError URIError JSON Math Intl ArrayBuffer SharedArrayBuffer DataView
    Atomics Uint8Array Int8Array Uint16Array Int16Array Uint32Array Int32Array Float32Array
    Float64Array BigInt BigInt64Array BigUint64Array Uint8ClampedArray Map Set WeakMap
    WeakSet WeakRef FinalizationRegistry Proxy Reflect isFinite isNaN encodeURI
    encodeURIComponent decodeURI decodeURIComponent escape unescape eval setTimeout
    clearTimeout setInterval clearInterval setImmediate clearImmediate queueMicrotask
    structuredClone fetch Buffer URL URLSearchParams TextEncoder TextDecoder AbortController
    AbortSignal Event EventTarget CustomEvent performance crypto navigator location
    arguments self this super Iterator AsyncIterator Generator AsyncGenerator
    GeneratorFunction AsyncGeneratorFunction string number boolean any unknown never void
    object bigint symbol Record Partial Required Readonly Pick Omit Exclude Extract
    NonNullable ReturnType Parameters InstanceType ConstructorParameters ThisType Awaited
    Uppercase Lowercase Capitalize Uncapitalize PromiseLike ArrayLike Iterable
    IterableIterator AsyncIterable AsyncIterableIterator ReadonlyArray ReadonlyMap
    ReadonlySet PropertyKey TemplateStringsArray NoInfer ThisParameterType OmitThisParameter
    PropertyDescriptor PropertyDescriptorMap TypedPropertyDescriptor ClassDecorator
    PropertyDecorator MethodDecorator ParameterDecorator PromiseConstructor ArrayConstructor
    ObjectConstructor FunctionConstructor ErrorConstructor RegExpMatchArray RegExpExecArray
    IteratorResult IteratorYieldResult IteratorReturnResult ArrayBufferLike ArrayBufferView
    WeakKey CallableFunction NewableFunction IArguments ConcatArray SymbolConstructor
    describe it test expect beforeEach afterEach beforeAll afterAll jest vi suite context
    NodeJS Blob File FormData Headers Request Response ReadableStream WritableStream
    TransformStream MessageChannel MessagePort BroadcastChannel Worker WebSocket
    XMLHttpRequest HTMLElement Element Node NodeList HTMLInputElement HTMLFormElement
    HTMLDivElement HTMLCanvasElement HTMLImageElement KeyboardEvent MouseEvent Window
    Document localStorage sessionStorage alert confirm prompt requestAnimationFrame
    cancelAnimationFrame atob btoa history screen getComputedStyle matchMedia
    MutationObserver IntersectionObserver ResizeObserver DOMParser Image Audio Option
    EventSource Notification caches indexedDB BufferEncoding JSX React global
    """
)

_ES_EXTRA_BINDINGS = """
(infer_type (type_identifier) @bind)
(mapped_type_clause name: (type_identifier) @bind)
(index_signature name: (identifier) @bind)
(enum_declaration name: (identifier) @bind)
(ambient_declaration (variable_declaration (variable_declarator name: (identifier) @bind)))
(module name: (identifier) @bind)
(arrow_function parameter: (identifier) @bind)
(shorthand_property_identifier_pattern) @bind
(import_require_clause (identifier) @bind)
(labeled_statement label: (statement_identifier) @bind)
"""


@dataclass(frozen=True)
class UndefinedName:
    name: str
    line: int  # 1-based, in the file
    column: int  # 1-based


@dataclass(frozen=True)
class NameReport:
    undefined: tuple[UndefinedName, ...]
    # Set when the answer is limited: star imports, dynamic globals, the coarse fallback.
    note: str | None = None
    checked: int = 0  # distinct names looked at in the range


def parse(source: str | bytes, path: str, language: str | None = None) -> ParsedSource:
    return _PARSER.parse(source, path, language)


def undefined_names(
    parsed: ParsedSource,
    start: int = 0,
    end: int | None = None,
    *,
    known: Iterable[str] = (),
) -> NameReport:
    """Undefined names used in bytes [start, end) of a parsed file.

    `known` are names to accept anyway (an atom's spec could not resolve them either, e.g.
    they come from a star import or a framework that injects them).
    """
    stop = len(parsed.source) if end is None else end
    accepted = frozenset(known)
    words = _words_in(parsed, start, stop)
    if not words:
        return NameReport((), None, 0)
    if parsed.language == "python":
        report = _python(parsed, words, accepted, start, stop)
        if report is not None:
            return report
        fallback = "CPython could not compile the file; names checked by the parser only"
        return _coarse(parsed, words, accepted, _PY_BUILTINS, fallback)
    return _coarse(parsed, words, accepted, _ES_GLOBALS, None)


def _words_in(parsed: ParsedSource, start: int, end: int) -> dict[bytes, int]:
    """Each name mentioned in the range, with the offset of its first mention that is a
    use (not where the name is bound), else of its first mention."""
    found: dict[bytes, int] = {}
    binds = set(parsed.bind_offsets)
    for match in _ID.finditer(_names_text(parsed), start, end):
        name, offset = match.group(), match.start()
        known = found.get(name)
        if known is None or (known in binds and offset not in binds):
            found[name] = offset
    return found


def _names_text(parsed: ParsedSource) -> bytes:
    """The parser's names text, with ES regex literals and escape sequences blanked too
    (`/^[a-z]+$/` and the `n` of `"\\n"` are not names)."""
    if parsed.language == "python":
        return parsed.names_text
    cached = _HIDDEN.get(id(parsed))
    if cached is not None and cached[0] is parsed:
        return cached[1]
    query = _hidden_query(parsed.language)
    spans = [
        (n.start_byte, n.end_byte)
        for nodes in tree_sitter.QueryCursor(query).captures(parsed.root).values()
        for n in nodes
    ]
    text = blank(parsed.names_text, spans) if spans else parsed.names_text
    _HIDDEN.clear()  # one file at a time: keep only the latest
    _HIDDEN[id(parsed)] = (parsed, text)
    return text


_HIDDEN: dict[int, tuple[ParsedSource, bytes]] = {}


@cache
def _hidden_query(language: str) -> tree_sitter.Query:
    from domain.atomization.languages import ts_language

    return tree_sitter.Query(ts_language(language), "[(regex) (escape_sequence)] @hide")


def _locate(parsed: ParsedSource, names: list[tuple[str, int]]) -> tuple[UndefinedName, ...]:
    lines = parsed.lines
    return tuple(
        UndefinedName(name, lines.line_of(offset), lines.column_of(offset))
        for name, offset in sorted(names, key=lambda item: item[1])
    )


_STAR = re.compile(rb"^\s*from\s+[\w.]+\s+import\s+\*", re.M)
_DYNAMIC = re.compile(rb"\bglobals\(\)\s*(?:\[|\.update\b|\.setdefault\b)|\bexec\s*\(")


# Above this size only the top-level statements around the range go through the compiler's
# symbol table; the rest of the file contributes every name it binds. Keeps level 1 fast on
# very large files at the price of accepting a local of one statement used in another.
_WHOLE_FILE_LINES = 1500


def _python(
    parsed: ParsedSource,
    words: dict[bytes, int],
    known: frozenset[str],
    start: int = 0,
    end: int | None = None,
) -> NameReport | None:
    stop = len(parsed.source) if end is None else end
    outside: set[str] = set()
    lo, hi = 0, len(parsed.source)
    if parsed.lines.line_of(len(parsed.source)) > _WHOLE_FILE_LINES:
        around = [n for n in parsed.root.children if n.end_byte > start and n.start_byte < stop]
        if around:
            lo, hi = around[0].start_byte, around[-1].end_byte
            outside = {
                n.decode("utf-8", "replace")
                for offset, n in zip(parsed.bind_offsets, parsed.bind_names, strict=True)
                if not lo <= offset < hi
            }
    text = parsed.source[lo:hi].decode("utf-8", "replace")
    try:
        table = symtable.symtable(text, parsed.path or "<atom>", "exec")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    if _STAR.search(parsed.source):
        return NameReport((), "the file has a star import: names not checked", len(words))
    defined = set(_PY_BUILTINS)
    defined.update(known)
    defined.update(outside)
    referenced: set[str] = set()
    stack = [table]
    while stack:
        scope = stack.pop()
        top = scope.get_type() == "module"
        for symbol in scope.get_symbols():
            name = symbol.get_name()
            if (top and (symbol.is_assigned() or symbol.is_imported())) or (
                symbol.is_declared_global() and symbol.is_assigned()
            ):
                defined.add(name)
            if symbol.is_referenced() and (top or symbol.is_global()):
                referenced.add(name)
        stack.extend(scope.get_children())
    # Names in annotations: never evaluated under `from __future__ import annotations`, so
    # the compiler does not list them, but the type checker (and `get_type_hints`) does.
    # Class-level and type-parameter names may appear there too: anything the file binds
    # anywhere counts as defined for them.
    annotated = {n.decode("utf-8", "replace") for n in parsed.type_names_in(lo, hi)}
    unbound = annotated - defined
    if unbound:
        bound = {n.decode("utf-8", "replace") for n in _bound_everywhere(parsed)}
        referenced |= {n for n in unbound if n not in bound and n not in parsed.spec.keywords}
    missing: list[tuple[str, int]] = []
    for name in sorted(referenced - defined):
        plain = _demangle(name)
        if plain != name and plain in defined:
            continue
        offset = words.get(plain.encode())
        if offset is not None:
            missing.append((plain, offset))
    note = None
    if missing and _DYNAMIC.search(parsed.source):
        note = "the module defines names dynamically (globals(), exec, __getattr__)"
        missing = []
    return NameReport(_locate(parsed, missing), note, len(words))


def _demangle(name: str) -> str:
    """`_Cls__name` → `__name`: the compiler mangles private names inside classes."""
    if name.startswith("_") and "__" in name[1:]:
        head, _, tail = name[1:].partition("__")
        if head and tail:
            return "__" + tail
    return name


@cache
def _extra_query(language: str) -> tree_sitter.Query | None:
    from domain.atomization.languages import ts_language

    lang = ts_language(language)
    valid = []
    for pattern in _ES_EXTRA_BINDINGS.strip().splitlines():
        try:
            tree_sitter.Query(lang, pattern)
        except (tree_sitter.QueryError, ValueError):
            continue
        valid.append(pattern)
    return tree_sitter.Query(lang, "\n".join(valid)) if valid else None


def _bound_everywhere(parsed: ParsedSource) -> set[bytes]:
    bound = set(parsed.bind_names)
    bound.update(parsed.param_names)
    if parsed.language != "python":
        query = _extra_query(parsed.language)
        if query is not None:
            for nodes in tree_sitter.QueryCursor(query).captures(parsed.root).values():
                bound.update(n.text or b"" for n in nodes)
    else:
        # Parameters the engine query does not list, and `except E as e` / `with x as y`.
        caps = run_engine_query(parsed.language, parsed.root)
        for node in caps.get("bind", ()):
            bound.add(node.text or b"")
        bound.update(_python_extra_bindings(parsed))
    return bound


_PY_EXTRA = re.compile(rb"\b(?:as|global|nonlocal)\s+([A-Za-z_]\w*)")


def _python_extra_bindings(parsed: ParsedSource) -> set[bytes]:
    out: set[bytes] = set()
    for match in _PY_EXTRA.finditer(parsed.names_text):
        for group in match.groups():
            if group:
                out.update(_ID.findall(group))
    return out


def _coarse(
    parsed: ParsedSource,
    words: dict[bytes, int],
    known: frozenset[str],
    builtin_names: frozenset[str],
    note: str | None,
) -> NameReport:
    if parsed.language != "python" and _has_ambient_globals(parsed.source):
        return NameReport((), "the file declares globals: names not checked", len(words))
    if parsed.language == "python" and _STAR.search(parsed.source):
        return NameReport((), "the file has a star import: names not checked", len(words))
    keywords = parsed.spec.keywords
    bound = _bound_everywhere(parsed)
    missing = []
    for raw, offset in words.items():
        name = raw.decode("utf-8", "replace")
        if raw in bound or name in keywords or name in builtin_names or name in known:
            continue
        missing.append((name, offset))
    return NameReport(_locate(parsed, missing), note, len(words))


def _has_ambient_globals(source: bytes) -> bool:
    return b"declare global" in source or b"/// <reference" in source
