from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CableOutagesConfig(AppConfig):
    """Connectivity between Japan and the EU: the cable map and route resilience (para 61)."""

    name = "partnership.exchanges.cable_outages"
    label = "cable_outages"
    verbose_name = _("Submarine cables")

    def ready(self) -> None:
        from partnership.programme import exchanges

        from .contract import CableOutages

        exchanges.register(CableOutages())
