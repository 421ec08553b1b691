from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ThreatIntelConfig(AppConfig):
    """Threat-intelligence sharing between ISACs (para 54, para 30): a TAXII 2.1 server with TLP 2.0."""

    name = "partnership.exchanges.threat_intel"
    label = "threat_intel"
    verbose_name = _("Threat intelligence")

    def ready(self) -> None:
        from partnership.programme import exchanges

        from .contract import ThreatIntelExchange

        exchanges.register(ThreatIntelExchange())
