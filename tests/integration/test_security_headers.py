"""Headers and limits at the edge: a Content-Security-Policy the pages keep to, HSTS on the snapshot, body caps."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import govuk_frontend_jinja
import pytest
from django.test import Client

from watchkeeper.security_headers import GOVUK_JS_ENABLED, POLICY
from watchkeeper.statuspage.models import Subscriber
from watchkeeper.statuspage.snapshot_wsgi import SnapshotApp

pytestmark = pytest.mark.django_db


def test_pages_carry_a_policy_that_refuses_inline_and_foreign_scripts(client: Client) -> None:
    response = client.get("/sign-in")
    policy = response["Content-Security-Policy"]
    assert policy == POLICY
    assert "script-src 'self' 'sha256-" in policy and "unsafe-inline" not in policy.split("style-src-attr")[0]
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    # The only inline script on a page is GOV.UK Frontend's js-enabled line, allowed by its hash.
    page = response.content.decode()
    assert f">{GOVUK_JS_ENABLED}</script>" in page
    assert page.count("<script") == 2 and 'src="/assets/watchkeeper-init.' in page


def test_the_hashed_script_is_the_one_the_govuk_template_writes() -> None:
    template = Path(govuk_frontend_jinja.__file__).parent / "templates" / "template.html"
    assert GOVUK_JS_ENABLED in template.read_text()


def _snapshot_get(app: SnapshotApp, **environ: Any) -> dict[str, str]:
    seen: dict[str, str] = {}

    def start_response(status: str, headers: list[tuple[str, str]], *args: Any) -> None:
        seen.update(headers)
        seen["status"] = status

    base = {"REQUEST_METHOD": "GET", "PATH_INFO": "/status/", "wsgi.url_scheme": "http", **environ}
    b"".join(app(base, start_response))
    return seen


def test_the_snapshot_sends_hsts_over_https_when_configured(settings: Any, tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<!doctype html><title>Status</title>")
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = False
    settings.BEHIND_PROXY = True
    app = SnapshotApp(lambda environ, start: [], tmp_path)
    secure = _snapshot_get(app, HTTP_X_FORWARDED_PROTO="https")
    assert secure["status"] == "200 OK"
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert secure["Content-Security-Policy"] == POLICY
    assert "Strict-Transport-Security" not in _snapshot_get(app)
    settings.SECURE_HSTS_SECONDS = 0
    assert "Strict-Transport-Security" not in _snapshot_get(
        SnapshotApp(lambda e, s: [], tmp_path), HTTP_X_FORWARDED_PROTO="https"
    )


def test_a_request_body_over_the_cap_is_refused_before_it_is_parsed(client: Client, settings: Any) -> None:
    settings.REQUEST_MAX_BYTES = 64 * 1024
    upload = io.BytesIO(b"x" * (100 * 1024))
    upload.name = "big.bin"
    response = client.post("/status/subscribe", {"email": "a@example.com", "scope": "all", "file": upload})
    assert response.status_code == 413
    assert not Subscriber.objects.exists()
    assert client.post("/status/subscribe", {"email": "a@example.com", "scope": "all"}).status_code == 200
