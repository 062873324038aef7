from django.contrib import admin
from django.urls import include, path

from watchkeeper.accounts.views import SignInView, SignOutView
from watchkeeper.api import api
from watchkeeper.catalogue.views import home

urlpatterns = [
    path("", home, name="home"),
    path("sign-in", SignInView.as_view(), name="login"),
    path("sign-out", SignOutView.as_view(), name="logout"),
    path("catalogue/", include("watchkeeper.catalogue.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
