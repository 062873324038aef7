from django.urls import path

from watchkeeper.slackapp import views

app_name = "slackapp"
urlpatterns = [path("events", views.events, name="events")]
