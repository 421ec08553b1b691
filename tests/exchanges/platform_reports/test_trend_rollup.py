"""The trends' rollup (`TrendTally`): kept as statements arrive through the API, in the same transaction
as the finer rollups, it equals what the statements filed say, by every dimension the trends draw; a
batch refused leaves it untouched; the series read from it equal the statements."""

from __future__ import annotations

import datetime
import json
import threading
from collections import Counter

import pytest
from django.db.models import Sum
from django.test import Client

from partnership.exchanges.platform_reports import trends
from partnership.exchanges.platform_reports.models import TrendTally

pytestmark = pytest.mark.django_db

API = "/api/v1/platform-reports"


def post(token: str, body) -> object:
    return Client().post(
        f"{API}/statements", json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=token
    )


def expected(filed: list[tuple[str, dict]]) -> Counter:
    """(dimension, platform code, day, value) -> statements, counted from the statements themselves."""
    found: Counter = Counter()
    for code, statement in filed:
        day = statement["application_date"][:10]
        found[("total", code, day, "")] += 1
        for field in ("category", "decision_ground", "source_type", "automated_decision"):
            found[(field, code, day, statement[field])] += 1
        for field in ("content_type", "territorial_scope"):
            for value in set(statement.get(field) or []):
                found[(field, code, day, value)] += 1
    return found


def rolled_up() -> Counter:
    rows = (
        TrendTally.objects.values("dimension", "platform__code", "day", "value")
        .annotate(n=Sum("statements"))
        .order_by()
    )
    return Counter(
        {(r["dimension"], r["platform__code"], r["day"].isoformat(), r["value"]): r["n"] for r in rows}
    )


def test_the_trend_rollup_equals_the_statements_filed_through_the_api(platforms, token_for, generate):
    filed: list[tuple[str, dict]] = []
    days = [datetime.date(2025, 6, 28) + datetime.timedelta(days=n) for n in range(6)]  # both category sets
    for code in ("eu-platform", "jp-platform"):
        token = token_for(platforms[code])
        for batch_number in range(3):
            batch = [generate.statement(day=days[(batch_number + k) % len(days)]) for k in range(40)]
            response = post(token, {"statements": batch})
            assert response.status_code == 201, response.content
            filed += [(code, statement) for statement in batch]
    # A batch refused (one bad statement) adds nothing.
    bad = [generate.statement(day=days[0]) for _k in range(5)]
    bad[3]["decision_ground"] = "NOT_A_GROUND"
    assert post(token_for(platforms["eu-platform"]), {"statements": bad}).status_code == 422

    assert rolled_up() == expected(filed)

    # And the series drawn from it say the same, per platform and for all platforms.
    counted = expected(filed)
    for code in ("eu-platform", "jp-platform", None):
        found = trends.series(None, code, "total", "daily", days[0], days[-1])
        total = sum(point["value"] for point in found["series"][0]["points"])
        assert total == sum(
            n for (dimension, c, _d, _v), n in counted.items() if dimension == "total" and code in (None, c)
        )
    by_ground = trends.series(None, "eu-platform", "decision_ground", "monthly", days[0], days[-1])
    assert {line["key"]: line["total"] for line in by_ground["series"]} == {
        value: sum(
            n
            for (d, c, _day, v), n in counted.items()
            if (d, c, v) == ("decision_ground", "eu-platform", value)
        )
        for (d, c, _day, value) in counted
        if (d, c) == ("decision_ground", "eu-platform")
    }


@pytest.mark.django_db(transaction=True)
def test_batches_filed_at_once_by_two_platforms_lose_no_count(programme, platforms, token_for, generate):
    """Two clients (each a platform, each on its own connection) file batches at the same time on the
    same two days, so their upserts meet on the same rollup rows: every count arrives."""
    from django.db import connection

    from partnership.exchanges.platform_reports.models import DailyCount, DailyTally

    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the race is PostgreSQL's (run with PARTNERSHIP_DATABASE_URL)")
    days = [datetime.date(2025, 9, 1), datetime.date(2025, 9, 2)]
    work = {
        code: [[generate.statement(day=days[k % 2]) for k in range(50)] for _batch in range(6)]
        for code in ("eu-platform", "eu-other-platform")
    }
    tokens = {code: token_for(platforms[code]) for code in work}
    answers: list[int] = []

    def send(code: str) -> None:
        try:
            for batch in work[code]:
                answers.append(post(tokens[code], {"statements": batch}).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(code,)) for code in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [201] * 12
    filed = [(code, statement) for code, batches in work.items() for batch in batches for statement in batch]
    assert rolled_up() == expected(filed)
    assert DailyCount.objects.aggregate(n=Sum("statements"))["n"] == 600
    by_type = Counter(value for _code, s in filed for value in set(s["content_type"]))
    tallied = (
        DailyTally.objects.filter(dimension="content_type").values_list("value").annotate(n=Sum("statements"))
    )
    assert dict(tallied) == dict(by_type)
