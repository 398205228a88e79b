"""The example plans' code, for tests that need clean, real code."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


@cache
def tasks(name: str) -> tuple[dict[str, Any], ...]:
    plan = yaml.safe_load((EXAMPLES / name).read_text(encoding="utf-8"))
    return tuple(
        task
        for phase in plan["phases"]
        for milestone in phase["milestones"]
        for task in milestone["tasks"]
    )


def python_tasks() -> tuple[dict[str, Any], ...]:
    return tasks("todo-service.yaml")


def typescript_tasks() -> tuple[dict[str, Any], ...]:
    return tasks("link-shortener-ts.yaml")


def reference_files(name: str) -> dict[str, str]:
    return {task["file"]: task["reference"] for task in tasks(name)}


def milestones(name: str) -> list[list[str]]:
    plan = yaml.safe_load((EXAMPLES / name).read_text(encoding="utf-8"))
    return [
        [task["file"] for task in milestone["tasks"]]
        for phase in plan["phases"]
        for milestone in phase["milestones"]
    ]
