from django.urls import path

from watchkeeper.slackapp import policy_views, views

app_name = "slackapp"
urlpatterns = [
    path("events", views.events, name="events"),
    path("services/<slug:slug>/channels", policy_views.channel_policy, name="channel-policy"),
]
