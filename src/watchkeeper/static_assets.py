"""Collected assets before anything renders a page: without the manifest every HTML page answers 500.

`serve` and `demo` prepare the assets themselves when the manifest is missing or predates the GOV.UK Frontend
build, and refuse with one line when there is nothing to collect from (the npm build has not run).
"""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command

# The one asset every page links to; if the manifest knows it, the rest of the build was collected with it.
KEY_ASSET = "govuk-frontend.min.css"


class AssetsMissing(Exception):
    """The GOV.UK Frontend build is absent, so collecting would only produce pages that fail."""


def _manifest_knows_key_asset() -> bool:
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    try:
        paths = json.loads(manifest.read_text()).get("paths", {})
    except (OSError, ValueError):
        return False
    return KEY_ASSET in paths


def ensure_collected() -> str | None:
    """Collects the assets if they need it; returns one line saying so, or None when they were already there."""
    if _manifest_knows_key_asset():
        return None
    if finders.find(KEY_ASSET) is None:
        raise AssetsMissing(
            f"the GOV.UK Frontend assets are not built ({KEY_ASSET} not found): run `make assets` first"
        )
    call_command("collectstatic", "--no-input", verbosity=0)
    return f"Collected static assets into {settings.STATIC_ROOT}"
