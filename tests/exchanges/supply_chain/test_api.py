"""/api/v1/supply-chain/: the permission matrix, JSON and file imports, errors naming the place."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from partnership.exchanges.supply_chain import services
from partnership.exchanges.supply_chain.models import Observation, Release, Series

pytestmark = pytest.mark.django_db

API = "/api/v1/supply-chain/series"
OBSERVATIONS = {
    "observations": [{"date": "2024-01-01", "value": "101.5"}, {"date": "2024-02-01", "value": 102}]
}


@pytest.fixture
def series(members):
    return services.describe_series(
        members["jp_secretariat"], {"code": "JP-SHIP", "unit": "index 2020=100", "frequency": "monthly"}
    )


def call(method, path, token=None, body=None, **extra):
    headers = {"HTTP_AUTHORIZATION": token} if token else {}
    if body is not None:
        extra = {"data": json.dumps(body), "content_type": "application/json", **extra}
    return getattr(Client(), method)(path, **headers, **extra)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        (None, 401),
        ("jp_secretariat", 201),
        ("jp_lead", 403),  # an action lead of another organisation than the series'
        ("jp_stakeholder", 403),
        ("eu_secretariat", 403),
        ("eu_lead", 403),
    ],
)
def test_who_may_import_into_a_series(members, token_for, series, who, status):
    token = token_for(members[who]) if who else None
    response = call("post", f"{API}/{series.uid}/observations", token, OBSERVATIONS)
    assert response.status_code == status, response.content
    assert Observation.objects.count() == (2 if status == 201 else 0)


@pytest.mark.parametrize("who", ["jp_stakeholder", "eu_member_state", "eu_secretariat", "jp_lead"])
def test_every_member_of_both_parties_reads_the_series(members, token_for, series, who):
    response = call("get", f"{API}/{series.uid}", token_for(members[who]))
    assert response.status_code == 200 and response.json()["code"] == "JP-SHIP"
    assert call("get", API, token_for(members[who])).json()["count"] == 1


def test_anonymous_reads_are_401_and_unknown_series_404(members, token_for, series):
    assert call("get", API).status_code == 401
    assert call("get", f"{API}/{series.uid}").status_code == 401
    token = token_for(members["jp_secretariat"])
    assert call("get", f"{API}/00000000-0000-0000-0000-000000000000", token).status_code == 404
    assert (
        call(
            "post", f"{API}/00000000-0000-0000-0000-000000000000/observations", token, OBSERVATIONS
        ).status_code
        == 404
    )


def test_a_series_with_a_revision_shows_latest_values_and_vintages(members, token_for, series):
    token = token_for(members["jp_secretariat"])
    assert call("post", f"{API}/{series.uid}/observations", token, OBSERVATIONS).status_code == 201
    body = {"observations": [{"date": "2024-02-01", "value": "103.25"}, {"date": "2024-03-01", "value": "."}]}
    answer = call("post", f"{API}/{series.uid}/observations", token, body).json()
    assert (answer["added"], answer["revised"], answer["missing"]) == (1, 1, 1)
    found = call("get", f"{API}/{series.uid}", token).json()
    assert [(p["date"], p["value"]) for p in found["latest"]] == [
        ("2024-01-01", "101.5"),
        ("2024-02-01", "103.25"),
        ("2024-03-01", None),
    ]
    assert [(v["date"], v["value"]) for v in found["vintages"]] == [("2024-02-01", "102.0")]
    assert len(found["releases"]) == 2 and found["releases"][0]["revised"] == 1


def test_a_bad_observation_is_422_naming_its_place_and_stores_nothing(members, token_for, series):
    token = token_for(members["jp_secretariat"])
    body = {"observations": [{"date": "2024-01-01", "value": "1"}, {"date": "2024-01-01", "value": "2"}]}
    response = call("post", f"{API}/{series.uid}/observations", token, body)
    assert response.status_code == 422
    assert (
        response.json()["error"]["message"]
        == "observations[1].date: 2024-01-01 is already at observations[0]."
    )
    body = {"observations": [{"date": "2024-01-01", "value": "1"}], "unit": "index 2015=100"}
    response = call("post", f"{API}/{series.uid}/observations", token, body)
    assert response.status_code == 422 and "unit" in response.json()["error"]["fields"]
    assert not Release.objects.exists()


def test_a_file_upload_imports_a_general_csv_with_its_mapping(members, token_for, series):
    text = b"date,shipment_index,inventory_index\n2024-01-01,95.5,140\n2024-02-01,96.25,141\n"
    upload = SimpleUploadedFile("meti.csv", text, content_type="text/csv")
    response = Client().post(
        f"{API}/{series.uid}/files",
        {"file": upload, "format": "csv", "value_column": "shipment_index"},
        HTTP_AUTHORIZATION=token_for(members["jp_secretariat"]),
    )
    assert response.status_code == 201, response.content
    assert response.json()["release"]["source_name"] == "meti.csv"
    assert sorted(Observation.objects.values_list("value", flat=True)) == [95.5, 96.25]


def test_a_bad_file_upload_names_the_line(members, token_for, series):
    upload = SimpleUploadedFile("bad.csv", b"DATE,VALUE\n2024-01-01,1\n2024-02-01,lots\n")
    response = Client().post(
        f"{API}/{series.uid}/files", {"file": upload}, HTTP_AUTHORIZATION=token_for(members["jp_secretariat"])
    )
    assert response.status_code == 422
    assert response.json()["error"]["message"] == "bad.csv, line 3, column VALUE: 'lots' is not a number."


def test_creating_a_series_and_the_other_party_cannot_change_it(members, token_for, series):
    body = {
        "code": "EU-IMP-8542",
        "title": "Imports of ICs",
        "frequency": "monthly",
        "product_code": "HS 8542",
    }
    created = call("post", API, token_for(members["eu_secretariat"]), body)
    assert created.status_code == 201 and created.json()["party"] == "EU"
    change = call("put", f"{API}/{series.uid}", token_for(members["eu_secretariat"]), {"title": "Mine"})
    assert change.status_code == 403
    assert Series.objects.get(pk=series.pk).title == "JP-SHIP"
    assert call("post", API, token_for(members["jp_stakeholder"]), {**body, "code": "X"}).status_code == 403
