"""Rules that span the whole plan, checked after the per-field schema.

They are kept out of the pydantic model so that each problem can name the exact task field
(and so its YAML line) instead of pointing at the document root.
"""

from __future__ import annotations

import graphlib

from domain.errors import PlanProblem
from domain.plan.schema import MasterPlanSpec


def whole_plan_problems(spec: MasterPlanSpec) -> list[PlanProblem]:
    problems: list[PlanProblem] = []
    keys: dict[str, str] = {}
    files: dict[str, str] = {}
    located = spec.located_tasks()
    for where, task in located:
        if task.key in keys:
            problems.append(
                PlanProblem(
                    f"{where}.key", f"duplicate task key '{task.key}' (also {keys[task.key]})"
                )
            )
        else:
            keys[task.key] = where
        if task.file in files:
            problems.append(
                PlanProblem(
                    f"{where}.file", f"file '{task.file}' is also written by {files[task.file]}"
                )
            )
        else:
            files[task.file] = where
    for where, task in located:
        for index, dep in enumerate(task.depends_on):
            if dep not in keys:
                problems.append(
                    PlanProblem(f"{where}.depends_on[{index}]", f"unknown task key '{dep}'")
                )
    if problems:
        return problems
    sorter = graphlib.TopologicalSorter({t.key: t.depends_on for _, t in located})
    try:
        sorter.prepare()
    except graphlib.CycleError as exc:
        cycle = [str(k) for k in exc.args[1]]
        first = keys[cycle[0]]
        problems.append(
            PlanProblem(f"{first}.depends_on", "cyclic task dependencies: " + " -> ".join(cycle))
        )
    return problems


def task_order(spec: MasterPlanSpec) -> list[str]:
    """Task keys with every task after the tasks it depends on; ties keep document order."""
    position = {t.key: i for i, t in enumerate(spec.tasks())}
    sorter = graphlib.TopologicalSorter({t.key: t.depends_on for t in spec.tasks()})
    sorter.prepare()
    order: list[str] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready(), key=position.__getitem__)
        order.extend(ready)
        sorter.done(*ready)
    return order
