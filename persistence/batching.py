"""Coalescing concurrent calls into one batch call.

A worker runs a hundred or more atom activities at once, and each needs the same few queries
and one write. Made one by one, those are hundreds of tiny transactions a second, and on a
small machine their client-side cost (statement execution, pool checkout, commit) is what
bounds a wave, not the database. `Coalescer` gathers the calls that arrive within a short
window (or until a batch is full) and runs them as one call of the batch function, then hands
each caller its own result, or the batch's exception.

Under load, calls do not arrive together: a busy worker hands out activity tasks a few
milliseconds apart, more than any window worth waiting. So at most `max_in_flight` batches run
at once (group commit): calls that arrive while they run wait for one of them to finish and
then go together, and batches grow with the load instead of shrinking to one item each.

Semantics are the caller's own: every caller still awaits the end of the batch its item is in,
so an activity returns only after its write has committed (at-least-once is unchanged). A
caller that is cancelled stops waiting; its item still goes through with the batch.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


class Coalescer(Generic[Item, Result]):
    """``await coalescer(item)`` → the result `batch(items)` gave for that item.

    ``batch`` gets the items in arrival order and must return one result per item, in the
    same order. ``window_s`` is how long the first call of a batch waits for company;
    ``max_batch`` flushes a full batch at once (when a batch may start); at most
    ``max_in_flight`` batches run at once, the next one gathering the calls made meanwhile.
    """

    def __init__(
        self,
        batch: Callable[[list[Item]], Awaitable[Sequence[Result]]],
        *,
        window_s: float = 0.002,
        max_batch: int = 100,
        max_in_flight: int = 1,
    ) -> None:
        if window_s < 0 or max_batch < 1 or max_in_flight < 1:
            raise ValueError("window_s must be >= 0, max_batch and max_in_flight >= 1")
        self._batch = batch
        self._window_s = window_s
        self._max_batch = max_batch
        self._max_in_flight = max_in_flight
        self._pending: list[tuple[Item, asyncio.Future[Result]]] = []
        self._timer: asyncio.TimerHandle | None = None
        self._running: set[asyncio.Task[None]] = set()  # strong refs until each batch ends

    async def __call__(self, item: Item) -> Result:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Result] = loop.create_future()
        self._pending.append((item, future))
        if len(self._pending) >= self._max_batch:
            self._flush()
        elif self._timer is None:
            self._timer = loop.call_later(self._window_s, self._flush)
        return await future

    def _flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        # With every slot taken, the calls wait: the first batch to finish starts theirs.
        while self._pending and len(self._running) < self._max_in_flight:
            taken = self._pending[: self._max_batch]
            del self._pending[: self._max_batch]
            task = asyncio.get_running_loop().create_task(self._run(taken))
            self._running.add(task)
            task.add_done_callback(self._batch_done)

    def _batch_done(self, task: asyncio.Task[None]) -> None:
        self._running.discard(task)
        if self._pending:
            self._flush()  # these calls already waited for a batch to end: no more window

    async def _run(self, taken: list[tuple[Item, asyncio.Future[Result]]]) -> None:
        try:
            results = await self._batch([item for item, _ in taken])
            if len(results) != len(taken):
                raise RuntimeError(
                    f"batch function returned {len(results)} results for {len(taken)} items"
                )
        except asyncio.CancelledError:  # the worker is shutting down: so are its callers
            for _, future in taken:
                future.cancel()
            raise
        except Exception as exc:  # every caller of the batch gets its failure
            for _, future in taken:
                if not future.done():
                    future.set_exception(exc)
            return
        for (_, future), result in zip(taken, results, strict=True):
            if not future.done():
                future.set_result(result)
