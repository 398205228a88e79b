"""`analyze_tree` and the `mge analyze` command: a code tree in, waves and speed-up out."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from api.commands.analyze import analyze
from domain.graph import analyze_tree

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture()
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "app").mkdir(parents=True)
    (root / "web" / "src" / "lib").mkdir(parents=True)
    (root / "node_modules" / "dep").mkdir(parents=True)
    (root / "app" / "models.py").write_text(
        "class Item:\n"
        "    def __init__(self, name: str) -> None:\n"
        "        self.name = name\n"
        "\n\n"
        "def make(name: str) -> Item:\n"
        "    return Item(name)\n"
    )
    (root / "app" / "service.py").write_text(
        "from app.models import Item, make\n\n\n"
        "def create(names: list[str]) -> list[Item]:\n"
        "    return [make(n) for n in names]\n"
    )
    (root / "web" / "tsconfig.json").write_text(
        '{\n  // comments are allowed\n  "compilerOptions": {"baseUrl": ".", '
        '"paths": {"~lib/*": ["src/lib/*"],},},\n}\n'
    )
    (root / "web" / "src" / "lib" / "fmt.ts").write_text(
        "export function fmt(n: number): string {\n  return n.toFixed(2);\n}\n"
    )
    (root / "web" / "src" / "main.ts").write_text(
        'import { fmt } from "./lib/fmt";\n\nexport const total = fmt(3);\n'
    )
    (root / "web" / "src" / "types.d.ts").write_text("declare const X: number;\n")
    (root / "node_modules" / "dep" / "index.js").write_text("module.exports = 1;\n")
    (root / "README.md").write_text("not code\n")
    return root


def test_analyze_tree_reports_atoms_edges_waves_and_speedup(tree: Path) -> None:
    report = analyze_tree(tree)
    data = report.to_dict()
    assert {"atoms", "edges", "waves", "critical_path", "speedup"} <= set(data)
    assert data["files"] == 4  # node_modules, .d.ts and README are skipped
    assert data["languages"] == {"python": 2, "typescript": 2}
    assert data["atoms"] == len(report.graph.atom_ids) > 0
    assert data["edges"] > 0 and data["edges_by_type"]["import"] >= 2
    assert data["waves"] >= 2
    assert data["speedup"] == pytest.approx(data["atoms"] / data["waves"], abs=0.01)
    assert len(data["critical_path"]) == data["critical_path_length"] == data["waves"]
    assert all(":" in label or "#" in label for label in data["critical_path"])
    json.dumps(data)


def test_tsconfig_paths_become_path_aliases(tree: Path) -> None:
    (tree / "web" / "src" / "main.ts").write_text(
        'import { fmt } from "~lib/fmt";\n\nexport const total = fmt(3);\n'
    )
    report = analyze_tree(tree / "web")
    labels = {
        (report.graph.label(e.source), report.graph.label(e.target), e.type.value)
        for e in report.graph.edges
    }
    assert any(source.startswith("src/main.ts") and target.startswith("src/lib/fmt.ts")
               for source, target, _ in labels)  # fmt: skip


def test_a_python_package_root_is_read_from_its_parent(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("def f():\n    return 1\n")
    (package / "b.py").write_text("from pkg.a import f\n\n\ndef g():\n    return f()\n")
    report = analyze_tree(package)
    assert report.graph.stats.edges >= 2
    assert all(label.startswith("pkg/") for label in report.graph.labels.values())


def test_analyze_runs_on_the_projects_own_graph_package() -> None:
    report = analyze_tree(REPO / "domain" / "graph")
    assert report.files >= 10
    assert report.graph.stats.edges > 50
    assert report.speedup > 1


# Where MGE itself finds npm packages (README: TypeScript checks); .ci/run installs typescript
# and @types/node into .ci/node.
_NODE_MODULES = (
    REPO / ".ci" / "node" / "node_modules",
    REPO / ".mge" / "node" / "node_modules",
    REPO / "node_modules",
)
_TS_SUFFIXES = (".ts", ".tsx", ".mts", ".cts")
_JS_SUFFIXES = (".js", ".jsx", ".mjs", ".cjs")
_DECLARATIONS = (".d.ts", ".d.mts", ".d.cts")
_MAX_FILES, _MAX_BYTES = 12, 100_000  # fast: a few small files, not typescript.js (9 MB)


def _npm_packages() -> list[Path]:
    packages = []
    for modules in _NODE_MODULES:
        if not modules.is_dir():
            continue
        for entry in sorted(modules.iterdir()):
            scoped = entry.name.startswith("@") and entry.is_dir()
            for package in sorted(entry.iterdir()) if scoped else [entry]:
                if (package / "package.json").is_file():
                    packages.append(package)
    return packages


def _package_sources(package: Path, suffixes: tuple[str, ...]) -> list[Path]:
    return sorted(
        file
        for file in package.rglob("*")
        if file.name.endswith(suffixes)
        and not file.name.endswith(_DECLARATIONS)
        and "node_modules" not in file.relative_to(package).parts
        and file.is_file()
        and file.stat().st_size <= _MAX_BYTES
    )[:_MAX_FILES]


def _npm_sources() -> tuple[Path, list[Path]] | None:
    """The first installed npm package that ships TypeScript sources, else the first that
    ships JavaScript (typescript and @types/node ship only .js and .d.ts), with its files."""
    packages = _npm_packages()
    for suffixes in (_TS_SUFFIXES, _JS_SUFFIXES):
        for package in packages:
            files = _package_sources(package, suffixes)
            if files:
                return package, files
    return None


def test_analyze_runs_on_the_sources_of_an_installed_npm_package(
    tmp_path: Path, record_property: Callable[[str, object], None]
) -> None:
    found = _npm_sources()
    if found is None:
        searched = ", ".join(str(path) for path in _NODE_MODULES)
        pytest.skip(f"not run: no npm package with .ts or .js sources under {searched}")
    package, files = found
    for file in files:
        copy = tmp_path / package.name / file.relative_to(package)
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_bytes(file.read_bytes())

    result = CliRunner().invoke(_app(), ["analyze", str(tmp_path), "--json"])

    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["files"] == len(files) and not data["skipped"], data["skipped"]
    assert set(data["languages"]) <= {"typescript", "tsx", "javascript"}
    assert data["atoms"] >= len(files)
    assert data["edges"] > 0 and data["edges_by_type"]["function_call"] > 0
    assert data["waves"] >= 2 and data["speedup"] > 1
    record_property(
        "metric",
        f"npm package {package.name} ({package}): {len(files)} files "
        f"{data['languages']}, {data['atoms']} atoms, {data['edges']} edges, "
        f"{data['waves']} waves, speed-up {data['speedup']}",
    )


def test_missing_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(NotADirectoryError):
        analyze_tree(tmp_path / "nope")


# --- the command --------------------------------------------------------------------------------


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command("analyze")(analyze)

    @app.callback()
    def main() -> None:  # a callback keeps `analyze` a named subcommand
        """mge"""

    return app


def test_cli_json_prints_one_object(tree: Path) -> None:
    result = CliRunner().invoke(_app(), ["analyze", str(tree), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {"atoms", "edges", "waves", "critical_path", "speedup"} <= set(data)


def test_cli_prints_a_readable_report(tree: Path) -> None:
    result = CliRunner().invoke(_app(), ["analyze", str(tree), "--max-wave-size", "2"])
    assert result.exit_code == 0, result.output
    for text in ("atoms", "edges", "function_call", "waves", "critical path", "speed-up"):
        assert text in result.stdout
    print(result.stdout)


def test_cli_missing_directory_exits_2_with_a_message(tmp_path: Path) -> None:
    result = CliRunner().invoke(_app(), ["analyze", str(tmp_path / "missing")])
    assert result.exit_code == 2
    assert "directory not found" in result.output


def test_cli_file_instead_of_directory_exits_2(tree: Path) -> None:
    result = CliRunner().invoke(_app(), ["analyze", str(tree / "README.md")])
    assert result.exit_code == 2
    assert "not a directory" in result.output
