"""Loaded with -p before Django starts, so tests never touch the developer's var/ folder or its static files."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

os.environ.setdefault("WATCHKEEPER_VAR_DIR", tempfile.mkdtemp(prefix="watchkeeper-test-"))
os.environ.setdefault("STATIC_ROOT", str(Path(os.environ["WATCHKEEPER_VAR_DIR"]) / "static"))
