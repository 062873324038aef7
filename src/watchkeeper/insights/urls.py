from django.urls import path

from watchkeeper.insights import views

app_name = "insights"
urlpatterns = [
    path("", views.insights_page, name="insights"),
    path("incidents.csv", views.export, {"format": "csv"}, name="export-csv"),
    path("incidents.xlsx", views.export, {"format": "xlsx"}, name="export-xlsx"),
]
