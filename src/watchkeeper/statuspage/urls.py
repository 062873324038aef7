from django.urls import path, re_path

from watchkeeper.statuspage import publish_views, views

app_name = "statuspage"
urlpatterns = [
    # Public, and normally answered from the snapshot files before Django (see snapshot_wsgi).
    path("", views.page, name="page"),
    path("history", views.history, name="history"),
    path("history/<id:number>", views.history, name="history-page"),
    path("incidents/<id:pk>", views.incident, name="incident"),
    path("history.atom", views.atom, name="atom"),
    path("history.rss", views.rss, name="rss"),
    re_path(r"^api/v2/(?P<name>[a-z/-]+\.json)$", views.json_document, name="api"),
    # Public and dynamic: sign-up and the signed links in emails.
    path("subscribe", views.subscribe, name="subscribe"),
    path("subscribe/webhook", views.subscribe_webhook, name="subscribe-webhook"),
    path("subscribe/sms", views.subscribe_sms, name="subscribe-sms"),
    path("subscribe/sms/<str:token>", views.sms_code, name="sms-code"),
    path("subscribe/confirm/<str:token>", views.confirm, name="confirm"),
    path("subscription/<str:token>", views.manage, name="manage"),
    path("unsubscribe/<str:token>", views.unsubscribe, name="unsubscribe"),
    # The comms lead's pages: signed in.
    path("publish/", publish_views.index, name="publish"),
    path("publish/incidents/<str:reference>", publish_views.publish_incident, name="publish-incident"),
    path("publish/maintenance/new", publish_views.schedule_maintenance, name="schedule-maintenance"),
    path("publish/<id:pk>", publish_views.detail, name="public-incident"),
]
