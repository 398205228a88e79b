"""A plan whose tasks depend on each other in a cycle: `mge run` completes and tells the
operator which dependencies it cut and why; `mge status` says the same afterwards."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from api.run_command import CutEdge, CycleReport, cycle_lines
from tests.plans import single_milestone_plan

REPO = Path(__file__).resolve().parents[2]
MGE = str(Path(sys.executable).parent / "mge")

# Order.confirm calls notify; notify annotates its parameter with Order and reads its number.
ORDERS = '''\
from calc.notify import notify


class Order:
    """An order that tells the customer when it is confirmed."""

    def __init__(self, number: int) -> None:
        self.number = number

    def confirm(self) -> str:
        return notify(self)
'''

NOTIFY = '''\
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from calc.orders import Order


def notify(order: Order) -> str:
    """A message for the customer of `order`."""
    return f"order {order.number} confirmed"
'''


def _mge(args: list[str], cwd: Path, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MGE_")}
    env["MGE_DATA_DIR"] = str(cwd / ".mge")
    return subprocess.run(
        [MGE, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )


@pytest.mark.e2e
def test_run_and_status_report_the_cycle_and_the_cut_edges(tmp_path: Path) -> None:
    plan = tmp_path / "cyclic.json"
    plan.write_text(
        json.dumps(single_milestone_plan("cyclic", ("orders", ORDERS), ("notify", NOTIFY)))
    )
    out = tmp_path / "out"

    run = _mge(["run", str(plan), "--provider", "reference", "--out", str(out)], tmp_path)

    assert run.returncode == 0, run.stdout + run.stderr
    assert "status completed" in run.stdout
    assert (out / "calc/orders.py").read_text() == ORDERS
    assert (out / "calc/notify.py").read_text() == NOTIFY
    report = [line for line in run.stdout.splitlines() if "dependency graph:" in line]
    assert len(report) == 1, run.stdout  # printed once, as soon as the graph is stored
    assert "1 cycle(s) found" in report[0]
    cuts = [line.strip() for line in run.stdout.splitlines() if line.strip().startswith("cut ")]
    # Only the weak direction goes: what notify takes from Order, never the call of notify.
    assert len(cuts) == 1, run.stdout
    assert cuts[0].startswith("cut calc/notify.py:notify -> calc/orders.py:Order (")
    assert "type on Order" in cuts[0] and "breaks cycle" in cuts[0], cuts[0]
    assert "on notify" not in cuts[0]

    plan_id = run.stdout.split("masterplan ")[1].split()[0]
    status = _mge(["status", plan_id, "--json"], tmp_path)
    assert status.returncode == 0, status.stderr
    data = json.loads(status.stdout)
    removed = data["removed_edges"]
    assert data["cycles_found"] == 1 and data["edges_removed"] == len(removed) >= 1
    assert f"{len(removed)} edge(s) removed" in report[0]
    assert {(edge["source"], edge["target"]) for edge in removed} == {
        ("calc/notify.py:notify", "calc/orders.py:Order")
    }
    assert all(edge["reason"].startswith("breaks cycle") for edge in removed)
    assert "type" in {edge["type"] for edge in removed}
    table = _mge(["status", plan_id], tmp_path)
    assert table.returncode == 0, table.stderr
    assert "cycles_found" in table.stdout and "graph not built" not in table.stdout
    assert cuts[0] in table.stdout, table.stdout


def test_the_list_of_cut_edges_is_capped_and_grouped_per_pair_of_atoms() -> None:
    why = "breaks cycle a -> b -> a (policy)"
    pair = [
        CutEdge("a.py:f", "b.py:G", "type", "G", f"{why}; type edge on G"),
        CutEdge("a.py:f", "b.py:G", "data_flow", "G.x", f"{why}; data_flow edge on G.x"),
    ]
    others = [
        CutEdge(f"c.py:f{i}", f"d.py:g{i}", "type", f"T{i}", f"cycle {i}; type edge on T{i}")
        for i in range(12)
    ]
    lines = cycle_lines(CycleReport(cycles_found=4, removed=pair + others), "PLAN", limit=10)
    assert lines[0] == "dependency graph: 4 cycle(s) found, 14 edge(s) removed to break them"
    assert lines[1] == f"  cut a.py:f -> b.py:G (type on G, data_flow on G.x): {why}"
    assert lines[2] == "  cut c.py:f0 -> d.py:g0 (type on T0): cycle 0"
    assert len(lines) == 12
    assert lines[-1] == "  ... and 3 more edge(s) (all of them: mge graph PLAN --format json)"
    assert cycle_lines(CycleReport(0, []), "PLAN") == ["dependency graph: no cycles"]
