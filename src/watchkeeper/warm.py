"""Loading what every web and task process ends up loading anyway, before it takes its first request or task.

Left lazy, the URLconf is imported by the first request or the first reverse(): every view and API module, about a
second. In the task worker that happened inside the first page's transaction (its message links to the page),
holding SQLite's writer lock all that time, so the alert intake's first second after a start ran at a p99 of 700 ms.
"""

from __future__ import annotations

import gc

from django.urls import get_resolver


def warm() -> None:
    get_resolver().reverse_dict  # noqa: B018 (the property loads every URLconf, and with them every view)
    # What is loaded by now lives as long as the process: frozen, it is left out of the collector's full passes,
    # which otherwise walk it all (about 90,000 objects, some 50 ms each time).
    gc.freeze()
