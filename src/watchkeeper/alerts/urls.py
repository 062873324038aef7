"""The intake paths (other tools' contracts, mounted at the root) and the alert pages (under /alerts/)."""

from django.urls import path

from watchkeeper.alerts import intake_views, integration_views, views

app_name = "alerts"
intake_urlpatterns = [
    path("alerts/alertmanager", intake_views.alertmanager, name="alertmanager-bearer"),
    path("alerts/alertmanager/<str:key>", intake_views.alertmanager, name="alertmanager"),
    path("alerts/sns/<str:key>", intake_views.amazon_sns, name="sns"),
    path("alerts/generic/<str:key>", intake_views.generic, name="generic"),
    path("alerts/heartbeat/<str:key>", intake_views.heartbeat, name="heartbeat"),
    path("v2/enqueue", intake_views.pagerduty_enqueue, name="pagerduty"),
    path("v2/change/enqueue", intake_views.pagerduty_change, name="pagerduty-change"),
]
urlpatterns = [
    *intake_urlpatterns,
    path("alerts/", views.group_list, name="groups"),
    path("alerts/groups/<int:pk>", views.group_detail, name="group"),
    path("alerts/groups/<int:pk>/<str:action>", views.group_action, name="group-action"),
    path("alerts/incidents/<str:reference>/resolve", views.incident_groups, name="incident-groups"),
    path("alerts/integrations/", integration_views.integration_list, name="integrations"),
    path("alerts/integrations/new", integration_views.integration_new, name="integration-new"),
    path("alerts/integrations/<int:integration_id>/edit", integration_views.integration_edit, name="integration-edit"),
    path(
        "alerts/integrations/<int:integration_id>/rotate-key",
        integration_views.integration_rotate,
        name="integration-rotate",
    ),
    path(
        "alerts/integrations/<int:integration_id>/delete",
        integration_views.integration_delete,
        name="integration-delete",
    ),
]
