"""The Content-Security-Policy every page and snapshot file is sent with.

Pages load scripts and styles only from this site. The one inline script is GOV.UK Frontend's template line that
marks the body as js-enabled; it is allowed by its hash, which works for the pre-rendered status page snapshot
too, where a per-request nonce cannot. Style attributes stay allowed (the status page's uptime bars size
themselves with one); style elements and every script from elsewhere are not.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

# Exactly as govuk_frontend_jinja's template.html writes it; a test checks the template still does.
GOVUK_JS_ENABLED = (
    "document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? "
    "' govuk-frontend-supported' : '');"
)


def _hash(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"


POLICY = "; ".join(
    [
        "default-src 'self'",
        f"script-src 'self' {_hash(GOVUK_JS_ENABLED)}",
        "style-src 'self'",
        "style-src-attr 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# The interactive API documentation is Swagger UI from a CDN with an inline start-up script: it keeps its own rules.
EXEMPT_SUFFIXES = ("/api/v1/docs",)


class ContentSecurityPolicy:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.endswith(EXEMPT_SUFFIXES):
            response.headers.setdefault("Content-Security-Policy", POLICY)
        return response
