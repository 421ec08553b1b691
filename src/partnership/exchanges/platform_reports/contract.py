"""The exchange contract of platform reports (paras 63-65)."""

from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partnership.programme.exchanges import Exchange, Navigation

SOURCE = "platform_reports"


class PlatformReports(Exchange):
    """Statements of reasons filed by online platforms, counted per platform, day and dimension."""

    name = "platform_reports"
    title = gettext_lazy("Platform reports")
    annex_paragraphs = (63, 64, 65)
    api_router = "partnership.exchanges.platform_reports.api.router"
    api_prefix = "platform-reports/"
    page_urls = "partnership.exchanges.platform_reports.urls"
    navigation = Navigation("platform-reports", gettext_lazy("Platform reports"), order=60)

    def indicators(self, cycle_year: int) -> list[dict[str, Any]]:
        return []

    def report_section(self, cycle_year: int, language: str) -> dict[str, Any]:
        with translation.override(language):
            return {"title": _("Platform transparency"), "figures": []}
