from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupplyChainConfig(AppConfig):
    """Semiconductor supply-chain monitoring and early warning (para 46)."""

    name = "partnership.exchanges.supply_chain"
    label = "supply_chain"
    verbose_name = _("Supply chain")

    def ready(self) -> None:
        from partnership.programme import exchanges

        from .contract import SupplyChain

        exchanges.register(SupplyChain())
