"""Each way generated code can try to escape or exhaust the worker is stopped by the
sandbox, recorded as a failure with its reason, and leaves the worker healthy.

Run under bubblewrap when it is usable, and under the documented fallback; where the
fallback cannot contain something on this machine, the test checks that the result says so
(`gaps`) instead of pretending.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from activities.sandbox import (
    BUBBLEWRAP,
    FALLBACK,
    SandboxLimits,
    SandboxResult,
    bubblewrap_usable,
    plan_command,
    run_sandboxed,
    sandbox_workdir,
)

LIMITS = SandboxLimits(
    wall_time_s=6.0,
    cpu_time_s=2,
    memory_bytes=256 << 20,
    max_output_bytes=1 << 20,
    max_file_bytes=8 << 20,
    max_processes=32,
)
MODES = [
    pytest.param(
        BUBBLEWRAP,
        marks=pytest.mark.skipif(not bubblewrap_usable(), reason="bubblewrap is not usable here"),
    ),
    FALLBACK,
]


@pytest.fixture
def workdir() -> Iterator[Path]:
    with sandbox_workdir("test-") as path:
        yield path


def run(code: str, workdir: Path, mode: str, limits: SandboxLimits = LIMITS) -> SandboxResult:
    return run_sandboxed([sys.executable, "-c", code], workdir, limits, isolation=mode)


def children_of_this_process() -> list[int]:
    mine = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat", encoding="utf-8") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == os.getpid():
                mine.append(int(entry.name))
    return mine


_children_before: set[int] = set()


@pytest.fixture(autouse=True)
def _remember_children() -> None:
    # The session's PostgreSQL and Temporal servers are children of this process too; only
    # what a test leaves behind counts.
    _children_before.clear()
    _children_before.update(children_of_this_process())


def assert_healthy(workdir: Path, mode: str) -> None:
    """The worker can still run code in the sandbox, and nothing of the last run lives on."""
    again = run("print('still fine')", workdir, mode)
    assert again.ok, again.describe() + again.stderr
    assert again.stdout.strip() == "still fine"
    assert set(children_of_this_process()) - _children_before == set()


@pytest.mark.parametrize("mode", MODES)
def test_a_normal_program_runs_and_its_files_stay_readable(workdir: Path, mode: str) -> None:
    result = run("open('out.txt', 'w').write('42'); print('done')", workdir, mode)
    assert result.ok and result.isolation == mode
    assert result.stdout == "done\n"
    assert (workdir / "out.txt").read_text() == "42"
    assert result.killed_reason is None and result.limits_hit == ()


@pytest.mark.parametrize("mode", MODES)
def test_an_endless_loop_is_stopped_by_the_cpu_limit(workdir: Path, mode: str) -> None:
    result = run("while True:\n    pass", workdir, mode)
    assert not result.ok
    assert result.limits_hit == ("cpu_time",)
    assert result.killed_reason is not None and "CPU-time limit" in result.killed_reason
    assert_healthy(workdir, mode)


@pytest.mark.parametrize("mode", MODES)
def test_a_program_that_never_returns_is_stopped_by_the_wall_time_limit(
    workdir: Path, mode: str
) -> None:
    result = run("import time\ntime.sleep(3600)", workdir, mode)
    assert result.timed_out and not result.ok
    assert "wall_time" in result.limits_hit
    assert result.killed_reason is not None and "wall-time limit" in result.killed_reason
    assert_healthy(workdir, mode)


FORK_BOMB = """
import os
while True:
    try:
        os.fork()
    except OSError:
        pass
"""


SHELL_FORK_BOMB = "while :; do sleep 30 & done"


@pytest.mark.parametrize("mode", MODES)
def test_a_fork_bomb_hits_the_process_limit_and_is_killed(workdir: Path, mode: str) -> None:
    argv = [sys.executable, "-c", FORK_BOMB]
    plan = plan_command(argv, workdir, LIMITS, isolation=mode)
    if plan.uid is None and os.geteuid() == 0:
        # Root without an unprivileged uid that can reach the interpreter (it lives in a
        # private home): the kernel bounds no processes of root, and the plan says so.
        # The same bomb in the shell, which every uid can run, shows the fallback's limit.
        assert any("process limit not enforced" in gap for gap in plan.gaps)
        argv = ["/bin/sh", "-c", SHELL_FORK_BOMB]
        if plan_command(argv, workdir, LIMITS, isolation=mode).uid is None:
            pytest.skip("the fallback cannot bound processes for root on this machine")
    result = run_sandboxed(argv, workdir, LIMITS, isolation=mode)
    assert not result.ok
    assert "processes" in result.limits_hit
    assert result.killed_reason is not None
    assert "process limit of 32" in result.killed_reason
    assert_healthy(workdir, mode)


@pytest.mark.parametrize("mode", MODES)
def test_unbounded_allocation_hits_the_memory_limit(workdir: Path, mode: str) -> None:
    result = run("chunks = []\nwhile True:\n    chunks.append(bytearray(10**7))", workdir, mode)
    assert not result.ok
    assert "memory" in result.limits_hit
    assert result.killed_reason is not None and "memory limit of 256 MiB" in result.killed_reason
    assert_healthy(workdir, mode)


@pytest.mark.parametrize("mode", MODES)
def test_writing_outside_the_work_dir_is_denied(workdir: Path, mode: str) -> None:
    # A directory outside the work dir that the worker itself may write.
    outside = workdir.parent / f"outside-{workdir.name}"
    outside.mkdir(mode=0o755)
    target = outside / "escaped.txt"
    plan = plan_command([sys.executable], workdir, LIMITS, isolation=mode)
    try:
        result = run(f"open({str(target)!r}, 'w').write('escaped')", workdir, mode)
        if mode == BUBBLEWRAP or plan.uid is not None:
            # Not mounted at all (bubblewrap), or not writable for the dropped uid.
            assert not target.exists(), "the file must not appear outside the work dir"
            assert not result.ok
            assert "filesystem" in result.denied
            assert "filesystem access denied" in result.reason
        else:
            # The fallback without a dropped uid writes with the worker's own rights, and
            # the result says that the file system was not isolated.
            assert any("file system not isolated" in gap for gap in result.gaps)
    finally:
        target.unlink(missing_ok=True)
        outside.rmdir()
    assert_healthy(workdir, mode)


@pytest.mark.parametrize("mode", MODES)
def test_opening_a_socket_finds_no_network(workdir: Path, mode: str) -> None:
    code = "import socket\nsocket.create_connection(('1.1.1.1', 80), timeout=3)\nprint('connected')"
    result = run(code, workdir, mode)
    if any("network not isolated" in gap for gap in result.gaps):
        pytest.skip("this machine allows no network namespace for the fallback")
    assert not result.ok
    assert "connected" not in result.stdout
    assert "network" in result.denied
    assert "network access denied" in result.reason
    assert_healthy(workdir, mode)


@pytest.mark.parametrize("mode", MODES)
def test_printing_gigabytes_is_cut_at_the_output_limit(workdir: Path, mode: str) -> None:
    code = "import sys\nblock = 'x' * 65536\nfor _ in range(2**15):\n    sys.stdout.write(block)"
    result = run(code, workdir, mode)
    assert not result.ok
    assert result.limits_hit == ("output",)
    assert result.output_truncated
    assert len(result.stdout) <= LIMITS.max_output_bytes
    assert result.killed_reason is not None and "output limit" in result.killed_reason
    assert_healthy(workdir, mode)


@pytest.mark.parametrize("mode", MODES)
def test_a_huge_file_hits_the_file_size_limit(workdir: Path, mode: str) -> None:
    code = "with open('big.bin', 'wb') as f:\n    while True:\n        f.write(b'x' * 2**20)"
    result = run(code, workdir, mode)
    assert not result.ok
    assert "file_size" in result.limits_hit
    assert (workdir / "big.bin").stat().st_size <= LIMITS.max_file_bytes
    assert_healthy(workdir, mode)


def test_the_environment_is_cleaned(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MGE_LLM__API_KEY", "sk-ant-not-for-generated-code")
    result = run("import os; print(sorted(os.environ))", workdir, "auto")
    assert result.ok
    assert "MGE_LLM__API_KEY" not in result.stdout
    assert "HOME" in result.stdout


def test_a_missing_program_is_a_failure_with_its_reason(workdir: Path) -> None:
    result = run_sandboxed(["no-such-program-mge"], workdir, LIMITS)
    assert not result.ok
    assert result.exit_code == 127
    assert "no-such-program-mge" in result.stderr
