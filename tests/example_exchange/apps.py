from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExampleExchangeConfig(AppConfig):
    """Trend notes (para 65): the example exchange of docs/adding-an-exchange.md, installed only by tests."""

    name = "tests.example_exchange"
    label = "example_exchange"
    verbose_name = _("Trend notes")

    def ready(self) -> None:
        from partnership.programme import exchanges

        from .contract import TrendNotes

        exchanges.register(TrendNotes())
