"""Shared test set-up: tests never touch the developer's var/ folder."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

os.environ.setdefault("WATCHKEEPER_VAR_DIR", tempfile.mkdtemp(prefix="watchkeeper-test-"))
os.environ.setdefault("STATIC_ROOT", str(Path(os.environ["WATCHKEEPER_VAR_DIR"]) / "static"))
