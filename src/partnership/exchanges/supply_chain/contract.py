"""The exchange contract of semiconductor supply-chain monitoring (joint action para 46: joint monitoring,
exchange of information in anticipation of supply-chain disruptions, early warning)."""

from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partnership.people.permissions import (
    can_read_monitoring_series,
    can_read_register_records,
    can_read_sealed_records,
)
from partnership.programme.exchanges import DemoContext, Exchange, Navigation, RecordType

from . import alert_queries, alert_records, exercise_records, panels, queries, records, register_records
from .alert_models import Stage

SOURCE = "supply_chain"


class SupplyChain(Exchange):
    """Monitoring series each party publishes and shares with the other, every vintage kept (para 46)."""

    name = "supply_chain"
    title = gettext_lazy("Supply chain monitoring")
    annex_paragraphs = (46,)
    api_router = "partnership.exchanges.supply_chain.api.router"
    api_prefix = "supply-chain/"
    page_urls = "partnership.exchanges.supply_chain.urls"
    navigation = Navigation("supply-chain", gettext_lazy("Supply chain"), order=40)
    commands = ("supply_chain",)
    panels = (panels.OPEN_SIGNALS, panels.OPEN_ALERTS)
    # Both parties' members read the series and their releases from the log; nothing is sealed.
    record_types = (
        RecordType(records.SERIES, records.apply_series, readable_by=can_read_monitoring_series),
        RecordType(records.RELEASE, records.apply_release, readable_by=can_read_monitoring_series),
        # The registers (issue 16, items 5 and 6): below TLP:CLEAR the entry is sealed to the peer node.
        RecordType(
            register_records.INVESTMENT,
            register_records.apply_investment,
            readable_by=can_read_register_records,
        ),
        RecordType(
            register_records.EXPORT_CONTROL,
            register_records.apply_export_control,
            readable_by=can_read_register_records,
        ),
        # Events and alerts are sealed to the other party's node: the secretariats read the envelope.
        RecordType(alert_records.EVENT, alert_records.apply_event, readable_by=can_read_sealed_records),
        RecordType(alert_records.ADDITION, alert_records.apply_addition, readable_by=can_read_sealed_records),
        RecordType(alert_records.STEP, alert_records.apply_step, readable_by=can_read_sealed_records),
        # Tabletop exercises (issue 16, item 4): scenarios and every step of a run, sealed likewise.
        RecordType(
            exercise_records.EXERCISE, exercise_records.apply_exercise, readable_by=can_read_sealed_records
        ),
        RecordType(exercise_records.STEP, exercise_records.apply_step, readable_by=can_read_sealed_records),
    )

    def seed_demo(self, context: DemoContext) -> str | None:
        from .demo import seed_alerts, seed_exercises, seed_registers, seed_series

        made = seed_series(context)
        entries = seed_registers(context)
        events = seed_alerts(context)
        scenarios = seed_exercises(context)
        said = f"{made} monitoring series imported" if made else "monitoring series kept as they were"
        if entries:
            said += f"; {entries} register entries"
        if scenarios:
            said += f"; {scenarios} demo exercise scenarios"
        return said + (f"; {events} demo events reported" if events else "; demo events kept as they were")

    def indicators(self, cycle_year: int) -> list[dict[str, Any]]:
        """Series per party, observations released and signals raised on dates of the cycle's year; alerts
        proposed in the year by their stage now, the median hours from an alert's proposal to both parties'
        acknowledgement, and the share of preventive actions due in the year done on time (None until there
        is one to measure)."""
        found: list[dict[str, Any]] = []
        for party, (series, released) in queries.council_figures(cycle_year).items():
            found.append(
                {
                    "name": {
                        "en": f"Monitoring series published by {party}",
                        "ja": f"{party}が公開する監視系列",
                    },
                    "value": series,
                    "unit": "series",
                    "source": SOURCE,
                }
            )
            found.append(
                {
                    "name": {
                        "en": f"Observations released by {party} in {cycle_year}",
                        "ja": f"{party}が{cycle_year}年に公開した観測値",
                    },
                    "value": released,
                    "unit": "observations",
                    "source": SOURCE,
                }
            )
        for party, count in queries.council_signals(cycle_year).items():
            found.append(
                {
                    "name": {
                        "en": f"Early-warning signals on {party}'s series in {cycle_year}",
                        "ja": f"{cycle_year}年の{party}の系列の早期警戒シグナル",
                    },
                    "value": count,
                    "unit": "signals",
                    "source": SOURCE,
                }
            )
        figures = alert_queries.council_alerts(cycle_year)
        stage_names = {"monitoring": "監視", "alert": "警戒", "crisis": "危機"}
        for stage, count in figures.by_stage.items():
            found.append(
                {
                    "name": {
                        "en": f"Alerts proposed in {cycle_year} now at the {stage} stage",
                        "ja": f"{cycle_year}年に提案され現在「{stage_names[stage]}」段階のアラート",
                    },
                    "value": count,
                    "unit": "alerts",
                    "source": SOURCE,
                }
            )
        found.append(
            {
                "name": {
                    "en": "Median hours from an alert's proposal to both parties' acknowledgement",
                    "ja": "アラート提案から双方の確認までの時間（中央値）",
                },
                "value": figures.median_hours,
                "unit": "hours",
                "source": SOURCE,
            }
        )
        found.append(
            {
                "name": {"en": "Preventive actions done on time", "ja": "期限内に完了した予防措置"},
                "value": figures.on_time_share,
                "unit": "%",
                "source": SOURCE,
            }
        )
        return found

    def report_section(self, cycle_year: int, language: str) -> dict[str, Any]:
        """The section of the Council progress report, in `language` ("en" or "ja")."""
        per_party = queries.council_figures(cycle_year)
        with translation.override(language):
            figures: list[dict[str, Any]] = []
            for party, (series, released) in per_party.items():
                figures.append(
                    {
                        "label": _("Monitoring series published by %(party)s") % {"party": party},
                        "value": series,
                    }
                )
                figures.append(
                    {
                        "label": _("Observations released by %(party)s in %(year)s")
                        % {"party": party, "year": cycle_year},
                        "value": released,
                    }
                )
            signals = queries.council_signals(cycle_year)
            for party, count in signals.items():
                figures.append(
                    {
                        "label": _("Early-warning signals on %(party)s's series in %(year)s")
                        % {"party": party, "year": cycle_year},
                        "value": count,
                    }
                )
            alert_figures = alert_queries.council_alerts(cycle_year)
            for stage, label in Stage.choices:
                figures.append(
                    {
                        "label": _("Alerts proposed in %(year)s now at the stage: %(stage)s")
                        % {"year": cycle_year, "stage": label},
                        "value": alert_figures.by_stage[stage],
                    }
                )
            figures.append(
                {
                    "label": _("Median hours from an alert's proposal to both parties' acknowledgement"),
                    "value": _("no data yet")
                    if alert_figures.median_hours is None
                    else alert_figures.median_hours,
                }
            )
            figures.append(
                {
                    "label": _("Preventive actions done on time (of %(due)s due)")
                    % {"due": alert_figures.actions_due},
                    "value": _("no data yet")
                    if alert_figures.on_time_share is None
                    else f"{alert_figures.on_time_share} %",
                }
            )
            return {
                "title": _("Semiconductor supply chain: joint monitoring"),
                "figures": figures,
                "events": [
                    _(
                        "Each party publishes indicator series of the semiconductor supply chain, and every "
                        "vintage of their values reaches the other party through the ledger (para 46)."
                    ),
                    _(
                        "Detectors configured per series (CUSUM, change points, thresholds, change on "
                        "a year ago) raised %(count)s signals on dates of %(year)s; each node computes them "
                        "from the shared observations, and each says which method fired, on what window, and "
                        "the value against its baseline."
                    )
                    % {"count": sum(signals.values()), "year": cycle_year},
                    _(
                        "Disruptions are reported as events, acknowledged by the other party; a signal or an "
                        "event becomes an alert that both parties acknowledge and assess on the common scale "
                        "monitoring, alert, crisis (after the EU Chips Act, Chapter IV), with owners, "
                        "preventive actions with deadlines, and a closing note of lessons. %(count)s alerts "
                        "were proposed in %(year)s."
                    )
                    % {"count": sum(alert_figures.by_stage.values()), "year": cycle_year},
                ],
            }
