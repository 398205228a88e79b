"""Type checkers on generated code: mypy for Python, `tsc --noEmit` for TypeScript.

Both run on a copy of the project in a sandbox work dir (a malicious file cannot turn the
checker's configuration into code execution: no config file of the project is read).
A checker that is not installed is reported as not run, with the reason; nothing here
claims a file type checks unless the checker said so.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from activities.sandbox import SandboxLimits, SandboxResult, run_sandboxed, sandbox_workdir

_MYPY_LINE = re.compile(r"^(.+?):(\d+):(?:(\d+):)? (error|note|warning): (.*?)(?:  \[([\w-]+)\])?$")
_TSC_LINE = re.compile(r"^(.+?)\((\d+),(\d+)\): (error|warning) (TS\d+): (.*)$")
TYPECHECK_LIMITS = SandboxLimits(
    wall_time_s=180.0,
    cpu_time_s=180,
    memory_bytes=3 << 30,
    max_output_bytes=4 << 20,
    max_processes=64,
)


@dataclass(frozen=True)
class Diagnostic:
    path: str
    line: int
    column: int | None
    severity: str  # error | warning | note
    message: str
    code: str | None = None


@dataclass(frozen=True)
class TypecheckRun:
    checker: str  # "mypy" | "tsc"
    ran: bool
    reason: str | None  # why it did not run, or why the run itself failed
    diagnostics: tuple[Diagnostic, ...] = ()
    duration_s: float = 0.0
    sandbox: SandboxResult | None = None

    def errors_in(self, path: str) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.path == path and d.severity == "error"]


@dataclass(frozen=True)
class TypeScriptTools:
    """An installed TypeScript: its compiler script and the @types folder, if any."""

    tsc_js: str
    types_root: str | None = None

    @property
    def package_dir(self) -> str:
        return str(Path(self.tsc_js).resolve().parents[1])


def mypy_available() -> bool:
    return importlib.util.find_spec("mypy") is not None


def typescript_places(data_dir: Path | None = None) -> list[Path]:
    """The folders searched for TypeScript before PATH, each one that may hold a
    node_modules: `<data_dir>/node` (an operator's install), `./.ci/node` (what `.ci/run`
    installs with npm) and the current directory (a project's own node_modules)."""
    cwd = Path.cwd()
    places = [data_dir / "node"] if data_dir is not None else []
    return [*places, cwd / ".ci" / "node", cwd]


def find_typescript(search: Sequence[str | Path] = ()) -> TypeScriptTools | None:
    """TypeScript from `search` dirs (each may hold node_modules), else `tsc` on PATH.

    `@types/node` is used when it sits beside the `typescript` package (same node_modules).
    """
    candidates: list[Path] = []
    for folder in search:
        base = Path(folder)
        candidates += [base / "node_modules" / "typescript", base / "typescript"]
    tsc = shutil.which("tsc")
    if tsc is not None:
        real = Path(os.path.realpath(tsc))
        candidates += [p for p in real.parents if p.name == "typescript"][:1]
    for package in candidates:
        script = package / "lib" / "tsc.js"
        if script.is_file() and shutil.which("node"):
            types = package.parent / "@types"
            return TypeScriptTools(str(script), str(types) if (types / "node").is_dir() else None)
    return None


def _write(root: Path, files: Mapping[str, str]) -> None:
    for path, text in files.items():
        target = (root / path).resolve()
        if root.resolve() not in target.parents:
            continue  # never write outside the work dir
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def run_mypy(
    files: Mapping[str, str],
    targets: Sequence[str],
    *,
    cache_dir: Path | None = None,
    limits: SandboxLimits = TYPECHECK_LIMITS,
) -> TypecheckRun:
    """mypy on `targets` (paths among `files`), the other files there for imports only.

    Defaults, not strict: skeleton bodies (`...`) are allowed, third-party imports that are
    not installed are `Any`; what remains are real type errors.
    """
    if not mypy_available():
        return TypecheckRun("mypy", False, "mypy is not installed")
    if not targets:
        return TypecheckRun("mypy", False, "no Python file to check")
    started = time.monotonic()
    with sandbox_workdir("mypy-") as work:
        _write(work, files)
        roots = [str(work), str(work / "src")] if (work / "src").is_dir() else [str(work)]
        cache = str(cache_dir) if cache_dir is not None else str(work / ".mypy_cache")
        writable = [cache] if cache_dir is not None else []
        if cache_dir is not None:
            cache_dir.mkdir(parents=True, exist_ok=True)
        argv = [
            sys.executable,
            "-m",
            "mypy",
            "--config-file",
            "",
            "--no-error-summary",
            "--show-column-numbers",
            "--show-error-codes",
            "--no-color-output",
            "--hide-error-context",
            "--no-pretty",
            "--follow-imports=silent",
            "--ignore-missing-imports",
            "--disable-error-code=empty-body",
            "--explicit-package-bases",
            "--cache-dir",
            cache,
            *targets,
        ]
        result = run_sandboxed(
            argv,
            work,
            limits,
            env={"MYPYPATH": os.pathsep.join(roots)},
            writable=writable,
            drop_privileges=False,
        )
    duration = time.monotonic() - started
    diagnostics = tuple(_parse_mypy(result.stdout))
    if result.killed_reason or result.exit_code not in (0, 1):
        why = result.reason or f"mypy failed: {result.stderr.strip()[-300:]}"
        return TypecheckRun(
            "mypy", False, f"mypy did not finish: {why}", diagnostics, duration, result
        )
    return TypecheckRun("mypy", True, None, diagnostics, duration, result)


def _parse_mypy(output: str) -> list[Diagnostic]:
    out = []
    for line in output.splitlines():
        match = _MYPY_LINE.match(line.strip())
        if match:
            path, line_no, column, severity, message, code = match.groups()
            out.append(
                Diagnostic(
                    path.replace("\\", "/"),
                    int(line_no),
                    int(column) if column else None,
                    severity,
                    message,
                    code,
                )
            )
    return out


def tsc_options(tools: TypeScriptTools) -> list[str]:
    options = [
        "--strict",
        "--target",
        "es2022",
        "--module",
        "commonjs",
        "--moduleResolution",
        "node",
        "--esModuleInterop",
        "--skipLibCheck",
        "--pretty",
        "false",
    ]
    if tools.types_root:
        options += ["--types", "node", "--typeRoots", tools.types_root]
    else:
        options += ["--types", ""]
    return options


def run_tsc(
    files: Mapping[str, str],
    targets: Sequence[str],
    tools: TypeScriptTools | None,
    *,
    limits: SandboxLimits = TYPECHECK_LIMITS,
) -> TypecheckRun:
    """`tsc --noEmit` on `targets`."""
    if tools is None:
        return TypecheckRun("tsc", False, "typescript is not installed")
    if not targets:
        return TypecheckRun("tsc", False, "no TypeScript file to check")
    node = shutil.which("node")
    if node is None:
        return TypecheckRun("tsc", False, "node is not installed")
    started = time.monotonic()
    with sandbox_workdir("tsc-") as work:
        _write(work, files)
        argv = [node, tools.tsc_js, "--noEmit", *tsc_options(tools), *targets]
        result = run_sandboxed(
            argv, work, limits, readonly=tsc_readonly(tools, node), drop_privileges=False
        )
    duration = time.monotonic() - started
    diagnostics = tuple(parse_tsc(result.stdout + "\n" + result.stderr))
    if result.killed_reason or (result.exit_code not in (0, 1, 2) and not diagnostics):
        why = result.reason or result.stderr.strip()[-300:]
        return TypecheckRun(
            "tsc", False, f"tsc did not finish: {why}", diagnostics, duration, result
        )
    return TypecheckRun("tsc", True, None, diagnostics, duration, result)


def tsc_readonly(tools: TypeScriptTools, node: str) -> list[str]:
    dirs = [tools.package_dir, os.path.dirname(os.path.realpath(node))]
    if tools.types_root:
        dirs.append(os.path.realpath(tools.types_root))
    return dirs


def parse_tsc(output: str) -> list[Diagnostic]:
    out = []
    for line in output.splitlines():
        match = _TSC_LINE.match(line.strip())
        if match:
            path, line_no, column, severity, code, message = match.groups()
            out.append(
                Diagnostic(
                    path.replace("\\", "/"), int(line_no), int(column), severity, message, code
                )
            )
    return out
