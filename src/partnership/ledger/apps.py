from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    """Signed records, the tamper-evident Merkle log and its checkpoints."""

    name = "partnership.ledger"
    label = "ledger"
    verbose_name = _("Ledger")

    def ready(self) -> None:
        from . import checks  # noqa: F401 - registers the system checks
