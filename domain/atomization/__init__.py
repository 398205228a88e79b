"""Atomization: cutting source files into atoms an LLM can regenerate one at a time.

Pure domain logic (stdlib + tree-sitter only). Entry point: `atomize_source`.
"""

from .api import atom_contexts, atomize_parsed, atomize_source
from .atomicity import CRITERIA, AtomicityValidator
from .context import ContextInjector
from .decomposer import RecursiveDecomposer
from .errors import AtomizationError, UnsupportedLanguageError
from .identity import ATOM_NAMESPACE, atom_id, content_hash
from .languages import EXTENSIONS, LANGUAGES, detect_language
from .model import (
    Atom,
    AtomContext,
    AtomicityReport,
    AtomizationConfig,
    AtomizationResult,
    SyntaxIssue,
    Violation,
)
from .parser import MultiLanguageParser, ParsedSource
from .symbols import CodeSymbol, extract_symbols

__all__ = [
    "ATOM_NAMESPACE",
    "CRITERIA",
    "EXTENSIONS",
    "LANGUAGES",
    "Atom",
    "AtomContext",
    "AtomicityReport",
    "AtomicityValidator",
    "AtomizationConfig",
    "AtomizationError",
    "AtomizationResult",
    "CodeSymbol",
    "ContextInjector",
    "MultiLanguageParser",
    "ParsedSource",
    "RecursiveDecomposer",
    "SyntaxIssue",
    "UnsupportedLanguageError",
    "Violation",
    "atom_contexts",
    "atom_id",
    "atomize_parsed",
    "atomize_source",
    "content_hash",
    "detect_language",
    "extract_symbols",
]
