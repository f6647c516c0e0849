"""Feed runs raise the collector's thresholds while they go, and put them back exactly once
when the last of them (in any thread) ends."""

from __future__ import annotations

import gc
import threading

from feeds.bulk_work import BULK_THRESHOLD, MIDDLE, bulk_work


def test_the_collector_is_put_back_after_nested_and_threaded_runs() -> None:
    before = gc.get_threshold()
    raised = (max(before[0], BULK_THRESHOLD), max(before[1], MIDDLE), before[2])
    inside: list[tuple[int, int, int]] = []
    entered, release = threading.Barrier(3), threading.Event()

    def run() -> None:
        with bulk_work():
            entered.wait()
            release.wait(5)
            inside.append(gc.get_threshold())

    workers = [threading.Thread(target=run) for _ in range(2)]
    for worker in workers:
        worker.start()
    with bulk_work():
        entered.wait(5)
        with bulk_work():  # nested in the same thread
            assert gc.get_threshold() == raised
        release.set()
        for worker in workers:
            worker.join(5)
        assert gc.get_threshold() == raised  # the others ended first: still raised
    assert gc.get_threshold() == before
    assert inside == [raised, raised]


def test_an_error_inside_still_puts_the_collector_back() -> None:
    before = gc.get_threshold()
    try:
        with bulk_work():
            raise ValueError("a failing run")
    except ValueError:
        pass
    assert gc.get_threshold() == before
