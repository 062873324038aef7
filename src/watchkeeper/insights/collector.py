"""Holding off Python's cyclic garbage collector while a summary builds its fact sheets.

A summary over 10,000 incidents makes some hundreds of thousands of objects (fact sheets, their dicts, instants)
that all live until it is answered. Each allocation threshold crossed starts a collection that walks them, and the
full collections among them walk every object in the process too: measured at 0.1 to 0.3 s a summary, for no
garbage, since nothing a summary builds refers back to itself and reference counting frees it all afterwards.
Requests run in threads, so the collector stays off while any summary is being worked out and is switched back
on by the last one to finish, and only if it was on before.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_state = {"holders": 0, "was_enabled": False}


@contextmanager
def collector_paused() -> Iterator[None]:
    with _lock:
        if _state["holders"] == 0:
            _state["was_enabled"] = gc.isenabled()
            gc.disable()
        _state["holders"] += 1
    try:
        yield
    finally:
        with _lock:
            _state["holders"] -= 1
            if _state["holders"] == 0 and _state["was_enabled"]:
                gc.enable()
