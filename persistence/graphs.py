"""The dependency graph of a plan: graph row, edges, waves, atom wave numbers."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import case, delete, func, literal, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from domain.graph import DependencyEdge, DependencyGraph, EdgeType, GraphStats, RemovedEdge
from domain.status import AtomStatus, WaveStatus
from persistence.models import (
    AtomDependency,
    AtomicUnit,
    DependencyGraphRow,
    ExecutionWave,
    MasterPlan,
)

_BATCH = 1000


def graph_id_for(masterplan_id: uuid.UUID) -> uuid.UUID:
    return uuid.uuid5(masterplan_id, "dependency-graph")


def wave_id_for(masterplan_id: uuid.UUID, wave_number: int) -> uuid.UUID:
    return uuid.uuid5(masterplan_id, f"wave-{wave_number}")


async def replace_graph(
    session: AsyncSession,
    masterplan_id: uuid.UUID,
    *,
    stats: dict[str, Any],
    edges: Sequence[dict[str, Any]],
    waves: Sequence[Sequence[uuid.UUID]],
    critical_path_length: int,
    removed_edge_count: int,
) -> uuid.UUID:
    """Write the whole graph in the caller's transaction, replacing any earlier one.

    Replacing (rather than appending) makes a redelivered `build_graph` activity harmless.
    """
    graph_id = graph_id_for(masterplan_id)
    await session.execute(
        update(MasterPlan).where(MasterPlan.id == masterplan_id).values(graph_id=None)
    )
    await session.execute(delete(DependencyGraphRow).where(DependencyGraphRow.id == graph_id))
    session.add(
        DependencyGraphRow(
            id=graph_id,
            masterplan_id=masterplan_id,
            node_count=sum(len(w) for w in waves),
            edge_count=len(edges) - removed_edge_count,
            wave_count=len(waves),
            removed_edge_count=removed_edge_count,
            critical_path_length=critical_path_length,
            stats=stats,
        )
    )
    await session.flush()
    rows = [{**edge, "graph_id": graph_id, "masterplan_id": masterplan_id} for edge in edges]
    for start in range(0, len(rows), _BATCH):
        await session.execute(
            insert(AtomDependency).values(rows[start : start + _BATCH]).on_conflict_do_nothing()
        )
    wave_rows = [
        {
            "id": wave_id_for(masterplan_id, number),
            "masterplan_id": masterplan_id,
            "graph_id": graph_id,
            "wave_number": number,
            "atom_count": len(atom_ids),
            "status": WaveStatus.PENDING,
        }
        for number, atom_ids in enumerate(waves)
    ]
    for start in range(0, len(wave_rows), _BATCH):
        await session.execute(insert(ExecutionWave).values(wave_rows[start : start + _BATCH]))
    for number, atom_ids in enumerate(waves):
        ids = list(atom_ids)
        for start in range(0, len(ids), _BATCH):
            await session.execute(
                update(AtomicUnit)
                .where(AtomicUnit.id.in_(ids[start : start + _BATCH]))
                .values(wave_number=number)
            )
    await session.execute(
        update(MasterPlan)
        .where(MasterPlan.id == masterplan_id)
        .values(
            graph_id=graph_id,
            total_waves=len(waves),
            max_parallelism=max((len(w) for w in waves), default=0),
        )
    )
    return graph_id


async def get_graph(session: AsyncSession, masterplan_id: uuid.UUID) -> DependencyGraphRow | None:
    return await session.get(DependencyGraphRow, graph_id_for(masterplan_id))


async def graph_edges(session: AsyncSession, masterplan_id: uuid.UUID) -> list[AtomDependency]:
    rows = await session.scalars(
        select(AtomDependency).where(AtomDependency.graph_id == graph_id_for(masterplan_id))
    )
    return list(rows)


async def load_graph(session: AsyncSession, masterplan_id: uuid.UUID) -> DependencyGraph | None:
    """The stored graph of a plan as the domain object the exporters take."""
    row = await get_graph(session, masterplan_id)
    if row is None:
        return None
    atoms = (
        await session.execute(
            select(
                AtomicUnit.id,
                AtomicUnit.file_path,
                AtomicUnit.name,
                AtomicUnit.ordinal,
                AtomicUnit.wave_number,
            )
            .where(AtomicUnit.masterplan_id == masterplan_id)
            .order_by(AtomicUnit.file_path, AtomicUnit.ordinal)
        )
    ).all()
    waves: list[list[str]] = [[] for _ in range(row.wave_count)]
    labels: dict[str, str] = {}
    for atom_id, path, name, ordinal, wave in atoms:
        labels[str(atom_id)] = f"{path}#{ordinal}" + (f":{name}" if name else "")
        if wave is not None and wave < len(waves):
            waves[wave].append(str(atom_id))
    kept: list[DependencyEdge] = []
    removed: list[RemovedEdge] = []
    for dep in await graph_edges(session, masterplan_id):
        edge = DependencyEdge(
            str(dep.source_atom_id),
            str(dep.target_atom_id),
            EdgeType(dep.dependency_type.value),
            dep.weight,
            dep.symbol,
        )
        if dep.removed:
            removed.append(RemovedEdge(edge, dep.removed_reason or ""))
        else:
            kept.append(edge)
    stats = dict(row.stats)
    return DependencyGraph(
        atom_ids=tuple(labels),
        edges=tuple(kept),
        removed_edges=tuple(removed),
        waves=tuple(tuple(w) for w in waves),
        critical_path=tuple(stats.get("critical_path", ())),
        stats=GraphStats(
            atoms=int(stats.get("atoms", len(labels))),
            edges=int(stats.get("edges", len(kept))),
            waves=int(stats.get("waves", len(waves))),
            max_wave_size=int(stats.get("max_wave_size", 0)),
            mean_wave_size=float(stats.get("mean_wave_size", 0.0)),
            critical_path_length=int(stats.get("critical_path_length", 0)),
            parallelism=float(stats.get("parallelism", 0.0)),
            edges_by_type=dict(stats.get("edges_by_type", {})),
            cycles_found=int(stats.get("cycles_found", 0)),
            edges_removed=int(stats.get("edges_removed", len(removed))),
        ),
        labels=labels,
    )


async def plan_waves(session: AsyncSession, masterplan_id: uuid.UUID) -> list[ExecutionWave]:
    rows = await session.scalars(
        select(ExecutionWave)
        .where(ExecutionWave.masterplan_id == masterplan_id)
        .order_by(ExecutionWave.wave_number)
    )
    return list(rows)


def _wave_atoms(*statuses: AtomStatus) -> Any:
    """How many atoms of the wave row being updated are in one of `statuses`."""
    return (
        select(func.count())
        .where(
            AtomicUnit.masterplan_id == ExecutionWave.masterplan_id,
            AtomicUnit.wave_number == ExecutionWave.wave_number,
            AtomicUnit.status.in_(statuses),
        )
        .scalar_subquery()
    )


async def settle_unfinished_waves(
    session: AsyncSession, masterplan_id: uuid.UUID, status: WaveStatus
) -> None:
    """Close the waves a run that stops early leaves pending or running: `status` (or
    completed, for a wave whose atoms all finished before the stop), a finish time, and the
    counts their atoms reached. Call it after the unfinished atoms are settled. Waves already
    closed are left as they are, so a redelivered call changes nothing."""
    status_type = ExecutionWave.__table__.c.status.type
    cut_short = _wave_atoms(
        AtomStatus.PENDING, AtomStatus.RUNNING, AtomStatus.CANCELLED, AtomStatus.SKIPPED
    )
    await session.execute(
        update(ExecutionWave)
        .where(
            ExecutionWave.masterplan_id == masterplan_id,
            ExecutionWave.status.in_([WaveStatus.PENDING, WaveStatus.RUNNING]),
        )
        .values(
            status=case(
                (cut_short == 0, literal(WaveStatus.COMPLETED, status_type)),
                else_=literal(status, status_type),
            ),
            finished_at=datetime.now(UTC),
            completed_count=_wave_atoms(AtomStatus.COMPLETED, AtomStatus.APPROVED),
            failed_count=_wave_atoms(AtomStatus.FAILED),
        )
        .execution_options(synchronize_session=False)
    )
