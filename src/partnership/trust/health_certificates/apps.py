from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HealthCertificatesConfig(AppConfig):
    """The Django shell of the health-certificate verifier (para 78): trust stores, CLI, API, page."""

    name = "partnership.trust.health_certificates"
    label = "health_certificates"
    verbose_name = _("Health certificates")

    def ready(self) -> None:
        from partnership.programme import exchanges

        from .contract import HealthCertificates

        exchanges.register(HealthCertificates())
