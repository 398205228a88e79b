"""Level 4: read test runner output and point each failure at the atoms it comes from.

pytest runs with `--tb=native` (standard Python tracebacks, `File "...", line N`); Node's
test runner with `--test-reporter=tap --enable-source-maps` (stack frames in the TypeScript
sources). A failure is blamed on the atoms holding the project (non-test) frames of its
traceback, innermost first; when the traceback never leaves the test (an assertion on a
returned value), on the atoms defining the functions the failing test line calls.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from domain.validation.level2 import AtomLines


@dataclass(frozen=True)
class Frame:
    path: str  # relative to the project root
    line: int


@dataclass(frozen=True)
class TestFailure:
    test: str
    message: str
    frames: tuple[Frame, ...] = ()  # outermost first
    test_file: str | None = None
    detail: str = ""  # assertion introspection (`where 2 = f(1)`) and the like


@dataclass(frozen=True)
class Blame:
    atom_id: str
    path: str
    line: int | None
    test: str
    message: str
    how: str  # "traceback" | "called by the failing test"

    def describe(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"test {self.test} failed ({self.how}, {where}): {self.message}"


# ---- pytest --------------------------------------------------------------------------------

_HEADER = re.compile(r"^_{3,} (.+?) _{3,}$")
_PY_FRAME = re.compile(r'^\s*File "([^"]+)", line (\d+)')
_EXCEPTION = re.compile(
    r"^(?:E\s+)?([A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt|Failed|Warning|Iteration)"
    r"|AssertionError|assert\b)(.*)$"
)
_SUMMARY = re.compile(r"^(FAILED|ERROR) (\S+?)(?: - (.*))?$")


def _relative(path: str, roots: Sequence[str]) -> str:
    path = path.replace("\\", "/")
    for root in roots:
        root = root.rstrip("/") + "/"
        if root != "/" and path.startswith(root):
            return path[len(root) :]
    return path


def parse_pytest(output: str, roots: Sequence[str] = ()) -> list[TestFailure]:
    """Failures and collection errors of `pytest -q --tb=native -rfE` output."""
    lines = output.splitlines()
    summary: dict[str, tuple[str, str]] = {}
    for line in lines:
        match = _SUMMARY.match(line.strip())
        if match:
            node = match.group(2)
            summary[node] = (match.group(1), match.group(3) or "")
    sections: list[tuple[str, list[str]]] = []
    current: list[str] | None = None
    in_report = False
    for line in lines:
        if line.startswith("=") and ("FAILURES" in line or "ERRORS" in line):
            in_report = True
            current = None
            continue
        if line.startswith("=") and in_report:
            in_report = "FAILURES" in line or "ERRORS" in line
            current = None
            continue
        if not in_report:
            continue
        header = _HEADER.match(line)
        if header:
            current = []
            sections.append((header.group(1), current))
        elif current is not None:
            current.append(line)
    failures = []
    used: set[str] = set()
    for title, body in sections:
        frames = []
        for line in body:
            match = _PY_FRAME.match(line)
            if match:
                frames.append(Frame(_relative(match.group(1), roots), int(match.group(2))))
        message = _last_exception(body)
        node = _node_for(title, summary, used)
        test_file = node.split("::", 1)[0] if node and "::" in node else None
        if title.startswith("ERROR collecting "):
            test_file = title.removeprefix("ERROR collecting ").strip()
            node = node or test_file
        if not message and node in summary:
            message = summary[node][1]
        detail = "\n".join(line.strip() for line in body if line.strip().startswith("+"))
        failures.append(
            TestFailure(node or title, message or "failed", tuple(frames), test_file, detail)
        )
    # Failures the report sections did not show (e.g. output cut at the cap).
    for node, (kind, message) in summary.items():
        if node not in used:
            test_file = node.split("::", 1)[0] if "::" in node else node
            failures.append(TestFailure(node, message or kind.lower(), (), test_file))
    return failures


def _node_for(title: str, summary: Mapping[str, tuple[str, str]], used: set[str]) -> str | None:
    name = title.removeprefix("ERROR at setup of ").removeprefix("ERROR at teardown of ")
    name = name.removeprefix("ERROR collecting ").strip()
    wanted = name.replace(".", "::")
    for node in summary:
        if node in used:
            continue
        if node == name or node.endswith("::" + wanted) or node.endswith("::" + name):
            used.add(node)
            return node
    return None


def _last_exception(body: Sequence[str]) -> str:
    message = ""
    for line in body:
        stripped = line.rstrip()
        if stripped and not stripped.startswith(" ") and _EXCEPTION.match(stripped):
            message = stripped
        elif stripped.startswith("E ") and not message:
            message = stripped[1:].strip()
    return message[:500]


# ---- node --test (TAP) ---------------------------------------------------------------------

_NOT_OK = re.compile(r"^(\s*)not ok \d+ - (.*)$")
_JS_FRAME = re.compile(r"(?:\(|\s|^)((?:file://)?/[^\s():]+|[\w./-]+\.[cm]?[jt]sx?):(\d+):(\d+)\)?")


def parse_node_tap(output: str, roots: Sequence[str] = ()) -> list[TestFailure]:
    """Failed tests of `node --test --test-reporter=tap` output (subtests included)."""
    lines = output.splitlines()
    failures = []
    index = 0
    while index < len(lines):
        match = _NOT_OK.match(lines[index])
        index += 1
        if not match:
            continue
        indent = len(match.group(1))
        name = match.group(2).strip()
        block: list[str] = []
        while index < len(lines):
            line = lines[index]
            if line.strip() == "..." and len(line) - len(line.lstrip()) <= indent + 2:
                index += 1
                break
            if _NOT_OK.match(line) or re.match(r"^\s*ok \d+ ", line):
                break
            block.append(line)
            index += 1
        if any("failureType: 'subtestsFailed'" in line for line in block):
            continue  # the parent of failed subtests: each subtest is reported itself
        failures.append(_tap_failure(name, block, roots))
    return failures


def _tap_failure(name: str, block: list[str], roots: Sequence[str]) -> TestFailure:
    error: list[str] = []
    frames: list[Frame] = []
    location = None
    mode = ""
    for line in block:
        stripped = line.strip()
        if stripped.startswith("location:"):
            location = stripped.split(":", 1)[1].strip().strip("'\"")
            mode = ""
        elif stripped.startswith("error:"):
            mode = "error"
            rest = stripped.split(":", 1)[1].strip()
            if rest and rest not in ("|-", "|", ">-"):
                error.append(rest.strip("'\""))
        elif stripped.startswith("stack:"):
            mode = "stack"
        elif re.match(r"^[a-zA-Z]+:", stripped) and not line.startswith("      "):
            mode = ""
        elif mode == "error":
            error.append(stripped)
        elif mode == "stack":
            for path, line_no, _ in _JS_FRAME.findall(stripped):
                if path.startswith("node:") or "/node_modules/" in path:
                    continue
                frames.append(Frame(_relative(path.removeprefix("file://"), roots), int(line_no)))
    test_file = None
    if location:
        found = _JS_FRAME.search(location)
        if found:
            test_file = _relative(found.group(1).removeprefix("file://"), roots)
    frames.reverse()  # V8 lists the innermost frame first
    message = " ".join(error)[:500] or "failed"
    return TestFailure(name, message, tuple(frames), test_file)


# ---- mapping -------------------------------------------------------------------------------

_NAME = re.compile(r"[A-Za-z_$][\w$]*")


def map_failures(
    failures: Iterable[TestFailure],
    atoms: Mapping[str, Sequence[AtomLines]],
    sources: Mapping[str, str],
    test_files: Iterable[str] = (),
) -> list[Blame]:
    """Blame each failure on atoms: traceback frames in project files first, else the atoms
    defining what the failing test line calls. `atoms` maps each project file to its atoms'
    lines in the assembled file; `sources` gives the text of files (test files included)."""
    tests = set(test_files)
    blames: list[Blame] = []
    for failure in failures:
        found = _by_traceback(failure, atoms, tests)
        if not found:
            found = _by_test_line(failure, atoms, sources, tests)
        blames.extend(found)
    return blames


def _by_traceback(
    failure: TestFailure, atoms: Mapping[str, Sequence[AtomLines]], tests: set[str]
) -> list[Blame]:
    out: list[Blame] = []
    seen: set[str] = set()
    for frame in reversed(failure.frames):  # innermost first
        if frame.path in tests or frame.path not in atoms:
            continue
        atom = _atom_at_line(atoms[frame.path], frame.line)
        if atom is None or atom.atom_id in seen:
            continue
        seen.add(atom.atom_id)
        out.append(
            Blame(atom.atom_id, frame.path, frame.line, failure.test, failure.message, "traceback")
        )
    return out


def _atom_at_line(atoms: Sequence[AtomLines], line: int) -> AtomLines | None:
    for atom in atoms:
        if atom.start_line <= line <= atom.end_line:
            return atom
    return None


def _by_test_line(
    failure: TestFailure,
    atoms: Mapping[str, Sequence[AtomLines]],
    sources: Mapping[str, str],
    tests: set[str],
) -> list[Blame]:
    texts = []
    test_frames = [f for f in failure.frames if f.path in tests or f.path == failure.test_file]
    for frame in test_frames[-1:]:
        text = sources.get(frame.path, "")
        lines = text.splitlines()
        if 0 < frame.line <= len(lines):
            texts.append(lines[frame.line - 1])
    texts.append(failure.detail)
    if not test_frames and failure.test_file:
        texts.append(_test_body(sources.get(failure.test_file, ""), failure.test))
    names = {n for text in texts for n in _NAME.findall(text)}
    if not names:
        return []
    out = []
    for path, pieces in atoms.items():
        if path in tests:
            continue
        for atom in pieces:
            if atom.name and atom.name.rsplit(".", 1)[-1] in names:
                out.append(
                    Blame(
                        atom.atom_id,
                        path,
                        atom.start_line,
                        failure.test,
                        failure.message,
                        "called by the failing test",
                    )
                )
    return out


def _test_body(source: str, test: str) -> str:
    """The source of the test function named in a node id (`file::Class::test[param]`)."""
    name = test.split("::")[-1].split("[", 1)[0]
    if not name or not source:
        return ""
    lines = source.splitlines()
    for index, line in enumerate(lines):
        if re.match(rf"\s*(?:async\s+)?def {re.escape(name)}\b", line) or (
            f'"{name}"' in line or f"'{name}'" in line
        ):
            body = [line]
            for follow in lines[index + 1 :]:
                if follow.strip() and not follow.startswith((" ", "\t", "}")):
                    break
                body.append(follow)
            return "\n".join(body)
    return ""
