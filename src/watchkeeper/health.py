"""Health for load balancers, and what the web app says while the database is unreachable.

`/healthz` answers while the process can answer at all (it touches no database); `/readyz` only when this node can
do its whole job: database reachable, every migration applied, a status page snapshot on hand. Without the
database every page that needs it answers 503 with Retry-After (never a 500 with a traceback); `/status/` keeps
being answered from the snapshot before Django.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import InterfaceError, OperationalError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.views.decorators.cache import never_cache

from watchkeeper.statuspage import conf, snapshot_sync

log = logging.getLogger(__name__)

# The errors a lost or restarting database raises (connection refused, terminated, closed); not bad queries.
OUTAGE = (OperationalError, InterfaceError)

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Sorry, the service is unavailable - {name}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><h1>Sorry, the service is unavailable</h1>
<p>{name} cannot reach its database at the moment. Try again in a few seconds.</p>
<p>The <a href="/status/">status page</a> is still available.</p></main></body></html>
"""


def retry_after() -> int:
    return int(getattr(settings, "WATCHKEEPER_RETRY_AFTER_SECONDS", 5))


def unavailable(request: HttpRequest, error: BaseException) -> HttpResponse:
    """503 with Retry-After: JSON problem for the API, a plain page otherwise (no template: it would need a user)."""
    log.warning("Database unavailable for %s %s: %s", request.method, request.path, str(error).strip()[:200])
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {
                "type": "about:blank",
                "title": "Service unavailable",
                "status": 503,
                "detail": "The database is unreachable; try again shortly",
            },
            status=503,
            content_type="application/problem+json",
        )
    else:
        response = HttpResponse(PAGE.format(name=settings.SERVICE_NAME), status=503)
    response["Retry-After"] = str(retry_after())
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """Turns a database outage during a view into a 503; errors in other middleware reach server_error below."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        return unavailable(request, exception) if isinstance(exception, OUTAGE) else None


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: the database failing inside middleware (a session, a sign-in check) is an outage, not a bug."""
    error = sys.exc_info()[1]
    if isinstance(error, OUTAGE):
        return unavailable(request, error)
    return HttpResponseServerError(
        "<!DOCTYPE html><title>Sorry, there is a problem with the service</title>"
        "<h1>Sorry, there is a problem with the service</h1><p>Try again later.</p>"
    )


@login_not_required
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"status": "ok"})


_migrated = False


def _migrations_applied() -> bool:
    global _migrated
    if not _migrated:
        executor = MigrationExecutor(connection)
        # Cached once true: a running node's code does not gain migrations; a new release restarts it.
        _migrated = not executor.migration_plan(executor.loader.graph.leaf_nodes())
    return _migrated


@login_not_required
@never_cache
def readyz(request: HttpRequest) -> HttpResponse:
    checks: dict[str, str] = {}
    started = time.monotonic()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
        checks["migrations"] = "ok" if _migrations_applied() else "unapplied migrations"
    except OUTAGE as error:
        connection.close()
        checks["database"] = f"unreachable: {str(error).strip()[:200]}"
        checks["migrations"] = "unknown"
    checks["snapshot"] = "ok" if snapshot_sync.loaded(conf.snapshot_dir()) else "no status page snapshot yet"
    ready = all(value == "ok" for value in checks.values())
    body = {
        "status": "ready" if ready else "not ready",
        "checks": checks,
        "ms": round(1000 * (time.monotonic() - started)),
    }
    response = JsonResponse(body, status=200 if ready else 503)
    if not ready:
        response["Retry-After"] = str(retry_after())
    return response
