"""Pages of issue 18, items 2-4 (included from urls.py)."""

from django.urls import path

from . import report_views

urlpatterns = [
    path("platform-reports/template/", report_views.mapping_page, name="platform-reports-mapping"),
    path("platform-reports/trends/", report_views.trends_page, name="platform-reports-trends"),
    path(
        "platform-reports/platforms/<slug:code>/dsa-template/",
        report_views.dsa_template_page,
        name="platform-reports-dsa-template",
    ),
    path(
        "platform-reports/platforms/<slug:code>/japan/<int:year>/",
        report_views.japan_page,
        name="platform-reports-japan",
    ),
]
