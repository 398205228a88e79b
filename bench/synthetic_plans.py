"""Synthetic masterplans with an exact number of waves, for the orchestration bench.

Shape: chains of functions. Chain ``c`` has one function per layer ``k`` it reaches, and
``f_{k}_{c}`` calls ``f_{k-1}_{c}``, so the graph puts it in wave ``k``. The width of wave ``k``
is the number of chains longer than ``k``; widths are non-increasing, so one list of widths
describes the whole plan. Chains are grouped ``per_file`` at a time: layer ``k`` of group ``g``
is one task file that imports the functions it calls from layer ``k-1`` of the same group. That
gives task granularity (one unit per file) a realistic ~45-line module per unit rather than a
one-function file, which would make the task baseline the same thing as atom waves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from domain.atomization import AtomizationConfig, atomize_source
from domain.graph import GraphAtom, build_dependency_graph
from domain.plan import MasterPlanSpec, validate_plan_data

PACKAGE = "bench_app"


@dataclass(frozen=True)
class PlanShape:
    widths: tuple[int, ...]  # atoms per wave, non-increasing
    per_file: int = 5

    def __post_init__(self) -> None:
        if any(b > a for a, b in zip(self.widths, self.widths[1:], strict=False)):
            raise ValueError(f"wave widths must not increase: {self.widths}")

    @property
    def atoms(self) -> int:
        return sum(self.widths)

    @property
    def waves(self) -> int:
        return len(self.widths)

    def files_in_wave(self, wave: int) -> int:
        return -(-self.widths[wave] // self.per_file)


def tapered(total: int, waves: int, ratio: float = 5.0) -> tuple[int, ...]:
    """``waves`` widths summing to ``total``, falling linearly so the first is ``ratio``
    times the last: a plan whose early waves are wide (many leaf helpers) and whose later
    waves are narrow (the few entry points), as real code bases are."""
    weights = [ratio + (1 - ratio) * k / max(1, waves - 1) for k in range(waves)]
    widths = [max(1, int(total * w / sum(weights))) for w in weights]
    widths[0] += total - sum(widths)
    return tuple(widths)


def _module(layer: int, group: int) -> str:
    return f"{PACKAGE}.layer{layer:02d}.g{group:03d}"


def _function(layer: int, chain: int) -> str:
    # Nine lines and one branch: two of them (18 lines) exceed the default max_loc of 15,
    # so the decomposer cannot merge neighbours and each function is exactly one atom.
    name = f"f_{layer:02d}_{chain:05d}"
    first = f"{layer}" if layer == 0 else f"f_{layer - 1:02d}_{chain:05d}(x)"
    return (
        f"def {name}(x: int) -> int:\n"
        f'    """Step {layer} of chain {chain}."""\n'
        f"    y = {first} + x\n"
        "    if y > 1000:\n"
        "        y = y % 1000\n"
        f"    z = y * 3 + {chain % 97}\n"
        "    w = z - 7\n"
        "    v = w // 2 + y\n"
        "    return v\n"
    )


def _source(layer: int, group: int, chains: list[int]) -> str:
    header = f'"""Layer {layer}, chains {chains[0]}-{chains[-1]}."""\n\n'
    if layer > 0:
        names = ", ".join(f"f_{layer - 1:02d}_{c:05d}" for c in chains)
        header += f"from {_module(layer - 1, group)} import {names}\n\n"
    return header + "\n\n".join(_function(layer, c) for c in chains)


def plan_document(shape: PlanShape, name: str) -> dict[str, Any]:
    """The plan as the dict a YAML file would hold: one milestone per layer."""
    milestones = []
    for layer, width in enumerate(shape.widths):
        tasks = []
        for group in range(-(-width // shape.per_file)):
            chains = list(range(group * shape.per_file, min(width, (group + 1) * shape.per_file)))
            key = f"l{layer:02d}-g{group:03d}"
            tasks.append(
                {
                    "key": key,
                    "name": f"layer {layer} group {group}",
                    "file": f"{PACKAGE}/layer{layer:02d}/g{group:03d}.py",
                    "description": f"Step {layer} of chains {chains[0]}-{chains[-1]}.",
                    "depends_on": [f"l{layer - 1:02d}-g{group:03d}"] if layer else [],
                    "reference": _source(layer, group, chains),
                }
            )
        milestones.append({"name": f"Layer {layer}", "tasks": tasks})
    return {
        "name": name,
        "description": "Synthetic layered plan for the orchestration bench.",
        "language": "python",
        "phases": [{"name": "All layers", "milestones": milestones}],
    }


def build_plan(shape: PlanShape, name: str) -> MasterPlanSpec:
    return validate_plan_data(plan_document(shape, name))


@dataclass(frozen=True)
class PlanCheck:
    atoms: int
    waves: tuple[int, ...]  # atoms per wave, as the graph builder finds them
    one_atom_per_function: bool


def check_plan(spec: MasterPlanSpec, granularity: str = "atom") -> PlanCheck:
    """Atomize and graph the plan with the product's domain functions, as the activities do,
    so the bench proves its plan has the shape it claims before spending a run on it."""
    config = AtomizationConfig()
    if granularity == "task":
        config = AtomizationConfig(target_loc=100_000, max_loc=100_000, max_complexity=10_000)
    graph_atoms: list[GraphAtom] = []
    one_per_function = True
    for task in spec.tasks():
        source = task.reference or ""
        result = atomize_source(source, task.file, "python", config)
        functions = source.count("\ndef ") + int(source.startswith("def "))
        expected = functions if granularity == "atom" else 1
        one_per_function &= len(result.atoms) == expected
        graph_atoms += [
            GraphAtom(f"{task.file}#{a.ordinal}", task.file, "python", a.ordinal, a.code, a.name)
            for a in result.atoms
        ]
    graph = build_dependency_graph(graph_atoms)
    return PlanCheck(len(graph_atoms), tuple(len(w) for w in graph.waves), one_per_function)
