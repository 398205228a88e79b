"""Validation bench: inject real faults into correct code and count what the four levels catch.

Correct code: the example plans' reference code (Python and TypeScript, with their tests) and
real corpus files (the `.py` files of installed packages; default: fastapi, starlette, httpx).
Faults of seven kinds are injected into atoms that every level passes when clean:

    syntax      a `)`/`}` removed, or the `:` ending a compound statement
    undefined   one use of a name renamed to a name nothing defines
    arity       an argument added to, or taken from, a call of a function the project defines
    type        a return value of the wrong type (Python: mypy; TypeScript: tsc)
    behaviour   a wrong return value of the same type, for the tests to catch (example plans)
    import      an import statement whose names are used removed (or one of its names)
    circular    an import added that closes a cycle with a module that imports this one

Prints the detection rate per fault kind and per level, the false-positive rate of each
level on the unmodified code, and the mean validation time per atom. Wall time is printed,
never asserted.

    python bench/validation.py
    python bench/validation.py --python networkx --per-kind 100 --no-typecheck
    python bench/validation.py --npm-prefix /tmp/mge-npm      # TypeScript checks with tsc
"""

from __future__ import annotations

import argparse
import functools
import importlib.util
import random
import re
import shutil
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import tree_sitter  # noqa: E402
import yaml  # noqa: E402

from activities.sandbox import SandboxLimits, bubblewrap_usable  # noqa: E402
from activities.typecheck import (  # noqa: E402
    TypecheckRun,
    TypeScriptTools,
    find_typescript,
    mypy_available,
    run_mypy,
    run_tsc,
)
from activities.validation import run_node_project, run_pytest_project  # noqa: E402
from domain.atomization import Atom, atomize_source  # noqa: E402
from domain.atomization.languages import ts_language  # noqa: E402
from domain.validation.level1 import level1_problems  # noqa: E402
from domain.validation.level2 import check_task_file  # noqa: E402
from domain.validation.level3 import Project, ProjectFile, check_milestone  # noqa: E402
from domain.validation.names import parse as _parse  # noqa: E402
from domain.validation.signatures import (  # noqa: E402
    Signature,
    arity_problem,
    call_site,
    collect_signatures,
)

parse = functools.lru_cache(maxsize=256)(_parse)

KINDS = ("syntax", "undefined", "arity", "type", "behaviour", "import", "circular")
TARGETS = {
    "syntax": "100%",
    "undefined": ">= 99%",
    "arity": ">= 95%",
    "type": ">= 95% (py)",
    "behaviour": ">= 90%",
    "import": ">= 99%",
    "circular": "100%",
}
LEVELS = ("L1", "L1types", "L2", "L3", "L4")
DEFAULT_PYTHON = ["fastapi", "starlette", "httpx"]
TEST_LIMITS = SandboxLimits(wall_time_s=120, cpu_time_s=120, max_processes=128)
SIMPLE_PY = re.compile(r"^(str|int|float|bool|bytes|list\[.*\]|dict\[.*\]|set\[.*\]|tuple\[.*\])$")


# ---- the code under test -------------------------------------------------------------------


@dataclass
class Unit:
    """A project: a plan's reference code with its tests, or one installed package."""

    name: str
    files: dict[str, str]
    languages: dict[str, str]
    milestones: list[list[str]]
    tests: dict[str, str] = field(default_factory=dict)
    atoms: dict[str, tuple[Atom, ...]] = field(default_factory=dict)
    project: Project | None = None

    def milestone_of(self, path: str) -> list[str]:
        return next((m for m in self.milestones if path in m), [path])


def example_units() -> list[Unit]:
    units = []
    for name in ("todo-service.yaml", "link-shortener-ts.yaml"):
        plan = yaml.safe_load((ROOT / "examples" / name).read_text(encoding="utf-8"))
        files: dict[str, str] = {}
        tests: dict[str, str] = {}
        milestones = []
        for phase in plan["phases"]:
            for milestone in phase["milestones"]:
                milestones.append([t["file"] for t in milestone["tasks"]])
                for task in milestone["tasks"]:
                    files[task["file"]] = task["reference"]
                    if task.get("tests"):
                        tests[task["test_file"]] = task["tests"]
        language = plan["language"]
        units.append(
            Unit(
                f"example:{plan['name']}", files, dict.fromkeys(files, language), milestones, tests
            )
        )
    return units


def package_unit(package: str, max_files: int, rng: random.Random) -> Unit | None:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    base = Path(next(iter(spec.submodule_search_locations)))
    paths = sorted(
        p for p in base.rglob("*.py") if "tests" not in p.parts and "test" not in p.parts
    )
    files: dict[str, str] = {}
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        files[str(path.relative_to(base.parent))] = text
    if len(files) > max_files:
        # Keep packages whole for imports, but only check (and inject into) a sample.
        chosen = sorted(rng.sample(sorted(files), max_files))
    else:
        chosen = sorted(files)
    unit = Unit(f"package:{package}", files, dict.fromkeys(files, "python"), [[p] for p in chosen])
    unit.milestones = [[p] for p in chosen]
    return unit


def checked_paths(unit: Unit) -> list[str]:
    return sorted({p for m in unit.milestones for p in m})


def prepare(unit: Unit) -> None:
    unit.project = Project(ProjectFile(p, t, unit.languages[p]) for p, t in unit.files.items())
    for path in checked_paths(unit):
        unit.atoms[path] = atomize_source(unit.files[path], path, unit.languages[path]).atoms


def language_of(path: str, unit: Unit) -> str:
    return "tsx" if path.endswith(".tsx") else unit.languages[path]


# ---- validation of one state of a file -----------------------------------------------------


@dataclass
class Tools:
    mypy: bool
    typescript: TypeScriptTools | None
    pytest: bool
    node: bool
    cache: Path


def split(text: str, atom: Atom) -> tuple[str, str, str]:
    data = text.encode("utf-8")
    return (
        data[: atom.start_byte].decode("utf-8", "replace"),
        data[atom.start_byte : atom.end_byte].decode("utf-8", "replace"),
        data[atom.end_byte :].decode("utf-8", "replace"),
    )


def level1(
    text: str, path: str, unit: Unit, atom_range: tuple[int, int], context: Any
) -> list[str]:
    data = text.encode("utf-8")
    before = data[: atom_range[0]].decode("utf-8", "replace")
    code = data[atom_range[0] : atom_range[1]].decode("utf-8", "replace")
    after = data[atom_range[1] :].decode("utf-8", "replace")
    problems = level1_problems(code, before, after, unit.languages[path], context, path=path)
    return [f"{p.check}:{p.message}" for p in problems]


def level2(text: str, path: str, unit: Unit, spec: str) -> list[tuple[int | None, str]]:
    results = check_task_file(text, path, unit.languages[path], spec=spec)
    return [(v.line, f"{v.check}:{v.message}") for r in results for v in r.violations]


def level3(
    unit: Unit, changed: dict[str, str], paths: list[str]
) -> list[tuple[str | None, int | None, str]]:
    assert unit.project is not None
    project = unit.project.replaced(
        ProjectFile(p, t, unit.languages[p]) for p, t in changed.items()
    )
    found = []
    for result in check_milestone(project, paths):
        found += [(v.path, v.line, f"{v.check}:{v.message}") for v in result.violations]
    return found


def typecheck(
    unit: Unit, changed: dict[str, str], targets: list[str], tools: Tools
) -> TypecheckRun | None:
    files = {**unit.files, **changed}
    python = [t for t in targets if unit.languages[t] == "python"]
    if python:
        if not tools.mypy:
            return None
        return run_mypy(files, python, cache_dir=tools.cache)
    if tools.typescript is None:
        return None
    ts = {p: t for p, t in files.items() if unit.languages.get(p) != "python"}
    return run_tsc(ts, targets, tools.typescript)


def tests_fail(unit: Unit, changed: dict[str, str], tools: Tools) -> bool | None:
    if not unit.tests:
        return None
    files = {**unit.files, **changed}
    if all(unit.languages[p] == "python" for p in unit.files):
        if not tools.pytest:
            return None
        checks, _ = run_pytest_project(files, unit.tests, {}, TEST_LIMITS)
    else:
        if tools.typescript is None or not tools.node:
            return None
        checks, _ = run_node_project(files, unit.tests, {}, TEST_LIMITS, tools.typescript)
    if any(c.not_run for c in checks):
        return None
    return any(c.failed for c in checks)


# ---- fault injection -----------------------------------------------------------------------


@dataclass
class Fault:
    kind: str
    unit: Unit
    path: str
    atom: Atom
    text: str  # the whole file after injection
    start: int  # byte range of the modified atom in `text`
    end: int
    what: str
    extra: dict[str, str] = field(default_factory=dict)  # other files changed


def _replace(text: str, atom: Atom, start: int, end: int, new: bytes) -> tuple[str, int, int]:
    data = text.encode("utf-8")
    out = data[:start] + new + data[end:]
    delta = len(new) - (end - start)
    return out.decode("utf-8"), atom.start_byte, atom.end_byte + delta


def _fault(
    kind: str, unit: Unit, path: str, atom: Atom, start: int, end: int, new: bytes, what: str
) -> Fault:
    text, a, b = _replace(unit.files[path], atom, start, end, new)
    return Fault(kind, unit, path, atom, text, a, b, what)


def _nodes(text: str, path: str, language: str, query: str) -> dict[str, list[tree_sitter.Node]]:
    parsed = parse(text, path, language)
    grammar = ts_language(parsed.language)
    return tree_sitter.QueryCursor(tree_sitter.Query(grammar, query)).captures(parsed.root)


_HEADER = re.compile(
    rb"^[ \t]*(?:def|class|if|elif|else|for|while|try|except|finally|with)\b[^\n]*(:)[ \t]*$", re.M
)


def _rate(found: list[Outcome]) -> str:
    return pct(sum(1 for o in found if any(o.detected.values())), len(found)).strip()


def syntax_faults(unit: Unit, path: str, atom: Atom, rng: random.Random) -> list[Fault]:
    parsed = parse(unit.files[path], path, language_of(path, unit))
    code = parsed.names_text  # comments and string bodies blanked: punctuation is code
    python = parsed.language == "python"
    sites = []
    for match in re.finditer(rb"\)" if python else rb"[)}]", code[atom.start_byte : atom.end_byte]):
        sites.append((atom.start_byte + match.start(), "removed `" + match.group().decode() + "`"))
    if python:
        for match in _HEADER.finditer(code[atom.start_byte : atom.end_byte]):
            sites.append((atom.start_byte + match.start(1), "removed the `:` of a block header"))
    rng.shuffle(sites)
    return [
        _fault("syntax", unit, path, atom, offset, offset + 1, b"", what)
        for offset, what in sites[:2]
    ]


_KEYWORDS_PY = {"True", "False", "None", "self", "cls", "super", "print"}


def undefined_faults(unit: Unit, path: str, atom: Atom, rng: random.Random) -> list[Fault]:
    parsed = parse(unit.files[path], path, language_of(path, unit))
    binds = set(parsed.bind_offsets)
    keywords = parsed.spec.keywords
    sites = []
    for match in re.finditer(
        rb"(?<![\w$.])[A-Za-z_$][\w$]*", parsed.names_text[atom.start_byte : atom.end_byte]
    ):
        offset = atom.start_byte + match.start()
        name = match.group().decode()
        if (
            offset in binds
            or name in keywords
            or name in _KEYWORDS_PY
            or name in ("this", "undefined")
        ):
            continue
        after = parsed.names_text[atom.start_byte + match.end() : atom.start_byte + match.end() + 2]
        if after.startswith(b"=") and not after.startswith(b"=="):
            continue  # a keyword argument or a default
        if parsed.language != "python" and after.startswith(b":"):
            continue  # an object key or a label
        sites.append((offset, offset + len(match.group()), name))
    rng.shuffle(sites)
    return [
        _fault(
            "undefined", unit, path, atom, a, b, f"{name}_undefined".encode(), f"`{name}` renamed"
        )
        for a, b, name in sites[:2]
    ]


def _signatures(unit: Unit) -> dict[str, list[tuple[str, Signature]]]:
    found: dict[str, list[tuple[str, Signature]]] = defaultdict(list)
    assert unit.project is not None
    for path, module in unit.project.modules.items():
        for qualname, signature in module.signatures.items():
            found[qualname].append((path, signature))
    return found


_CALL_QUERY = {
    "python": "(call function: (_) @f arguments: (argument_list) @args) @call",
    "ecma": "[(call_expression function: (_) @f arguments: (arguments) @args)"
    " (new_expression constructor: (_) @f arguments: (arguments) @args)] @call",
}


def arity_faults(unit: Unit, path: str, atom: Atom, rng: random.Random) -> list[Fault]:
    language = language_of(path, unit)
    python = language == "python"
    text = unit.files[path]
    caps = _nodes(text, path, language, _CALL_QUERY["python" if python else "ecma"])
    local = collect_signatures(parse(text, path, language))
    everywhere = _signatures(unit)
    sites = []
    for call in caps.get("call", []):
        if not atom.start_byte <= call.start_byte < atom.end_byte:
            continue
        function = call.child_by_field_name("function") or call.child_by_field_name("constructor")
        if function is None:
            continue
        callee = (function.text or b"").decode()
        signature, bound = _callee(callee, call, local, everywhere, python)
        if signature is None or not signature.callable_known:
            continue
        params = signature.params[1:] if bound and signature.params else signature.params
        args = call.child_by_field_name("arguments")
        assert args is not None
        site = call_site(call)
        if site.has_star or args.end_byte - args.start_byte < 2:
            continue
        inner = args.end_byte - 1  # the closing parenthesis
        extra = b", None" if python else b", undefined as never"
        if site.positional + len(site.keywords) == 0:
            extra = extra[2:]
        candidates = []
        more = type(site)(site.positional + 1, site.keywords, False, site.line, site.column)
        if arity_problem(params, more) is not None:
            candidates.append((inner, inner, extra, f"argument added to `{callee}()`"))
        positional = [
            c for c in args.named_children if c.type not in ("keyword_argument", "comment")
        ]
        if positional and not site.keywords:
            fewer = type(site)(site.positional - 1, site.keywords, False, site.line, site.column)
            if arity_problem(params, fewer) is not None:
                last = positional[-1]
                start = positional[-2].end_byte if len(positional) > 1 else last.start_byte
                candidates.append(
                    (start, last.end_byte, b"", f"argument removed from `{callee}()`")
                )
        if candidates:
            sites.append(rng.choice(candidates))
    rng.shuffle(sites)
    return [_fault("arity", unit, path, atom, a, b, new, what) for a, b, new, what in sites[:2]]


def _callee(
    callee: str,
    call: tree_sitter.Node,
    local: dict[str, Signature],
    everywhere: dict[str, list[tuple[str, Signature]]],
    python: bool,
) -> tuple[Signature | None, bool]:
    """The definition a call certainly reaches: a function or class of this file or defined
    once in the project and called by name, or a method on `self`/`this` of this class."""
    parts = callee.split(".")
    if len(parts) == 1:
        if callee in local:
            return local[callee], False
        defined = everywhere.get(callee, [])
        return (defined[0][1], False) if len(defined) == 1 else (None, False)
    if len(parts) == 2 and parts[0] in ("self", "this"):
        owner = _enclosing_class(call, python)
        if owner is not None:
            method = local.get(f"{owner}.{parts[1]}")
            if method is not None and method.kind == "method":
                static = method.is_static or method.is_classmethod
                return method, python and not static
    return None, False


def _enclosing_class(node: tree_sitter.Node, python: bool) -> str | None:
    parent = node.parent
    while parent is not None:
        if parent.type in ("class_definition", "class_declaration"):
            name = parent.child_by_field_name("name")
            return (name.text or b"").decode() if name is not None else None
        parent = parent.parent
    return None


_RETURN_QUERY = {
    "python": "(function_definition return_type: (type) @ret body: (block) @body) @fn",
    "ecma": "[(function_declaration return_type: (type_annotation) @ret"
    " body: (statement_block) @body)"
    " (method_definition return_type: (type_annotation) @ret body: (statement_block) @body)] @fn",
}
_RETURNS = "(return_statement (_) @value) @ret"


def _return_sites(unit: Unit, path: str, atom: Atom) -> list[tuple[tree_sitter.Node, str]]:
    """Returned values in functions of the atom, with the function's return annotation."""
    language = language_of(path, unit)
    python = language == "python"
    text = unit.files[path]
    parsed = parse(text, path, language)
    grammar = ts_language(parsed.language)
    query = tree_sitter.Query(grammar, _RETURN_QUERY["python" if python else "ecma"])
    returns = _nodes(text, path, language, _RETURNS)
    out = []
    for _, caps in tree_sitter.QueryCursor(query).matches(parsed.root):
        fn, ret = caps["fn"][0], caps["ret"][0]
        body_text = fn.text or b""
        if b"yield" in body_text or body_text.startswith(b"async"):
            continue
        annotation = (ret.text or b"").decode().lstrip(":").strip()
        for value in returns.get("value", []):
            if not (fn.start_byte < value.start_byte < fn.end_byte):
                continue
            if not atom.start_byte <= value.start_byte < atom.end_byte:
                continue
            if _innermost_function(value, python) != fn.id:
                continue
            out.append((value, annotation))
    return out


def _innermost_function(node: tree_sitter.Node, python: bool) -> int | None:
    kinds = (
        ("function_definition", "lambda")
        if python
        else ("function_declaration", "method_definition", "arrow_function", "function_expression")
    )
    parent = node.parent
    while parent is not None:
        if parent.type in kinds:
            return parent.id if parent.type != "lambda" else -1
        parent = parent.parent
    return None


def _base_type(annotation: str) -> str:
    parts = [p.strip() for p in annotation.split("|")]
    kept = [p for p in parts if p not in ("None", "null", "undefined")]
    return kept[0] if len(kept) == 1 else ""


def type_faults(unit: Unit, path: str, atom: Atom, rng: random.Random) -> list[Fault]:
    python = unit.languages[path] == "python"
    class_names = {
        q for q, s in collect_signatures(parse(unit.files[path], path)).items() if s.kind == "class"
    }
    sites = []
    for value, annotation in _return_sites(unit, path, atom):
        base = _base_type(annotation)
        if python:
            if base in ("str", "bytes"):
                wrong = b"12345"
            elif base in ("int", "float", "bool") or base in class_names:
                wrong = b'"wrong"'
            elif SIMPLE_PY.match(base):
                wrong = b"12345"
            else:
                continue
        else:
            if base == "string" or base.endswith("[]"):
                wrong = b"12345"
            elif base in ("number", "boolean"):
                wrong = b'"wrong"'
            else:
                continue
        sites.append(
            (value.start_byte, value.end_byte, wrong, f"returns {wrong.decode()} for {annotation}")
        )
    rng.shuffle(sites)
    return [_fault("type", unit, path, atom, a, b, new, what) for a, b, new, what in sites[:2]]


def behaviour_faults(unit: Unit, path: str, atom: Atom, rng: random.Random) -> list[Fault]:
    if not unit.tests:
        return []
    python = unit.languages[path] == "python"
    sites = []
    for value, annotation in _return_sites(unit, path, atom):
        base = _base_type(annotation)
        expression = value.text or b""
        if python:
            mutations = {
                "str": b"(%s) + '!'",
                "int": b"(%s) + 1",
                "float": b"(%s) + 1.5",
                "bool": b"not (%s)",
            }
            if base in mutations:
                wrong = mutations[base] % expression
            elif base.startswith("list["):
                wrong = b"[]"
            elif base.startswith("tuple["):
                wrong = b"()"
            else:
                wrong = b"None"
        else:
            mutations = {"string": b"(%s) + '!'", "number": b"(%s) + 1", "boolean": b"!(%s)"}
            if base in mutations:
                wrong = mutations[base] % expression
            elif base.endswith("[]"):
                wrong = b"[]"
            else:
                continue
        sites.append((value.start_byte, value.end_byte, wrong, f"returns {wrong.decode()[:40]}"))
    rng.shuffle(sites)
    return [_fault("behaviour", unit, path, atom, a, b, new, what) for a, b, new, what in sites[:3]]


def import_faults(unit: Unit, path: str, atom: Atom, rng: random.Random) -> list[Fault]:
    language = language_of(path, unit)
    parsed = parse(unit.files[path], path, language)
    text = parsed.source
    sites = []
    for node in parsed.import_nodes:
        if not atom.start_byte <= node.start_byte < atom.end_byte or b"__future__" in (
            node.text or b""
        ):
            continue
        if node.parent is None or node.parent.type not in ("module", "program"):
            continue
        names = _bound_by(node, parsed.language)
        # A name another import binds stays bound: removing this one leaves nothing unbound.
        others = {
            n
            for other in parsed.import_nodes
            if other != node
            for n in _bound_by(other, parsed.language)
        }
        names = [n for n in names if n not in others]
        rest = (
            parsed.names_text[: node.start_byte]
            + b" " * (node.end_byte - node.start_byte)
            + parsed.names_text[node.end_byte :]
        )
        used = [
            n
            for n in names
            if re.search(rb"(?<![\w$.])" + re.escape(n.encode()) + rb"(?![\w$])", rest)
        ]
        if not used:
            continue
        end = node.end_byte + (1 if text[node.end_byte : node.end_byte + 1] == b"\n" else 0)
        sites.append((node.start_byte, end, b"", f"removed `{(node.text or b'').decode()[:60]}`"))
    rng.shuffle(sites)
    return [_fault("import", unit, path, atom, a, b, new, what) for a, b, new, what in sites[:2]]


def _bound_by(node: tree_sitter.Node, language: str) -> list[str]:
    from domain.atomization.imports import js_imports, python_imports

    entries = python_imports(node)[0] if language == "python" else js_imports(node)
    return [e.name for e in entries]


def circular_faults(unit: Unit, rng: random.Random) -> list[Fault]:
    """For modules B importing A at module level, make A import a name of B."""
    from domain.validation.level3 import import_graph

    assert unit.project is not None
    graph = import_graph(unit.project)
    checked = set(checked_paths(unit))
    faults = []
    edges = [(b, a) for b, a in graph.edges if a in checked and not graph.has_edge(a, b)]
    rng.shuffle(edges)
    for importer, target in edges[:40]:
        if target.endswith("__init__.py") or importer.endswith("__init__.py"):
            continue
        statement = _import_of(unit, target, importer)
        if statement is None:
            continue
        atoms = unit.atoms.get(target)
        if not atoms:
            continue
        position, atom = _after_imports(unit, target, atoms)
        text, a, b = _replace(unit.files[target], atom, position, position, statement)
        faults.append(
            Fault("circular", unit, target, atom, text, a, b, f"{target} now imports {importer}")
        )
    return faults


def _import_of(unit: Unit, target: str, importer: str) -> bytes | None:
    assert unit.project is not None
    module = unit.project.modules.get(importer)
    if module is None:
        return None
    names = [q for q, s in module.signatures.items() if "." not in q and not q.startswith("_")]
    if not names:
        return None
    name = sorted(names)[0]
    if unit.languages[target] == "python":
        dotted = importer[:-3].replace("/", ".")
        return f"from {dotted} import {name}\n".encode()
    relative = Path(importer).with_suffix("")
    here = Path(target).parent
    spec = "./" + str(relative.relative_to(here)) if relative.is_relative_to(here) else None
    if spec is None:
        return None
    return f'import {{ {name} }} from "{spec}";\nvoid {name};\n'.encode()


def _after_imports(unit: Unit, path: str, atoms: tuple[Atom, ...]) -> tuple[int, Atom]:
    parsed = parse(unit.files[path], path, language_of(path, unit))
    top = [
        n
        for n in parsed.import_nodes
        if n.parent is not None and n.parent.type in ("module", "program")
    ]
    if top:
        end = top[-1].end_byte
        position = end + 1 if parsed.source[end : end + 1] == b"\n" else end
    else:
        position = 0
    atom = next((a for a in atoms if a.start_byte <= max(0, position - 1) < a.end_byte), atoms[0])
    if position > atom.end_byte:
        position = atom.end_byte
    return position, atom


INJECTORS: dict[str, Callable[[Unit, str, Atom, random.Random], list[Fault]]] = {
    "syntax": syntax_faults,
    "undefined": undefined_faults,
    "arity": arity_faults,
    "type": type_faults,
    "behaviour": behaviour_faults,
    "import": import_faults,
}


# ---- running -------------------------------------------------------------------------------


@dataclass
class Baseline:
    flagged_atoms: dict[str, set[int]] = field(
        default_factory=lambda: defaultdict(set)
    )  # path -> ordinals
    by_level: Counter[str] = field(default_factory=Counter)
    atoms: int = 0
    files: int = 0
    l1_ms: list[float] = field(default_factory=list)
    l1_type_ms: list[float] = field(default_factory=list)
    l2_ms: list[float] = field(default_factory=list)
    l3_ms: list[float] = field(default_factory=list)
    tests_clean: dict[str, bool | None] = field(default_factory=dict)
    type_runs: int = 0
    type_not_run: str | None = None
    flagged_examples: list[str] = field(default_factory=list)


def _atom_at(atoms: Sequence[Atom], text: str, line: int | None) -> Atom | None:
    if line is None:
        return None
    for atom in atoms:
        if atom.start_line <= line <= atom.end_line:
            return atom
    return None


def baseline(units: list[Unit], tools: Tools, typecheck_files: int) -> Baseline:
    base = Baseline()
    for unit in units:
        paths = checked_paths(unit)
        flagged: dict[str, set[int]] = defaultdict(set)
        for path in paths:
            text = unit.files[path]
            base.files += 1
            for atom in unit.atoms[path]:
                base.atoms += 1
                started = time.perf_counter()
                problems = level1(
                    text, path, unit, (atom.start_byte, atom.end_byte), atom.context.to_dict()
                )
                base.l1_ms.append((time.perf_counter() - started) * 1e3)
                if problems:
                    flagged[path].add(atom.ordinal)
                    base.by_level["L1"] += 1
                    base.flagged_examples.append(f"L1 {path}#{atom.ordinal}: {problems[0][:120]}")
            started = time.perf_counter()
            found = level2(text, path, unit, text)
            base.l2_ms.append((time.perf_counter() - started) * 1e3 / max(1, len(unit.atoms[path])))
            for line, message in found:
                hit = _atom_at(unit.atoms[path], text, line)
                ordinal = hit.ordinal if hit else -1
                if ordinal not in flagged[path]:
                    base.by_level["L2"] += 1
                flagged[path].add(ordinal)
                base.flagged_examples.append(f"L2 {path}:{line}: {message[:120]}")
        for milestone in unit.milestones:
            started = time.perf_counter()
            found3 = level3(unit, {}, milestone)
            atoms_in = sum(len(unit.atoms[p]) for p in milestone)
            base.l3_ms.append((time.perf_counter() - started) * 1e3 / max(1, atoms_in))
            for where, line, message in found3:
                if where is None or where not in unit.atoms:
                    continue
                hit = _atom_at(unit.atoms[where], unit.files[where], line)
                ordinal = hit.ordinal if hit else -1
                if ordinal not in flagged[where]:
                    base.by_level["L3"] += 1
                flagged[where].add(ordinal)
                base.flagged_examples.append(f"L3 {where}:{line}: {message[:120]}")
        # Type checker: once over (a sample of) the unit's files.
        targets = paths[:typecheck_files]
        started = time.perf_counter()
        run = typecheck(unit, {}, targets, tools)
        if run is None or not run.ran:
            base.type_not_run = (run.reason if run else None) or "checker not installed"
        else:
            base.type_runs += 1
            atoms_in = sum(len(unit.atoms[p]) for p in targets)
            base.l1_type_ms.append((time.perf_counter() - started) * 1e3 / max(1, atoms_in))
            for d in run.diagnostics:
                if d.severity != "error" or d.path not in unit.atoms:
                    continue
                hit = _atom_at(unit.atoms[d.path], unit.files[d.path], d.line)
                ordinal = hit.ordinal if hit else -1
                if ordinal not in flagged[d.path]:
                    base.by_level["L1types"] += 1
                flagged[d.path].add(ordinal)
                base.flagged_examples.append(f"types {d.path}:{d.line}: {d.message[:120]}")
        base.tests_clean[unit.name] = tests_fail(unit, {}, tools)
        for path, ordinals in flagged.items():
            base.flagged_atoms[path] |= ordinals
    return base


@dataclass
class Outcome:
    fault: Fault
    detected: dict[str, bool | None]  # level -> detected (None: level not run)


def evaluate(
    fault: Fault, tools: Tools, base: Baseline, with_types: bool, with_tests: bool
) -> Outcome:
    unit, path = fault.unit, fault.path
    detected: dict[str, bool | None] = {}
    detected["L1"] = bool(
        level1(fault.text, path, unit, (fault.start, fault.end), fault.atom.context.to_dict())
    )
    spec = unit.files[path]
    clean2 = {m for _, m in level2(unit.files[path], path, unit, spec)}
    detected["L2"] = any(m not in clean2 for _, m in level2(fault.text, path, unit, spec))
    clean3 = {m for _, _, m in level3(unit, {}, unit.milestone_of(path))}
    found3 = level3(unit, {path: fault.text}, unit.milestone_of(path))
    detected["L3"] = any(m not in clean3 for _, _, m in found3)
    detected["L1types"] = None
    if with_types:
        run = typecheck(unit, {path: fault.text}, [path], tools)
        if run is not None and run.ran:
            first = fault.text.encode()[: fault.start].count(b"\n") + 1
            last = fault.text.encode()[: max(fault.start, fault.end - 1)].count(b"\n") + 1
            detected["L1types"] = any(
                d.severity == "error" and d.path == path and first <= d.line <= last
                for d in run.diagnostics
            )
    detected["L4"] = None
    if with_tests and unit.tests and base.tests_clean.get(unit.name) is False:
        detected["L4"] = tests_fail(unit, {path: fault.text}, tools)
    return Outcome(fault, detected)


def runnable(
    kind: str, unit: Unit, path: str, tools: Tools, base: Baseline, typecheck: bool
) -> bool:
    """A type fault needs the language's checker, a behaviour fault the plan's tests."""
    python = unit.languages[path] == "python"
    if kind == "type":
        return typecheck and (tools.mypy if python else tools.typescript is not None)
    if kind == "behaviour":
        return base.tests_clean.get(unit.name) is False
    return True


SKIPPED: list[str] = []


def collect_faults(
    units: list[Unit],
    base: Baseline,
    rng: random.Random,
    per_kind: int,
    tools: Tools,
    typecheck: bool,
) -> dict[str, list[Fault]]:
    faults: dict[str, list[Fault]] = {kind: [] for kind in KINDS}
    for unit in units:
        for kind in ("type", "behaviour"):
            path = checked_paths(unit)[0]
            if (kind != "behaviour" or unit.tests) and not runnable(
                kind, unit, path, tools, base, typecheck
            ):
                lang = "Python" if unit.languages[path] == "python" else "TypeScript"
                why = "no type checker" if kind == "type" else "its tests cannot run"
                SKIPPED.append(f"{kind} faults in {unit.name} ({lang}): not injected, {why}")
        for path in checked_paths(unit):
            clean = [
                a for a in unit.atoms[path] if a.ordinal not in base.flagged_atoms.get(path, set())
            ]
            for atom in clean:
                for kind, injector in INJECTORS.items():
                    if not runnable(kind, unit, path, tools, base, typecheck):
                        continue
                    try:
                        faults[kind].extend(injector(unit, path, atom, rng))
                    except (ValueError, UnicodeDecodeError, AssertionError):
                        continue
        faults["circular"].extend(
            f
            for f in circular_faults(unit, rng)
            if f.atom.ordinal not in base.flagged_atoms.get(f.path, set())
        )
    for kind, found in faults.items():
        examples = [f for f in found if f.unit.name.startswith("example:")]
        others = [f for f in found if not f.unit.name.startswith("example:")]
        rng.shuffle(others)
        room = max(0, per_kind - len(examples))
        faults[kind] = examples + others[:room]
    return faults


# ---- report --------------------------------------------------------------------------------


def pct(part: int, whole: int) -> str:
    return f"{100.0 * part / whole:5.1f}%" if whole else "    —"


def report(
    units: list[Unit],
    outcomes: dict[str, list[Outcome]],
    base: Baseline,
    tools: Tools,
    elapsed: float,
) -> None:
    files = sum(len(checked_paths(u)) for u in units)
    print()
    print("Validation bench")
    print(f"corpus: {', '.join(u.name for u in units)}")
    print(f"        {files} files checked, {base.atoms} atoms")
    checkers = [
        f"mypy: {'yes' if tools.mypy else 'not installed'}",
        f"tsc: {'yes' if tools.typescript else 'not installed'}",
        f"pytest: {'yes' if tools.pytest else 'no'}",
        f"node: {'yes' if tools.node else 'no'}",
        f"sandbox: {'bubblewrap' if bubblewrap_usable() else 'rlimits-fallback'}",
    ]
    print("tools:  " + ", ".join(checkers))
    print()
    print("Detection by fault kind and level (a fault counts at a level when the level reports a")
    print(
        "new error; L1 = rules, L1types = mypy/tsc on the atom; L4 = the plan's tests,"
        " examples only;"
    )
    print("'—' = the level does not run on these faults)")
    header = (
        f"{'kind':<11}{'faults':>7}"
        + "".join(f"{lvl:>9}" for lvl in LEVELS)
        + f"{'any':>9}  target"
    )
    print(header)
    print("-" * len(header))
    for kind in KINDS:
        found = outcomes.get(kind, [])
        row = f"{kind:<11}{len(found):>7}"
        for level in LEVELS:
            ran = [o for o in found if o.detected.get(level) is not None]
            hit = sum(1 for o in ran if o.detected[level])
            row += f"{pct(hit, len(ran)):>9}"
        hit_any = sum(1 for o in found if any(o.detected.values()))
        row += f"{pct(hit_any, len(found)):>9}  {TARGETS[kind]}"
        print(row)
    by_language: dict[tuple[str, str], list[Outcome]] = defaultdict(list)
    for kind, found in outcomes.items():
        for o in found:
            lang = "py" if o.fault.unit.languages[o.fault.path] == "python" else "ts"
            by_language[(kind, lang)].append(o)
    print()
    print(
        "By language (any level): "
        + ", ".join(
            f"{kind}/{lang} {_rate(found)} of {len(found)}"
            for (kind, lang), found in sorted(by_language.items())
        )
    )
    for note in SKIPPED:
        print(f"  {note}")
    missed = [o for found in outcomes.values() for o in found if not any(o.detected.values())]
    if missed:
        print()
        print(f"Missed ({len(missed)}), first 12:")
        for o in missed[:12]:
            print(f"  {o.fault.kind:<10} {o.fault.path}#{o.fault.atom.ordinal}: {o.fault.what}")
    print()
    print("False positives on the unmodified code (atoms flagged by an error / atoms checked)")
    flagged_any = sum(len(v) for v in base.flagged_atoms.values())
    for level, label in (
        ("L1", "L1 rules"),
        ("L1types", "L1 types"),
        ("L2", "L2 task"),
        ("L3", "L3 milestone"),
    ):
        note = ""
        if level == "L1types" and base.type_not_run and not base.type_runs:
            note = f"  (not run: {base.type_not_run})"
        print(
            f"  {label:<14}{base.by_level[level]:>6} / {base.atoms:<6}"
            f"{pct(base.by_level[level], base.atoms)}{note}"
        )
    tests = [
        f"{name}: {'fail' if failed else 'pass' if failed is False else 'not run'}"
        for name, failed in base.tests_clean.items()
        if name.startswith("example:")
    ]
    print(f"  {'L4 tests':<14}{'':>15}{'; '.join(tests)}")
    print(
        f"  {'any level':<14}{flagged_any:>6} / {base.atoms:<6}"
        f"{pct(flagged_any, base.atoms)}   target <= 1%"
    )
    for line in base.flagged_examples[:10]:
        print(f"    {line}")
    print()

    def mean(values: list[float]) -> float:
        return sum(values) / len(values) if values else float("nan")

    l1 = sorted(base.l1_ms)
    p95 = l1[int(len(l1) * 0.95)] if l1 else float("nan")
    print("Mean validation time per atom")
    print(
        f"  L1 rules (no type checker) {mean(base.l1_ms):7.2f} ms   (p95 {p95:.2f} ms,"
        f" max {max(l1) if l1 else float('nan'):.1f} ms; target <= 200 ms)"
    )
    print(
        f"  L1 type checker            {mean(base.l1_type_ms):7.2f} ms"
        "   (one run per file set, spread over its atoms)"
    )
    print(f"  L2 task                    {mean(base.l2_ms):7.2f} ms")
    print(f"  L3 milestone               {mean(base.l3_ms):7.2f} ms")
    print(f"bench wall time {elapsed:.0f} s")


def ensure_typescript(prefix: str | None) -> TypeScriptTools | None:
    found = find_typescript([prefix] if prefix else [])
    if found is not None or prefix is None:
        return found
    npm = shutil.which("npm")
    if npm is None:
        return None
    subprocess.run(
        [npm, "install", "--silent", "--prefix", prefix, "typescript@5", "@types/node@20"],
        check=False,
        capture_output=True,
        timeout=600,
    )
    return find_typescript([prefix])


def main(argv: Iterable[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--python", default=",".join(DEFAULT_PYTHON), help="installed packages for the corpus"
    )
    parser.add_argument("--max-files", type=int, default=40, help="files checked per package")
    parser.add_argument(
        "--per-kind", type=int, default=150, help="faults per kind (examples always included)"
    )
    parser.add_argument(
        "--typecheck-files", type=int, default=40, help="files type checked per unit"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-typecheck", action="store_true")
    parser.add_argument("--no-tests", action="store_true")
    parser.add_argument(
        "--npm-prefix", default=None, help="folder to find (or npm install) TypeScript in"
    )
    args = parser.parse_args(list(argv) if argv is not None else None)
    rng = random.Random(args.seed)
    started = time.monotonic()
    tools = Tools(
        mypy=mypy_available() and not args.no_typecheck,
        typescript=None
        if args.no_typecheck and args.no_tests
        else ensure_typescript(args.npm_prefix),
        pytest=importlib.util.find_spec("pytest") is not None,
        node=shutil.which("node") is not None,
        cache=Path("/tmp") / "mge-bench-mypy-cache",
    )
    units = example_units()
    for package in filter(None, (p.strip() for p in args.python.split(","))):
        unit = package_unit(package, args.max_files, rng)
        if unit is not None:
            units.append(unit)
    for unit in units:
        prepare(unit)
    print(f"prepared {len(units)} units in {time.monotonic() - started:.1f} s", file=sys.stderr)
    base = baseline(units, tools, 0 if args.no_typecheck else args.typecheck_files)
    print(f"baseline done at {time.monotonic() - started:.1f} s", file=sys.stderr)
    faults = collect_faults(units, base, rng, args.per_kind, tools, not args.no_typecheck)
    outcomes: dict[str, list[Outcome]] = {}
    with ThreadPoolExecutor(max_workers=max(1, args.workers)) as pool:
        for kind, found in faults.items():
            with_types = not args.no_typecheck
            with_tests = not args.no_tests
            outcomes[kind] = list(
                pool.map(
                    lambda f, t=with_types, w=with_tests: evaluate(f, tools, base, t, w), found
                )
            )
            print(
                f"{kind}: {len(found)} faults at {time.monotonic() - started:.0f} s",
                file=sys.stderr,
            )
    report(units, outcomes, base, tools, time.monotonic() - started)


if __name__ == "__main__":
    main()
