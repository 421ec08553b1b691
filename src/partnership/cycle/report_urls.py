"""URLs of the progress reports (included inside the language prefix)."""

from django.urls import path

from . import report_views

urlpatterns = [
    path("reports/", report_views.report_list, name="report_list"),
    path("reports/diff/", report_views.report_diff, name="report_diff"),
    path("reports/<int:year>/", report_views.published_report, name="report"),
    path("reports/<int:year>/report.pdf", report_views.published_pdf, name="report_pdf"),
    path("reports/<int:year>/report.json", report_views.published_json, name="report_json"),
    path("reports/<int:year>/countersign/", report_views.countersign, name="report_countersign"),
    path("cycles/<int:year>/report/", report_views.live_report, name="live_report"),
    path("cycles/<int:year>/report/draft.pdf", report_views.draft_pdf, name="draft_report_pdf"),
    path("cycles/<int:year>/report/publish/", report_views.publish, name="publish_report"),
    path("progress/", report_views.progress, name="progress"),
]
