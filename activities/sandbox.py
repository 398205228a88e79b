"""Run a command on generated code, contained.

Two isolation levels, the result always says which one ran:

bubblewrap (`bwrap` installed and usable)
    New PID, network, IPC and UTS namespaces: no network at all (not even the host's
    loopback), processes die with the sandbox. The file system is read-only system
    directories (/usr, the Python prefix, the tools' own directories) plus the work dir,
    the only writable place; /tmp, /home, the database, the project are not there at all.
    Inside, a launcher sets the resource limits and, when the worker runs as root, drops to
    a fresh unprivileged uid (so the process limit applies: the kernel does not enforce it
    for root), with no capabilities.

rlimits-fallback (no bubblewrap)
    The same resource limits, a new session, a cleaned environment, the work dir as the
    current directory; as root also the fresh uid (so writes outside the work dir fail
    where the file system's permissions say so) and, where user namespaces are allowed, an
    empty network namespace. Weaker: the file system is the host's, and a process that
    leaves its session is only found again by its uid. `SandboxResult.gaps` lists what was
    missing.

Limits in every case: wall time (the whole sandbox is killed), CPU time (RLIMIT_CPU), memory
(RLIMIT_DATA: what a process can allocate; address-space reservations that are never
touched, as V8 makes, do not count), output (stdout+stderr beyond the cap kill the run),
size of any file written (RLIMIT_FSIZE), open files, and processes (RLIMIT_NPROC).
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import IO, Any

BUBBLEWRAP = "bubblewrap"
FALLBACK = "rlimits-fallback"
_MARK = "MGE-SANDBOX:"
_UID_BASE = 1_600_000  # far above the uids of real accounts
_UID_SPAN = 400_000


@dataclass(frozen=True)
class SandboxLimits:
    wall_time_s: float = 120.0
    cpu_time_s: int = 120
    memory_bytes: int = 2 << 30
    max_output_bytes: int = 2 << 20
    max_file_bytes: int = 64 << 20
    max_processes: int = 64
    max_open_files: int = 512
    network: bool = False


@dataclass(frozen=True)
class SandboxResult:
    exit_code: int | None  # None when killed by a signal
    stdout: str
    stderr: str
    timed_out: bool
    killed_reason: str | None
    isolation: str
    duration_s: float
    signal: int | None = None
    output_truncated: bool = False
    limits_hit: tuple[
        str, ...
    ] = ()  # wall_time | cpu_time | memory | output | processes | file_size
    denied: tuple[str, ...] = ()  # network | filesystem: attempts the sandbox refused
    gaps: tuple[str, ...] = ()  # isolation this run did not have
    max_rss_kb: int = 0

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and self.killed_reason is None

    @property
    def reason(self) -> str:
        """Why the run failed, for a human: the limit that stopped it, the access it was
        refused, or its exit status."""
        parts = []
        if self.killed_reason:
            parts.append(self.killed_reason)
        parts.extend(f"{what} access denied by the sandbox" for what in self.denied)
        if not parts:
            if self.signal is not None:
                parts.append(f"killed by signal {signal.Signals(self.signal).name}")
            elif self.exit_code:
                parts.append(f"exit code {self.exit_code}")
        return "; ".join(parts)

    def describe(self) -> str:
        return f"[{self.isolation}] {self.reason or 'ok'}"


@dataclass(frozen=True)
class SandboxPlan:
    """How a command would be run (useful to show and to test)."""

    argv: tuple[str, ...]
    env: Mapping[str, str]
    isolation: str
    uid: int | None
    gaps: tuple[str, ...] = field(default_factory=tuple)
    workdir: str = ""


# ---- discovery -----------------------------------------------------------------------------


@cache
def bubblewrap_usable() -> bool:
    """bwrap is installed and may create the namespaces (containers sometimes forbid it)."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return False
    args = [bwrap, "--ro-bind", "/", "/", "--unshare-pid", "--unshare-net", "--die-with-parent"]
    if os.geteuid() != 0:
        args.append("--unshare-user")
    try:
        done = subprocess.run([*args, "--", "true"], capture_output=True, timeout=20, check=False)
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


@cache
def _sandbox_base() -> Path:
    """A directory whose sub-directories a dropped uid can reach (pytest's and many
    `mkdtemp` parents are 0700)."""
    base = Path(tempfile.gettempdir()) / f"mge-sandbox-{os.geteuid()}"
    base.mkdir(mode=0o711, exist_ok=True)
    info = os.lstat(base)
    if stat.S_ISLNK(info.st_mode) or info.st_uid != os.geteuid():
        # Someone else's (or a planted link): use a private directory instead.
        base = Path(tempfile.mkdtemp(prefix="mge-sandbox-"))
    base.chmod(0o711)
    return base


@contextlib.contextmanager
def sandbox_workdir(prefix: str = "run-") -> Iterator[Path]:
    """A fresh work dir for one sandboxed run, removed afterwards."""
    path = Path(tempfile.mkdtemp(prefix=prefix, dir=_sandbox_base()))
    path.chmod(0o755)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _runnable_by_others(program: str, path_env: str) -> bool:
    found = shutil.which(program, path=path_env)
    if found is None:
        return False
    for candidate in {found, os.path.realpath(found)}:
        if not _traversable(Path(candidate)) or not os.stat(candidate).st_mode & 0o001:
            return False
    return True


def _traversable(path: Path) -> bool:
    for parent in Path(os.path.realpath(path)).parents:
        try:
            mode = parent.stat().st_mode
        except OSError:
            return False
        if not mode & 0o001:
            return False
    return True


# ---- launching -----------------------------------------------------------------------------

# Runs inside the sandbox (or, in the fallback, in the child): limits, identity, then the
# command itself. Python's `-I -S` keeps it independent of the environment and site.
_LAUNCHER = r"""
import ctypes, json, os, resource, sys
spec = json.loads(sys.argv[1])
for name, soft, hard in spec["rlimits"]:
    try:
        resource.setrlimit(getattr(resource, name), (soft, hard))
    except (ValueError, OSError) as err:
        sys.stderr.write("MGE-SANDBOX: rlimit %s not set: %s\n" % (name, err))
if spec.get("uid") is not None:
    os.setgroups([])
    os.setgid(spec["uid"])
    os.setuid(spec["uid"])
if spec.get("unshare_net"):
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        flags = 0x10000000 | 0x40000000  # CLONE_NEWUSER | CLONE_NEWNET
        if libc.unshare(flags) != 0:
            raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))
        sys.stderr.write("MGE-SANDBOX: network isolated\n")
    except OSError as err:
        sys.stderr.write("MGE-SANDBOX: network not isolated: %s\n" % err)
sys.stderr.flush()
os.chdir(spec["cwd"])
try:
    os.execvpe(spec["argv"][0], spec["argv"], spec["env"])
except OSError as err:
    sys.stderr.write("MGE-SANDBOX: cannot run %s: %s\n" % (spec["argv"][0], err))
    os._exit(127)
"""


def _fresh_uid() -> int:
    """A uid no account and no running process has: the process limit counts per uid."""
    taken = _running_uids()
    while True:
        uid = _UID_BASE + secrets.randbelow(_UID_SPAN)
        if uid in taken:
            continue
        try:
            pwd.getpwuid(uid)
        except KeyError:
            return uid


def _running_uids() -> set[int]:
    uids = set()
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                uids.add(os.stat(entry.path).st_uid)
    return uids


def _processes_of(uid: int) -> list[int]:
    pids = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if os.stat(entry.path).st_uid == uid:
                    pids.append(int(entry.name))
    return pids


def _kill_uid(uid: int) -> None:
    """Kill every process of a sandbox uid (twice: a fork bomb refills between sweeps)."""
    for _ in range(5):
        pids = _processes_of(uid)
        if not pids:
            return
        for pid in pids:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.02)


def _chown_tree(path: Path, uid: int) -> None:
    os.chown(path, uid, uid)
    for root, dirs, files in os.walk(path):
        for name in dirs + files:
            with contextlib.suppress(OSError):
                os.chown(os.path.join(root, name), uid, uid, follow_symlinks=False)


def _system_binds() -> list[str]:
    """Read-only system directories; merged-/usr symlinks recreated as symlinks."""
    # Directories bwrap creates for mount points are 0700: a dropped uid could not cross them.
    args: list[str] = ["--perms", "0755", "--dir", "/etc"]
    for name in ("/usr", "/etc/alternatives", "/etc/ssl", "/etc/ld.so.cache", "/etc/localtime"):
        if os.path.exists(name):
            args += ["--ro-bind", name, name]
    for name in ("/bin", "/sbin", "/lib", "/lib64", "/lib32"):
        if os.path.islink(name):
            args += ["--symlink", os.readlink(name), name]
        elif os.path.isdir(name):
            args += ["--ro-bind", name, name]
    return args


def _tool_dirs(extra: Sequence[str]) -> list[str]:
    """Directories the command needs to read: Python's prefixes and the given ones."""
    wanted = {
        sys.prefix,
        sys.base_prefix,
        sys.exec_prefix,
        os.path.dirname(os.path.realpath(sys.executable)),
    }
    wanted.update(os.path.realpath(p) for p in extra)
    wanted.update(extra)
    dirs = sorted(
        p for p in wanted if p and os.path.exists(p) and not p.startswith(("/usr/", "/etc/"))
    )
    out: list[str] = []
    for path in dirs:
        if not any(path == o or path.startswith(o.rstrip("/") + "/") for o in out):
            out.append(path)
    return out


def _parents(path: str) -> list[str]:
    parts = Path(path).parts
    return ["/" + "/".join(parts[1:i]) for i in range(2, len(parts))]


def _clean_env(
    workdir: Path, extra: Mapping[str, str] | None, tool_dirs: Sequence[str]
) -> dict[str, str]:
    bins = [os.path.dirname(sys.executable)]
    bins += [d for d in tool_dirs if os.path.isdir(d) and d.endswith("/bin")]
    env = {
        "PATH": ":".join(dict.fromkeys([*bins, "/usr/local/bin", "/usr/bin", "/bin"])),
        "HOME": str(workdir),
        "TMPDIR": str(workdir / ".tmp"),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONUNBUFFERED": "1",
        "NO_COLOR": "1",
        "FORCE_COLOR": "0",
        "CI": "1",
    }
    if os.environ.get("VIRTUAL_ENV"):
        env["VIRTUAL_ENV"] = os.environ["VIRTUAL_ENV"]
    env.update(extra or {})
    return env


def _rlimits(limits: SandboxLimits, nproc: int | None) -> list[tuple[str, int, int]]:
    cpu = max(1, int(limits.cpu_time_s))
    out = [
        # SIGXCPU at the soft limit says why; SIGKILL at the hard one makes sure.
        ("RLIMIT_CPU", cpu, cpu + 2),
        ("RLIMIT_DATA", int(limits.memory_bytes), int(limits.memory_bytes)),
        ("RLIMIT_FSIZE", int(limits.max_file_bytes), int(limits.max_file_bytes)),
        ("RLIMIT_NOFILE", int(limits.max_open_files), int(limits.max_open_files)),
        ("RLIMIT_CORE", 0, 0),
    ]
    if nproc is not None:
        out.append(("RLIMIT_NPROC", nproc, nproc))
    return out


def plan_command(
    argv: Sequence[str],
    workdir: Path,
    limits: SandboxLimits,
    *,
    env: Mapping[str, str] | None = None,
    readonly: Sequence[str] = (),
    writable: Sequence[str] = (),
    isolation: str = "auto",
    drop_privileges: bool = True,
) -> SandboxPlan:
    """Decide how to run `argv` (no side effects but choosing a uid)."""
    workdir = workdir.resolve()
    use_bwrap = isolation == BUBBLEWRAP or (isolation == "auto" and bubblewrap_usable())
    root = os.geteuid() == 0
    gaps: list[str] = []
    tools = _tool_dirs(readonly)
    run_env = _clean_env(workdir, env, tools)
    uid: int | None = None
    nproc: int | None = None
    if root and drop_privileges:
        reachable = use_bwrap or (
            _traversable(workdir) and _runnable_by_others(argv[0], run_env["PATH"])
        )
        if reachable:
            uid = _fresh_uid()
            nproc = limits.max_processes
        else:
            gaps.append(
                "process limit not enforced: the work dir or the program is not reachable "
                "by an unprivileged uid"
            )
    elif root:
        gaps.append("process limit not enforced for root")
    else:
        nproc = len(_processes_of(os.geteuid())) + limits.max_processes
    spec: dict[str, object] = {
        "rlimits": _rlimits(limits, nproc),
        "uid": uid,
        "cwd": str(workdir),
        "argv": list(argv),
        "env": run_env,
        "unshare_net": not use_bwrap and not limits.network,
    }
    launcher = [sys.executable, "-I", "-S", "-c", _LAUNCHER, json.dumps(spec)]
    if not use_bwrap:
        gaps.append("file system not isolated (host file system with its permissions)")
        if not root:
            gaps.append("runs as the worker's own user")
        return SandboxPlan(tuple(launcher), {}, FALLBACK, uid, tuple(gaps), str(workdir))
    bwrap = shutil.which("bwrap") or "bwrap"
    args = [bwrap, "--die-with-parent", "--new-session", "--unshare-pid", "--unshare-ipc"]
    args += ["--unshare-uts", "--hostname", "mge-sandbox"]
    if not limits.network:
        args.append("--unshare-net")
    if root:
        if uid is not None:
            args += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    else:
        args += ["--unshare-user"]
    args += _system_binds()
    made: set[str] = set()
    mounts = [(p, "--ro-bind") for p in tools] + [(str(workdir), "--bind")]
    mounts += [(os.path.realpath(p), "--bind") for p in writable]
    for path, how in mounts:
        for parent in _parents(path):
            if parent not in made and not parent.startswith(("/usr", "/proc", "/dev")):
                made.add(parent)
                args += ["--perms", "0755", "--dir", parent]
        args += [how, path, path]
        made.add(path)
    args += ["--dev", "/dev", "--proc", "/proc", "--chdir", str(workdir), "--"]
    return SandboxPlan(tuple(args + launcher), {}, BUBBLEWRAP, uid, tuple(gaps), str(workdir))


# ---- running -------------------------------------------------------------------------------


class _Output:
    """Both pipes, read by threads; past the cap the run is stopped."""

    def __init__(self, cap: int, on_overflow: threading.Event) -> None:
        self.cap = cap
        self.total = 0
        self.lock = threading.Lock()
        self.chunks: dict[str, list[bytes]] = {"stdout": [], "stderr": []}
        self.kept: dict[str, int] = {"stdout": 0, "stderr": 0}
        self.overflow = on_overflow

    def read(self, name: str, stream: IO[bytes]) -> None:
        read = getattr(stream, "read1", None) or stream.read
        while True:
            try:
                chunk = read(65536)
            except (OSError, ValueError):
                return
            if not chunk:
                return
            with self.lock:
                self.total += len(chunk)
                room = self.cap - sum(self.kept.values())
                if room > 0:
                    piece = chunk[:room]
                    self.chunks[name].append(piece)
                    self.kept[name] += len(piece)
                if self.total > self.cap:
                    self.overflow.set()

    def text(self, name: str) -> str:
        data = b"".join(self.chunks[name])
        return data.decode("utf-8", "replace")


def run_sandboxed(
    argv: Sequence[str],
    workdir: Path | str,
    limits: SandboxLimits | None = None,
    *,
    env: Mapping[str, str] | None = None,
    readonly: Sequence[str] = (),
    writable: Sequence[str] = (),
    isolation: str = "auto",
    drop_privileges: bool = True,
) -> SandboxResult:
    """Run `argv` in `workdir` under the sandbox and the limits; never raises for anything
    the command does (a command that cannot start is an exit code 127 with the reason)."""
    limits = limits or SandboxLimits()
    work = Path(workdir).resolve()
    (work / ".tmp").mkdir(exist_ok=True)
    plan = plan_command(
        argv,
        work,
        limits,
        env=env,
        readonly=readonly,
        writable=writable,
        isolation=isolation,
        drop_privileges=drop_privileges,
    )
    if plan.uid is not None:
        _chown_tree(work, plan.uid)
        for path in writable:
            _chown_tree(Path(path), plan.uid)
    overflow = threading.Event()
    output = _Output(limits.max_output_bytes, overflow)
    started = time.monotonic()
    try:
        proc = subprocess.Popen(
            plan.argv,
            cwd=str(work),
            env=dict(plan.env) or {"PATH": "/usr/bin:/bin"},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
            close_fds=True,
        )
    except OSError as err:
        return SandboxResult(
            127, "", str(err), False, f"could not start: {err}", plan.isolation, 0.0
        )
    readers = [
        threading.Thread(target=output.read, args=(name, stream), daemon=True)
        for name, stream in (("stdout", proc.stdout), ("stderr", proc.stderr))
    ]
    for reader in readers:
        reader.start()
    waited: dict[str, Any] = {}

    def wait() -> None:
        try:
            _, status, usage = os.wait4(proc.pid, 0)
            waited["status"], waited["usage"] = status, usage
        except ChildProcessError:
            waited["status"] = 0

    waiter = threading.Thread(target=wait, daemon=True)
    waiter.start()
    timed_out = False
    crowded = False
    deadline = started + limits.wall_time_s
    while waiter.is_alive():
        waiter.join(0.05)
        if overflow.is_set() or time.monotonic() > deadline:
            timed_out = not overflow.is_set()
            if plan.uid is not None:
                crowded = len(_processes_of(plan.uid)) >= limits.max_processes - 1
            _kill(proc.pid, plan.uid)
            waiter.join(5)
            break
    if plan.uid is not None:
        _kill_uid(plan.uid)
    else:
        _kill(proc.pid, None)  # leftovers of the group (background children)
    for reader in readers:
        reader.join(5)
    for stream in (proc.stdout, proc.stderr):
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.close()
    duration = time.monotonic() - started
    status = int(waited.get("status", 0) or 0)
    proc.returncode = os.waitstatus_to_exitcode(status) if "status" in waited else -9
    usage = waited.get("usage")
    max_rss = int(getattr(usage, "ru_maxrss", 0) or 0)
    if plan.uid is not None:
        with contextlib.suppress(OSError):
            _chown_tree(work, os.geteuid())
    return _classify(
        plan,
        limits,
        status,
        "status" in waited,
        output,
        timed_out,
        overflow.is_set(),
        duration,
        max_rss,
        crowded,
    )


def _kill(pid: int, uid: int | None) -> None:
    """Kill the run's process group until it is empty (a fork loop refills it), and every
    process of its uid."""
    for _ in range(50):
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            break
        time.sleep(0.01)
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGKILL)
    if uid is not None:
        _kill_uid(uid)


_MEMORY = re.compile(
    r"MemoryError|Cannot allocate memory|out of memory|std::bad_alloc|heap out of memory"
    r"|Fatal process out of memory|failed to (?:map|allocate)|ENOMEM",
    re.I,
)
_PROCESSES = re.compile(
    r"Resource temporarily unavailable|BlockingIOError|fork: retry|EAGAIN|can't start new thread"
    r"|Too many processes|spawn.*EAGAIN|Cannot fork|fork failed",
    re.I,
)
_NETWORK = re.compile(
    r"Network is unreachable|\bENETUNREACH\b|Temporary failure in name resolution|\bEAI_AGAIN\b"
    r"|Name or service not known|\bENOTFOUND\b|No address associated|Connection refused"
    r"|\bECONNREFUSED\b|Cannot assign requested address|\bgaierror\b"
)
_FILE_SIZE = re.compile(r"File too large|\bEFBIG\b")
_FILESYSTEM = re.compile(r"Read-only file system|\bEROFS\b|Permission denied|\bEACCES\b")
_MISSING_PATH = re.compile(r"No such file or directory: '(/[^']+)'|ENOENT[^']*'(/[^']+)'")


def _outside(text: str, plan: SandboxPlan) -> bool:
    """A path outside the work dir that exists on the host but not in the sandbox."""
    if plan.isolation != BUBBLEWRAP:
        return False
    for match in _MISSING_PATH.finditer(text):
        path = match.group(1) or match.group(2)
        parent = os.path.dirname(path)
        if parent and os.path.isdir(parent) and not path.startswith(plan.workdir + "/"):
            return True
    return False


def _classify(
    plan: SandboxPlan,
    limits: SandboxLimits,
    status: int,
    exited: bool,
    output: _Output,
    timed_out: bool,
    overflowed: bool,
    duration: float,
    max_rss: int,
    crowded: bool = False,
) -> SandboxResult:
    stdout = output.text("stdout")
    stderr_all = output.text("stderr")
    notes = [line for line in stderr_all.splitlines() if line.startswith(_MARK + " network")]
    stderr = "\n".join(line for line in stderr_all.splitlines() if line not in notes)
    if stderr_all.endswith("\n") and stderr:
        stderr += "\n"
    gaps = list(plan.gaps)
    if any("network not isolated" in n for n in notes):
        gaps.append("network not isolated (no user namespaces)")
    signum: int | None = None
    exit_code: int | None = None
    if exited:
        if os.WIFSIGNALED(status):
            signum = os.WTERMSIG(status)
        else:
            exit_code = os.WEXITSTATUS(status)
            # bubblewrap reports a signal death of its child as 128 + signal
            if plan.isolation == BUBBLEWRAP and exit_code > 128 and exit_code - 128 < 65:
                signum = exit_code - 128
    else:
        signum = signal.SIGKILL
    hit: list[str] = []
    reason: str | None = None
    text = stdout[-20000:] + "\n" + stderr[-20000:]
    failed = timed_out or overflowed or signum is not None or exit_code != 0
    if timed_out:
        hit.append("wall_time")
        reason = f"wall-time limit of {limits.wall_time_s:g} s exceeded"
    elif overflowed:
        hit.append("output")
        reason = f"output limit of {limits.max_output_bytes} bytes exceeded"
    elif signum == signal.SIGXCPU:
        hit.append("cpu_time")
        reason = f"CPU-time limit of {limits.cpu_time_s} s exceeded"
    elif signum == signal.SIGXFSZ:
        hit.append("file_size")
        reason = f"file-size limit of {limits.max_file_bytes} bytes exceeded"
    if failed and "file_size" not in hit and _FILE_SIZE.search(text):
        hit.append("file_size")
        reason = reason or f"file-size limit of {limits.max_file_bytes} bytes exceeded"
    if failed and _MEMORY.search(text):
        hit.append("memory")
        reason = reason or f"memory limit of {limits.memory_bytes >> 20} MiB reached"
    if failed and (crowded or _PROCESSES.search(text)):
        hit.append("processes")
        reason = reason or f"process limit of {limits.max_processes} reached"
    if signum == signal.SIGKILL and reason is None:
        reason = "killed (SIGKILL)"
    if reason is not None and "processes" in hit and hit[0] == "wall_time":
        reason += f" with the process limit of {limits.max_processes} reached"
    denied: list[str] = []
    if failed and not limits.network and _NETWORK.search(text):
        denied.append("network")
    if failed and (_FILESYSTEM.search(text) or _outside(text, plan)):
        denied.append("filesystem")
    return SandboxResult(
        exit_code=exit_code if signum is None else None,
        stdout=stdout,
        stderr=stderr,
        timed_out=timed_out,
        killed_reason=reason,
        isolation=plan.isolation,
        duration_s=round(duration, 4),
        signal=signum,
        output_truncated=output.total > sum(output.kept.values()),
        limits_hit=tuple(hit),
        denied=tuple(denied),
        gaps=tuple(gaps),
        max_rss_kb=max_rss,
    )
