from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ThreatIntelConfig(AppConfig):
    """Threat-intelligence sharing between ISACs (para 54, para 30): a TAXII 2.1 server with TLP 2.0."""

    name = "partnership.exchanges.threat_intel"
    label = "threat_intel"
    verbose_name = _("Threat intelligence")

    def ready(self) -> None:
        from partnership.ledger import registry
        from partnership.people.permissions import can_read_sealed_records
        from partnership.programme import exchanges

        from . import records
        from .contract import ThreatIntelExchange

        exchanges.register(ThreatIntelExchange())

        registry.register(records.OBJECTS, records.apply_objects, readable_by=can_read_sealed_records)
        registry.register(records.DELETION, records.apply_deletion, readable_by=can_read_sealed_records)
