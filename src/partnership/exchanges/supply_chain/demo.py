"""What `make demo` creates for supply-chain monitoring: two series of each party whose node this is,
from generated values (marked as demo data), each with a second release that revises its last values, so
the vintage table has something to show. Nothing is copied from real sources."""

import datetime
import math

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
