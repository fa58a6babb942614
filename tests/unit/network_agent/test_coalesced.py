"""Callers asking for a converge at once share runs, and each sees a run that began
after it asked."""
from __future__ import annotations

import threading
import time

import pytest

from network_agent.manager import Coalesced


def test_a_burst_of_callers_shares_a_few_runs_that_began_after_each_asked() -> None:
    runs: list[float] = []

    def work() -> None:
        runs.append(time.monotonic())
        time.sleep(0.05)

    batched = Coalesced(work)
    asked: list[tuple[float, float]] = []

    def caller() -> None:
        start = time.monotonic()
        batched()
        asked.append((start, time.monotonic()))

    threads = [threading.Thread(target=caller) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(asked) == 20
    assert 1 <= len(runs) <= 3  # not one run per caller
    for start, end in asked:  # some run began after the caller asked and ended before it left
        assert any(start <= r and r + 0.05 <= end + 1e-3 for r in runs)


def test_a_failed_run_raises_for_its_caller_and_the_next_caller_runs_again() -> None:
    outcomes = iter([RuntimeError("netlink said no"), None])

    def work() -> None:
        failure = next(outcomes)
        if failure:
            raise failure

    batched = Coalesced(work)
    with pytest.raises(RuntimeError):
        batched()
    batched()  # runs again, succeeds


def test_a_caller_whose_condition_holds_does_not_wait_for_a_new_run() -> None:
    runs: list[int] = []
    ready: set[str] = set()

    def work() -> None:
        runs.append(1)
        ready.add("port-1")

    batched = Coalesced(work)
    batched(until=lambda: "port-1" in ready)
    assert len(runs) == 1
    batched(until=lambda: "port-1" in ready)  # in place already: no run
    assert len(runs) == 1
    batched()  # an unconditional caller always sees a run that began after it asked
    assert len(runs) == 2
