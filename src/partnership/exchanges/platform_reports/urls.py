"""/<lang>/platform-reports/: platforms, a platform's statements, a statement (public pages)."""

from django.urls import include, path

from . import views

urlpatterns = [
    path("platform-reports/", views.platforms_page, name="platform-reports"),
    path("platform-reports/platforms/<slug:code>/", views.platform_page, name="platform-reports-platform"),
    path("platform-reports/statements/<str:uuid>/", views.statement_page, name="platform-reports-statement"),
    path("", include("partnership.exchanges.platform_reports.report_urls")),  # issue 18, items 2-4
]
