"""Production settings from the environment pass Django's deployment checklist."""

from __future__ import annotations

import secrets
from pathlib import Path

from tests.e2e.test_cli import run


def test_check_deploy_is_clean_with_production_settings(tmp_path: Path) -> None:
    env = {
        "SECRET_KEY": secrets.token_urlsafe(60),
        "SITE_URL": "https://watchkeeper.example.gov.uk",
        "ALLOWED_HOSTS": "watchkeeper.example.gov.uk",
        "SECURE_SSL_REDIRECT": "true",
        "SECURE_HSTS_SECONDS": "31536000",
        "WATCHKEEPER_VAR_DIR": str(tmp_path),
    }
    result = run("manage", "check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
