"""`mge dev` as an operator uses it: the stack comes up in the foreground, a plan imported
with `mge plan import` is started with the `temporal` CLI and runs to completion, the
workflows carry their search attributes and activity summaries, Ctrl-C stops everything,
and the next `mge dev` in the same directory finds the same data."""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from temporalio.client import Client

from activities.contracts import MasterPlanResult
from tests.temporal_cli import temporal_workflow

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
MGE = str(Path(sys.executable).parent / "mge")
PLAN = REPO / "examples" / "todo-service.yaml"


_PICKED: set[int] = set()


def _free_port() -> int:
    """A free port below the kernel's ephemeral range.

    The test starts `mge dev` twice on the same ports. A port from the ephemeral range (what
    binding port 0 gives) can be taken in between by any outgoing connection on the machine,
    and the second Temporal dev server then fails to bind it.
    """
    low = 32768
    with contextlib.suppress(OSError, ValueError, IndexError):
        low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    rng = random.Random()
    for _ in range(500):
        port = rng.randrange(20000, max(low, 20001))
        if port in _PICKED:
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        _PICKED.add(port)
        return port
    raise RuntimeError("no free port below the ephemeral range")


def _env(cwd: Path, ports: dict[str, int]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MGE_")}
    env.update(
        MGE_DATA_DIR=str(cwd / ".mge"),
        MGE_TEMPORAL__DEV_PORT=str(ports["temporal"]),
        MGE_TEMPORAL__DEV_UI_PORT=str(ports["ui"]),
        MGE_API__PORT=str(ports["api"]),
    )
    return env


def _mge(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [MGE, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@contextmanager
def dev_stack(cwd: Path, env: dict[str, str], api_port: int) -> Iterator[subprocess.Popen[str]]:
    """`mge dev` in the foreground until its API answers; Ctrl-C (SIGINT) on the way out."""
    process = subprocess.Popen(
        [MGE, "dev"],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 180
        while not _healthy(f"http://127.0.0.1:{api_port}/healthz"):
            if process.poll() is not None:
                pytest.fail(f"mge dev exited {process.returncode}: {process.stdout.read()}")  # type: ignore[union-attr]
            if time.monotonic() > deadline:
                pytest.fail("mge dev did not answer on /healthz within 180 s")
            time.sleep(0.5)
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


async def test_dev_stack_runs_a_plan_started_from_the_temporal_cli_and_keeps_its_data(
    tmp_path: Path,
) -> None:
    ports = {"temporal": _free_port(), "ui": _free_port(), "api": _free_port()}
    env = _env(tmp_path, ports)
    address = f"127.0.0.1:{ports['temporal']}"

    with dev_stack(tmp_path, env, ports["api"]) as first:
        imported = _mge(
            ["plan", "import", str(PLAN), "--provider", "reference", "--json"], tmp_path, env
        )
        assert imported.returncode == 0, imported.stderr
        ids = json.loads(imported.stdout)
        plan_id, workflow_id = ids["masterplan_id"], ids["workflow_id"]
        assert workflow_id == f"masterplan-{plan_id}"

        client = await Client.connect(address)
        started = await temporal_workflow(
            client,
            "start",
            "--type",
            "MasterPlanWorkflow",
            "--task-queue",
            "mge",
            "--workflow-id",
            workflow_id,
            payload={"masterplan_id": plan_id},
        )
        assert started.returncode == 0, started.stderr

        handle = client.get_workflow_handle(workflow_id, result_type=MasterPlanResult)
        result = await handle.result()
        assert result.status == "completed"

        # Search attributes an operator filters on in the Web UI and `temporal workflow list`.
        described = await handle.describe()
        attributes = described.typed_search_attributes
        values = {pair.key.name: pair.value for pair in attributes}
        assert values["MgeMasterPlanId"] == plan_id
        assert values["MgePlanStatus"] == "completed"
        assert values["MgePendingReviews"] == 0
        assert values["MgeWave"] == result.waves - 1  # the last wave that ran
        listed = [
            w.id
            async for w in client.list_workflows(
                f'MgeMasterPlanId="{plan_id}" AND MgePlanStatus="completed"'
            )
        ]
        assert workflow_id in listed

        # Every activity the parent schedules says what it does.
        history = await handle.fetch_history()
        summaries = [
            client.data_converter.payload_converter.from_payload(event.user_metadata.summary, str)
            for event in history.events
            if event.HasField("activity_task_scheduled_event_attributes")
        ]
        assert summaries and all(summaries), summaries
        assert "atomize plan" in summaries, summaries
        assert "build dependency graph" in summaries, summaries
        child = await client.get_workflow_handle(f"{workflow_id}-wave-0").fetch_history()
        atom_summaries = [
            client.data_converter.payload_converter.from_payload(event.user_metadata.summary, str)
            for event in child.events
            if event.HasField("activity_task_scheduled_event_attributes")
            and event.activity_task_scheduled_event_attributes.activity_type.name == "generate_atom"
        ]
        assert atom_summaries, "wave 0 scheduled no generate_atom activity"
        assert all(s.startswith("generate atom ") for s in atom_summaries), atom_summaries

        status = _mge(["status", plan_id, "--json"], tmp_path, env)
        assert status.returncode == 0, status.stderr
        assert json.loads(status.stdout)["status"] == "completed"

    assert first.returncode == 0, first.stdout.read()  # type: ignore[union-attr]
    assert not _port_open(ports["temporal"]), "Ctrl-C left the Temporal dev server running"
    assert not _port_open(ports["api"]), "Ctrl-C left the API running"

    # A second `mge dev` in the same directory reuses PostgreSQL's and Temporal's data.
    with dev_stack(tmp_path, env, ports["api"]):
        status = _mge(["status", plan_id, "--json"], tmp_path, env)
        assert status.returncode == 0, status.stderr
        assert json.loads(status.stdout)["status"] == "completed"
        client = await Client.connect(address)
        described = await client.get_workflow_handle(workflow_id).describe()
        assert described.status is not None and described.status.name == "COMPLETED"


def test_plan_import_rejects_bad_input_without_starting_anything(tmp_path: Path) -> None:
    env = _env(tmp_path, {"temporal": _free_port(), "ui": _free_port(), "api": _free_port()})
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: x\nphases: []\n")
    result = _mge(["plan", "import", str(broken)], tmp_path, env)
    assert result.returncode == 2
    assert "phases" in result.stderr or "empty" in result.stderr, result.stderr
    result = _mge(["plan", "import", str(PLAN), "--provider", "nope"], tmp_path, env)
    assert result.returncode == 2
    assert "--provider" in result.stderr
    assert not (tmp_path / ".mge").exists(), "bad input must not start or write anything"
