"""The collector is held off while any summary runs, and put back as it was by the last one to finish."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest

from watchkeeper.insights.collector import collector_paused


@pytest.fixture
def collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


@pytest.mark.usefixtures("collector_on")
def test_off_inside_and_back_on_after() -> None:
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


@pytest.mark.usefixtures("collector_on")
def test_back_on_after_an_error() -> None:
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("the summary failed")
    assert gc.isenabled()


def test_left_off_when_it_was_off_before() -> None:
    was = gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        if was:
            gc.enable()


@pytest.mark.usefixtures("collector_on")
def test_stays_off_until_the_last_overlapping_summary_finishes() -> None:
    entered, release = threading.Event(), threading.Event()

    def other_request() -> None:
        with collector_paused():
            entered.set()
            release.wait(5)

    thread = threading.Thread(target=other_request)
    with collector_paused():
        thread.start()
        assert entered.wait(5)
    assert not gc.isenabled()  # the other request is still working out its summary
    release.set()
    thread.join(5)
    assert gc.isenabled()
