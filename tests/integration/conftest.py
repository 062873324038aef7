from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.factories import static_files


@pytest.fixture(scope="session", autouse=True)
def _collected_static() -> Iterator[None]:
    yield from static_files()
