from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlatformReportsConfig(AppConfig):
    """Common platform reporting (paras 63-65): statements of reasons filed by online platforms as the
    EU's DSA Transparency Database takes them, counted as they arrive."""

    name = "partnership.exchanges.platform_reports"
    label = "platform_reports"
    verbose_name = _("Platform reports")

    def ready(self) -> None:
        from partnership.programme import exchanges

        from .contract import PlatformReports

        exchanges.register(PlatformReports())
