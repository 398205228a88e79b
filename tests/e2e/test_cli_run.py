"""The operator's path: `mge run PLAN --provider reference --out DIR` on a machine where
nothing runs yet (the command starts and stops its own embedded stack)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
MGE = str(Path(sys.executable).parent / "mge")
EXAMPLES = sorted((REPO / "examples").glob("*.yaml"))


def _mge(args: list[str], cwd: Path, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MGE_")}
    env["MGE_DATA_DIR"] = str(cwd / ".mge")
    return subprocess.run(
        [MGE, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )


def test_there_are_python_and_typescript_examples() -> None:
    languages = {yaml.safe_load(p.read_text()).get("language", "python") for p in EXAMPLES}
    assert {"python", "typescript"} <= languages


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_run_example_reproduces_the_reference(example: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = _mge(["run", str(example), "--provider", "reference", "--out", str(out)], tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "status completed" in result.stdout

    plan = yaml.safe_load(example.read_text())
    tasks = [t for p in plan["phases"] for m in p["milestones"] for t in m["tasks"]]
    for task in tasks:
        generated = (out / task["file"]).read_bytes()
        assert generated == task["reference"].encode("utf-8"), task["file"]
    assert (out / "manifest.json").exists()


def test_a_second_run_reuses_the_same_data(tmp_path: Path) -> None:
    example = REPO / "examples" / "todo-service.yaml"
    first = _mge(["run", str(example), "--out", str(tmp_path / "a")], tmp_path)
    second = _mge(["run", str(example), "--out", str(tmp_path / "b")], tmp_path)
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    plan_id = second.stdout.split("masterplan ")[1].split()[0]
    status = _mge(["status", plan_id, "--json"], tmp_path)
    assert status.returncode == 0, status.stderr
    assert '"status": "completed"' in status.stdout
    graph = _mge(["graph", plan_id, "--format", "mermaid"], tmp_path)
    assert graph.returncode == 0, graph.stderr
    assert graph.stdout.startswith(("graph", "flowchart"))
    validated = _mge(["validate", plan_id], tmp_path)
    assert validated.returncode == 0, validated.stdout + validated.stderr
    assert "level" in validated.stdout
    cancel = _mge(["cancel", plan_id], tmp_path)
    assert cancel.returncode == 1 and "not running" in cancel.stderr


def test_broken_plan_exits_2_and_names_the_problem(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        "name: broken\nphases:\n  - name: P\n    milestones:\n      - name: M\n"
        "        tasks:\n          - key: a\n            name: A\n            file: a.py\n"
        "            depends_on: [ghost]\n"
    )
    result = _mge(["plan", "validate", str(broken)], tmp_path)
    assert result.returncode == 2
    assert "depends_on[0]" in result.stderr and "ghost" in result.stderr
    run = _mge(["run", str(broken), "--out", str(tmp_path / "o")], tmp_path)
    assert run.returncode == 2
    assert not (tmp_path / ".mge").exists(), "bad input must start nothing and write nothing"


def test_missing_plan_file_exits_2(tmp_path: Path) -> None:
    result = _mge(["plan", "validate", str(tmp_path / "nope.yaml")], tmp_path)
    assert result.returncode == 2
    assert "no such file" in result.stderr


def test_plan_schema_prints_json_schema(tmp_path: Path) -> None:
    result = _mge(["plan", "schema"], tmp_path)
    assert result.returncode == 0
    assert '"MasterPlanSpec"' in result.stdout


def test_analyze_own_source_without_services(tmp_path: Path) -> None:
    result = _mge(["analyze", str(REPO / "domain"), "--json"], tmp_path)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["atoms"] > 100 and report["waves"] >= 2 and report["speedup"] > 1
    assert not (tmp_path / ".mge").exists(), "analyze needs no database and no Temporal"


def test_atomize_round_trips_a_file(tmp_path: Path) -> None:
    source = REPO / "api" / "cli.py"
    result = _mge(["atomize", str(source), "--json"], tmp_path)
    assert result.returncode == 0, result.stderr
    atoms = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert len(atoms) > 5
    assert "".join(a["code"] for a in atoms).encode() == source.read_bytes()
