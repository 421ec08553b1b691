"""What the earlier session left (issue 16, items 1 and 7): the same series created twice at once is a 409,
weekly series keep one weekday, and a long series' chart is thinned to its peaks and troughs."""

import datetime
import json
import threading

import pytest
from django.db import connection
from django.test import Client

from partnership.errors import Invalid
from partnership.exchanges.supply_chain import charts, services
from partnership.exchanges.supply_chain.models import Series
from partnership.exchanges.supply_chain.queries import Point

API = "/api/v1/supply-chain/series"


def bearer(user):
    from partnership.people.services import create_token

    return {"HTTP_AUTHORIZATION": "Bearer " + create_token(user, "test")[1]}


@pytest.mark.django_db(transaction=True)
def test_the_same_code_created_by_two_requests_at_once_is_a_409_not_a_500(members):
    if connection.vendor != "postgresql":
        pytest.skip("needs two concurrent transactions (PostgreSQL); SQLite serialises its writers")
    from django.db import connections, transaction

    owner = members["jp_secretariat"]
    headers = bearer(owner)
    body = {"code": "JP-RACE", "title": "Race", "unit": "units", "frequency": "monthly"}
    inserted = threading.Event()

    def first():
        # Another request's insert of the same code, not yet committed: the API's request below finds no
        # series (READ COMMITTED), inserts, waits on the other row's lock, and then meets the unique
        # constraint when the other commits. (The row is inserted directly: the service would also take
        # the ledger's lock, which serialises the two requests before they reach the insert.)
        from django.utils import timezone

        try:
            with transaction.atomic():
                now = timezone.now()
                Series.objects.create(
                    party=owner.membership.organisation.party,
                    organisation=owner.membership.organisation,
                    code="JP-RACE",
                    title="Race",
                    language="en",
                    frequency="monthly",
                    created_at=now,
                    changed_at=now,
                )
                inserted.set()
                threading.Event().wait(2)
        finally:
            connections.close_all()

    assert Client().get(API, **headers).status_code == 200  # the URLs and the API are loaded before the race
    holder = threading.Thread(target=first)
    holder.start()
    assert inserted.wait(10)
    response = Client().post(API, json.dumps(body), content_type="application/json", **headers)
    holder.join()
    assert response.status_code == 409, response.content
    assert "JP-RACE" in response.json()["error"]["message"]
    assert Series.objects.filter(code="JP-RACE").count() == 1


@pytest.mark.django_db
class TestWeekly:
    def weeks(self, start: datetime.date, count: int) -> list[dict]:
        return [
            {"date": (start + datetime.timedelta(weeks=n)).isoformat(), "value": str(10 + n)}
            for n in range(count)
        ]

    def test_any_weekday_is_taken(self, members):
        friday = datetime.date(2024, 1, 5)
        result = services.import_observations(
            members["jp_secretariat"], "LEAD-WEEKLY", self.weeks(friday, 4), {"frequency": "weekly"}
        )
        assert result.added == 4

    def test_a_series_keeps_its_weekday_in_a_file_and_across_releases(self, members):
        owner = members["jp_secretariat"]
        sunday = datetime.date(2024, 1, 7)
        rows = self.weeks(sunday, 3) + [{"date": "2024-01-29", "value": "1"}]  # a Monday
        with pytest.raises(Invalid) as refused:
            services.import_observations(owner, "WEEKLY", rows, {"frequency": "weekly"})
        assert "2024-01-29 is a Monday" in refused.value.message and "Sunday" in refused.value.message
        assert not Series.objects.filter(code="WEEKLY").exists()
        services.import_observations(owner, "WEEKLY", self.weeks(sunday, 3), {"frequency": "weekly"})
        with pytest.raises(Invalid, match="Saturday"):
            services.import_observations(owner, "WEEKLY", self.weeks(datetime.date(2024, 2, 3), 2))


class TestThinning:
    def points(self, count: int) -> list[Point]:
        moment = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
        start = datetime.date(1970, 1, 1)
        return [
            Point(start + datetime.timedelta(days=n), None if n == 5000 else float(n % 97), moment)
            for n in range(count)
        ]

    def test_a_short_series_is_drawn_whole(self):
        points = self.points(900)
        assert charts.thin(points) is points

    def test_a_long_series_keeps_every_buckets_peak_and_trough_and_its_gaps(self):
        points = self.points(20_000)
        kept = charts.thin(points)
        assert len(kept) <= charts.MAX_POINTS + charts.MAX_POINTS // 2
        values = [point.value for point in kept if point.value is not None]
        assert min(values) == 0.0 and max(values) == 96.0
        assert any(point.value is None for point in kept)  # the missing day still breaks the line
        assert [point.date for point in kept] == sorted(point.date for point in kept)
        svg = charts.series_chart("Daily lead time", "weeks", points)
        assert svg.count(" L") < 2 * charts.MAX_POINTS
