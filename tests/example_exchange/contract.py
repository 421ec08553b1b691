"""The exchange contract of trend notes (joint action para 65: sharing information on trends in online
environments). The example exchange of docs/adding-an-exchange.md, installed only by tests."""

from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partnership.people.permissions import can_read_progress
from partnership.programme.exchanges import DemoContext, Exchange, Navigation, RecordType

from . import queries, records

SOURCE = "example_exchange"


class TrendNotes(Exchange):
    """Notes on trends in online environments filed by each party and shared with the other (para 65)."""

    name = "example_exchange"
    title = gettext_lazy("Trend notes")
    annex_paragraphs = (65,)
    api_router = "tests.example_exchange.api.router"
    api_prefix = "example-exchange/"
    page_urls = "tests.example_exchange.urls"
    navigation = Navigation("example-exchange", gettext_lazy("Trend notes"), order=60)
    commands = ("example_exchange",)
    # Members read notes from the log as they read progress; the other party's node applies them.
    record_types = (RecordType(records.NOTE, records.apply_note, readable_by=can_read_progress),)

    def seed_demo(self, context: DemoContext) -> str | None:
        from .demo import seed_notes

        filed = seed_notes(context)
        return f"{filed} trend notes filed" if filed else "trend notes kept as they were"

    def indicators(self, cycle_year: int) -> list[dict[str, Any]]:
        """Notes filed per party in the cycle's year."""
        return [
            {
                "name": {"en": f"Trend notes shared by {party}", "ja": f"{party}が共有した動向メモ"},
                "value": n,
                "unit": "notes",
                "source": SOURCE,
            }
            for party, n in queries.notes_per_party(cycle_year).items()
        ]

    def report_section(self, cycle_year: int, language: str) -> dict[str, Any]:
        """The section of the Council progress report, in `language` ("en" or "ja")."""
        per_party = queries.notes_per_party(cycle_year)
        with translation.override(language):
            return {
                "title": _("Trends in online environments"),
                "figures": [
                    {"label": _("Trend notes shared by %(party)s") % {"party": party}, "value": n}
                    for party, n in per_party.items()
                ],
                "events": [
                    _("Each party shares notes on the trends it observes in online environments (para 65).")
                ],
            }
