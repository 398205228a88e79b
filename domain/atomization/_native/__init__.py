"""The atomizer's native core: the hot stages of atomization compiled with Cython.

Each stage here computes exactly what its pure-Python counterpart computes (tests compare the
two on generated, mutated and real sources); it only does it without a Python object per
tree node. The core walks the trees py-tree-sitter builds, so it is built against the very
runtime that binding ships (vendored in third_party/tree-sitter) and checked at import: when
it is missing (no C compiler at install time) or does not match the installed binding, the
atomizer runs in pure Python, slower and otherwise the same.

`MGE_ATOMIZER_NATIVE=0` turns the core off; `pure_python()` does so for a block of code.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType

import tree_sitter
import tree_sitter_python

# The py-tree-sitter release whose runtime is vendored (third_party/tree-sitter).
VENDORED_BINDING = "0.26.1"


def _load() -> tuple[ModuleType | None, str]:
    """The compiled facts module, or None and why not."""
    if os.environ.get("MGE_ATOMIZER_NATIVE", "1").strip().lower() in ("0", "false", "no", "off"):
        return None, "turned off by MGE_ATOMIZER_NATIVE"
    if tree_sitter.__version__ != VENDORED_BINDING:
        return None, (
            f"tree-sitter {tree_sitter.__version__} is installed; the core was built for "
            f"{VENDORED_BINDING}"
        )
    try:
        from . import facts
    except ImportError as error:  # not built: no compiler when the project was installed
        return None, f"not built ({error})"
    tree = tree_sitter.Parser(tree_sitter.Language(tree_sitter_python.language())).parse(b"x = 1\n")
    if not facts.check_layout(tree, tree.root_node):
        return None, "the installed tree-sitter binding's object layout differs"
    return facts, ""


_facts, UNAVAILABLE_REASON = _load()
AVAILABLE = _facts is not None
_enabled = AVAILABLE


def enabled() -> bool:
    """Whether the stages use the native core now."""
    return _enabled


@contextmanager
def pure_python() -> Iterator[None]:
    """Run the block with the pure-Python stages (what tests compare the core against)."""
    global _enabled
    before = _enabled
    _enabled = False
    try:
        yield
    finally:
        _enabled = before
