from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CycleConfig(AppConfig):
    """The yearly cycle: calls for updates, meetings, the Council, guidance, stakeholder input, reports."""

    name = "partnership.cycle"
    label = "cycle"
    verbose_name = _("Yearly cycle")

    def ready(self) -> None:
        from partnership.ledger import registry
        from partnership.people.permissions import (
            can_read_cycle,
            can_read_outcomes,
            can_read_published_reports,
        )
        from partnership.programme import reporting_calendar
        from partnership.programme.panels import register

        from . import records
        from .panels import DESK_PANEL, PANEL
        from .queries import calendar as cycles_calendar
        from .queries import register_search_kinds

        register(DESK_PANEL)
        register(PANEL)
        # Outcomes and contributions are translated as the programme's texts are (issue 15).
        from .translations import register_kinds

        register_kinds()
        # The search finds outcomes and contributions beside the programme's kinds.
        register_search_kinds()
        # The programme counts and checks updates by the cycles' calendar without importing the cycle.
        reporting_calendar.register(cycles_calendar)
        # The cycle's records arriving from a peer party's node (the ledger knows nothing of the cycle).
        # What the public pages show (calendars, phases, windows, accepted contributions) is public;
        # meetings, outcomes, priorities and agreements to them are the members'; published reports and
        # their countersignatures are everyone's (both nodes hold and serve the same document).
        readers = {
            records.CALENDAR: can_read_cycle,
            records.PHASE: can_read_cycle,
            records.WINDOW: can_read_cycle,
            records.CONTRIBUTION: can_read_cycle,
            records.AGREEMENT: can_read_outcomes,
            records.MEETING: can_read_outcomes,
            records.OUTCOME: can_read_outcomes,
            records.PRIORITY: can_read_outcomes,
            records.REPORT: can_read_published_reports,
            records.REPORT_SIGNATURE: can_read_published_reports,
        }
        for record_type, applier in records.APPLIERS.items():
            registry.register(record_type, applier, readable_by=readers[record_type])
