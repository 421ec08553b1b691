"""Hostile files to the API's two multipart uploads (a series' observations, Japan's removal requests):
a file that is no CSV, a formula cell, a NUL, 10 MB of junk, an impossible date, a file not in UTF-8, a
header alone. Each is a clear 422 naming the line (and the column where one is at fault), never a 500,
and stores nothing, not even the good lines before the bad one. test_hostile_fields.py probes the JSON
writes."""

from __future__ import annotations

import random

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.exchanges.platform_reports.test_japan import _csv, record

pytestmark = pytest.mark.django_db

JUNK = random.Random(7).randbytes(10 * 1024 * 1024)
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
)
FORMULA = "=cmd|' /C calc'!A0"

#: kind -> (file name, content, what the message names). FRED's layout: DATE,VALUE.
SERIES_FILES = {
    "not CSV": ("chart.csv", PNG, "chart.csv, line 1"),
    "formula": (
        "f.csv",
        f"DATE,VALUE\n2016-01-01,1\n2016-02-01,{FORMULA}\n".encode(),
        "line 3, column VALUE",
    ),
    "NUL": ("n.csv", b"DATE,VALUE\n2016-01-01,1\n2016-02-01,1\x002\n", "n.csv, line 3"),
    "10 MB of junk": ("junk.csv", JUNK, "junk.csv, line 1"),
    "wrong date": ("d.csv", b"DATE,VALUE\n2016-01-01,1\n2016-02-30,2\n", "line 3, column DATE"),
    "non-UTF-8": (
        "l.csv",
        "DATE,VALUE\n2016-01-01,1\n2016-02-01,2 \u00e9\n".encode("latin-1"),
        "l.csv, line 3",
    ),
    "header alone": ("h.csv", b"DATE,VALUE\n", "h.csv, line 2"),
}
#: The same for removal requests (a header of japan.FIELDS); line 2 is a good record each time.
REQUEST_FILES = {
    "not CSV": ("requests.csv", PNG, "requests.csv, line 1"),
    "formula": ("f.csv", _csv([record(0), record(1, reference=FORMULA)]), "line 3, column reference"),
    "NUL": ("n.csv", _csv([record(0), record(1)]).replace(b"req-1", b"req\x001"), "n.csv, line 3"),
    "10 MB of junk": ("junk.csv", JUNK, "junk.csv, line 1"),
    "wrong date": (
        "d.csv",
        _csv([record(0), record(1, received_at="2025-02-30T09:00:00+09:00")]),
        "line 3, column received_at",
    ),
    "a date past year 9999 in UTC": (
        "d.csv",
        _csv([record(0), record(1, received_at="9999-12-31T23:59:59-12:00")]),
        "line 3, column received_at",
    ),
    "non-UTF-8": (
        "l.csv",
        _csv(
            [
                record(0),
                record(1, extended="Yes", extension_reason="EXPERT_REVIEW", extension_detail="caf\u00e9"),
            ]
        )
        .decode()
        .encode("latin-1"),
        "l.csv, line 3",
    ),
    "header alone": ("h.csv", _csv([]), "h.csv"),
}


def _refused(response, names: str) -> None:
    assert response.status_code == 422, response.content[:300]
    message = response.json()["error"]["message"]
    assert names in message, message
    assert response.json()["error"]["fields"], "no field named"


@pytest.mark.parametrize("kind", sorted(SERIES_FILES))
def test_a_hostile_series_file_is_refused_naming_its_line_and_stores_nothing(kind, members, token_for):
    from partnership.exchanges.supply_chain import services
    from partnership.exchanges.supply_chain.models import Observation, Release, Series

    description = {"title": "Shipments", "unit": "index", "frequency": "monthly"}
    jp = members["jp_secretariat"]
    series = services.import_observations(
        jp, "JP-SHIP", [{"date": "2015-01-01", "value": "1"}], description
    ).series
    before = (Observation.objects.count(), Release.objects.count(), series.revision)
    name, data, names = SERIES_FILES[kind]
    response = Client().post(
        f"/api/v1/supply-chain/series/{series.uid}/files",
        {"file": SimpleUploadedFile(name, data)},
        HTTP_AUTHORIZATION=token_for(jp),
    )
    _refused(response, names)
    after = (Observation.objects.count(), Release.objects.count(), Series.objects.get(pk=series.pk).revision)
    assert after == before


@pytest.mark.parametrize("kind", sorted(REQUEST_FILES))
def test_a_hostile_file_of_removal_requests_is_refused_naming_its_line_and_stores_nothing(
    kind, request, token_for
):
    from partnership.exchanges.platform_reports.models import RemovalRequest

    name, data, names = REQUEST_FILES[kind]
    response = Client().post(
        "/api/v1/platform-reports/japan/requests/file",
        {"file": SimpleUploadedFile(name, data)},
        HTTP_AUTHORIZATION=token_for(request.getfixturevalue("platforms")["jp-platform"]),
    )
    _refused(response, names)
    assert not RemovalRequest.objects.exists()


def test_a_header_alone_is_refused_in_japanese_too(members, token_for):
    from partnership.exchanges.supply_chain import services

    jp = members["jp_secretariat"]
    description = {"title": "Shipments", "unit": "index", "frequency": "monthly"}
    series = services.import_observations(
        jp, "JP-SHIP", [{"date": "2015-01-01", "value": "1"}], description
    ).series
    response = Client().post(
        f"/api/v1/supply-chain/series/{series.uid}/files",
        {"file": SimpleUploadedFile("h.csv", b"DATE,VALUE\n")},
        HTTP_AUTHORIZATION=token_for(jp),
        HTTP_ACCEPT_LANGUAGE="ja",
    )
    assert response.status_code == 422
    assert "ヘッダー" in response.json()["error"]["message"]


from tests.exchanges.platform_reports.conftest import platforms  # noqa: E402, F401
