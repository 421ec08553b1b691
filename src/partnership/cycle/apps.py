from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CycleConfig(AppConfig):
    """The yearly cycle: calls for updates, meetings, the Council, guidance, stakeholder input, reports."""

    name = "partnership.cycle"
    label = "cycle"
    verbose_name = _("Yearly cycle")

    def ready(self) -> None:
        from partnership.ledger import registry
        from partnership.people.permissions import can_read_outcomes, can_read_published_reports
        from partnership.programme import reporting_calendar
        from partnership.programme.panels import register

        from .panels import PANEL
        from .queries import calendar as cycles_calendar
        from .records import (
            OUTCOME,
            REPORT,
            REPORT_SIGNATURE,
            apply_outcome,
            apply_report,
            apply_report_signature,
        )

        register(PANEL)
        # The programme counts and checks updates by the cycles' calendar without importing the cycle.
        reporting_calendar.register(cycles_calendar)
        # Outcomes arriving from a peer party's node (the ledger knows nothing of the cycle).
        registry.register(OUTCOME, apply_outcome, readable_by=can_read_outcomes)
        # Published reports and their countersignatures: both nodes hold and serve the same document.
        registry.register(REPORT, apply_report, readable_by=can_read_published_reports)
        registry.register(REPORT_SIGNATURE, apply_report_signature, readable_by=can_read_published_reports)
