"""WaveWorkflow: generate the atoms of one wave (or one chunk of a large wave) concurrently."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from activities import contracts as c

from workflows import search_attributes as sa

_SHORT = timedelta(minutes=2)


@workflow.defn(name="WaveWorkflow")
class WaveWorkflow:
    def __init__(self) -> None:
        self._completed = 0
        self._failed = 0
        self._total = 0

    @workflow.query(name="progress")
    def progress(self) -> c.WaveResult:
        return c.WaveResult(0, 0, self._completed, self._failed)

    @workflow.run
    async def run(self, wave: c.WaveInput) -> c.WaveResult:
        workflow.upsert_search_attributes(
            [sa.MASTERPLAN_ID.value_set(wave.masterplan_id), sa.WAVE.value_set(wave.wave_number)]
        )
        batch: c.WaveAtoms = await workflow.execute_activity(
            c.BEGIN_WAVE,
            c.WaveSlice(wave.masterplan_id, wave.wave_number, wave.offset, wave.limit),
            result_type=c.WaveAtoms,
            start_to_close_timeout=_SHORT,
            summary=f"begin wave {wave.wave_number} part {wave.part}",
        )
        self._total = len(batch.atoms)
        retry = RetryPolicy(
            initial_interval=timedelta(seconds=wave.initial_backoff_s),
            backoff_coefficient=2.0,
            maximum_interval=timedelta(seconds=wave.max_backoff_s),
            maximum_attempts=len(wave.temperatures),
            non_retryable_error_types=["NonRetryableError", "InvalidInputError", "NotFoundError"],
        )
        queue = list(batch.atoms)
        position = 0

        async def lane() -> None:
            # A fixed pool of lanes pulling from one list keeps at most `max_parallel` atoms in
            # flight, in a deterministic order.
            nonlocal position
            while position < len(queue):
                atom = queue[position]
                position += 1
                await self._generate(wave, atom, retry)

        lanes = max(1, min(wave.max_parallel, len(queue)))
        await asyncio.gather(*(lane() for _ in range(lanes)))
        await workflow.execute_activity(
            c.FINISH_WAVE,
            c.WaveOutcome(wave.masterplan_id, wave.wave_number, self._completed, self._failed),
            start_to_close_timeout=_SHORT,
            summary=f"finish wave {wave.wave_number} part {wave.part}",
        )
        return c.WaveResult(wave.wave_number, wave.part, self._completed, self._failed)

    async def _generate(self, wave: c.WaveInput, atom: c.AtomRef, retry: RetryPolicy) -> None:
        try:
            result: c.GenerateAtomResult = await workflow.execute_activity(
                c.GENERATE_ATOM,
                c.GenerateAtomInput(wave.masterplan_id, atom.atom_id, wave.wave_number),
                result_type=c.GenerateAtomResult,
                start_to_close_timeout=timedelta(seconds=wave.atom_timeout_s),
                retry_policy=retry,
                summary=f"generate atom {atom.label}",
            )
        except ActivityError as err:
            # All quality attempts are spent (or the failure is permanent): the atom is FAILED
            # and goes to review, the wave and the plan go on.
            await workflow.execute_activity(
                c.MARK_ATOM_FAILED,
                c.AtomFailure(wave.masterplan_id, atom.atom_id, str(err.cause or err)),
                start_to_close_timeout=_SHORT,
                summary=f"mark failed {atom.label}",
            )
            self._failed += 1
            return
        if result.status == "completed":
            self._completed += 1
        else:
            self._failed += 1
