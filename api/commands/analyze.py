"""`mge analyze DIR`: the dependency graph and wave schedule of an existing code tree.

No LLM and no services: the files are atomized and linked locally. Exit codes: 0 done, 2 the
directory does not exist (or the options are invalid).
"""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from domain.graph import AnalysisReport, analyze_tree

_WAVE_ROWS = 15
_SAMPLE_ATOMS = 3
_REMOVED_ROWS = 20


def analyze(
    directory: Path = typer.Argument(..., help="Root of the code tree to analyze."),
    json_output: bool = typer.Option(False, "--json", help="Print one JSON object."),
    max_wave_size: int | None = typer.Option(
        None, "--max-wave-size", min=1, help="Split waves larger than this."
    ),
) -> None:
    """Atomize a code tree, build its dependency graph and print waves and the speed-up."""
    err = Console(stderr=True)
    if not directory.exists():
        err.print(f"[bold red]error:[/] directory not found: {directory}", highlight=False)
        raise typer.Exit(2)
    if not directory.is_dir():
        err.print(f"[bold red]error:[/] not a directory: {directory}", highlight=False)
        raise typer.Exit(2)
    report = analyze_tree(directory, max_wave_size=max_wave_size)
    if json_output:
        typer.echo(json.dumps(report.to_dict(), indent=2))
        return
    _print_report(Console(), report)


def _print_report(out: Console, report: AnalysisReport) -> None:
    graph = report.graph
    stats = graph.stats
    languages = ", ".join(f"{name} {count}" for name, count in report.languages.items())
    summary = Table(title=f"mge analyze {report.root}", show_header=False, title_justify="left")
    summary.add_column(style="bold")
    summary.add_column()
    summary.add_row("files", f"{report.files} ({languages or 'none'})")
    summary.add_row("atoms", str(report.atoms))
    summary.add_row("edges", str(stats.edges))
    for edge_type, count in stats.edges_by_type.items():
        summary.add_row(f"  {edge_type}", str(count))
    summary.add_row("cycles found", str(stats.cycles_found))
    summary.add_row("edges removed", str(stats.edges_removed))
    summary.add_row("waves", str(stats.waves))
    summary.add_row("max / mean wave size", f"{stats.max_wave_size} / {stats.mean_wave_size}")
    summary.add_row("critical path", f"{stats.critical_path_length} atoms")
    summary.add_row(
        "speed-up",
        f"{report.speedup}x ({report.atoms} atoms one at a time vs {stats.waves} waves)",
    )
    if report.syntax_issues:
        summary.add_row("syntax issues", str(report.syntax_issues))
    if report.skipped:
        summary.add_row("skipped files", str(len(report.skipped)))
    out.print(summary)

    waves = Table(title="waves", title_justify="left")
    waves.add_column("wave", justify="right")
    waves.add_column("atoms", justify="right")
    waves.add_column("for example")
    for index, wave in enumerate(graph.waves[:_WAVE_ROWS]):
        sample = ", ".join(graph.label(atom_id) for atom_id in wave[:_SAMPLE_ATOMS])
        more = f" (+{len(wave) - _SAMPLE_ATOMS} more)" if len(wave) > _SAMPLE_ATOMS else ""
        waves.add_row(str(index), str(len(wave)), sample + more)
    if len(graph.waves) > _WAVE_ROWS:
        waves.add_row("...", "", f"{len(graph.waves) - _WAVE_ROWS} more waves")
    out.print(waves)

    if graph.critical_path:
        out.print("[bold]critical path[/] (each atom waits for the one before):")
        for step, atom_id in enumerate(graph.critical_path):
            out.print(f"  {step:>3}  {graph.label(atom_id)}", highlight=False)
    if graph.removed_edges:
        out.print("[bold]edges removed to break cycles:[/]")
        for removed in graph.removed_edges[:_REMOVED_ROWS]:
            edge = removed.edge
            out.print(
                f"  {graph.label(edge.source)} -> {graph.label(edge.target)} "
                f"[{edge.type.value}]: {removed.reason}",
                highlight=False,
                markup=False,
            )
        if len(graph.removed_edges) > _REMOVED_ROWS:
            out.print(f"  ... {len(graph.removed_edges) - _REMOVED_ROWS} more (see --json)")
