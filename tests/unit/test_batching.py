"""Coalescer: concurrent calls become one batch call; each caller gets its own result."""

from __future__ import annotations

import asyncio

import pytest

from persistence.batching import Coalescer


class Recorder:
    def __init__(self, fail_on: str | None = None) -> None:
        self.batches: list[list[str]] = []
        self.fail_on = fail_on
        self.release = asyncio.Event()
        self.release.set()
        self.started = asyncio.Event()

    async def __call__(self, items: list[str]) -> list[str]:
        self.batches.append(list(items))
        self.started.set()
        await self.release.wait()
        if self.fail_on in items:
            raise ValueError(f"bad item {self.fail_on}")
        return [item.upper() for item in items]


async def test_calls_made_together_share_one_batch_and_get_their_own_results() -> None:
    batch = Recorder()
    coalescer = Coalescer(batch, window_s=0.0)
    results = await asyncio.gather(*(coalescer(x) for x in ["a", "b", "c", "a"]))
    assert results == ["A", "B", "C", "A"]
    assert batch.batches == [["a", "b", "c", "a"]]


async def test_a_full_batch_goes_at_once_without_waiting_for_the_window() -> None:
    batch = Recorder()
    # A window no test would wait for: only max_batch can flush these.
    coalescer = Coalescer(batch, window_s=3600, max_batch=2)
    results = await asyncio.gather(*(coalescer(x) for x in ["a", "b", "c", "d"]))
    assert results == ["A", "B", "C", "D"]
    assert batch.batches == [["a", "b"], ["c", "d"]]


async def test_calls_after_a_batch_left_start_the_next_batch() -> None:
    batch = Recorder()
    coalescer = Coalescer(batch, window_s=0.0)
    assert await coalescer("a") == "A"
    assert await coalescer("b") == "B"
    assert batch.batches == [["a"], ["b"]]


async def test_a_failing_batch_fails_every_caller_in_it() -> None:
    batch = Recorder(fail_on="b")
    coalescer = Coalescer(batch, window_s=0.0)
    results = await asyncio.gather(*(coalescer(x) for x in "abc"), return_exceptions=True)
    assert all(isinstance(r, ValueError) and "bad item b" in str(r) for r in results)
    assert await coalescer("d") == "D", "the coalescer keeps working after a failed batch"


async def test_a_cancelled_caller_leaves_the_others_their_results() -> None:
    batch = Recorder()
    batch.release.clear()
    coalescer = Coalescer(batch, window_s=0.0)
    first = asyncio.ensure_future(coalescer("a"))
    second = asyncio.ensure_future(coalescer("b"))
    await batch.started.wait()
    first.cancel()
    batch.release.set()
    assert await second == "B"
    with pytest.raises(asyncio.CancelledError):
        await first
    assert batch.batches == [["a", "b"]], "the cancelled caller's item still went through"


async def test_a_batch_function_that_loses_results_is_an_error_for_its_callers() -> None:
    async def short(items: list[str]) -> list[str]:
        return items[:-1]

    coalescer = Coalescer(short, window_s=0.0)
    results = await asyncio.gather(coalescer("a"), coalescer("b"), return_exceptions=True)
    assert all(isinstance(r, RuntimeError) for r in results)


def test_nonsense_settings_are_refused() -> None:
    with pytest.raises(ValueError):
        Coalescer(Recorder(), window_s=-1)
    with pytest.raises(ValueError):
        Coalescer(Recorder(), max_batch=0)
    with pytest.raises(ValueError):
        Coalescer(Recorder(), max_in_flight=0)


async def test_calls_made_while_the_batches_run_wait_and_then_go_together() -> None:
    batch = Recorder()
    batch.release.clear()
    coalescer = Coalescer(batch, window_s=0.0, max_in_flight=1)
    first = asyncio.ensure_future(coalescer("a"))
    await batch.started.wait()
    # One at a time, as a busy worker hands them out: each would be a batch of its own.
    later = []
    for item in "bcd":
        later.append(asyncio.ensure_future(coalescer(item)))
        await asyncio.sleep(0.001)
    assert batch.batches == [["a"]], "no second batch while the only slot is taken"
    batch.release.set()
    assert await first == "A"
    assert await asyncio.gather(*later) == ["B", "C", "D"]
    assert batch.batches == [["a"], ["b", "c", "d"]]


async def test_waiting_calls_are_split_at_max_batch_when_slots_free_up() -> None:
    batch = Recorder()
    batch.release.clear()
    coalescer = Coalescer(batch, window_s=0.0, max_batch=2, max_in_flight=1)
    calls = [asyncio.ensure_future(coalescer(x)) for x in "a"]
    await batch.started.wait()
    calls += [asyncio.ensure_future(coalescer(x)) for x in "bcdef"]
    await asyncio.sleep(0.01)
    assert batch.batches == [["a"]]
    batch.release.set()
    assert await asyncio.gather(*calls) == ["A", "B", "C", "D", "E", "F"]
    assert batch.batches == [["a"], ["b", "c"], ["d", "e"], ["f"]]
