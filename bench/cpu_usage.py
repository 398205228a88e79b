"""CPU seconds per part of the stack, to say where a run's time went on a small machine.

Sums user + system time of live processes, so a process that exits between two snapshots
(a PostgreSQL backend whose pooled connection was closed) is undercounted; the bench keeps its
pool open for the whole run, so that does not happen in practice.
"""

from __future__ import annotations

import os
from pathlib import Path

try:
    import psutil
except ImportError:  # psutil is not a dependency of the project: the figures are optional
    psutil = None

MACHINE = "machine"  # all CPU busy time of the machine, to tell other jobs' load apart


def _cpu(process: psutil.Process) -> float:
    try:
        times = process.cpu_times()
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return 0.0
    return float(times.user + times.system)


def _tree(pid: int) -> float:
    try:
        root = psutil.Process(pid)
        return _cpu(root) + sum(_cpu(p) for p in root.children(recursive=True))
    except psutil.NoSuchProcess:
        return 0.0


def _machine_busy() -> float:
    times = psutil.cpu_times()
    return float(sum(times) - times.idle - getattr(times, "iowait", 0.0))


def snapshot(pgdata: Path, fake_pid: int, workers: tuple[int, ...] = ()) -> dict[str, float]:
    if psutil is None:
        return {}
    me = psutil.Process(os.getpid())
    temporal = sum(_tree(p.pid) for p in me.children() if "temporal" in p.name().lower())
    postmaster = pgdata / "postmaster.pid"
    postgres = _tree(int(postmaster.read_text().split()[0])) if postmaster.exists() else 0.0
    return {
        "worker+bench process": _cpu(me),
        "temporal dev server": temporal,
        "postgresql": postgres,
        "fake LLM process": _tree(fake_pid),
        **({"other worker processes": sum(_tree(p) for p in workers)} if workers else {}),
        MACHINE: _machine_busy(),
    }


def delta(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    """CPU seconds per part over the interval, plus what the rest of the machine used: on a
    shared machine another job's load slows the run, and the figures should say so."""
    spent = {name: max(0.0, after[name] - before.get(name, 0.0)) for name in after}
    machine = spent.pop(MACHINE, 0.0)
    spent["other processes"] = max(0.0, machine - sum(spent.values()))
    return spent
