"""Production settings from the environment pass Django's deployment checklist."""

from __future__ import annotations

import os
import secrets
import subprocess
from pathlib import Path

import pytest

from tests.e2e.test_cli import WATCHKEEPER

# Process supervision and start-up checks do not depend on the database: one CI pass runs them.
pytestmark = pytest.mark.sqlite_pass

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_production_environment() -> dict[str, str]:
    """The variables in the README's "production environment" block, exactly as a reader would copy them."""
    block = README.read_text().split("# production environment\n", 1)[1].split("```", 1)[0]
    pairs = [line.strip().split("=", 1) for line in block.splitlines() if "=" in line]
    return {name: value for name, value in pairs}


def _check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # The browser tests' DJANGO_ALLOW_ASYNC_UNSAFE must not leak into a production-like process.
    base = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return subprocess.run(
        [WATCHKEEPER, "manage", "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True,
        text=True,
        env={**base, **env},
        timeout=60,
    )


def test_the_readme_production_variables_make_check_deploy_clean(tmp_path: Path) -> None:
    env = readme_production_environment()
    assert {"SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECRET_KEY", "ALLOWED_HOSTS"} <= set(env)
    # The reader's own secret, and this test's database rather than the example's PostgreSQL host.
    env |= {"SECRET_KEY": secrets.token_urlsafe(60), "WATCHKEEPER_VAR_DIR": str(tmp_path)}
    env.pop("DATABASE_URL")
    result = _check_deploy(env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


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
