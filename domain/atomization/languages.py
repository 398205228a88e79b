"""The languages MGE atomizes: grammars, file extensions and the node vocabulary of each.

Everything grammar-specific lives here so that the parser and the decomposer stay generic.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import PurePath

import tree_sitter
import tree_sitter_javascript
import tree_sitter_python
import tree_sitter_typescript

from .errors import UnsupportedLanguageError

PYTHON = "python"
TYPESCRIPT = "typescript"
TSX = "tsx"
JAVASCRIPT = "javascript"
LANGUAGES = (PYTHON, TYPESCRIPT, TSX, JAVASCRIPT)

EXTENSIONS: Mapping[str, str] = {
    ".py": PYTHON,
    ".pyi": PYTHON,
    ".ts": TYPESCRIPT,
    ".mts": TYPESCRIPT,
    ".cts": TYPESCRIPT,
    ".tsx": TSX,
    ".js": JAVASCRIPT,
    ".jsx": JAVASCRIPT,
    ".mjs": JAVASCRIPT,
    ".cjs": JAVASCRIPT,
}

_POSIX = os.sep == "/" and os.altsep is None

# Aliases accepted for an explicit `language=` argument.
_ALIASES: Mapping[str, str] = {
    "py": PYTHON,
    "python3": PYTHON,
    "ts": TYPESCRIPT,
    "js": JAVASCRIPT,
    "jsx": JAVASCRIPT,
    "node": JAVASCRIPT,
    "ecmascript": JAVASCRIPT,
}


def detect_language(path: str) -> str | None:
    """Language from the file extension, or None when MGE cannot atomize that kind of file."""
    name = path[path.rfind("/") + 1 :]
    dot = name.rfind(".")
    if _POSIX and 0 < dot < len(name) - 1:
        # what PurePath(path).suffix gives, without building the path object
        return EXTENSIONS.get(name[dot:].lower())
    return EXTENSIONS.get(PurePath(path).suffix.lower())


def resolve_language(language: str | None, path: str) -> str:
    """The explicit language if given (aliases allowed), else the one the extension implies."""
    if language is not None:
        key = language.strip().lower()
        key = _ALIASES.get(key, key)
        if key not in LANGUAGES:
            raise UnsupportedLanguageError(language, path)
        return key
    detected = detect_language(path)
    if detected is None:
        raise UnsupportedLanguageError(None, path)
    return detected


def _words(text: str) -> list[str]:
    return text.split()


@dataclass(frozen=True)
class LanguageSpec:
    """Node vocabulary of one grammar, as the decomposer and context injector need it."""

    name: str
    # Containers whose named children are complete siblings we may cut between.
    block_types: frozenset[str]
    # Clauses of compound statements (elif/else/except/catch/case...): units of their parent.
    clause_types: frozenset[str]
    # Nodes whose statements are direct children in the `body` field (JS switch cases).
    body_field_types: frozenset[str]
    # Object literals that may be cut between members when they hold methods (JS only).
    member_object_types: frozenset[str]
    # Wrappers that only decorate a definition: split the wrapped node instead.
    passthrough: Mapping[str, str]
    function_types: frozenset[str]
    class_types: frozenset[str]
    type_decl_types: frozenset[str]
    import_types: frozenset[str]
    export_types: frozenset[str]
    comment_types: frozenset[str]
    # Code that belongs to the next sibling (TS decorators sit beside the member they decorate).
    attach_forward_types: frozenset[str]
    # Library names that never need an import.
    builtins: frozenset[str]
    keywords: frozenset[str]
    doc_comment_prefix: bytes | None


_PY_BUILTINS = frozenset(
    _words(
        """
        abs aiter all anext any ascii bin bool breakpoint bytearray bytes callable chr
        classmethod compile complex copyright credits delattr dict dir divmod enumerate eval
        exec exit filter float format frozenset getattr globals hasattr hash help hex id input
        int isinstance issubclass iter len license list locals map max memoryview min next
        object oct open ord pow print property quit range repr reversed round set setattr slice
        sorted staticmethod str sum super tuple type vars zip __import__ __name__ __file__
        __doc__ __spec__ __loader__ __package__ __builtins__ __debug__ __dict__ __class__
        __all__ __path__ __annotations__ __qualname__ __module__ __version__ self cls
        NotImplemented Ellipsis BaseException BaseExceptionGroup Exception ExceptionGroup
        ArithmeticError AssertionError AttributeError BlockingIOError BrokenPipeError
        BufferError BytesWarning ChildProcessError ConnectionAbortedError ConnectionError
        ConnectionRefusedError ConnectionResetError DeprecationWarning EOFError EncodingWarning
        EnvironmentError FileExistsError FileNotFoundError FloatingPointError FutureWarning
        GeneratorExit IOError ImportError ImportWarning IndentationError IndexError
        InterruptedError IsADirectoryError KeyError KeyboardInterrupt LookupError MemoryError
        ModuleNotFoundError NameError NotADirectoryError NotImplementedError OSError
        OverflowError PendingDeprecationWarning PermissionError ProcessLookupError
        RecursionError ReferenceError ResourceWarning RuntimeError RuntimeWarning
        StopAsyncIteration StopIteration SyntaxError SyntaxWarning SystemError SystemExit
        TabError TimeoutError TypeError UnboundLocalError UnicodeDecodeError UnicodeEncodeError
        UnicodeError UnicodeTranslateError UnicodeWarning UserWarning ValueError Warning
        ZeroDivisionError
        """
    )
)

_PY_KEYWORDS = frozenset(
    _words(
        """
        False None True and as assert async await break class continue def del elif else except
        finally for from global if import in is lambda nonlocal not or pass raise return try
        while with yield match case type print exec
        """
    )
) - {"print", "type"}

_JS_BUILTINS = frozenset(
    _words(
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
        AbortSignal Event EventTarget performance crypto navigator location arguments self this
        super Iterator AsyncIterator Generator string number boolean any unknown never void
        object bigint symbol Record Partial Required Readonly Pick Omit Exclude Extract
        NonNullable ReturnType Parameters InstanceType ConstructorParameters ThisType Awaited
        Uppercase Lowercase Capitalize Uncapitalize PromiseLike ArrayLike Iterable
        IterableIterator AsyncIterable AsyncIterableIterator ReadonlyArray ReadonlyMap
        ReadonlySet PropertyKey TemplateStringsArray NoInfer ThisParameterType OmitThisParameter
        describe it test expect beforeEach afterEach beforeAll afterAll jest vi
        """
    )
)

_JS_KEYWORDS = frozenset(
    _words(
        """
        abstract as async await break case catch class const continue debugger declare default
        delete do else enum export extends false finally for from function get if implements
        import in infer instanceof interface is keyof let module namespace new null of override
        package private protected public readonly return satisfies set static super switch this
        throw true try type typeof unique var void while with yield asserts accessor
        """
    )
)

_PY_SPEC = LanguageSpec(
    name=PYTHON,
    block_types=frozenset({"block"}),
    clause_types=frozenset(
        {
            "elif_clause",
            "else_clause",
            "except_clause",
            "except_group_clause",
            "finally_clause",
            "case_clause",
        }
    ),
    body_field_types=frozenset(),
    member_object_types=frozenset(),
    passthrough={"decorated_definition": "definition"},
    function_types=frozenset({"function_definition"}),
    class_types=frozenset({"class_definition"}),
    type_decl_types=frozenset({"type_alias_statement"}),
    import_types=frozenset(
        {"import_statement", "import_from_statement", "future_import_statement"}
    ),
    export_types=frozenset(),
    comment_types=frozenset({"comment"}),
    attach_forward_types=frozenset(),
    builtins=_PY_BUILTINS,
    keywords=_PY_KEYWORDS,
    doc_comment_prefix=None,
)


def _js_spec(name: str) -> LanguageSpec:
    return LanguageSpec(
        name=name,
        block_types=frozenset(
            {
                "statement_block",
                "class_body",
                "switch_body",
                "interface_body",
                "object_type",
                "enum_body",
            }
        ),
        clause_types=frozenset(
            {"else_clause", "catch_clause", "finally_clause", "switch_case", "switch_default"}
        ),
        body_field_types=frozenset({"switch_case", "switch_default"}),
        member_object_types=frozenset({"object"}),
        passthrough={"export_statement": "declaration"},
        function_types=frozenset(
            {
                "function_declaration",
                "generator_function_declaration",
                "function_expression",
                "function",
                "generator_function",
                "arrow_function",
                "method_definition",
            }
        ),
        class_types=frozenset({"class_declaration", "class", "abstract_class_declaration"}),
        type_decl_types=frozenset(
            {"interface_declaration", "type_alias_declaration", "enum_declaration"}
        ),
        import_types=frozenset({"import_statement"}),
        export_types=frozenset({"export_statement"}),
        comment_types=frozenset({"comment", "html_comment"}),
        attach_forward_types=frozenset({"decorator"}),
        builtins=_JS_BUILTINS,
        keywords=_JS_KEYWORDS,
        doc_comment_prefix=b"/**",
    )


SPECS: Mapping[str, LanguageSpec] = {
    PYTHON: _PY_SPEC,
    TYPESCRIPT: _js_spec(TYPESCRIPT),
    TSX: _js_spec(TSX),
    JAVASCRIPT: _js_spec(JAVASCRIPT),
}

_GRAMMARS: Mapping[str, Callable[[], object]] = {
    PYTHON: tree_sitter_python.language,
    TYPESCRIPT: tree_sitter_typescript.language_typescript,
    TSX: tree_sitter_typescript.language_tsx,
    JAVASCRIPT: tree_sitter_javascript.language,
}


@functools.cache
def ts_language(language: str) -> tree_sitter.Language:
    """The tree-sitter Language object, built once per process."""
    return tree_sitter.Language(_GRAMMARS[language]())
