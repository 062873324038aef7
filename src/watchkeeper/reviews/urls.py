from django.urls import path

from watchkeeper.reviews import import_views, register_views, views

app_name = "reviews"
urlpatterns = [
    path("register", register_views.register_page, name="register"),
    path("register.csv", register_views.register_csv, name="register-csv"),
    path("register.xlsx", register_views.register_xlsx, name="register-xlsx"),
    path("register/import", import_views.import_register, name="register-import"),
    path("actions.csv", register_views.actions_csv, name="actions-csv"),
    path("actions.xlsx", register_views.actions_xlsx, name="actions-xlsx"),
    path("actions/overdue", register_views.overdue_actions, name="overdue-actions"),
    path("actions/<id:action_id>", views.action_status, name="action"),
    path("templates/<slug:team>", views.template_edit, name="template"),
    path("<str:reference>/report", views.report_page, name="report"),
    path("<str:reference>/report.md", views.report_markdown, name="report-md"),
    path("<str:reference>/report.docx", views.report_docx, name="report-docx"),
    path("<str:reference>/report/edit", views.report_edit, name="report-edit"),
    path("<str:reference>/review", views.review_record, name="review"),
    path("<str:reference>/review/plan", views.review_schedule, name="review-plan"),
    path("<str:reference>/review/waive", views.review_waive, name="review-waive"),
    path("<str:reference>/review.ics", views.review_ics, name="review-ics"),
    path("<str:reference>/actions/new", views.action_new, name="action-new"),
]
