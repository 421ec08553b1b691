"""The exchange contract of threat-intelligence sharing between the parties' ISACs (joint action para 54).

Para 30 (cybersecurity information sharing between both sides) is served too, but the registry takes
joint actions of the Annex only (46-83), so it is named in the report section, not in
`annex_paragraphs`.
"""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partnership.people.models import Membership, Organisation
from partnership.people.permissions import can_read_sealed_records
from partnership.programme.exchanges import (
    DemoAccount,
    DemoContext,
    DemoOrganisation,
    Exchange,
    Navigation,
    RecordType,
)

from . import indicators as figures
from . import records

SOURCE = "threat_intel"


def _by_party(shared: dict[tuple[str, str], int]) -> dict[str, int]:
    """The objects shared per party, from the counts per party and STIX type."""
    totals: dict[str, int] = {}
    for (party, _type), n in shared.items():
        totals[party] = totals.get(party, 0) + n
    return dict(sorted(totals.items()))


def _hours(value: float | None) -> float | None:
    return round(value, 1) if value is not None else None


class ThreatIntelExchange(Exchange):
    """Objects shared per party and STIX type, organisations active, time to the other party's first read."""

    name = "threat_intel"
    title = gettext_lazy("Threat intelligence")
    annex_paragraphs = (54,)
    api_router = "partnership.exchanges.threat_intel.api.router"
    api_prefix = "threat-intel/"
    commands = ("threat_intel",)
    root_urls = (("taxii2/", "partnership.exchanges.threat_intel.taxii"),)
    page_urls = "partnership.exchanges.threat_intel.urls"
    navigation = Navigation("threat-intel", gettext_lazy("Threat intelligence"), order=50)
    record_types = (
        # The envelopes are sealed to the peer node; in the log only secretariats see even the envelope.
        RecordType(records.OBJECTS, records.apply_objects, readable_by=can_read_sealed_records),
        RecordType(records.DELETION, records.apply_deletion, readable_by=can_read_sealed_records),
    )
    # The ISACs of the demo (para 54), which the programme's text does not name.
    demo_organisations = (
        DemoOrganisation(
            "jp-isac", "JP", Organisation.Kind.STAKEHOLDER, "Japan ISAC (demo)", "日本ISAC（デモ）"
        ),
        DemoOrganisation("eu-isac", "EU", Organisation.Kind.STAKEHOLDER, "EU ISAC (demo)", "EU ISAC（デモ）"),
    )
    demo_accounts = (
        DemoAccount(
            "jp-isac",
            "jp-isac",
            Membership.Role.STAKEHOLDER,
            "Japan's ISAC, shares threat intelligence (TAXII)",
        ),
        DemoAccount(
            "eu-isac",
            "eu-isac",
            Membership.Role.STAKEHOLDER,
            "the EU's ISAC, shares threat intelligence (TAXII)",
        ),
    )

    def landing(self, actor: Any) -> str | None:
        """An ISAC's analysts (their organisation may write to a collection) start from its collections."""
        from .queries import is_analyst

        return "threat-intel" if is_analyst(actor) else None

    def seed_demo(self, context: DemoContext) -> str | None:
        from .demo import seed_collections

        created = seed_collections(context, [account.organisation for account in self.demo_accounts])
        if not created:
            return "collections kept as they were"
        return "ISAC collections with sample STIX objects at " + ", ".join(created)

    def indicators(self, cycle_year: int) -> list[dict[str, Any]]:
        """The cycle's figures, each named in both languages, with their unit and source."""
        shared = figures.objects_shared(cycle_year)
        found: list[dict[str, Any]] = []
        for party, total in _by_party(shared).items():
            found.append(
                {
                    "name": {
                        "en": f"STIX objects shared by {party} ISACs",
                        "ja": f"{party}のISACが共有したSTIXオブジェクト",
                    },
                    "value": total,
                    "unit": "objects",
                    "source": SOURCE,
                }
            )
        for (party, stix_type), n in sorted(shared.items()):
            found.append(
                {
                    "name": {
                        "en": f"STIX objects shared by {party} ISACs: {stix_type}",
                        "ja": f"{party}のISACが共有したSTIXオブジェクト：{stix_type}",
                    },
                    "value": n,
                    "unit": "objects",
                    "source": SOURCE,
                }
            )
        found.append(
            {
                "name": {
                    "en": "Organisations active in threat-intelligence sharing",
                    "ja": "脅威情報共有に参加した組織",
                },
                "value": len(figures.active_organisations(cycle_year)),
                "unit": "organisations",
                "source": SOURCE,
            }
        )
        wait = figures.time_to_first_read_by_other_party(cycle_year)
        found.append(
            {
                "name": {
                    "en": "Median time from an object's creation to its first read by the other party",
                    "ja": "オブジェクト作成から相手側による初回閲覧までの時間（中央値）",
                },
                "value": _hours(wait.median_hours),
                "unit": "hours",
                "source": SOURCE,
            }
        )
        return found

    def report_section(self, cycle_year: int, language: str) -> dict[str, Any]:
        """The section of the Council progress report, in `language` ("en" or "ja")."""
        shared = figures.objects_shared(cycle_year)
        wait = figures.time_to_first_read_by_other_party(cycle_year)
        with translation.override(language):
            items = [
                {
                    "label": _("Objects shared by %(party)s ISACs") % {"party": party},
                    "value": total,
                }
                for party, total in _by_party(shared).items()
            ]
            items += [
                {"label": f"{party} · {stix_type}", "value": n}
                for (party, stix_type), n in sorted(shared.items())
            ]
            items.append(
                {
                    "label": _("Organisations active (added or read objects)"),
                    "value": len(figures.active_organisations(cycle_year)),
                }
            )
            median = _hours(wait.median_hours)
            items.append(
                {
                    "label": _("Median hours from an object's creation to its first read by the other party"),
                    "value": median if median is not None else "—",
                }
            )
            return {
                "title": _("Threat-intelligence sharing between ISACs"),
                "figures": items,
                "events": [
                    _(
                        "The ISACs of both parties share STIX 2.1 content over a TAXII 2.1 server that "
                        "enforces the Traffic Light Protocol on every read (para 54; para 30 on "
                        "cybersecurity information sharing)."
                    ),
                    _("%(count)s objects were first read by the other party during the year.")
                    % {"count": wait.objects},
                ],
            }
