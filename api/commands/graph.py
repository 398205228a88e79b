"""`mge graph MASTERPLAN_ID`: the stored dependency graph of a plan, exported."""

from __future__ import annotations

import asyncio
import json
import sys
from enum import StrEnum
from pathlib import Path

import typer

from domain.errors import NotFoundError
from domain.graph import DependencyGraph, to_dot, to_json, to_mermaid, to_svg


class GraphFormat(StrEnum):
    JSON = "json"
    DOT = "dot"
    MERMAID = "mermaid"
    SVG = "svg"


def render(graph: DependencyGraph, fmt: GraphFormat) -> bytes:
    """Raises GraphvizNotInstalledError for SVG without Graphviz."""
    if fmt is GraphFormat.JSON:
        return (json.dumps(to_json(graph), indent=2) + "\n").encode()
    if fmt is GraphFormat.DOT:
        return to_dot(graph).encode()
    if fmt is GraphFormat.MERMAID:
        return to_mermaid(graph).encode()
    return to_svg(graph)


async def load_plan_graph(masterplan_id: str) -> DependencyGraph:
    from api.cli import load_settings
    from api.runtime import database_url
    from persistence import plans as plan_repo
    from persistence.db import create_engine, session_factory
    from persistence.graphs import load_graph

    url = await asyncio.to_thread(database_url, load_settings())
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            plan = await plan_repo.get_plan(session, masterplan_id)
            graph = await load_graph(session, plan.id)
    finally:
        await engine.dispose()
    if graph is None:
        raise NotFoundError(f"masterplan {masterplan_id} has no graph yet (run it first)")
    return graph


def graph(
    masterplan_id: str = typer.Argument(..., help="The plan's id."),
    fmt: GraphFormat = typer.Option(GraphFormat.JSON, "--format", help="Output format."),
    out: Path | None = typer.Option(None, "--out", help="Write here instead of stdout."),
) -> None:
    """Export a plan's dependency graph as JSON, DOT, Mermaid or SVG (needs Graphviz)."""
    data = render(asyncio.run(load_plan_graph(masterplan_id)), fmt)
    if out is None:
        sys.stdout.buffer.write(data)
    else:
        out.write_bytes(data)
