"""The dashboard panel of supply-chain monitoring: open signals of the last 90 days per party, for
members (issue 16, item 2)."""

from typing import Any

from django.http import HttpRequest

from partnership.programme.panels import Panel

from . import alert_queries, explain, queries


def open_signals(request: HttpRequest) -> dict[str, Any] | None:
    """Context of the panel: per party, the signals detected lately on recent dates, each explained
    (one query); None for a reader who is not a member."""
    grouped = queries.open_signals(request.user)
    if grouped is None:
        return None
    return {
        "days": queries.OPEN_DAYS,
        "parties": [
            (
                party,
                [(signal, explain.sentence(signal, signal.series.frequency)) for signal in signals],
            )
            for party, signals in grouped.items()
        ],
    }


OPEN_SIGNALS = Panel(template="supply_chain/dashboard_panel.html", context=open_signals, order=40)


def open_alerts(request: HttpRequest) -> dict[str, Any] | None:
    """Context of the open-alerts panel: the open alerts the reader may read, crisis first (one query);
    None for a reader who is not a member."""
    found = alert_queries.open_alerts(request.user)
    if found is None:
        return None
    return {"alerts": found}


OPEN_ALERTS = Panel(template="supply_chain/alerts_panel.html", context=open_alerts, order=41)
