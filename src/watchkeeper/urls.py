from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path

from watchkeeper import health
from watchkeeper.accounts.views import SignInView, SignOutView
from watchkeeper.api import api
from watchkeeper.incidents.views import dashboard
from watchkeeper.insights.metrics import metrics_view


@login_not_required
def favicon(request: HttpRequest) -> HttpResponse:
    # Resolved per request: the hashed asset name exists only once the assets are collected.
    return HttpResponsePermanentRedirect(static("images/favicon.ico"))


urlpatterns = [
    path("", dashboard, name="home"),
    # Browsers ask for /favicon.ico on every page, signed in or not: the GOV.UK one, from the collected assets.
    path("favicon.ico", favicon, name="favicon"),
    path("sign-in", SignInView.as_view(), name="login"),
    path("sign-out", SignOutView.as_view(), name="logout"),
    path("catalogue/", include("watchkeeper.catalogue.urls")),
    path("incidents/", include("watchkeeper.incidents.urls")),
    path("notifications/", include("watchkeeper.notifications.urls")),
    path("reviews/", include("watchkeeper.reviews.urls")),
    path("breaches/", include("watchkeeper.breaches.urls")),
    path("insights/", include("watchkeeper.insights.urls")),
    path("slack/", include("watchkeeper.slackapp.urls")),
    path("status/", include("watchkeeper.statuspage.urls")),
    path("oncall/", include("watchkeeper.oncall.urls")),
    path("api/v1/", api.urls),
    path("metrics", metrics_view, name="metrics"),
    # Alert intake paths are other tools' contracts (/alerts/..., /v2/enqueue), so they sit at the root.
    path("", include("watchkeeper.alerts.urls")),
    path("admin/", admin.site.urls),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
]
handler500 = "watchkeeper.health.server_error"
if settings.OIDC_ENABLED:
    urlpatterns.append(path("oidc/", include("mozilla_django_oidc.urls")))
