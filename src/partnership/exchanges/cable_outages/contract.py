"""The exchange contract of the connectivity map (joint action para 61: secure and sustainable
connectivity links; mapping current and future connectivity infrastructure between the EU and Japan)."""

from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partnership.people.models import Membership, Organisation
from partnership.people.permissions import can_read_outages
from partnership.programme.exchanges import (
    DemoAccount,
    DemoContext,
    DemoOrganisation,
    Exchange,
    Navigation,
    RecordType,
)

from . import filers, outages, queries

SOURCE = "cable_outages"


class CableOutages(Exchange):
    """The cable map between Japan and the EU and the resilience of its routes (para 61)."""

    name = "cable_outages"
    title = gettext_lazy("Submarine cables")
    annex_paragraphs = (61,)
    api_router = "partnership.exchanges.cable_outages.api.router"
    api_prefix = "cables/"  # the name for it: /api/v1/cables/
    page_urls = "partnership.exchanges.cable_outages.urls"
    navigation = Navigation("cables", gettext_lazy("Cables"), order=70)
    commands = ("cables",)
    # The map is each node's reference data from a licensed source: it is not signed into the ledger.
    # Outage reports are (one record per stage filed), sealed to the peer node unless TLP:CLEAR; so are
    # the responsible-filer designations (each change and revocation), in the clear.
    record_types = (
        RecordType(outages.OUTAGE, outages.apply_outage, readable_by=can_read_outages),
        RecordType(filers.FILER, filers.apply_filer, readable_by=can_read_outages),
    )
    # The demo's cable operators (para 61), which the programme's text does not name.
    demo_organisations = (
        DemoOrganisation(
            "jp-cable-operator",
            "JP",
            Organisation.Kind.OPERATOR,
            "Example cable operator (Japan, demo)",
            "例示ケーブル事業者（日本、デモ）",
        ),
        DemoOrganisation(
            "eu-cable-operator",
            "EU",
            Organisation.Kind.OPERATOR,
            "Example cable operator (EU, demo)",
            "例示ケーブル事業者（EU、デモ）",
        ),
    )
    demo_accounts = (
        DemoAccount(
            "jp-operator", "jp-cable-operator", Membership.Role.OPERATOR, "a cable operator reporting outages"
        ),
        DemoAccount(
            "eu-operator", "eu-cable-operator", Membership.Role.OPERATOR, "a cable operator reporting outages"
        ),
    )

    def seed_demo(self, context: DemoContext) -> str | None:
        from .demo import seed_map

        return seed_map(context)

    def indicators(self, cycle_year: int) -> list[dict[str, Any]]:
        """The direct cables and the min-cut between the first two parties, on the map imported now; and
        the outage reports of the year (item 5)."""
        outages_found = self._outage_indicators(cycle_year)
        figures = queries.report_figures()
        if figures is None:
            return outages_found
        pair = f"{figures['from']}–{figures['to']}"
        return outages_found + [
            {
                "name": {"en": f"Cables landing in both {pair}", "ja": f"{pair}の双方に陸揚げされるケーブル"},
                "value": len(figures["direct"]),
                "unit": "cables",
                "source": SOURCE,
            },
            {
                "name": {
                    "en": f"Fewest cables whose loss cuts {pair} (min-cut)",
                    "ja": f"{pair}を分断する最小ケーブル数(最小カット)",
                },
                "value": figures["min_cut"],
                "unit": "cables",
                "source": SOURCE,
            },
        ]

    def _outage_indicators(self, cycle_year: int) -> list[dict[str, Any]]:
        found = queries.outage_figures(cycle_year)
        rows: list[dict[str, Any]] = [
            {
                "name": {"en": f"Cable outages reported by {party}", "ja": f"{party}が報告したケーブル障害"},
                "value": found["per_party"].get(party, 0),
                "unit": "reports",
                "source": SOURCE,
            }
            for party in list(queries.parties())[:2]
        ]
        share = found["on_time_share"]
        rows += [
            {
                "name": {
                    "en": "Outage report stages filed on time",
                    "ja": "期限内に提出された障害報告の段階",
                },
                "value": round(share * 100, 1) if share is not None else None,
                "unit": "%",
                "source": SOURCE,
            },
            {
                "name": {
                    "en": "Median time from detection to notification",
                    "ja": "検知から通知までの時間(中央値)",
                },
                "value": found["median_hours_to_notification"],
                "unit": "hours",
                "source": SOURCE,
            },
            {
                "name": {
                    "en": "Median time from detection to repair",
                    "ja": "検知から修理までの時間(中央値)",
                },
                "value": found["median_hours_to_repair"],
                "unit": "hours",
                "source": SOURCE,
            },
        ]
        return rows

    def report_section(self, cycle_year: int, language: str) -> dict[str, Any]:
        """The section of the Council progress report, in `language` ("en" or "ja")."""
        figures = queries.report_figures()
        with translation.override(language):
            section: dict[str, Any] = {"title": _("Connectivity between Japan and the EU"), "figures": []}
            if figures is None:
                section["events"] = [_("No cable map has been imported on this node yet (para 61).")]
                return section
            names = figures["names"]
            section["figures"] = [
                {"label": _("Cables in service on the map"), "value": figures["cables"]},
                {
                    "label": _("Cables landing in both %(a)s and %(b)s")
                    % {"a": figures["from"], "b": figures["to"]},
                    "value": len(figures["direct"]),
                },
                {
                    "label": _("Fewest cables whose loss disconnects them (min-cut)"),
                    "value": figures["min_cut"],
                },
            ]
            section["events"] = [
                _("Direct cables: %(names)s.")
                % {"names": ", ".join(names[slug] for slug in figures["direct"]) or "—"}
            ]
            self._outage_section(section, cycle_year)
            return section

    def _outage_section(self, section: dict[str, Any], cycle_year: int) -> None:
        """The outage figures of the year and the min-cut by year, in the active language."""
        found = queries.outage_figures(cycle_year)
        share = found["on_time_share"]
        section["figures"] += [
            {
                "label": _("Cable outages reported by %(party)s") % {"party": party},
                "value": found["per_party"].get(party, 0),
            }
            for party in list(queries.parties())[:2]
        ] + [
            {"label": _("Stages filed on time"), "value": f"{share:.0%}" if share is not None else "—"},
            {
                "label": _("Median hours from detection to notification"),
                "value": found["median_hours_to_notification"]
                if found["median_hours_to_notification"] is not None
                else "—",
            },
            {
                "label": _("Median hours from detection to repair"),
                "value": found["median_hours_to_repair"]
                if found["median_hours_to_repair"] is not None
                else "—",
            },
        ]
        by_year = queries.min_cut_by_year(last=cycle_year)
        if by_year:
            section["events"].append(
                _("Min-cut between the parties by year (cables in service by then): %(years)s.")
                % {"years": ", ".join(f"{year}: {cut}" for year, cut in by_year.items())}
            )
