"""What `make demo` creates for supply-chain monitoring: two series of each party whose node this is,
from generated values (marked as demo data), each with a second release that revises its last values, so
the vintage table has something to show. Nothing is copied from real sources."""

import datetime
import math
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from partnership.programme.exchanges import DemoContext

#: party: [(code, title, language, unit, product code, level, swing)]
SERIES = {
    "JP": [
        ("DEMO-JP-EPD-SHIP", "電子部品・デバイス出荷指数（デモ）", "ja", "index 2020=100", "", 100.0, 12.0),
        ("DEMO-JP-LEAD", "Semiconductor lead time, Japan (demo)", "en", "weeks", "HS 8542", 14.0, 6.0),
    ],
    "EU": [
        (
            "DEMO-EU-IMP-8542",
            "Imports of integrated circuits (demo)",
            "en",
            "million EUR",
            "HS 8542",
            4200.0,
            600.0,
        ),
        ("DEMO-EU-INV", "Chip inventories at EU manufacturers (demo)", "en", "days of supply", "", 45.0, 9.0),
    ],
}
MONTHS = 72


def observations(level: float, swing: float, months: int = MONTHS, revise: float = 0.0) -> list[dict]:
    """`months` monthly values from January 2019: a cycle around `level`; the last three moved by
    `revise` (a later release's revision)."""
    found = []
    for n in range(months):
        date = datetime.date(2019 + n // 12, n % 12 + 1, 1)
        value = level + swing * math.sin(n / 7.0) + swing * 0.2 * math.cos(n / 2.3)
        if revise and n >= months - 3:
            value += revise
        found.append({"date": date.isoformat(), "value": f"{value:.2f}"})
    return found


@transaction.atomic
def seed_series(context: DemoContext) -> int:
    """The demo series of each party that authors on this node, unless it has them; how many were made."""
    from . import services
    from .models import Series

    made = 0
    for party, items in SERIES.items():
        if not context.on_this_node(party):
            continue
        author = User.objects.get(username=f"{party.lower()}-secretariat")
        for code, title, language, unit, product, level, swing in items:
            if Series.objects.filter(party__code=party, code=code).exists():
                continue
            description = {
                "title": title,
                "language": language,
                "unit": unit,
                "frequency": "monthly",
                "source": "generated demo data",
                "licence": "none: not real data",
                "product_code": product,
            }
            services.import_observations(author, code, observations(level, swing), description)
            services.import_observations(author, code, observations(level, swing, revise=swing / 10), {})
            made += 1
    return made


#: party: (an investment plan, an export-control measure), invented for the demo (issue 16, item 5).
REGISTER_ENTRIES = {
    "JP": (
        {
            "firm": "Demo Foundry K.K. (demo)",
            "site": "Demo fab 1, Hokkaido",
            "country": "JP",
            "technology_node": "2 nm",
            "capacity": "20000",
            "capacity_unit": "wafers per month (300 mm)",
            "amount": "2000000000000",
            "currency": "JPY",
            "support_amount": "500000000000",
            "support_instrument": "grant",
            "status": "construction",
            "source": "generated demo data",
            "tlp": "green",
        },
        {
            "title": "Demo: controls on cleaning and deposition equipment",
            "kind": "new",
            "items": [{"list": "jp-etco", "entry": "7(18)"}, {"list": "wassenaar", "entry": "3B001.f.1"}],
            "hs_codes": ["8486.20"],
            "legal_basis": "Export Trade Control Order (demo)",
            "source": "generated demo data",
            "tlp": "clear",
        },
    ),
    "EU": (
        {
            "firm": "Demo Chips GmbH (demo)",
            "site": "Demo fab, Saxony",
            "country": "DE",
            "technology_node": "28-16 nm",
            "capacity": "40000",
            "capacity_unit": "wafers per month (300 mm)",
            "amount": "10000000000",
            "currency": "EUR",
            "support_amount": "5000000000",
            "support_instrument": "State aid (grant)",
            "support_basis": "Regulation (EU) 2023/1781, Article 14 (demo)",
            "status": "announced",
            "source": "generated demo data",
            "tlp": "green",
        },
        {
            "title": "Demo: controls on quantum and semiconductor items",
            "kind": "amended",
            "items": [{"list": "eu-annex-i", "entry": "3B001"}],
            "hs_codes": ["8486.40"],
            "legal_basis": "Regulation (EU) 2021/821, Annex I (demo)",
            "source": "generated demo data",
            "tlp": "clear",
        },
    ),
}


#: party: (event, alert title or None): a demo disruption each party reports (marked as demo data); JP
#: proposes an alert from its own, left for the EU to acknowledge (issue 16's check on demo-federation).
EVENTS = {
    "JP": (
        {
            "kind": "power_loss",
            "title": "Power loss at a wafer fab (demo)",
            "country": "JP",
            "site": "a fab in Kyushu (demo)",
            "products": ["8542"],
            "products_text": "microcontrollers",
            "firms": ["Demo Foundry K.K."],
            "severity": "moderate",
            "expected_days": 14,
            "start_date": "2026-01-13",
            "description": "Generated demo data: a grid failure stopped two lines for inspection.",
            "language": "en",
            "tlp": "green",
        },
        "Microcontroller supply after the fab's power loss (demo)",
    ),
    "EU": (
        {
            "kind": "logistics",
            "title": "Port congestion delays wafer shipments (demo)",
            "country": "NL",
            "site": "Rotterdam (demo)",
            "products": ["8541", "8542"],
            "firms": [],
            "severity": "minor",
            "expected_days": 10,
            "start_date": "2026-02-02",
            "description": "Generated demo data: containers wait a week longer than usual.",
            "language": "en",
            "tlp": "green",
        },
        None,
    ),
}


@transaction.atomic
def seed_registers(context: DemoContext) -> int:
    """A demo investment plan and export-control measure of each party that authors on this node (the
    measure adopted a week ago, taking effect in two weeks), unless it has them; how many were made."""
    from . import registers
    from .models import Investment

    made = 0
    today = datetime.date.today()
    for party, (plan, measure) in REGISTER_ENTRIES.items():
        if not context.on_this_node(party) or Investment.objects.filter(firm=plan["firm"]).exists():
            continue
        author = User.objects.get(username=f"{party.lower()}-secretariat")
        registers.create(author, "investments", plan)
        dates = {
            "adopted_on": (today - datetime.timedelta(days=7)).isoformat(),
            "takes_effect": (today + datetime.timedelta(days=14)).isoformat(),
        }
        registers.create(author, "export_controls", {**measure, **dates})
        made += 2
    return made


@transaction.atomic
def seed_alerts(context: DemoContext) -> int:
    """The demo event of each party that authors on this node, and JP's alert, unless there; how many
    events were made."""
    from . import alerts
    from .alert_models import Event

    made = 0
    for party, (event, alert_title) in EVENTS.items():
        if (
            not context.on_this_node(party)
            or Event.objects.filter(party__code=party, title=event["title"]).exists()
        ):
            continue
        author = User.objects.get(username=f"{party.lower()}-secretariat")
        reported = alerts.report_event(author, event)
        if alert_title:
            alerts.propose_alert(
                author,
                {"title": alert_title, "event": str(reported.uid), "stage": "monitoring", "tlp": "green"},
            )
        made += 1
    return made


#: One demo scenario per party (generated demo data, not a real plan).
SCENARIOS: dict[str, dict[str, Any]] = {
    "JP": {
        "title": "Earthquake near Kyushu fabs (demo exercise)",
        "description": "Generated demo data: a tabletop scenario of an earthquake that stops two fabs, then "
        "a fall in shipments, then a port closure.",
        "language": "en",
        "tlp": "green",
        "injects": [
            {
                "offset": "T+0h",
                "type": "event",
                "kind": "earthquake",
                "title": "M7 earthquake near Kumamoto (demo)",
                "country": "JP",
                "site": "Kumamoto (demo)",
                "products": ["8542"],
                "severity": "major",
                "expected_days": 30,
                "note": "Two fabs report damage to their clean rooms.",
            },
            {
                "offset": "T+6h",
                "type": "observations",
                "title": "Shipments of electronic parts (demo, synthetic)",
                "unit": "index",
                "frequency": "monthly",
                "observations": [
                    [f"{2020 + month // 12}-{month % 12 + 1:02d}-01", 100.0 + (month % 3) * 0.3]
                    for month in range(60)
                ]
                + [[f"2025-{month:02d}-01", 72.0 - month] for month in range(1, 5)],
            },
            {
                "offset": "T+2d",
                "type": "event",
                "kind": "logistics",
                "title": "Port of Hakata closed (demo)",
                "country": "JP",
                "severity": "moderate",
                "expected_days": 5,
            },
        ],
    },
    "EU": {
        "title": "Gallium licences and a fab fire (demo exercise)",
        "description": "Generated demo data: a tabletop scenario of an export licence regime on gallium "
        "followed by a fire in a European fab.",
        "language": "en",
        "tlp": "green",
        "injects": [
            {
                "offset": "T+0h",
                "type": "event",
                "kind": "export_restriction",
                "title": "Export licences required for gallium (demo)",
                "country": "CN",
                "products": ["8541"],
                "severity": "moderate",
                "expected_days": 90,
            },
            {
                "offset": "T+1d",
                "type": "event",
                "kind": "fab_fire",
                "title": "Fire in a 300 mm fab (demo)",
                "country": "DE",
                "site": "Dresden (demo)",
                "products": ["8542"],
                "severity": "major",
                "expected_days": 60,
            },
        ],
    },
}


@transaction.atomic
def seed_exercises(context: DemoContext) -> int:
    """The demo scenario of each party that authors on this node, unless there; how many were made."""
    from . import exercises
    from .exercise_models import Exercise

    made = 0
    for party, scenario in SCENARIOS.items():
        if (
            not context.on_this_node(party)
            or Exercise.objects.filter(party__code=party, title=scenario["title"]).exists()
        ):
            continue
        exercises.create_exercise(User.objects.get(username=f"{party.lower()}-secretariat"), scenario)
        made += 1
    return made
