"""`mge atomize PATH...`: cut source files into atoms and show them.

Files or directories (walked recursively; files of other languages are skipped silently, as
are VCS, cache and dependency directories). Without `--json` a table per file; with `--json`
one JSON object per atom and per line (JSON Lines), ready for `jq`.

Exit codes: 0 done; 2 bad input (missing path, unsupported file named explicitly, unreadable
file, invalid options); 1 an atomization that did not round-trip (a bug: never expected).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from domain.atomization import (
    AtomizationConfig,
    AtomizationResult,
    atomize_source,
    detect_language,
)

_SKIPPED_DIRS = frozenset(
    {
        ".git", ".hg", ".svn", ".mge", ".venv", "venv", ".tox", ".nox", "node_modules",
        "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache",
    }
)  # fmt: skip
_NAME_WIDTH = 40


def atomize(
    paths: list[Path] = typer.Argument(..., help="Files or directories to atomize."),
    json_output: bool = typer.Option(
        False, "--json", help="Print one JSON object per atom (JSON Lines)."
    ),
    target_loc: int = typer.Option(10, "--target-loc", help="Lines of code an atom aims at."),
    max_loc: int = typer.Option(15, "--max-loc", help="Most lines of code an atom may have."),
) -> None:
    """Cut Python, TypeScript and JavaScript files into atoms of about ten lines."""
    err = Console(stderr=True)

    def fail(message: str) -> typer.Exit:
        err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
        return typer.Exit(2)

    try:
        config = AtomizationConfig(target_loc=target_loc, max_loc=max_loc)
    except ValueError as exc:
        raise fail(f"invalid options: {exc}") from None
    files: list[Path] = []
    for path in paths:
        if not path.exists():
            raise fail(f"path not found: {path}")
        if path.is_dir():
            files.extend(_walk(path))
        elif detect_language(str(path)) is None:
            raise fail(
                f"unsupported file type: {path} "
                "(supported: .py .pyi .ts .mts .cts .tsx .js .jsx .mjs .cjs)"
            )
        else:
            files.append(path)

    out = Console(soft_wrap=True)
    totals = [0, 0, 0]  # files, atoms, oversized
    broken: list[str] = []
    for file in files:
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise fail(f"cannot read {file}: {exc.strerror or exc}") from None
        result = atomize_source(data, str(file), config=config)
        if result.source != data:
            broken.append(str(file))
        totals[0] += 1
        totals[1] += len(result.atoms)
        totals[2] += sum(a.oversized for a in result.atoms)
        if json_output:
            for atom in result.atoms:
                typer.echo(json.dumps(atom.to_dict(), ensure_ascii=False))
        else:
            _print_file(out, result, len(data))
    if not json_output:
        out.print(
            f"[bold]{totals[0]}[/] file(s), [bold]{totals[1]}[/] atoms, "
            f"{totals[2]} oversized; every file round-trips byte for byte"
            if not broken
            else f"{totals[0]} file(s), {totals[1]} atoms",
            highlight=False,
        )
    if broken:
        err.print(f"[bold red]error:[/] atoms do not reproduce: {', '.join(broken)}")
        raise typer.Exit(1)


def _walk(root: Path) -> Iterator[Path]:
    """Supported files under `root`, in a stable order."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIPPED_DIRS)
        for name in sorted(filenames):
            if detect_language(name) is not None:
                yield Path(dirpath) / name


def _print_file(out: Console, result: AtomizationResult, size: int) -> None:
    atoms = result.atoms
    title = f"{result.path} — {result.language}, {len(atoms)} atoms, {size:,} bytes" + (
        f", {len(result.syntax_issues)} syntax issue(s)" if result.syntax_issues else ""
    )
    table = Table(title=title, title_justify="left")
    table.add_column("#", justify="right")
    table.add_column("lines", justify="right")
    table.add_column("kind", no_wrap=True)
    table.add_column("name", max_width=_NAME_WIDTH, overflow="ellipsis")
    table.add_column("loc", justify="right")
    table.add_column("cc", justify="right")
    table.add_column("atomicity", justify="right")
    table.add_column("context", justify="right")
    table.add_column("notes")
    for atom in atoms:
        notes = []
        if atom.oversized:
            notes.append("[yellow]oversized[/]")
        if atom.issues:
            notes.append(f"[red]{len(atom.issues)} syntax issue(s)[/]")
        table.add_row(
            str(atom.ordinal),
            f"{atom.start_line}-{atom.end_line}",
            atom.kind,
            atom.name or "",
            str(atom.loc),
            str(atom.complexity),
            f"{atom.atomicity.score:.0%}",
            f"{atom.context.completeness:.0%}",
            " ".join(notes),
        )
    out.print(table)
    for issue in result.syntax_issues[:10]:
        out.print(f"  [red]syntax[/] {issue.describe()}", highlight=False)
