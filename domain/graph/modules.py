"""Which plan file an import statement names.

Python: dotted names from paths (`pkg/mod.py` → `pkg.mod`, `pkg/__init__.py` → `pkg`),
relative imports by level, and absolute imports also under a source root such as `src/`.
TypeScript/JavaScript: relative specifiers with the usual extension and `index` probing
(including `./x.js` meaning `./x.ts`), path aliases (`@/*` → `src/*`), and bare
specifiers that name a plan directory. Anything else is a third-party package: no edge.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping, Sequence

_PY_SUFFIXES = (".py", ".pyi")
_ES_EXTENSIONS = (".ts", ".tsx", ".d.ts", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs")
_ES_RUNTIME_EXTENSIONS = (".js", ".jsx", ".mjs", ".cjs")
DEFAULT_ALIASES: Mapping[str, Sequence[str]] = {"@/*": ("src/*", "*"), "~/*": ("src/*", "*")}


def normalize_path(path: str) -> str:
    normalized = posixpath.normpath(path.replace("\\", "/"))
    return normalized.lstrip("/") if normalized != "." else ""


def python_module_name(path: str) -> str | None:
    path = normalize_path(path)
    for suffix in _PY_SUFFIXES:
        if path.endswith(suffix):
            stem = path[: -len(suffix)]
            break
    else:
        return None
    parts = [part for part in stem.split("/") if part]
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts) if parts else None


class ModuleIndex:
    def __init__(
        self, paths: Iterable[str], path_aliases: Mapping[str, Sequence[str]] | None = None
    ) -> None:
        self._py_files: dict[str, str] = {}
        self._py_names: set[str] = set()  # modules and the packages above them
        self._es_files: set[str] = set()
        self._es_stems: dict[str, list[str]] = {}
        self._init_dirs: set[str] = set()
        self._es_original: dict[str, str] = {}  # normalized → as given by the caller
        self._bare_cache: dict[str, str | None] = {}
        for path in sorted(paths):
            normalized = normalize_path(path)
            module = python_module_name(normalized)
            if module is not None:
                self._py_files.setdefault(module, path)
                parts = module.split(".")
                self._py_names.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
                if normalized.endswith("__init__.py"):
                    self._init_dirs.add(posixpath.dirname(normalized))
            else:
                self._es_files.add(normalized)
                self._es_original[normalized] = path
                stem = _es_stem(normalized)
                self._es_stems.setdefault(stem, []).append(normalized)
        self._py_suffix: dict[str, list[str]] = {}
        for name in sorted(self._py_names):
            parts = name.split(".")
            for i in range(1, len(parts)):
                prefix_dir = "/".join(parts[:i])
                # Only a directory that is not itself a package can be a source root (`src/`).
                if prefix_dir not in self._init_dirs:
                    self._py_suffix.setdefault(".".join(parts[i:]), []).append(name)
        aliases = dict(DEFAULT_ALIASES)
        aliases.update(path_aliases or {})
        self._aliases = sorted(aliases.items(), key=lambda item: (-len(item[0]), item[0]))

    # --- Python -----------------------------------------------------------------------------

    def python_file(self, module: str) -> str | None:
        return self._py_files.get(module)

    def python_exists(self, module: str) -> bool:
        return module in self._py_names

    def python_module(self, importer: str, spec: str) -> str | None:
        """Canonical dotted name (module or package) that `spec` names, seen from `importer`."""
        if spec.startswith("."):
            return self._python_relative(importer, spec)
        if spec in self._py_names:
            return spec
        candidates = self._py_suffix.get(spec)
        if not candidates:
            return None
        here = (python_module_name(importer) or "").split(".")
        return min(candidates, key=lambda name: (-_common_prefix(here, name.split(".")), name))

    def _python_relative(self, importer: str, spec: str) -> str | None:
        level = len(spec) - len(spec.lstrip("."))
        rest = spec[level:]
        module = python_module_name(importer)
        if module is None:
            return None
        package = module.split(".")
        if not normalize_path(importer).endswith("__init__.py"):
            package = package[:-1]
        if level - 1 > len(package):
            return None
        base = package[: len(package) - (level - 1)]
        # "" is the plan root seen as a package: `from . import x` at top level.
        return ".".join([*base, *([rest] if rest else [])])

    # --- TypeScript / JavaScript ----------------------------------------------------------------

    def es_file(self, importer: str, spec: str) -> str | None:
        if spec.startswith("."):
            base = posixpath.join(posixpath.dirname(normalize_path(importer)), spec)
            return self._es_probe(normalize_path(base))
        for pattern, targets in self._aliases:
            prefix = pattern[:-1] if pattern.endswith("*") else pattern
            if spec == pattern or (pattern.endswith("*") and spec.startswith(prefix)):
                tail = spec[len(prefix) :] if pattern.endswith("*") else ""
                for target in targets:
                    candidate = target[:-1] + tail if target.endswith("*") else target
                    found = self._es_probe(normalize_path(candidate))
                    if found is not None:
                        return found
        if "/" in spec and not spec.startswith("@"):
            if spec not in self._bare_cache:
                self._bare_cache[spec] = self._es_bare(spec)
            return self._bare_cache[spec]
        return None

    def _es_bare(self, spec: str) -> str | None:
        """`lib/util` written against a base URL: a plan file at or under that path."""
        found = self._es_probe(normalize_path(spec))
        if found is not None:
            return found
        stem = _es_stem(normalize_path(spec))
        matches = sorted(
            path
            for key, paths in self._es_stems.items()
            if key.endswith("/" + stem)
            for path in paths
        )
        return self._es_original[matches[0]] if matches else None

    def _es_probe(self, base: str) -> str | None:
        stems = [base]
        for ext in _ES_RUNTIME_EXTENSIONS:
            if base.endswith(ext):
                stems.append(base[: -len(ext)])
        for stem in stems:
            if stem in self._es_files:
                return self._es_original[stem]
            for ext in _ES_EXTENSIONS:
                if stem + ext in self._es_files:
                    return self._es_original[stem + ext]
            for ext in _ES_EXTENSIONS:
                index = f"{stem}/index{ext}" if stem else f"index{ext}"
                if index in self._es_files:
                    return self._es_original[index]
        return None


def _es_stem(path: str) -> str:
    for ext in sorted(_ES_EXTENSIONS, key=len, reverse=True):
        if path.endswith(ext):
            path = path[: -len(ext)]
            break
    return path[: -len("/index")] if path.endswith("/index") else path


def _common_prefix(left: list[str], right: list[str]) -> int:
    count = 0
    for a, b in zip(left, right, strict=False):
        if a != b:
            break
        count += 1
    return count
