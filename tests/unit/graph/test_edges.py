"""Edges: the five types, shadowing, imports of every kind, and precision/recall against the
hand-labelled fixture set."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import tree_sitter_javascript
import tree_sitter_python
import tree_sitter_typescript
from tree_sitter import Query, QueryCursor

from domain.graph import BASE_WEIGHT, EdgeType, build_dependency_graph, extract_symbols, find_edges
from domain.graph.parsing import grammar_for, language, parser
from domain.graph.sources import assemble_files, atom_sort_key
from tests.unit.graph.helpers import FIXTURES, all_triples, atoms_from, load_tree, triples
from tests.unit.graph.labelled import EXPECTED, EXPECTED_PYTHON, EXPECTED_TYPESCRIPT

IM, FC, VA, TY, DF = "import", "function_call", "variable", "type", "data_flow"


def edges_of(files: dict[str, str], **options: object) -> set[tuple[str, str, str]]:
    return triples(find_edges(atoms_from(files), **options))  # type: ignore[arg-type]


# --- precision / recall on the hand-labelled fixtures ---------------------------------------


def _score(
    found: set[tuple[str, str, str]], expected: frozenset[tuple[str, str, str]]
) -> tuple[float, float]:
    hits = len(found & expected)
    return hits / len(found), hits / len(expected)


@pytest.mark.parametrize(
    ("language", "expected"),
    [("python", EXPECTED_PYTHON), ("typescript", EXPECTED_TYPESCRIPT), ("all", EXPECTED)],
    ids=["python", "typescript", "all"],
)
def test_precision_and_recall_on_labelled_fixtures(
    language: str,
    expected: frozenset[tuple[str, str, str]],
    record_property: Callable[[str, object], None],
) -> None:
    graph = build_dependency_graph(load_tree(FIXTURES / "labelled"))
    suffixes = {"python": (".py",), "typescript": (".ts", ".tsx", ".js"), "all": ("",)}[language]
    found = {edge for edge in all_triples(graph) if edge[0].split(":")[0].endswith(suffixes)}
    precision, recall = _score(found, expected)
    # In the "metrics" section at the end of the run (tests/conftest.py).
    record_property(
        "metric",
        f"precision {precision:.3f}, recall {recall:.3f} "
        f"(edges found {len(found)}, labelled {len(expected)})",
    )
    for edge in sorted(found - expected):
        print("  unexpected:", edge)
    for edge in sorted(expected - found):
        print("  missed:    ", edge)
    assert precision >= 0.9
    assert recall >= 0.9


# --- the five edge types ----------------------------------------------------------------------


def test_python_edge_types() -> None:
    edges = edges_of(
        {
            "app/models.py": (
                "# @atom User\n"
                "class User:\n"
                "    def __init__(self, name: str) -> None:\n"
                "        self.name = name\n"
                "    # @atom User.greet\n"
                "    def greet(self) -> str:\n"
                "        return 'hi ' + self.name\n"
                "# @atom REGISTRY\n"
                "REGISTRY: dict[str, User] = {}\n"
            ),
            "app/service.py": (
                "# @atom imports\n"
                "from app.models import REGISTRY, User\n"
                "# @atom register\n"
                "def register(name: str) -> User:\n"
                "    user = User(name)\n"
                "    REGISTRY[name] = user\n"
                "    return user\n"
                "# @atom count\n"
                "def count() -> int:\n"
                "    return len(REGISTRY)\n"
            ),
        }
    )
    assert edges == {
        ("app/models.py:User.greet", "app/models.py:User", DF),  # self.name set in __init__
        ("app/models.py:REGISTRY", "app/models.py:User", TY),
        ("app/service.py:imports", "app/models.py:User", IM),
        ("app/service.py:imports", "app/models.py:REGISTRY", IM),
        ("app/service.py:register", "app/models.py:User", FC),
        ("app/service.py:register", "app/models.py:User", TY),
        ("app/service.py:register", "app/models.py:REGISTRY", DF),  # subscript write
        ("app/service.py:count", "app/models.py:REGISTRY", VA),
    }


def test_typescript_edge_types() -> None:
    edges = edges_of(
        {
            "src/model.ts": (
                "// @atom User\n"
                "export interface User { name: string }\n"
                "// @atom users\n"
                "export const users: User[] = [];\n"
            ),
            "src/service.ts": (
                "// @atom imports\n"
                'import { User, users } from "./model";\n'
                "// @atom make\n"
                "export function make(name: string): User {\n"
                "  const user = { name };\n"
                "  users.push(user);\n"
                "  return user;\n"
                "}\n"
                "// @atom first\n"
                "export function first(): User | undefined {\n"
                "  return users[0] ?? make('anonymous');\n"
                "}\n"
            ),
        }
    )
    assert edges == {
        ("src/model.ts:users", "src/model.ts:User", TY),
        ("src/service.ts:imports", "src/model.ts:User", IM),
        ("src/service.ts:imports", "src/model.ts:users", IM),
        ("src/service.ts:make", "src/model.ts:User", TY),
        ("src/service.ts:make", "src/model.ts:users", DF),  # push mutates module state
        ("src/service.ts:first", "src/model.ts:User", TY),
        ("src/service.ts:first", "src/model.ts:users", VA),
        ("src/service.ts:first", "src/service.ts:make", FC),
    }


def test_weights_order_types_and_count_repeats() -> None:
    assert (
        BASE_WEIGHT[EdgeType.IMPORT]
        > BASE_WEIGHT[EdgeType.FUNCTION_CALL]
        > BASE_WEIGHT[EdgeType.DATA_FLOW]
        > BASE_WEIGHT[EdgeType.VARIABLE]
        > BASE_WEIGHT[EdgeType.TYPE]
    )
    edges = find_edges(
        atoms_from(
            {
                "m.py": (
                    "# @atom f\ndef f(): return 1\n# @atom g\ndef g(): return f() + f() + f()\n"
                ),
            }
        )
    )
    (edge,) = edges
    assert edge.type is EdgeType.FUNCTION_CALL
    assert edge.weight == pytest.approx(BASE_WEIGHT[EdgeType.FUNCTION_CALL] + 0.02)
    assert edge.symbol == "f"


def test_type_only_imports_are_as_cheap_as_type_edges() -> None:
    edges = find_edges(
        atoms_from(
            {
                "a.py": "# @atom A\nclass A: ...\n",
                "b.py": (
                    "# @atom imports\n"
                    "from typing import TYPE_CHECKING\n"
                    "if TYPE_CHECKING:\n"
                    "    from a import A\n"
                ),
                "t.ts": "// @atom T\nexport type T = number;\n",
                "u.ts": '// @atom imports\nimport type { T } from "./t";\n',
            }
        )
    )
    imports = [edge for edge in edges if edge.type is EdgeType.IMPORT]
    assert {(e.source, e.target) for e in imports} == {
        ("b.py:imports", "a.py:A"),
        ("u.ts:imports", "t.ts:T"),
    }
    assert all(edge.weight == BASE_WEIGHT[EdgeType.TYPE] for edge in imports)


# --- shadowing ----------------------------------------------------------------------------------


def test_python_local_names_shadow_module_symbols() -> None:
    edges = edges_of(
        {
            "m.py": (
                "# @atom config\n"
                "config = {'debug': False}\n"
                "# @atom helper\n"
                "def helper(x): return x\n"
                "# @atom uses_param\n"
                "def uses_param(config):\n"
                "    return config['debug']\n"
                "# @atom uses_local\n"
                "def uses_local():\n"
                "    helper = lambda x: x * 2\n"
                "    return helper(3)\n"
                "# @atom uses_comprehension\n"
                "def uses_comprehension(items):\n"
                "    return [config for config in items]\n"
                "# @atom uses_loop\n"
                "def uses_loop(items):\n"
                "    for helper in items:\n"
                "        helper()\n"
                "# @atom uses_with\n"
                "def uses_with(path):\n"
                "    with open(path) as config:\n"
                "        return config.read()\n"
                "# @atom uses_nested\n"
                "def uses_nested():\n"
                "    config = 1\n"
                "    def inner():\n"
                "        return config\n"
                "    return inner\n"
                "# @atom uses_global\n"
                "def uses_global():\n"
                "    return helper(config)\n"
            ),
        }
    )
    assert edges == {
        ("m.py:uses_global", "m.py:helper", FC),
        ("m.py:uses_global", "m.py:config", VA),
    }


def test_python_class_body_names_are_invisible_in_methods() -> None:
    edges = edges_of(
        {
            "m.py": (
                "# @atom limit\n"
                "limit = 10\n"
                "# @atom Box\n"
                "class Box:\n"
                "    limit = 3\n"
                "    def size(self):\n"
                "        return limit\n"  # the module's, not the class attribute
            ),
        }
    )
    assert edges == {("m.py:Box", "m.py:limit", VA)}


def test_typescript_block_scopes_and_type_parameters_shadow() -> None:
    edges = edges_of(
        {
            "m.ts": (
                "// @atom Item\n"
                "export interface Item { id: number }\n"
                "// @atom count\n"
                "export let count = 0;\n"
                "// @atom generic\n"
                "export function generic<Item>(x: Item): Item { return x; }\n"
                "// @atom block\n"
                "export function block(): number {\n"
                "  { let count = 5; count += 1; }\n"
                "  return count;\n"
                "}\n"
                "// @atom arrow\n"
                "export const arrow = (count: number) => count + 1;\n"
                "// @atom destructure\n"
                "export function destructure({ count }: { count: number }): number {\n"
                "  return count;\n"
                "}\n"
                "// @atom catcher\n"
                "export function catcher(): void {\n"
                "  try { run(); } catch (count) { console.log(count); }\n"
                "}\n"
            ),
        }
    )
    # Only the bare `return count` of `block` reads the module variable.
    assert edges == {("m.ts:block", "m.ts:count", VA)}


def test_python_global_statement_makes_a_write_to_module_state() -> None:
    edges = edges_of(
        {
            "m.py": (
                "# @atom counter\n"
                "counter = 0\n"
                "# @atom bump\n"
                "def bump():\n"
                "    global counter\n"
                "    counter += 1\n"
                "# @atom reset\n"
                "def reset():\n"
                "    global counter\n"
                "    counter = 0\n"
                "# @atom local\n"
                "def local():\n"
                "    counter = 5\n"
                "    return counter\n"
            ),
        }
    )
    assert edges == {("m.py:bump", "m.py:counter", DF), ("m.py:reset", "m.py:counter", DF)}


# --- imports --------------------------------------------------------------------------------------


def test_python_relative_and_package_imports() -> None:
    edges = edges_of(
        {
            "pkg/__init__.py": "# @atom init\nfrom .core.base import Base\n",
            "pkg/core/__init__.py": "# @atom init\n",
            "pkg/core/base.py": "# @atom Base\nclass Base: ...\n",
            "pkg/core/util.py": "# @atom helper\ndef helper(): ...\n",
            "pkg/feature/thing.py": (
                "# @atom imports\n"
                "from .. import Base\n"
                "from ..core import util\n"
                "from ...outside import nothing\n"
                "# @atom Thing\n"
                "class Thing(Base):\n"
                "    def run(self):\n"
                "        return util.helper()\n"
            ),
        }
    )
    assert edges == {
        ("pkg/__init__.py:init", "pkg/core/base.py:Base", IM),
        ("pkg/feature/thing.py:imports", "pkg/core/base.py:Base", IM),  # through the package
        ("pkg/feature/thing.py:imports", "pkg/core/util.py:helper", IM),  # module import, used
        ("pkg/feature/thing.py:Thing", "pkg/core/base.py:Base", TY),
        ("pkg/feature/thing.py:Thing", "pkg/core/util.py:helper", FC),
    }


def test_python_absolute_imports_under_a_source_root_and_lazy_imports() -> None:
    edges = edges_of(
        {
            "src/app/db.py": "# @atom connect\ndef connect(): ...\n",
            "src/app/main.py": (
                "# @atom main\n"
                "def main():\n"
                "    from app.db import connect\n"
                "    import app.db as db\n"
                "    connect()\n"
                "    return db.connect\n"
            ),
        }
    )
    assert edges == {
        ("src/app/main.py:main", "src/app/db.py:connect", IM),
        ("src/app/main.py:main", "src/app/db.py:connect", FC),
        ("src/app/main.py:main", "src/app/db.py:connect", VA),
    }


def test_typescript_path_imports_between_plan_files() -> None:
    files = {
        "src/lib/math.ts": (
            "// @atom add\nexport function add(a: number, b: number) { return a + b; }\n"
        ),
        "src/lib/index.ts": '// @atom barrel\nexport * from "./math";\n',
        "src/shared/log.ts": "// @atom log\nexport function log(m: string) { console.log(m); }\n",
        "src/app/main.ts": (
            "// @atom imports\n"
            'import { add } from "../lib/math.js";\n'
            'import { add as plus } from "../lib";\n'
            'import { log } from "@/shared/log";\n'
            'import { shout } from "#utils/shout";\n'
            "// @atom main\n"
            "export function main() { log(String(add(1, 2) + plus(3, 4))); shout(); }\n"
        ),
        "src/utils/shout.ts": "// @atom shout\nexport function shout() {}\n",
    }
    edges = edges_of(files, path_aliases={"#utils/*": ["src/utils/*"]})
    assert edges == {
        ("src/app/main.ts:imports", "src/lib/math.ts:add", IM),
        ("src/app/main.ts:imports", "src/shared/log.ts:log", IM),
        ("src/app/main.ts:imports", "src/utils/shout.ts:shout", IM),
        ("src/app/main.ts:main", "src/lib/math.ts:add", FC),
        ("src/app/main.ts:main", "src/shared/log.ts:log", FC),
        ("src/app/main.ts:main", "src/utils/shout.ts:shout", FC),
        ("src/lib/index.ts:barrel", "src/lib/math.ts:add", IM),  # `export *` used by main
    }


def test_commonjs_require_and_exports() -> None:
    edges = edges_of(
        {
            "lib/greet.js": (
                "// @atom greet\n"
                "function greet(name) { return 'hi ' + name; }\n"
                "// @atom exports\n"
                "module.exports = greet;\n"
            ),
            "lib/util.js": (
                "// @atom slug\n"
                "exports.slug = (s) => s.toLowerCase();\n"
                "// @atom upper\n"
                "function upper(s) { return s.toUpperCase(); }\n"
                "// @atom exports\n"
                "module.exports.upper = upper;\n"
            ),
            "lib/main.js": (
                "// @atom imports\n"
                "const greet = require('./greet');\n"
                "const { slug, upper: up } = require('./util');\n"
                "const util = require('./util.js');\n"
                "const fs = require('fs');\n"
                "// @atom main\n"
                "function main() { return greet(slug(up('x'))) + util.upper('y') + fs.sep; }\n"
            ),
        }
    )
    assert edges == {
        ("lib/greet.js:exports", "lib/greet.js:greet", VA),
        ("lib/util.js:exports", "lib/util.js:upper", VA),
        ("lib/main.js:imports", "lib/util.js:slug", IM),
        ("lib/main.js:imports", "lib/util.js:upper", IM),
        ("lib/main.js:imports", "lib/greet.js:greet", IM),  # namespace require, called
        ("lib/main.js:main", "lib/greet.js:greet", FC),
        ("lib/main.js:main", "lib/util.js:slug", FC),
        ("lib/main.js:main", "lib/util.js:upper", FC),
    }


def test_functions_written_inside_an_exported_object_literal() -> None:
    # A method, a function expression and an arrow as properties of `module.exports = {...}`
    # (and of `export default {...}`), each cut into its own atom: a namespace user depends on
    # the atom that holds the property it calls.
    edges = edges_of(
        {
            "lib/store.js": (
                "// @atom norm\n"
                "function norm(key) { return key.trim(); }\n"
                "// @atom exports\n"
                "module.exports = {\n"
                "  read(key) { return norm(key); },\n"
                "  // @atom write\n"
                "  write: function (key, value) { return norm(key) + value; },\n"
                "  // @atom remove\n"
                "  remove: (key) => norm(key),\n"
                "  // @atom size\n"
                "  get size() { return 0; },\n"
                "  'limit': 10,\n"
                "  [Symbol.iterator]: () => null,\n"
                "};\n"
            ),
            "lib/main.js": (
                "// @atom imports\n"
                "const lib = require('./store');\n"
                "const { remove } = require('./store');\n"
                "// @atom load\n"
                "function load() { return lib.read('a') + lib.write('b', 1); }\n"
                "// @atom drop\n"
                "function drop() { return remove('c') + lib.size + lib.limit; }\n"
            ),
            "src/api.ts": (
                "// @atom api\n"
                "export default {\n"
                "  get(id: string) { return id; },\n"
                "  // @atom api.put\n"
                "  put: (id: string) => id,\n"
                "};\n"
            ),
            "src/use.ts": (
                "// @atom imports\n"
                "import api from './api';\n"
                "// @atom run\n"
                "export function run() { return api.get('a') + api.put('b'); }\n"
            ),
        }
    )
    assert edges == {
        ("lib/store.js:exports", "lib/store.js:norm", FC),
        ("lib/store.js:write", "lib/store.js:norm", FC),
        ("lib/store.js:remove", "lib/store.js:norm", FC),
        ("lib/main.js:imports", "lib/store.js:exports", IM),
        ("lib/main.js:imports", "lib/store.js:write", IM),
        ("lib/main.js:imports", "lib/store.js:remove", IM),
        ("lib/main.js:imports", "lib/store.js:size", IM),
        ("lib/main.js:load", "lib/store.js:exports", FC),  # lib.read(): the method
        ("lib/main.js:load", "lib/store.js:write", FC),  # a function expression
        ("lib/main.js:drop", "lib/store.js:remove", FC),  # an arrow, destructured
        ("lib/main.js:drop", "lib/store.js:size", FC),  # a getter runs when read
        ("lib/main.js:drop", "lib/store.js:size", VA),  # 'limit': a quoted key
        ("src/use.ts:imports", "src/api.ts:api", IM),
        ("src/use.ts:run", "src/api.ts:api", FC),
        ("src/use.ts:run", "src/api.ts:api.put", FC),
    }


def test_es_default_namespace_and_reexports() -> None:
    edges = edges_of(
        {
            "a.ts": (
                "// @atom Widget\n"
                "export default class Widget {}\n"
                "// @atom helper\n"
                "export const helper = () => 1;\n"
            ),
            "b.ts": '// @atom reexport\nexport { default as Widget, helper as help } from "./a";\n',
            "c.ts": (
                "// @atom imports\n"
                'import * as b from "./b";\n'
                'import W from "./a";\n'
                "// @atom use\n"
                "export const use = () => new b.Widget() && b.help() && new W();\n"
            ),
        }
    )
    assert edges == {
        ("b.ts:reexport", "a.ts:Widget", IM),
        ("b.ts:reexport", "a.ts:helper", IM),
        ("c.ts:imports", "a.ts:Widget", IM),
        ("c.ts:imports", "a.ts:helper", IM),
        ("c.ts:use", "a.ts:Widget", FC),
        ("c.ts:use", "a.ts:helper", FC),
    }


def test_methods_resolve_through_base_classes_in_other_modules() -> None:
    edges = edges_of(
        {
            "base.py": (
                "# @atom Base\n"
                "class Base:\n"
                "    def __init__(self):\n"
                "        self.items = []\n"
                "    # @atom Base.save\n"
                "    def save(self): ...\n"
            ),
            "child.py": (
                "# @atom imports\n"
                "from base import Base\n"
                "# @atom Child\n"
                "class Child(Base):\n"
                "    def run(self):\n"
                "        self.save()\n"
                "        self.items.append(1)\n"
            ),
        }
    )
    assert edges == {
        ("child.py:imports", "base.py:Base", IM),
        ("child.py:Child", "base.py:Base", TY),
        ("child.py:Child", "base.py:Base.save", FC),
        ("child.py:Child", "base.py:Base", DF),
    }


def test_unknown_languages_and_broken_code_do_not_fail() -> None:
    edges = edges_of(
        {
            "notes.md": "# @atom notes\nsee helper()\n",
            "m.py": "# @atom helper\ndef helper(:\n# @atom user\nhelper()\n",
        }
    )
    assert ("m.py:user", "m.py:helper", FC) in edges


# --- cross-check against the grammars' own tag queries -----------------------------------------

_FUNCTION_NODES = frozenset(
    {
        "function_definition",
        "lambda",
        "function_declaration",
        "function_expression",
        "arrow_function",
        "method_definition",
        "generator_function_declaration",
    }
)


def _grammar_tag_definitions(path: Path) -> set[str]:
    """Names the grammar's TAGS_QUERY calls definitions, outside function bodies."""
    grammar = grammar_for(None, path.name)
    assert grammar is not None
    if grammar == "python":
        source = tree_sitter_python.TAGS_QUERY
    elif grammar == "javascript":
        source = tree_sitter_javascript.TAGS_QUERY
    else:
        source = tree_sitter_typescript.TAGS_QUERY + tree_sitter_javascript.TAGS_QUERY
    tree = parser(grammar).parse(path.read_bytes())
    names: set[str] = set()
    for _, match in QueryCursor(Query(language(grammar), source)).matches(tree.root_node):
        kind = next((k for k in match if k.startswith("definition.")), None)
        if kind is None or kind == "definition.module":
            continue
        definition, name = match[kind][0], match["name"][0]
        ancestor, nested = definition.parent, False
        while ancestor is not None:
            nested = nested or ancestor.type in _FUNCTION_NODES or ancestor.type == "pair"
            ancestor = ancestor.parent
        if not nested:
            names.add(name.text.decode() if name.text else "")
    return names


def test_every_tag_definition_of_the_grammars_is_in_the_symbol_table() -> None:
    root = FIXTURES / "labelled"
    atoms = load_tree(root)
    modules = {
        source.path: symbols
        for source in assemble_files(sorted(atoms, key=atom_sort_key))
        if (symbols := extract_symbols(source)) is not None
    }
    checked = 0
    for path, symbols in modules.items():
        ours = {name.rsplit(".", 1)[-1] for name in symbols.definitions}
        tags = _grammar_tag_definitions(root / path)
        assert tags <= ours, (path, tags - ours)
        checked += len(tags)
    assert checked > 60
