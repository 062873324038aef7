from django.urls import path

from watchkeeper.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.channel_list, name="channels"),
    path("channels/new", views.channel_edit, name="channel-new"),
    path("channels/<id:pk>/edit", views.channel_edit, name="channel-edit"),
    path("channels/<id:pk>/delete", views.channel_delete, name="channel-delete"),
    path("routes/new", views.route_edit, name="route-new"),
    path("routes/<id:pk>/edit", views.route_edit, name="route-edit"),
    path("routes/<id:pk>/delete", views.route_delete, name="route-delete"),
]
