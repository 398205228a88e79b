"""WaveWorkflow: generate the atoms of one wave (or one chunk of a large wave) concurrently.

At most `max_parallel` atoms are in flight. Each atom runs under a RetryPolicy whose
attempts are the quality attempts of the temperature schedule plus an allowance for rate
limits and provider errors (which the activity records and does not count as quality
attempts). With a budget, no new atom starts once spent + in-flight estimate would pass it.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from activities import contracts as c

from workflows import search_attributes as sa
from workflows.failures import is_cancellation, root_message

_SHORT = timedelta(minutes=2)
_BOOKKEEPING_RETRY = RetryPolicy(maximum_interval=timedelta(seconds=30))
NON_RETRYABLE = ["InvalidInputError", "NotFoundError", "ProviderPermanentError"]


def atom_retry_policy(wave: c.WaveInput) -> RetryPolicy:
    return RetryPolicy(
        initial_interval=timedelta(seconds=wave.initial_backoff_s),
        backoff_coefficient=2.0,
        maximum_interval=timedelta(seconds=wave.max_backoff_s),
        maximum_attempts=len(wave.temperatures) + wave.max_provider_retries,
        non_retryable_error_types=NON_RETRYABLE,
    )


@workflow.defn(name="WaveWorkflow")
class WaveWorkflow:
    def __init__(self) -> None:
        self._completed = 0
        self._failed = 0
        self._in_flight = 0
        self._spent = 0.0
        self._budget_exhausted = False

    @workflow.query(name="progress")
    def progress(self) -> c.WaveResult:
        return c.WaveResult(
            0,
            0,
            self._completed,
            self._failed,
            cost_usd=self._spent,
            budget_exhausted=self._budget_exhausted,
        )

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
            retry_policy=_BOOKKEEPING_RETRY,
            summary=f"begin wave {wave.wave_number} part {wave.part}",
        )
        retry = atom_retry_policy(wave)
        queue = list(batch.atoms)
        unscheduled: list[c.AtomRef] = []
        position = 0

        async def lane() -> None:
            # A fixed pool of lanes pulling from one list keeps at most `max_parallel` atoms
            # in flight, in a deterministic order.
            nonlocal position
            while position < len(queue):
                if self._over_budget(wave):
                    self._budget_exhausted = True
                    unscheduled.extend(queue[position:])
                    position = len(queue)
                    return
                atom = queue[position]
                position += 1
                await self._generate(wave, atom, retry)

        lanes = max(1, min(wave.max_parallel, len(queue)))
        await asyncio.gather(*(lane() for _ in range(lanes)))
        if unscheduled:
            await workflow.execute_activity(
                c.SKIP_ATOMS,
                c.SkipAtoms(
                    wave.masterplan_id,
                    [a.atom_id for a in unscheduled],
                    "budget reached before this atom was scheduled",
                ),
                start_to_close_timeout=_SHORT,
                retry_policy=_BOOKKEEPING_RETRY,
                summary=f"skip {len(unscheduled)} atom(s): budget reached",
            )
        await workflow.execute_activity(
            c.FINISH_WAVE,
            c.WaveOutcome(wave.masterplan_id, wave.wave_number, self._completed, self._failed),
            start_to_close_timeout=_SHORT,
            retry_policy=_BOOKKEEPING_RETRY,
            summary=f"finish wave {wave.wave_number} part {wave.part}",
        )
        return c.WaveResult(
            wave.wave_number,
            wave.part,
            self._completed,
            self._failed,
            skipped=len(unscheduled),
            cost_usd=self._spent,
            budget_exhausted=self._budget_exhausted,
        )

    def _over_budget(self, wave: c.WaveInput) -> bool:
        if wave.budget_remaining_usd is None:
            return False
        done = self._completed + self._failed
        # The running mean of what atoms really cost beats the up-front estimate.
        per_atom = self._spent / done if done else wave.estimated_atom_cost_usd
        committed = (self._in_flight + 1) * per_atom
        return self._spent + committed > wave.budget_remaining_usd

    async def _generate(self, wave: c.WaveInput, atom: c.AtomRef, retry: RetryPolicy) -> None:
        self._in_flight += 1
        try:
            result: c.GenerateAtomResult = await workflow.execute_activity(
                c.GENERATE_ATOM,
                c.GenerateAtomInput(wave.masterplan_id, atom.atom_id, wave.wave_number),
                result_type=c.GenerateAtomResult,
                start_to_close_timeout=timedelta(seconds=wave.atom_timeout_s),
                heartbeat_timeout=timedelta(seconds=wave.heartbeat_timeout_s),
                retry_policy=retry,
                summary=f"generate atom {atom.label}",
            )
        except ActivityError as err:
            if is_cancellation(err):
                # The run is being cancelled: stop this lane instead of moving on.
                raise asyncio.CancelledError from err
            # Permanent failure, or the retry allowance is spent: the atom is FAILED and goes
            # to review; the wave and the plan go on.
            await workflow.execute_activity(
                c.MARK_ATOM_FAILED,
                c.AtomFailure(wave.masterplan_id, atom.atom_id, root_message(err)),
                start_to_close_timeout=_SHORT,
                retry_policy=_BOOKKEEPING_RETRY,
                summary=f"mark failed {atom.label}",
            )
            self._failed += 1
            return
        finally:
            self._in_flight -= 1
        self._spent += result.cost_usd
        if result.status == "completed":
            self._completed += 1
        else:
            self._failed += 1
