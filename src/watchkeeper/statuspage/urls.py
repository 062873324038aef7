from django.urls import URLPattern

app_name = "statuspage"
urlpatterns: list[URLPattern] = []
