"""Figures read back from the Temporal histories of one run: event counts of the parent and of
every wave child, how long the fixed (non-wave) stages took, and where an atom's time went."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import Client, WorkflowHistory

from workflows.ids import masterplan_workflow_id


def _time(event: HistoryEvent) -> datetime:
    return event.event_time.ToDatetime()


@dataclass
class ActivityTimes:
    """Per activity type: (scheduled → started, started → closed) in seconds, per execution."""

    waits: dict[str, list[float]] = field(default_factory=dict)
    runs: dict[str, list[float]] = field(default_factory=dict)
    # Executions that needed more than one attempt (a timeout, a provider error, a bad answer):
    # Temporal records only the last attempt in the history, with its number.
    retried: dict[str, int] = field(default_factory=dict)

    def add(self, history: WorkflowHistory) -> None:
        scheduled: dict[int, tuple[str, datetime]] = {}
        started: dict[int, datetime] = {}
        for event in history.events:
            kind = event.WhichOneof("attributes")
            if kind == "activity_task_scheduled_event_attributes":
                name = event.activity_task_scheduled_event_attributes.activity_type.name
                scheduled[event.event_id] = (name, _time(event))
            elif kind == "activity_task_started_event_attributes":
                attrs = event.activity_task_started_event_attributes
                started[attrs.scheduled_event_id] = _time(event)
                if attrs.attempt > 1:
                    name = scheduled[attrs.scheduled_event_id][0]
                    self.retried[name] = self.retried.get(name, 0) + 1
            elif kind == "activity_task_completed_event_attributes":
                sched_id = event.activity_task_completed_event_attributes.scheduled_event_id
                name, at = scheduled[sched_id]
                begun = started.get(sched_id, at)
                self.waits.setdefault(name, []).append((begun - at).total_seconds())
                self.runs.setdefault(name, []).append((_time(event) - begun).total_seconds())

    def total_run(self, names: Sequence[str]) -> float:
        return sum(sum(self.runs.get(n, [])) + sum(self.waits.get(n, [])) for n in names)


@dataclass(frozen=True)
class WaveTimeline:
    """Where one wave child's time went: child started → first atom scheduled (setup), first
    atom scheduled → last atom closed (atoms), last atom closed → child closed (close)."""

    workflow_id: str
    atoms: int
    setup_s: float
    atoms_s: float
    close_s: float
    wait_max_s: float = 0.0  # an atom's scheduled → started, worst in the wave
    run_max_s: float = 0.0  # an atom's started → closed, worst in the wave

    @classmethod
    def of(cls, workflow_id: str, history: WorkflowHistory) -> WaveTimeline:
        events = history.events
        first_atom = last_atom = None
        count = 0
        for event in events:
            kind = event.WhichOneof("attributes")
            if kind == "activity_task_scheduled_event_attributes":
                if event.activity_task_scheduled_event_attributes.activity_type.name == (
                    "generate_atom"
                ):
                    count += 1
                    first_atom = first_atom or _time(event)
            elif kind in (
                "activity_task_completed_event_attributes",
                "activity_task_failed_event_attributes",
            ):
                last_atom = _time(event)
        begin, end = _time(events[0]), _time(events[-1])
        first_atom = first_atom or begin
        last_atom = last_atom or first_atom
        times = ActivityTimes()
        times.add(history)
        return cls(
            workflow_id,
            count,
            (first_atom - begin).total_seconds(),
            (last_atom - first_atom).total_seconds(),
            (end - last_atom).total_seconds(),
            max(times.waits.get("generate_atom", [0.0])),
            max(times.runs.get("generate_atom", [0.0])),
        )


@dataclass
class HistoryFigures:
    parent_events: int
    child_events: dict[str, int]
    fixed_stage_s: dict[str, float]  # per parent activity type: scheduled → completed
    pre_wave_span_s: float  # workflow started → first wave child initiated
    post_wave_span_s: float  # last wave child completed → workflow completed
    wave_span_s: float  # first wave child initiated → last wave child completed
    atoms: ActivityTimes
    waves: list[WaveTimeline] = field(default_factory=list)

    @property
    def max_child_events(self) -> int:
        return max(self.child_events.values(), default=0)

    @property
    def fixed_s(self) -> float:
        return sum(self.fixed_stage_s.values())


def _spans(events: Sequence[HistoryEvent]) -> tuple[float, float, float]:
    first_child = last_child = None
    for event in events:
        kind = event.WhichOneof("attributes")
        if kind == "start_child_workflow_execution_initiated_event_attributes":
            first_child = first_child or _time(event)
        elif kind == "child_workflow_execution_completed_event_attributes":
            last_child = _time(event)
    begin, end = _time(events[0]), _time(events[-1])
    first_child = first_child or begin
    last_child = last_child or first_child
    return (
        (first_child - begin).total_seconds(),
        (end - last_child).total_seconds(),
        (last_child - first_child).total_seconds(),
    )


def _child_ids(events: Sequence[HistoryEvent]) -> set[str]:
    return {
        e.child_workflow_execution_started_event_attributes.workflow_execution.workflow_id
        for e in events
        if e.WhichOneof("attributes") == "child_workflow_execution_started_event_attributes"
    }


async def read_histories(client: Client, plan_id: str) -> HistoryFigures:
    parent_id = masterplan_workflow_id(plan_id)
    parent = await client.get_workflow_handle(parent_id).fetch_history()
    stage_times = ActivityTimes()
    stage_times.add(parent)
    # Visibility (the search attribute) is how an operator finds the children; the parent's own
    # history is the authority, so both are read and a child missing from one still counts.
    ids = _child_ids(parent.events)
    async for execution in client.list_workflows(f'MgeMasterPlanId = "{plan_id}"'):
        if execution.id != parent_id:
            ids.add(execution.id)
    atoms = ActivityTimes()
    child_events: dict[str, int] = {}
    waves: list[WaveTimeline] = []
    for child_id in sorted(ids, key=_wave_order):
        history = await client.get_workflow_handle(child_id).fetch_history()
        child_events[child_id] = len(history.events)
        atoms.add(history)
        waves.append(WaveTimeline.of(child_id, history))
    pre, post, span = _spans(parent.events)
    return HistoryFigures(
        parent_events=len(parent.events),
        child_events=child_events,
        # Every activity of the parent is a plan-level stage (start, atomize, graph, validate,
        # review scoring, output checks, assembly, finish): atoms run in the children only.
        fixed_stage_s={name: stage_times.total_run([name]) for name in stage_times.runs},
        pre_wave_span_s=pre,
        post_wave_span_s=post,
        wave_span_s=span,
        atoms=atoms,
        waves=waves,
    )


def _wave_order(workflow_id: str) -> tuple[int, int, str]:
    # masterplan-<id>-wave-<n>[-part-<k>]: numeric order, so wave 10 comes after wave 9.
    tail = workflow_id.rsplit("-wave-", 1)[-1]
    wave, _, part = tail.partition("-part-")
    if wave.isdigit() and (not part or part.isdigit()):
        return int(wave), int(part or 0), workflow_id
    return 1 << 30, 0, workflow_id


def describe(values: Sequence[float]) -> str:
    if not values:
        return "-"
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return (
        f"mean {statistics.fmean(ordered):.3f}s  p50 {statistics.median(ordered):.3f}s  "
        f"p95 {p95:.3f}s  max {ordered[-1]:.3f}s"
    )
