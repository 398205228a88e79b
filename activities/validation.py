"""Validation activities, levels 1 to 4, and the helpers generation uses.

Each activity reads the plan's atoms from the database, assembles the files (generated code,
else the spec an atom came from), runs its level's checks (pure rules from
domain.validation; type checkers and tests in the sandbox) and replaces its level's rows of
`validation_results` as a whole, so a redelivered or rerun activity leaves exactly one set.

- validate_atoms (1): every atom's final code in its final file, plus mypy/tsc per file;
- validate_tasks (2): each task's file;
- validate_milestones (3): each milestone's files within the whole project;
- validate_masterplan (4): the project in a temp dir, its tests run in the sandbox, each
  failure also written as a row of the atoms its traceback points at (their retry feedback).

The methods can run outside Temporal too (`run_validation`, the `mge validate` command):
they only heartbeat when an activity context exists.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import re
import shutil
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities import validation_contracts as vc
from activities.contracts import PlanRef
from activities.errors import permanent_errors_fail_fast
from activities.sandbox import SandboxLimits, SandboxResult, run_sandboxed, sandbox_workdir
from activities.typecheck import (
    TYPECHECK_LIMITS,
    Diagnostic,
    TypecheckRun,
    TypeScriptTools,
    find_typescript,
    parse_tsc,
    run_mypy,
    run_tsc,
    tsc_options,
    tsc_readonly,
    typescript_places,
)
from domain.atomization.model import AtomizationConfig
from domain.errors import MgeError
from domain.status import ValidationOutcome
from domain.validation import level1, level2, level3
from domain.validation.level2 import AtomLines
from domain.validation.level4_mapping import (
    Blame,
    TestFailure,
    map_failures,
    parse_node_tap,
    parse_pytest,
)
from domain.validation.model import CheckResult, Violation, judged, not_run
from persistence import plans as plan_repo
from persistence import validation_rows as rows_repo
from persistence.models import AtomicUnit, MasterPlan, Milestone, Task
from persistence.output import default_test_path, shipped_code

T = TypeVar("T")

TESTS = "masterplan.tests"
COMPILE = "masterplan.compile"
ATOM_TESTS = "masterplan.tests.atom"


TEST_LIMITS = SandboxLimits(
    wall_time_s=300.0,
    cpu_time_s=300,
    memory_bytes=2 << 30,
    max_output_bytes=4 << 20,
    max_processes=128,
)


@dataclass(frozen=True)
class ValidationConfig:
    test_limits: SandboxLimits = TEST_LIMITS
    typecheck: bool = True
    typecheck_limits: SandboxLimits = TYPECHECK_LIMITS
    typescript: TypeScriptTools | None = None
    mypy_cache_dir: Path | None = None
    heartbeat_every_s: float = 5.0

    @classmethod
    def discover(
        cls,
        *,
        data_dir: Path | None = None,
        cache_root: Path | None = None,
        typescript_search: Sequence[str | Path] | None = None,
    ) -> ValidationConfig:
        """Tools found on this machine.

        TypeScript in the first of `typescript_search` (folders holding a node_modules) that
        has it, else `tsc` on PATH; the search defaults to `typescript_places(data_dir)`:
        `<data_dir>/node`, `./.ci/node`, `.`. mypy's cache goes under `cache_root`, by
        default `<data_dir>/cache`.
        """
        if cache_root is None and data_dir is not None:
            cache_root = data_dir / "cache"
        search = typescript_places(data_dir) if typescript_search is None else typescript_search
        return cls(
            typescript=find_typescript(search),
            mypy_cache_dir=(cache_root / "mypy") if cache_root is not None else None,
        )


# ---- the plan as files ---------------------------------------------------------------------


@dataclass
class _Atom:
    id: uuid.UUID
    task_id: uuid.UUID
    path: str
    ordinal: int
    name: str | None
    code: str
    spec_code: str
    context: dict[str, Any]


@dataclass
class _File:
    path: str
    language: str
    task: Task
    atoms: list[_Atom]
    text: str = ""
    spans: list[AtomLines] = field(default_factory=list)
    byte_spans: list[tuple[int, int]] = field(default_factory=list)

    def assemble(self) -> None:
        chunks = []
        line = 1
        offset = 0
        for atom in self.atoms:
            code = atom.code
            lines = code.count("\n")
            end_line = line + max(0, lines - (1 if code.endswith("\n") else 0))
            self.spans.append(AtomLines(str(atom.id), line, end_line, atom.name))
            size = len(code.encode("utf-8"))
            self.byte_spans.append((offset, offset + size))
            offset += size
            line += lines
            chunks.append(code)
        self.text = "".join(chunks)

    def atom_for_line(self, line: int | None) -> _Atom | None:
        found = level2.atom_at(self.spans, line)
        return next((a for a in self.atoms if str(a.id) == found), None) if found else None


@dataclass
class _Plan:
    id: uuid.UUID
    plan: MasterPlan
    files: dict[str, _File]
    milestones: dict[uuid.UUID, str]
    tests: dict[str, str]  # test file path -> text
    test_language: dict[str, str]

    def file_of_task(self, task_id: uuid.UUID) -> _File | None:
        return next((f for f in self.files.values() if f.task.id == task_id), None)

    def atom_id_at(self, path: str | None, line: int | None) -> str | None:
        file = self.files.get(path or "")
        return level2.atom_at(file.spans, line) if file is not None else None


async def _load(session: AsyncSession, plan_id: uuid.UUID) -> _Plan:
    plan = await plan_repo.get_plan(session, plan_id)
    tasks = list(await session.scalars(select(Task).where(Task.masterplan_id == plan_id)))
    milestones = {
        m.id: m.name
        for m in await session.scalars(select(Milestone).where(Milestone.masterplan_id == plan_id))
    }
    rows = await session.execute(
        select(
            AtomicUnit.id,
            AtomicUnit.task_id,
            AtomicUnit.file_path,
            AtomicUnit.ordinal,
            AtomicUnit.name,
            AtomicUnit.status,
            AtomicUnit.generated_code,
            AtomicUnit.spec_code,
            AtomicUnit.context,
        )
        .where(AtomicUnit.masterplan_id == plan_id)
        .order_by(AtomicUnit.file_path, AtomicUnit.ordinal)
    )
    by_task: dict[uuid.UUID, list[_Atom]] = {}
    for atom_id, task_id, path, ordinal, name, status, generated, spec, context in rows.all():
        by_task.setdefault(task_id, []).append(
            _Atom(
                atom_id,
                task_id,
                path,
                ordinal,
                name,
                shipped_code(status, generated, spec),  # what the output will hold
                spec,
                context or {},
            )
        )
    files: dict[str, _File] = {}
    tests: dict[str, str] = {}
    test_language: dict[str, str] = {}
    for task in sorted(tasks, key=lambda t: t.ordinal):
        atoms = by_task.get(task.id, [])
        if atoms:
            file = _File(task.file_path, task.language, task, atoms)
            file.assemble()
            files[task.file_path] = file
        if task.tests:
            path = task.test_file or default_test_path(task.key, task.language)
            tests.setdefault(path, task.tests)
            test_language.setdefault(path, task.language)
    return _Plan(plan_id, plan, files, milestones, tests, test_language)


def _atomization(plan: MasterPlan) -> AtomizationConfig:
    settings = plan.atomization_config or {}
    try:
        return AtomizationConfig(
            **{
                k: int(v)
                for k, v in settings.items()
                if k in ("target_loc", "max_loc", "max_complexity")
            }
        )
    except (TypeError, ValueError):
        return AtomizationConfig()


# ---- the activities ------------------------------------------------------------------------


class ValidationActivities:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], config: ValidationConfig | None = None
    ) -> None:
        self._sessions = sessions
        self._config = config or ValidationConfig()

    async def _plan(self, ref: PlanRef) -> _Plan:
        plan_id = plan_repo.parse_id(ref.masterplan_id)
        async with self._sessions() as session:
            return await _load(session, plan_id)

    @activity.defn(name=vc.VALIDATE_ATOMS)
    @permanent_errors_fail_fast
    async def validate_atoms(self, ref: PlanRef) -> vc.ValidationSummary:
        data = await self._plan(ref)
        config = _atomization(data.plan)
        # The type checker is a process of its own: it runs while this one checks the atoms.
        typecheck = (
            asyncio.ensure_future(self._typecheck_files(data)) if self._config.typecheck else None
        )
        results: list[tuple[_File, CheckResult]] = []
        try:
            for file in data.files.values():
                spans = [
                    level1.AtomSpan(str(a.id), start, end, a.context)
                    for a, (start, end) in zip(file.atoms, file.byte_spans, strict=True)
                ]
                checked = await asyncio.to_thread(
                    level1.check_file_atoms,
                    file.text,
                    file.path,
                    file.language,
                    spans,
                    config=config,
                )
                for atom_results in checked.values():
                    results.extend((file, r) for r in atom_results)
                _heartbeat(f"level 1: {file.path}")
            if typecheck is not None:
                results.extend(await typecheck)
        finally:
            if typecheck is not None and not typecheck.done():
                typecheck.cancel()
        rows = [
            rows_repo.row_of(
                r, atom_id=uuid.UUID(r.atom_id) if r.atom_id else None, task_id=file.task.id
            )
            for file, r in results
        ]
        async with self._sessions.begin() as session:
            await rows_repo.replace_level(session, data.id, 1, rows, keep_attempts=True)
        return _summary(1, [r for _, r in results])

    @activity.defn(name=vc.VALIDATE_TASKS)
    @permanent_errors_fail_fast
    async def validate_tasks(self, ref: PlanRef) -> vc.ValidationSummary:
        data = await self._plan(ref)
        results: list[tuple[_File, CheckResult]] = []
        for file in data.files.values():
            task = file.task
            spec = (
                task.skeleton or task.generated_skeleton or "".join(a.spec_code for a in file.atoms)
            )
            checked = await asyncio.to_thread(
                level2.check_task_file,
                file.text,
                file.path,
                file.language,
                spec=spec,
                atoms=file.spans,
                scope=task.key,
            )
            results.extend((file, r) for r in checked)
        rows = [rows_repo.row_of(r, task_id=file.task.id) for file, r in results]
        async with self._sessions.begin() as session:
            await rows_repo.replace_level(session, data.id, 2, rows)
        return _summary(2, [r for _, r in results])

    @activity.defn(name=vc.VALIDATE_MILESTONES)
    @permanent_errors_fail_fast
    async def validate_milestones(self, ref: PlanRef) -> vc.ValidationSummary:
        data = await self._plan(ref)
        project = await asyncio.to_thread(
            level3.Project,
            [level3.ProjectFile(f.path, f.text, f.language) for f in data.files.values()],
        )
        by_milestone: dict[uuid.UUID, list[str]] = {}
        for file in data.files.values():
            by_milestone.setdefault(file.task.milestone_id, []).append(file.path)
        rows = []
        results: list[CheckResult] = []
        for milestone_id, paths in by_milestone.items():
            name = data.milestones.get(milestone_id, str(milestone_id))
            checked = await asyncio.to_thread(level3.check_milestone, project, paths, scope=name)
            for result in checked:
                result = _attributed(result, data)
                results.append(result)
                rows.append(rows_repo.row_of(result, milestone_id=milestone_id))
        async with self._sessions.begin() as session:
            await rows_repo.replace_level(session, data.id, 3, rows)
        return _summary(3, results)

    @activity.defn(name=vc.VALIDATE_MASTERPLAN)
    @permanent_errors_fail_fast
    async def validate_masterplan(self, ref: PlanRef) -> vc.ValidationSummary:
        data = await self._plan(ref)
        results: list[CheckResult] = []
        blames: list[Blame] = []
        python = {p: f for p, f in data.files.items() if f.language == "python"}
        ecma = {p: f for p, f in data.files.items() if f.language != "python"}
        if python or any(lang == "python" for lang in data.test_language.values()):
            checked, found = await self._heartbeating(
                asyncio.to_thread(_run_python_tests, data, self._config)
            )
            results.extend(checked)
            blames.extend(found)
        if ecma or any(lang != "python" for lang in data.test_language.values()):
            checked, found = await self._heartbeating(
                asyncio.to_thread(_run_node_tests, data, self._config)
            )
            results.extend(checked)
            blames.extend(found)
        if not results:
            results.append(not_run(4, TESTS, "the plan has no files"))
        rows = [rows_repo.row_of(r) for r in results]
        by_atom: dict[str, list[Blame]] = {}
        for blame in blames:
            by_atom.setdefault(blame.atom_id, []).append(blame)
        for atom_id, found in by_atom.items():
            file = data.files.get(found[0].path)
            rows.append(
                rows_repo.row_of(
                    _blame_result(atom_id, found),
                    atom_id=uuid.UUID(atom_id),
                    task_id=file.task.id if file is not None else None,
                )
            )
        async with self._sessions.begin() as session:
            await rows_repo.replace_level(session, data.id, 4, rows)
        summary = _summary(4, results)
        return vc.ValidationSummary(
            level=4,
            checks=summary.checks,
            passed=summary.passed,
            failed=summary.failed,
            not_run=summary.not_run,
            atoms_flagged=len(by_atom),
            notes=summary.notes,
        )

    async def _heartbeating(self, work: Awaitable[T]) -> T:
        task = asyncio.ensure_future(work)
        while True:
            done, _ = await asyncio.wait({task}, timeout=self._config.heartbeat_every_s)
            if done:
                return task.result()
            _heartbeat("running tests")

    async def _typecheck_files(self, data: _Plan) -> list[tuple[_File, CheckResult]]:
        """One checker run per language over all files; errors become per-atom results."""
        out: list[tuple[_File, CheckResult]] = []
        groups: dict[str, list[_File]] = {}
        for file in data.files.values():
            kind = (
                "python"
                if file.language == "python"
                else "typescript"
                if file.language in ("typescript", "tsx")
                else "javascript"
            )
            groups.setdefault(kind, []).append(file)
        sources = {f.path: f.text for f in data.files.values()}
        for kind, files in groups.items():
            if kind == "javascript":
                for file in files:
                    out += [
                        (
                            file,
                            not_run(
                                1,
                                level1.TYPES,
                                "JavaScript has no type checker",
                                path=file.path,
                                atom_id=str(a.id),
                            ),
                        )
                        for a in file.atoms
                    ]
                continue
            targets = [f.path for f in files]
            run = await self._heartbeating(asyncio.to_thread(self._checker(kind), sources, targets))
            for file in files:
                out += [(file, r) for r in types_results(run, file)]
        return out

    def _checker(self, kind: str) -> Callable[[Mapping[str, str], Sequence[str]], TypecheckRun]:
        config = self._config
        if kind == "python":
            return lambda files, targets: run_mypy(
                files, targets, cache_dir=config.mypy_cache_dir, limits=config.typecheck_limits
            )
        return lambda files, targets: run_tsc(
            files, targets, config.typescript, limits=config.typecheck_limits
        )


def _heartbeat(detail: str) -> None:
    if activity.in_activity():
        activity.heartbeat(detail)


def types_results(run: TypecheckRun, file: _File) -> list[CheckResult]:
    """The checker's errors on one file as a level-1 `atom.types` result per atom."""
    if not run.ran:
        return [
            not_run(
                1,
                level1.TYPES,
                run.reason or f"{run.checker} did not run",
                path=file.path,
                atom_id=str(a.id),
            )
            for a in file.atoms
        ]
    errors = run.errors_in(file.path)
    out = []
    for atom, span in zip(file.atoms, file.spans, strict=True):
        mine = [
            Violation(
                level1.TYPES,
                f"{d.message}" + (f" [{d.code}]" if d.code else ""),
                d.line - span.start_line + 1,
                column=d.column,
            )
            for d in errors
            if span.start_line <= d.line <= span.end_line
        ]
        result = judged(1, level1.TYPES, mine, path=file.path, atom_id=str(atom.id))
        out.append(result)
    return out


def _attributed(result: CheckResult, data: _Plan) -> CheckResult:
    def fix(v: Violation) -> Violation:
        return Violation(
            v.check,
            v.message,
            v.line,
            v.severity,
            v.column,
            v.path,
            data.atom_id_at(v.path, v.line),
        )

    return CheckResult(
        level=result.level,
        check_name=result.check_name,
        outcome=result.outcome,
        score=result.score,
        violations=tuple(fix(v) for v in result.violations),
        warnings=tuple(fix(v) for v in result.warnings),
        reason=result.reason,
        duration_ms=result.duration_ms,
        path=result.path,
        scope=result.scope,
    )


def _blame_result(atom_id: str, blames: list[Blame]) -> CheckResult:
    violations = tuple(
        Violation(ATOM_TESTS, b.describe(), b.line, path=b.path, atom_id=atom_id) for b in blames
    )
    return CheckResult(
        level=4,
        check_name=ATOM_TESTS,
        outcome=ValidationOutcome.FAILED,
        score=0.0,
        violations=violations,
        reason=blames[0].describe()[:1000],
        atom_id=atom_id,
    )


def _summary(level: int, results: Sequence[CheckResult]) -> vc.ValidationSummary:
    failed = [r for r in results if r.failed]
    skipped = [r for r in results if r.not_run]
    notes: list[str] = []
    for r in failed[:3]:
        first = r.violations[0].describe() if r.violations else (r.reason or "")
        notes.append(f"{r.check_name} failed: {first}"[:300])
    for reason in dict.fromkeys(r.reason or "" for r in skipped):
        if len(notes) >= 6:
            break
        notes.append(f"not run: {reason}"[:300])
    return vc.ValidationSummary(
        level=level,
        checks=len(results),
        passed=sum(1 for r in results if r.passed),
        failed=len(failed),
        not_run=len(skipped),
        atoms_flagged=len({r.atom_id for r in failed if r.atom_id}),
        notes=notes,
    )


# ---- level 4: running the tests ------------------------------------------------------------

_COUNTS = re.compile(r"(\d+) (passed|failed|errors?|skipped|xfailed|xpassed)")


def _write_project(root: Path, files: Mapping[str, str]) -> None:
    for path, text in files.items():
        target = (root / path).resolve()
        if root.resolve() not in target.parents:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def _python_tests(data: _Plan) -> list[str]:
    return sorted(
        p for p, lang in data.test_language.items() if lang == "python" or p.endswith(".py")
    )


def _run_python_tests(
    data: _Plan, config: ValidationConfig
) -> tuple[list[CheckResult], list[Blame]]:
    tests = _python_tests(data)
    if not tests:
        return [not_run(4, TESTS, "the plan has no Python tests", scope="python")], []
    if importlib.util.find_spec("pytest") is None:
        return [not_run(4, TESTS, "pytest is not installed", scope="python")], []
    sources = {p: f.text for p, f in data.files.items()}
    return run_pytest_project(
        sources, {p: data.tests[p] for p in tests}, _atom_lines(data), config.test_limits
    )


def _atom_lines(data: _Plan) -> dict[str, list[AtomLines]]:
    return {p: f.spans for p, f in data.files.items()}


def run_pytest_project(
    sources: Mapping[str, str],
    tests: Mapping[str, str],
    atoms: Mapping[str, Sequence[AtomLines]],
    limits: SandboxLimits,
) -> tuple[list[CheckResult], list[Blame]]:
    """pytest on a project written to a sandbox work dir; a result and the blamed atoms."""
    started = time.monotonic()
    with sandbox_workdir("tests-") as work:
        _write_project(work, {**sources, **tests})
        paths = [str(work)] + ([str(work / "src")] if (work / "src").is_dir() else [])
        argv = [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--tb=native",
            "-rfE",
            "--color=no",
            "--rootdir",
            str(work),
            *sorted(tests),
        ]
        result = run_sandboxed(argv, work, limits, env={"PYTHONPATH": os.pathsep.join(paths)})
        root = str(work)
    failures = parse_pytest(result.stdout, [root])
    counts = _counts(result.stdout)
    elapsed = (time.monotonic() - started) * 1e3
    blames = map_failures(failures, atoms, {**sources, **tests}, tests)
    check = outcome_of_test_run(result, failures, counts, elapsed, "python", no_tests_code=5)
    return [check], blames if check.failed else []


def _counts(output: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    tail = "\n".join(output.splitlines()[-5:])
    for number, kind in _COUNTS.findall(tail):
        counts[kind.rstrip("s") if kind.startswith("error") else kind] = int(number)
    return counts


def outcome_of_test_run(
    result: SandboxResult,
    failures: list[TestFailure],
    counts: Mapping[str, int],
    elapsed_ms: float,
    scope: str,
    *,
    no_tests_code: int | None = None,
) -> CheckResult:
    violations = tuple(
        Violation(
            TESTS,
            f"{f.test}: {f.message}"[:1000],
            f.frames[-1].line if f.frames else None,
            path=f.frames[-1].path if f.frames else f.test_file,
        )
        for f in failures[:200]
    )
    passed = counts.get("passed", 0)
    total = passed + counts.get("failed", 0) + counts.get("error", 0)
    score = round(passed / total, 4) if total else 0.0
    details = {"counts": dict(counts), "isolation": result.isolation, "gaps": list(result.gaps)}
    # A run in the weaker fallback sandbox says so on its stored row, not only in the logs.
    warnings = (
        (
            Violation(
                TESTS,
                f"tests ran with isolation '{result.isolation}', without: "
                + ", ".join(result.gaps),
                severity="warning",
            ),
        )
        if result.gaps
        else ()
    )
    if result.killed_reason:
        return CheckResult(
            4,
            TESTS,
            ValidationOutcome.FAILED,
            score,
            violations,
            warnings,
            f"stopped by the sandbox: {result.reason}",
            elapsed_ms,
            scope=scope,
            details=details,
        )
    if no_tests_code is not None and result.exit_code == no_tests_code:
        return CheckResult(
            4,
            TESTS,
            ValidationOutcome.NOT_RUN,
            None,
            (),
            (),
            "the test runner collected no tests",
            elapsed_ms,
            scope=scope,
        )
    if result.exit_code == 0 and not failures:
        return CheckResult(
            4,
            TESTS,
            ValidationOutcome.PASSED,
            1.0,
            (),
            warnings,
            None,
            elapsed_ms,
            scope=scope,
            details=details,
        )
    reason = result.reason or "tests failed"
    if not failures:
        tail = (result.stdout + result.stderr).strip()[-600:]
        reason = f"{reason}: {tail}"
    return CheckResult(
        4,
        TESTS,
        ValidationOutcome.FAILED,
        score,
        violations,
        warnings,
        reason,
        elapsed_ms,
        scope=scope,
        details=details,
    )


def _run_node_tests(data: _Plan, config: ValidationConfig) -> tuple[list[CheckResult], list[Blame]]:
    tests = {p: t for p, t in data.tests.items() if not p.endswith(".py")}
    if not tests:
        return [not_run(4, TESTS, "the plan has no JavaScript/TypeScript tests", scope="node")], []
    sources = {p: f.text for p, f in data.files.items() if f.language != "python"}
    return run_node_project(
        sources, tests, _atom_lines(data), config.test_limits, config.typescript
    )


def run_node_project(
    sources: Mapping[str, str],
    tests: Mapping[str, str],
    atoms: Mapping[str, Sequence[AtomLines]],
    limits: SandboxLimits,
    typescript: TypeScriptTools | None,
) -> tuple[list[CheckResult], list[Blame]]:
    """TypeScript compiled with tsc (source maps on) then `node --test`; JavaScript run as is."""
    node = shutil.which("node")
    if node is None:
        return [not_run(4, TESTS, "node is not installed", scope="node")], []
    typed = any(p.endswith((".ts", ".tsx", ".mts", ".cts")) for p in [*sources, *tests])
    if typed and typescript is None:
        return [not_run(4, TESTS, "typescript is not installed", scope="node")], []
    started = time.monotonic()
    all_files = {**sources, **tests}
    with sandbox_workdir("tests-") as work:
        _write_project(work, all_files)
        readonly = [os.path.dirname(os.path.realpath(node))]
        test_paths = sorted(tests)
        if typed:
            assert typescript is not None
            readonly += tsc_readonly(typescript, node)
            compiled = run_sandboxed(
                [
                    node,
                    typescript.tsc_js,
                    *tsc_options(typescript),
                    "--sourceMap",
                    "--outDir",
                    "out",
                    "--rootDir",
                    ".",
                    *sorted(all_files),
                ],
                work,
                limits,
                readonly=readonly,
            )
            diagnostics = [d for d in parse_tsc(compiled.stdout) if d.severity == "error"]
            if compiled.killed_reason or diagnostics:
                return _compile_failure(compiled, diagnostics, atoms, started)
            test_paths = [re.sub(r"\.(m|c)?tsx?$", ".js", f"out/{p}") for p in test_paths]
        result = run_sandboxed(
            [node, "--enable-source-maps", "--test", "--test-reporter=tap", *test_paths],
            work,
            limits,
            readonly=readonly,
        )
        root = str(work)
    failures = parse_node_tap(result.stdout, [root])
    failures = [_from_out(f) for f in failures]
    counts = _tap_counts(result.stdout)
    blames = map_failures(failures, atoms, all_files, tests)
    check = outcome_of_test_run(
        result, failures, counts, (time.monotonic() - started) * 1e3, "node"
    )
    return [check], blames if check.failed else []


def _from_out(failure: TestFailure) -> TestFailure:
    """Frames in compiled output that source maps did not translate: name the source file."""
    frames = tuple(
        f if not f.path.startswith("out/") else type(f)(f.path, f.line) for f in failure.frames
    )
    test_file = failure.test_file
    if test_file and test_file.startswith("out/"):
        test_file = re.sub(r"\.js$", ".ts", test_file[4:])
    return TestFailure(failure.test, failure.message, frames, test_file, failure.detail)


def _tap_counts(output: str) -> dict[str, int]:
    counts = {}
    for kind in ("pass", "fail"):
        match = re.search(rf"^# {kind} (\d+)", output, re.M)
        if match:
            counts["passed" if kind == "pass" else "failed"] = int(match.group(1))
    return counts


def _compile_failure(
    compiled: SandboxResult,
    diagnostics: list[Diagnostic],
    atoms: Mapping[str, Sequence[AtomLines]],
    started: float,
) -> tuple[list[CheckResult], list[Blame]]:
    violations = tuple(
        Violation(COMPILE, f"{d.code}: {d.message}", d.line, path=d.path) for d in diagnostics[:200]
    )
    reason = compiled.reason if compiled.killed_reason else f"{len(diagnostics)} compile error(s)"
    check = CheckResult(
        4,
        TESTS,
        ValidationOutcome.FAILED,
        0.0,
        violations,
        (),
        f"TypeScript does not compile: {reason}",
        (time.monotonic() - started) * 1e3,
        scope="node",
    )
    blames = []
    for d in diagnostics:
        atom = level2.atom_at(atoms.get(d.path, ()), d.line)
        if atom is not None:
            blames.append(
                Blame(atom, d.path, d.line, "tsc", f"{d.code}: {d.message}", "compile error")
            )
    return [check], blames


# ---- feedback and helpers for generation ---------------------------------------------------


async def typecheck_atom(
    sessions: async_sessionmaker[AsyncSession],
    atom_id: uuid.UUID | str,
    code: str,
    config: ValidationConfig,
) -> CheckResult:
    """Type check one generated atom in its file, the rest of the project around it as it
    is now (generated code, else spec). Lines count from the atom's first line."""
    key = atom_id if isinstance(atom_id, uuid.UUID) else uuid.UUID(str(atom_id))
    async with sessions() as session:
        atom = await session.get(AtomicUnit, key)
        if atom is None:
            return not_run(1, level1.TYPES, f"atom {atom_id} not found")
        data = await _load(session, atom.masterplan_id)
    file = data.files.get(atom.file_path)
    if file is None:
        return not_run(1, level1.TYPES, "the atom's file is not part of the plan")
    for piece in file.atoms:
        if piece.id == key:
            piece.code = code
    file.spans, file.byte_spans = [], []
    file.assemble()
    if file.language == "javascript":
        return not_run(1, level1.TYPES, "JavaScript has no type checker", path=file.path)
    sources = {p: f.text for p, f in data.files.items()}
    if file.language == "python":
        run = await asyncio.to_thread(
            run_mypy,
            sources,
            [file.path],
            cache_dir=config.mypy_cache_dir,
            limits=config.typecheck_limits,
        )
    else:
        run = await asyncio.to_thread(
            run_tsc, sources, [file.path], config.typescript, limits=config.typecheck_limits
        )
    results = types_results(run, file)
    return next(
        (r for r in results if r.atom_id == str(key)),
        not_run(1, level1.TYPES, "atom not found in its file"),
    )


async def record_level1(
    sessions: async_sessionmaker[AsyncSession],
    masterplan_id: uuid.UUID,
    atom_id: uuid.UUID,
    task_id: uuid.UUID | None,
    attempt: int,
    results: Sequence[CheckResult],
) -> None:
    """Store one generation attempt's level-1 results (generate_atom calls this)."""
    rows = [rows_repo.row_of(r, task_id=task_id) for r in results]
    async with sessions.begin() as session:
        await rows_repo.record_atom_attempt(session, masterplan_id, atom_id, attempt, rows)


async def run_validation(
    sessions: async_sessionmaker[AsyncSession],
    config: ValidationConfig,
    masterplan_id: str,
    levels: Sequence[int] = (1, 2, 3, 4),
) -> list[vc.ValidationSummary]:
    """Rerun validation outside Temporal (the `mge validate` command)."""
    activities = ValidationActivities(sessions, config)
    methods: dict[int, Callable[[PlanRef], Awaitable[vc.ValidationSummary]]] = {
        1: activities.validate_atoms,
        2: activities.validate_tasks,
        3: activities.validate_milestones,
        4: activities.validate_masterplan,
    }
    ref = PlanRef(masterplan_id)
    summaries = []
    for level in levels:
        try:
            summaries.append(await methods[level](ref))
        except ApplicationError as err:
            # Outside Temporal, callers map our own errors (unknown plan: exit 2 / HTTP 404).
            if isinstance(err.__cause__, MgeError):
                raise err.__cause__ from None
            raise
    return summaries
