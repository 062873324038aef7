from django.urls import path

from watchkeeper.breaches import security_views, views

app_name = "breaches"
urlpatterns = [
    path("", views.breach_log, name="log"),
    path("log.csv", views.breach_log_csv, name="log-csv"),
    path("log.xlsx", views.breach_log_xlsx, name="log-xlsx"),
    path("<str:reference>/", views.record, name="record"),
    path("<str:reference>/open", views.open_breach, name="open"),
    path("<str:reference>/aware", views.aware, name="aware"),
    path("<str:reference>/facts", views.facts, name="facts"),
    path("<str:reference>/risk", views.risk, name="risk"),
    path("<str:reference>/ico", views.ico_decision, name="ico"),
    path("<str:reference>/reported", views.reported, name="reported"),
    path("<str:reference>/further-information", views.further_information, name="further"),
    path("<str:reference>/tell-people", views.tell_people, name="tell"),
    path("<str:reference>/ico-draft", views.draft, name="draft"),
    path("<str:reference>/ico-draft.md", views.draft_markdown, name="draft-md"),
    path("<str:reference>/ico-draft.docx", views.draft_docx, name="draft-docx"),
    path("<str:reference>/security", security_views.security, name="security"),
    path("<str:reference>/security/ncsc", security_views.ncsc, name="ncsc"),
    path("<str:reference>/security/evidence-log", security_views.evidence_log, name="evidence-log"),
    path("<str:reference>/security/evidence", security_views.evidence_upload, name="evidence"),
    path("<str:reference>/security/evidence/<id:pk>", security_views.evidence_download, name="evidence-download"),
    path("<str:reference>/security/<str:step>", security_views.section, name="section"),
    path("<str:reference>/security/<str:step>/waive", security_views.waive, name="waive"),
]
