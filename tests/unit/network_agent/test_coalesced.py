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
