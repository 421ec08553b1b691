"""The ledger records of supply-chain monitoring: one record per release, applied once, checked."""

import base64
import uuid

import pytest

from partnership.exchanges.supply_chain import records, services
from partnership.exchanges.supply_chain.models import Observation, Release, Series
from partnership.ledger.models import LogEntry
from partnership.ledger.records import parse_record
from partnership.ledger.registry import RecordRejected

pytestmark = pytest.mark.django_db

SERIES = {
    "uid": "8a1f2a52-34c4-4d8f-b5a4-4d1f0b0e7a01",
    "code": "EU-IMP-8542",
    "title": "Imports of integrated circuits",
    "language": "en",
    "unit": "million EUR",
    "frequency": "monthly",
    "source": "Eurostat",
    "licence": "CC BY 4.0",
    "product_code": "HS 8542",
    "revision": 1,
}


def release(observations, uid=None):
    return {
        "uid": uid or str(uuid.uuid4()),
        "series": SERIES["uid"],
        "source_name": "api",
        "observations": observations,
    }


def test_a_release_of_many_observations_is_one_signed_record(members):
    rows = [{"date": f"{1900 + n // 12}-{n % 12 + 1:02d}-01", "value": str(n)} for n in range(2400)]
    services.import_observations(members["jp_secretariat"], "LONG", rows, {"frequency": "monthly"})
    kinds = [parse_record(bytes(entry.record)).type for entry in LogEntry.objects.order_by("index")]
    assert kinds == [records.SERIES, records.RELEASE]
    content = parse_record(bytes(LogEntry.objects.order_by("index").last().record)).content
    assert len(content["observations"]) == 2400 and content["observations"][1] == ["1900-02-01", "1.0"]


def test_a_peer_series_and_its_releases_apply_once_and_keep_every_vintage(members, peer_log):
    records.apply_series(*peer_log(records.SERIES, SERIES))
    first = peer_log(records.RELEASE, release([["2024-01-01", "10.5"], ["2024-02-01", "11"]]))
    records.apply_release(*first)
    records.apply_release(*first)  # the same record again changes nothing
    records.apply_release(*peer_log(records.RELEASE, release([["2024-02-01", "12"], ["2024-03-01", None]])))
    series = Series.objects.get()
    assert (series.signed_by, series.party.code, series.code) == ("EU", "EU", "EU-IMP-8542")
    assert Release.objects.count() == 2
    latest = dict(Observation.objects.filter(is_latest=True).values_list("date", "value"))
    assert [latest[d] for d in sorted(latest)] == [10.5, 12.0, None]
    assert list(Observation.objects.filter(is_latest=False).values_list("value", flat=True)) == [11.0]


@pytest.mark.parametrize(
    "observations",
    [
        [["2024-01-01", "ten"]],
        [["2024-01-01", 10.5]],
        [["2024-01-01", "1"], ["2024-01-01", "2"]],
        [["2024-13-01", "1"]],
        [],
    ],
)
def test_a_peer_release_with_bad_observations_is_rejected(members, peer_log, observations):
    records.apply_series(*peer_log(records.SERIES, SERIES))
    with pytest.raises(RecordRejected):
        records.apply_release(*peer_log(records.RELEASE, release(observations)))
    assert not Release.objects.exists()


def test_a_peer_record_for_another_partys_organisation_or_series_is_rejected(members, peer_log):
    with pytest.raises(RecordRejected):
        records.apply_series(*peer_log(records.SERIES, SERIES, organisation="jp-mic"))
    own = services.describe_series(members["eu_secretariat"], {"code": "OWN", "frequency": "monthly"})
    with pytest.raises(RecordRejected):  # a peer cannot add to a series this node signed
        records.apply_release(
            *peer_log(records.RELEASE, {**release([["2024-01-01", "1"]]), "series": str(own.uid)})
        )
    with pytest.raises(RecordRejected):  # nor rewrite its description
        records.apply_series(
            *peer_log(records.SERIES, {**SERIES, "uid": str(own.uid), "code": "OWN", "revision": 2})
        )
    assert Series.objects.get().title == "OWN" and not Release.objects.exists()


def test_members_read_the_records_from_the_log_and_the_public_does_not(members, token_for, client):
    services.import_observations(
        members["jp_secretariat"], "X", [{"date": "2024-01-01", "value": "1"}], {"frequency": "monthly"}
    )
    public = client.get("/api/v1/ledger/entries?start=0&end=2").json()["entries"]
    assert [entry["record"] for entry in public] == [None, None]
    member = client.get(
        "/api/v1/ledger/entries?start=0&end=2", HTTP_AUTHORIZATION=token_for(members["eu_stakeholder"])
    ).json()["entries"]
    assert all(entry["record"] for entry in member)
    assert parse_record(base64.b64decode(member[1]["record"])).content["observations"] == [
        ["2024-01-01", "1.0"]
    ]


def test_a_peer_series_with_a_revision_past_what_the_column_holds_is_rejected(members, peer_log):
    # On PostgreSQL it would be a database error that stops every sync with the peer at this entry.
    with pytest.raises(RecordRejected, match="revision"):
        records.apply_series(*peer_log(records.SERIES, {**SERIES, "revision": 2**31}))
    assert not Series.objects.exists()
