"""The example masterplans are sound, and their reference code passes their own tests."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
import yaml

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
PYTHON_EXAMPLE = EXAMPLES / "todo-service.yaml"
TS_EXAMPLE = EXAMPLES / "link-shortener-ts.yaml"
CI_NODE_BIN = EXAMPLES.parent / ".ci" / "node" / "node_modules" / ".bin"
KEY = re.compile(r"^[a-z0-9_-]+$")
LANGUAGES = {"python", "typescript", "javascript"}


def load(path: Path) -> dict[str, Any]:
    plan = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(plan, dict)
    return plan


def tasks_of(plan: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        task
        for phase in plan["phases"]
        for milestone in phase["milestones"]
        for task in milestone["tasks"]
    ]


def write_project(
    root: Path, tasks: list[dict[str, Any]], code_field: str, *, with_tests: bool = True
) -> None:
    for task in tasks:
        target = root / task["file"]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(task[code_field], encoding="utf-8")
        if with_tests and task.get("tests"):
            test_target = root / task["test_file"]
            test_target.parent.mkdir(parents=True, exist_ok=True)
            test_target.write_text(task["tests"], encoding="utf-8")


def run_pytest(root: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_ADDOPTS"}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:asyncio"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def all_examples() -> list[Path]:
    return sorted(EXAMPLES.glob("*.yaml"))


def test_the_two_examples_exist() -> None:
    assert PYTHON_EXAMPLE in all_examples()
    assert TS_EXAMPLE in all_examples()


@pytest.mark.parametrize("path", all_examples(), ids=lambda p: p.name)
def test_plan_is_sound(path: Path) -> None:
    plan = load(path)
    assert plan["name"]
    assert plan["language"] in LANGUAGES
    assert set(plan["atomization"]) == {"target_loc", "max_loc", "max_complexity"}
    tasks = tasks_of(plan)
    assert tasks
    keys = [task["key"] for task in tasks]
    assert len(keys) == len(set(keys)), "task keys must be unique"
    files = [task["file"] for task in tasks]
    assert len(files) == len(set(files)), "each task owns its file"
    for task in tasks:
        assert KEY.match(task["key"]), task["key"]
        assert task.get("language", plan["language"]) in LANGUAGES
        for name in ("name", "file", "description", "reference"):
            assert task.get(name), f"{task['key']} has no {name}"
        for relative in filter(None, (task["file"], task.get("test_file"))):
            pure = PurePosixPath(relative)
            assert not pure.is_absolute() and ".." not in pure.parts, relative
        if task.get("tests"):
            assert task.get("test_file"), f"{task['key']} has tests but no test_file"
        for dependency in task.get("depends_on", []):
            assert dependency in keys, f"{task['key']} depends on unknown {dependency}"
            assert dependency != task["key"]
    assert_acyclic({task["key"]: task.get("depends_on", []) for task in tasks})


@pytest.mark.parametrize("path", all_examples(), ids=lambda p: p.name)
def test_plan_passes_the_plan_schema(path: Path) -> None:
    # The schema in code is the truth; the checks above only say why a plan would fail it.
    from domain.plan.loader import parse_plan_text

    spec = parse_plan_text(path.read_text(encoding="utf-8"), source_name=path.name)
    assert spec.name == load(path)["name"]


def assert_acyclic(edges: dict[str, list[str]]) -> None:
    done: set[str] = set()

    def visit(key: str, path: tuple[str, ...]) -> None:
        assert key not in path, f"dependency cycle: {' -> '.join((*path, key))}"
        if key in done:
            return
        for dependency in edges[key]:
            visit(dependency, (*path, key))
        done.add(key)

    for key in edges:
        visit(key, ())


def public_api(source: str) -> set[str]:
    """Names of top-level functions/classes and their methods, with their parameters."""
    names: set[str] = set()
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef):
            names.add(f"{node.name}({', '.join(a.arg for a in node.args.args)})")
        elif isinstance(node, ast.ClassDef):
            names.add(node.name)
            for item in node.body:
                if isinstance(item, ast.FunctionDef):
                    args = ", ".join(a.arg for a in item.args.args)
                    names.add(f"{node.name}.{item.name}({args})")
    return names


def test_python_skeletons_match_the_reference_signatures() -> None:
    for task in tasks_of(load(PYTHON_EXAMPLE)):
        assert task.get("skeleton"), f"{task['key']} has no skeleton"
        assert public_api(task["skeleton"]) == public_api(task["reference"]), task["key"]


def test_python_reference_passes_its_tests(tmp_path: Path) -> None:
    tasks = tasks_of(load(PYTHON_EXAMPLE))
    assert all(task.get("tests") for task in tasks), "every python task carries tests"
    write_project(tmp_path, tasks, "reference")
    result = run_pytest(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    passed = re.search(r"(\d+) passed", result.stdout)
    assert passed and int(passed.group(1)) >= len(tasks), result.stdout


def test_python_tests_fail_on_the_bare_skeleton(tmp_path: Path) -> None:
    # The tests must test the bodies: on the skeleton (bodies `...`) they cannot pass.
    tasks = tasks_of(load(PYTHON_EXAMPLE))
    write_project(tmp_path, tasks, "skeleton")
    result = run_pytest(tmp_path)
    assert result.returncode != 0, result.stdout


TS_IMPORT = re.compile(r"""^import\s.*?from\s+["'](\.[^"']+)["'];?$""", re.M)


def test_typescript_example_is_complete() -> None:
    plan = load(TS_EXAMPLE)
    assert plan["language"] == "typescript"
    tasks = tasks_of(plan)
    files = {task["file"] for task in tasks}
    for task in tasks:
        assert task["file"].endswith(".ts")
        assert task["reference"].strip()
        assert task.get("skeleton", "").strip()
        assert task["test_file"].endswith(".test.ts")
        assert 'from "node:test"' in task["tests"]
        assert 'from "node:assert"' in task["tests"]
        folder = PurePosixPath(task["file"]).parent
        for source in (task["reference"], task["tests"]):
            for relative in TS_IMPORT.findall(source):
                imported = str(folder / (relative.removeprefix("./") + ".ts"))
                assert imported in files, f"{task['key']} imports {relative}, not in the plan"
    assert any(TS_IMPORT.search(task["reference"]) for task in tasks), "files import each other"


def find_tsc() -> str | None:
    """``tsc`` on PATH, else the one ``.ci/run`` installs with npm under ``.ci/node``."""
    return shutil.which("tsc") or shutil.which("tsc", path=str(CI_NODE_BIN))


def node_type_roots() -> Path | None:
    """The ``@types`` folder holding ``@types/node`` next to the installed tsc, if any.

    The tests import ``node:test``, so tsc needs Node's type definitions; the project
    written to a temp dir has no node_modules of its own.
    """
    tsc = find_tsc()
    if tsc is None or shutil.which("node") is None:
        return None
    for folder in Path(tsc).resolve().parents:
        if (folder / "@types" / "node").is_dir():
            return folder / "@types"
    return None


@pytest.mark.skipif(
    node_type_roots() is None,
    reason="tsc and @types/node are not installed (nothing is downloaded at test time)",
)
def test_typescript_reference_passes_its_tests(tmp_path: Path) -> None:
    tasks = tasks_of(load(TS_EXAMPLE))
    write_project(tmp_path, tasks, "reference")
    sources = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*.ts"))
    tsc_options = ["--strict", "--target", "es2022", "--module", "commonjs", "--types", "node"]
    tsc_options += ["--typeRoots", str(node_type_roots())]
    tsc = find_tsc()
    assert tsc is not None
    compiled = subprocess.run(
        [tsc, *tsc_options, "--outDir", "out", *sources],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr
    tests = sorted(str(p.relative_to(tmp_path)) for p in (tmp_path / "out").rglob("*.test.js"))
    ran = subprocess.run(
        ["node", "--test", *tests],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr
