"""Workflow ids: derived from the plan id so a run can be found (and not started twice)."""

from __future__ import annotations


def masterplan_workflow_id(masterplan_id: str) -> str:
    return f"masterplan-{masterplan_id}"


def wave_workflow_id(masterplan_id: str, wave_number: int, part: int, parts: int) -> str:
    base = f"masterplan-{masterplan_id}-wave-{wave_number}"
    return base if parts == 1 else f"{base}-part-{part}"
