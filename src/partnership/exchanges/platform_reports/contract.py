"""The exchange contract of platform reports (paras 63-65)."""

from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partnership.people.models import Membership, Organisation
from partnership.people.permissions import can_read_statements
from partnership.programme.exchanges import (
    DemoAccount,
    DemoContext,
    DemoOrganisation,
    Exchange,
    Navigation,
    RecordType,
)

from . import queries, records, trends

SOURCE = "platform_reports"


class PlatformReports(Exchange):
    """Statements of reasons filed by online platforms, counted per platform, day and dimension."""

    name = "platform_reports"
    title = gettext_lazy("Platform reports")
    annex_paragraphs = (63, 64, 65)
    api_router = "partnership.exchanges.platform_reports.api.router"
    api_prefix = "platform-reports/"
    page_urls = "partnership.exchanges.platform_reports.urls"
    navigation = Navigation("platform-reports", gettext_lazy("Platform reports"), order=60)
    commands = ("platform_reports",)
    # A platform's month of counts, signed by its party's secretariat; public, as the statements are.
    record_types = (RecordType(records.MONTH, records.apply_month, readable_by=can_read_statements),)
    # The demo's online platforms (paras 63-64), which the programme's text does not name.
    demo_organisations = (
        DemoOrganisation(
            "eu-platform",
            "EU",
            Organisation.Kind.PLATFORM,
            "Example platform (EU, demo)",
            "例示プラットフォーム（EU、デモ）",
        ),
        DemoOrganisation(
            "jp-platform",
            "JP",
            Organisation.Kind.PLATFORM,
            "Example platform (Japan, demo)",
            "例示プラットフォーム（日本、デモ）",
        ),
    )
    demo_accounts = (
        DemoAccount(
            "eu-platform",
            "eu-platform",
            Membership.Role.PLATFORM,
            "an online platform filing statements of reasons",
        ),
        DemoAccount(
            "jp-platform",
            "jp-platform",
            Membership.Role.PLATFORM,
            "an online platform filing statements of reasons",
        ),
    )

    def seed_demo(self, context: DemoContext) -> str | None:
        from .demo import seed_statements

        filed = seed_statements(context)
        from .japan import seed_demo

        requests = seed_demo(context.on_this_node)  # Japan's removal requests (issue 18, item 2)
        if requests:
            done = f"{filed} statements of reasons and {requests} removal requests filed"
        else:
            done = (
                f"{filed} statements of reasons filed" if filed else "statements of reasons kept as they were"
            )
        # How a demo platform gets the bearer token the API asks for (docs/platform-reports.md).
        return done + (
            "; a platform's API token: its page My account (/en/people/me/) or"
            " .venv/bin/partnership token create eu-platform (or jp-platform)"
        )

    def indicators(self, cycle_year: int) -> list[dict[str, Any]]:
        """Platforms reporting and statements per party, share of fully automated decisions, median
        days from content to decision: all from the rollups."""
        found: list[dict[str, Any]] = []
        for party, n in queries.platforms_per_party(cycle_year).items():
            found.append(
                {
                    "name": {
                        "en": f"Platforms filing statements of reasons ({party})",
                        "ja": f"理由説明書を提出したプラットフォーム（{party}）",
                    },
                    "value": n,
                    "unit": "platforms",
                    "source": SOURCE,
                }
            )
        for party, n in queries.statements_per_party(cycle_year).items():
            found.append(
                {
                    "name": {
                        "en": f"Statements of reasons filed by {party} platforms",
                        "ja": f"{party}のプラットフォームが提出した理由説明書",
                    },
                    "value": n,
                    "unit": "statements",
                    "source": SOURCE,
                }
            )
        found.append(
            {
                "name": {"en": "Share of fully automated decisions", "ja": "完全に自動化された判断の割合"},
                "value": queries.automated_share(cycle_year),
                "unit": "%",
                "source": SOURCE,
            }
        )
        found.append(
            {
                "name": {
                    "en": "Median days from content to decision",
                    "ja": "投稿から判断までの日数の中央値",
                },
                "value": queries.median_days_to_decision(cycle_year),
                "unit": "days",
                "source": SOURCE,
            }
        )
        return found

    def report_section(self, cycle_year: int, language: str) -> dict[str, Any]:
        """The section of the Council progress report, in `language` ("en" or "ja")."""
        with translation.override(language):
            figures: list[dict[str, Any]] = []
            for party, n in queries.statements_per_party(cycle_year).items():
                figures.append(
                    {
                        "label": _(
                            "Statements of reasons filed by %(party)s platforms for decisions of %(year)s"
                        )
                        % {"party": party, "year": cycle_year},
                        "value": n,
                    }
                )
            share = queries.automated_share(cycle_year)
            figures.append(
                {
                    "label": _("Share of fully automated decisions"),
                    "value": f"{share} %" if share is not None else _("no data yet"),
                }
            )
            median = queries.median_days_to_decision(cycle_year)
            figures.append(
                {
                    "label": _("Median days from content to decision"),
                    "value": median if median is not None else _("no data yet"),
                }
            )
            council = trends.council(cycle_year)  # para 65: trends, surges and breaks (issue 18, item 4)
            return {
                "title": _("Platform transparency: statements of reasons"),
                "figures": figures,
                "events": [
                    _(
                        "Online platforms file their statements of reasons here as they file them with "
                        "the EU's DSA Transparency Database; the counts per platform, day, category and "
                        "ground are the base of the common reporting template (paras 63-65)."
                    )
                ]
                + council["events"],
                "chart": council["chart"],
            }
