from django.urls import path

from watchkeeper.oncall import views

app_name = "oncall"
urlpatterns = [
    path("pages/<int:page_id>/", views.page_detail, name="page"),
    path("pages/<int:page_id>/ack", views.page_ack, name="page_ack"),
    path("ack/<str:token>/", views.ack_link, name="ack_link"),
]
