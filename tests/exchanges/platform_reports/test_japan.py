"""Japan's side (issue 18 item 2): removal-request records filed as JSON batches and as CSV/XLSX files,
all or nothing, errors naming the index or line and the field or column; who files and who reads."""

from __future__ import annotations

import io
import json

import pytest
from django.test import Client
from openpyxl import Workbook

from partnership.exchanges.platform_reports import japan
from partnership.exchanges.platform_reports.models import RemovalRequest

pytestmark = pytest.mark.django_db

API = "/api/v1/platform-reports"


def record(n: int, **fields) -> dict:
    base = {
        "reference": f"req-{n}",
        "received_at": "2025-05-01T09:00:00+09:00",
        "requester_type": "RIGHTS_HOLDER",
        "reason": "DEFAMATION",
        "response": "MEASURE_TAKEN",
        "responded_at": "2025-05-05T09:00:00+09:00",
        "measure": "REMOVAL",
        "poster_notified_at": "2025-05-05T10:00:00+09:00",
    }
    base.update(fields)
    return {key: value for key, value in base.items() if value is not None}


def post(token, body, path="japan/requests"):
    extra = {"HTTP_AUTHORIZATION": token} if token else {}
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return Client().post(f"{API}/{path}", data, content_type="application/json", **extra)


@pytest.fixture
def jp(platforms, token_for):
    return token_for(platforms["jp-platform"])


def test_a_batch_is_filed_with_its_deadline_and_read_by_the_platform_and_the_secretariats(
    jp, platforms, members, token_for
):
    response = post(jp, {"requests": [record(n) for n in range(100)]})
    assert response.status_code == 201, response.content
    filed = response.json()["requests"]
    assert [item["reference"] for item in filed] == [f"req-{n}" for n in range(100)]
    # The deadline of data/japan.json: 7 days after the request.
    assert filed[0]["due_at"].startswith("2025-05-08T00:00:00")
    assert RemovalRequest.objects.count() == 100
    path = f"{API}/japan/platforms/jp-platform/requests"
    for reader in (jp, token_for(members["jp_secretariat"]), token_for(members["eu_secretariat"])):
        read = Client().get(path, HTTP_AUTHORIZATION=reader)
        assert read.status_code == 200 and len(read.json()["requests"]) == 100
        assert read.json()["requests"][0]["on_time"] is True
    # Another platform, a member of another role, and anyone anonymous are refused.
    for refused, status in (
        (token_for(platforms["eu-platform"]), 403),
        (token_for(members["jp_lead"]), 403),
        (None, 401),
    ):
        extra = {"HTTP_AUTHORIZATION": refused} if refused else {}
        assert Client().get(path, **extra).status_code == status


def test_one_bad_record_refuses_the_batch_naming_its_index_and_field(jp):
    batch = [record(0), record(1, reason="SLANDER"), record(2, extended=True)]
    response = post(jp, {"requests": batch})
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) == {"request_1", "request_2"}
    assert "reason" in errors["request_1"] and "extension_reason" in errors["request_2"]
    assert RemovalRequest.objects.count() == 0


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"received_at": "2025-05-01T09:00:00"}, "received_at"),  # no time zone
        ({"received_at": "1999-12-31T09:00:00Z"}, "received_at"),
        ({"received_at": "not a date"}, "received_at"),
        ({"responded_at": "2025-04-01T09:00:00+09:00"}, "responded_at"),  # before the request
        ({"reference": "bad reference!"}, "reference"),
        ({"reference": "x" * 101}, "reference"),
        ({"requester_type": None}, "requester_type"),
        ({"measure": None}, "measure"),
        ({"response": "NO_MEASURE"}, "measure"),  # a measure without MEASURE_TAKEN
        ({"extended": "maybe"}, "extended"),
        (
            {"extended": True, "extension_reason": "POSTER_HEARING", "extension_detail": "x" * 501},
            "extension_detail",
        ),
        ({"response": None, "measure": None, "poster_notified_at": None}, "response"),  # responded_at alone
        ({"no_notification_reason": "NO_CONTACT"}, "no_notification_reason"),
        ({"surprise": 1}, "request"),
    ],
)
def test_each_rule_names_its_field(jp, fields, field):
    response = post(jp, {"requests": [record(0, **fields)]})
    assert response.status_code == 422, response.content
    assert field in response.json()["errors"]["request_0"]
    assert RemovalRequest.objects.count() == 0


@pytest.mark.parametrize(
    "body", [{"requests": []}, {"requests": [record(n) for n in range(101)]}, [], "nope"]
)
def test_an_empty_a_too_long_or_a_malformed_body_is_refused(jp, body):
    response = post(jp, body if body != "nope" else b"{not json")
    assert response.status_code in (400, 422)
    assert RemovalRequest.objects.count() == 0


def test_a_reference_is_filed_once_per_platform(jp, platforms, token_for):
    assert post(jp, {"requests": [record(0)]}).status_code == 201
    again = post(jp, {"requests": [record(1), record(0)]})
    assert again.status_code == 422 and "reference" in again.json()["errors"]["request_1"]
    twice = post(jp, {"requests": [record(5), record(5)]})
    assert twice.status_code == 422 and "reference" in twice.json()["errors"]["request_1"]
    # Another platform may use the same reference: it is its own.
    assert post(token_for(platforms["eu-platform"]), {"requests": [record(0)]}).status_code == 201
    assert RemovalRequest.objects.count() == 2


def test_only_a_platform_files_and_only_for_itself(jp, members, token_for):
    assert post(None, {"requests": [record(0)]}).status_code == 401
    assert post(token_for(members["jp_secretariat"]), {"requests": [record(0)]}).status_code == 403
    assert post(jp, {"platform": "eu-platform", "requests": [record(0)]}).status_code == 403
    assert RemovalRequest.objects.count() == 0


def _csv(rows: list[dict]) -> bytes:
    out = io.StringIO()
    out.write(",".join(japan.FIELDS) + "\n")
    for row in rows:
        out.write(",".join(str(row.get(field, "")) for field in japan.FIELDS) + "\n")
    return out.getvalue().encode()


def upload(token, name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return Client().post(
        f"{API}/japan/requests/file",
        {"file": SimpleUploadedFile(name, data)},
        HTTP_AUTHORIZATION=token,
    )


def test_a_csv_file_is_imported_whole_or_refused_naming_line_and_column(jp):
    good = _csv([record(n, extended="Yes", extension_reason="EXPERT_REVIEW") for n in range(3)])
    response = upload(jp, "requests.csv", good)
    assert response.status_code == 201, response.content
    assert RemovalRequest.objects.filter(extended=True).count() == 3
    bad = _csv([record(10), record(11, responded_at="yesterday")])
    refused = upload(jp, "more.csv", bad)
    assert refused.status_code == 422
    body = refused.json()["error"]
    assert "line 3" in body["fields"] and "responded_at" in body["fields"]["line 3"]
    assert RemovalRequest.objects.count() == 3


def test_an_xlsx_file_is_imported_and_a_formula_is_text(jp):
    book = Workbook()
    sheet = book.active
    sheet.append(list(japan.FIELDS))
    sheet.append([record(0).get(field, "") for field in japan.FIELDS])
    sheet.append([record(1, reference="=cmd()").get(field, "") for field in japan.FIELDS])
    out = io.BytesIO()
    book.save(out)
    response = upload(jp, "requests.xlsx", out.getvalue())
    assert response.status_code == 422
    assert "row 3" in response.json()["error"]["fields"]
    assert RemovalRequest.objects.count() == 0


@pytest.mark.parametrize(
    "data",
    [b"", b"reference,oops\nreq-1,x\n", b"\xff\xfe\x00garbage", b"PK\x03\x04broken"],
)
def test_hostile_files_are_refused_with_a_reason(jp, data):
    name = "x.xlsx" if data.startswith(b"PK") else "x.csv"
    response = upload(jp, name, data)
    assert response.status_code == 422, response.content
    assert RemovalRequest.objects.count() == 0


def test_the_codes_are_configuration_and_refusals_speak_japanese(jp):
    codes = Client().get(f"{API}/japan/codes").json()
    assert codes["response_deadline_days"]["value"] == 7 and codes["response_deadline_days"]["status"] == "S"
    assert "DEFAMATION" in codes["reasons"]["values"]
    response = post(jp, {"requests": [record(0, reason="SLANDER")]}, "japan/requests")
    assert response.status_code == 422
    japanese = Client().post(
        f"{API}/japan/requests",
        json.dumps({"requests": [record(0, reason="SLANDER")]}),
        content_type="application/json",
        HTTP_AUTHORIZATION=jp,
        HTTP_ACCEPT_LANGUAGE="ja",
    )
    assert "いずれか" in json.dumps(japanese.json()["errors"], ensure_ascii=False)


def test_a_body_past_the_nodes_limit_is_refused_unread(jp):
    huge = json.dumps({"requests": [record(0, extension_detail="x" * (6 * 1024 * 1024))]})
    response = post(jp, huge)
    assert response.status_code in (400, 413)
    assert RemovalRequest.objects.count() == 0


def test_the_demo_files_a_year_of_requests_once_and_the_yearly_page_shows_them(platforms):
    assert japan.seed_demo(lambda party: party == "JP") == 24
    assert japan.seed_demo(lambda party: party == "JP") == 0  # kept as it was
    found = Client().get(f"{API}/platforms/jp-platform/japan/2025").json()
    assert found["total"] == 24
    assert all(not isinstance(item["value"], dict) for item in found["items"])
    assert japan.seed_demo(lambda party: False) == 0
