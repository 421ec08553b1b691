"""/api/v1/cables/outages: the permission matrix (the reporting operator, its co-owner, another party's
operator, a secretariat, anonymous) and hostile input."""

import datetime

import pytest
from django.utils import timezone

from partnership.exchanges.cable_outages.models import Outage
from partnership.ledger.models import LogEntry

from .test_outages import CABLE, report

pytestmark = pytest.mark.django_db

API = "/api/v1/cables/outages"


def post(client, token_for, user, path, body, method="post"):
    headers = {"Authorization": token_for(user)} if user is not None else {}
    return getattr(client, method)(path, body, content_type="application/json", headers=headers)


def test_the_matrix_of_who_reports_reads_and_files(client, token_for, operators, members):
    jp_a, eu = operators["jp-cable-a"], operators["eu-cable"]
    for user, status in ((None, 401), (members["jp_secretariat"], 403), (members["eu_lead"], 403)):
        assert post(client, token_for, user, API, report()).status_code == status
    created = post(client, token_for, jp_a, API, report())
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["operator"] == "jp-cable-a" and body["stages"][0]["filed_at"] and not body["overdue"]
    uid = body["uid"]
    read = lambda user: client.get(f"{API}/{uid}", headers={"Authorization": token_for(user)})  # noqa: E731
    assert read(jp_a).json()["effect"]["lost_direct"] == [CABLE]
    assert read(members["eu_secretariat"]).status_code == 200  # AMBER: secretariats read it
    assert read(eu).status_code == 404  # another operator, not named
    assert read(operators["jp-cable-c"]).status_code == 404
    assert client.get(f"{API}/{uid}").status_code == 401
    assert client.get(API).status_code == 401
    stage = {"stage": "interim", "plan_received_at": timezone.now().isoformat()}
    assert post(client, token_for, eu, f"{API}/{uid}/stages", stage).status_code == 404  # not its report
    assert post(client, token_for, operators["jp-cable-c"], f"{API}/{uid}/stages", stage).status_code == 404
    assert post(client, token_for, jp_a, f"{API}/{uid}/stages", stage).status_code == 201
    twice = post(client, token_for, jp_a, f"{API}/{uid}/stages", stage)
    assert twice.status_code == 422 and "stage" in twice.json()["error"]["fields"]


def test_hostile_input_is_refused_and_stores_nothing(client, token_for, operators):
    user = operators["jp-cable-a"]
    before = LogEntry.objects.count()
    for body in (
        report(started_at="<script>alert(1)</script>"),
        report(detected_at=(timezone.now() - datetime.timedelta(days=9)).isoformat()),
        report(fault_latitude=1e308, fault_longitude=1e308),
        report(cable="../../etc/passwd"),
        report(cause="anchor\x00"),
        report(summary="x" * 100_000),
        report(fibre_pairs_lost=10**12),
        {"cable": CABLE},
        [],
    ):
        response = post(client, token_for, user, API, body)
        assert response.status_code in (400, 422), (body, response.content)
        assert "Traceback" not in response.content.decode()
    assert Outage.objects.count() == 0 and LogEntry.objects.count() == before


def test_the_profiles_and_the_party_profile(client, token_for, operators, members):
    headers = {"Authorization": token_for(operators["jp-cable-a"])}
    codes = [p["code"] for p in client.get(f"{API}/profiles", headers=headers).json()]
    assert codes == ["fcc", "nis2"]
    body = {"stages": [{"stage": "notification", "hours": 6}]}
    assert (
        post(client, token_for, operators["jp-cable-a"], f"{API}/profiles/party", body, "put").status_code
        == 403
    )
    done = post(client, token_for, members["jp_secretariat"], f"{API}/profiles/party", body, "put")
    assert done.status_code == 200 and done.json()["stages"][0]["hours"] == 6
    bad = post(
        client, token_for, members["jp_secretariat"], f"{API}/profiles/party", {"stages": [{"x": 1}]}, "put"
    )
    assert bad.status_code == 422
