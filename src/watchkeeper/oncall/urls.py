from django.urls import path

from watchkeeper.oncall import contact_views, schedule_views, views

app_name = "oncall"
urlpatterns = [
    path("", schedule_views.home, name="home"),
    path("schedules/new", schedule_views.schedule_edit, name="schedule_new"),
    path("schedules/<slug:slug>/", schedule_views.schedule_detail, name="schedule"),
    path("schedules/<slug:slug>/edit", schedule_views.schedule_edit, name="schedule_edit"),
    path("swaps/<int:swap_id>/<str:action>", schedule_views.swap_action, name="swap"),
    path("policies/", schedule_views.policies, name="policies"),
    path("policies/new", schedule_views.policy_edit, name="policy_new"),
    path("policies/<slug:slug>/edit", schedule_views.policy_edit, name="policy_edit"),
    path("contact-methods/", contact_views.contact_methods, name="contact_methods"),
    path("contact-methods/calendar-link", contact_views.calendar_link, name="calendar_link"),
    path("contact-methods/<int:method_id>/<str:action>", contact_views.contact_method_action, name="contact_method"),
    path("pages/new", schedule_views.page_new, name="page_new"),
    path("pages/<int:page_id>/", views.page_detail, name="page"),
    path("pages/<int:page_id>/ack", views.page_ack, name="page_ack"),
    path("ack/<str:token>/", views.ack_link, name="ack_link"),
    path("notify/inbound-sms", views.notify_inbound_sms, name="notify_inbound_sms"),
    path("calendars/<str:token>.ics", views.calendar, name="calendar"),
]
