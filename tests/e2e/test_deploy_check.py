"""Production settings from the environment pass Django's deployment checklist."""

from __future__ import annotations

import os
import secrets
import subprocess
from pathlib import Path

from tests.e2e.test_cli import WATCHKEEPER


def test_check_deploy_is_clean_with_production_settings(tmp_path: Path) -> None:
    env = {
        "SECRET_KEY": secrets.token_urlsafe(60),
        "SITE_URL": "https://watchkeeper.example.gov.uk",
        "ALLOWED_HOSTS": "watchkeeper.example.gov.uk",
        "SECURE_SSL_REDIRECT": "true",
        "SECURE_HSTS_SECONDS": "31536000",
        "WATCHKEEPER_VAR_DIR": str(tmp_path),
    }
    # The browser tests' DJANGO_ALLOW_ASYNC_UNSAFE must not leak into a production-like process.
    base = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    result = subprocess.run(
        [WATCHKEEPER, "manage", "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True,
        text=True,
        env={**base, **env},
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
