from django.urls import path

from watchkeeper.catalogue import views

app_name = "catalogue"
urlpatterns = [
    path("services/", views.service_list, name="services"),
    path("services/new", views.service_edit, name="service-new"),
    path("services/<slug:slug>/", views.service_detail, name="service"),
    path("services/<slug:slug>/edit", views.service_edit, name="service-edit"),
    path("services/<slug:slug>/priorities", views.priority_overrides, name="service-priorities"),
    path("services/<slug:slug>/closures/new", views.closure_add, name="closure-new"),
    path("services/<slug:slug>/closures/<int:closure_id>/remove", views.closure_remove, name="closure-remove"),
    path("services/<slug:slug>/components/new", views.component_add, name="component-new"),
    path("services/<slug:slug>/components/<slug:component>/edit", views.component_edit, name="component-edit"),
    path("services/<slug:slug>/components/<slug:component>/remove", views.component_remove, name="component-remove"),
    path("teams/", views.team_list, name="teams"),
    path("teams/new", views.team_edit, name="team-new"),
    path("teams/<slug:slug>/edit", views.team_edit, name="team-edit"),
]
