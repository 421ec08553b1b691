"""The common template (issue 18 item 3): the mapping as a table in both languages; the DSA quantitative
template of a platform and period from the rollups, in the Regulation's sheets, with its totals equal to
what was posted; Japan's yearly items; figures that cannot be computed say why."""

from __future__ import annotations

import csv
import datetime
import io
import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from partnership.exchanges.platform_reports import japan, services, template

pytestmark = pytest.mark.django_db

API = "/api/v1/platform-reports"
H1 = (datetime.date(2025, 7, 1), datetime.date(2025, 12, 31))


@pytest.fixture
def posted(platforms, generate, token_for):
    """150 statements of eu-platform in the second half of 2025 posted through the API, 20 outside it,
    and 10 of another platform."""
    token = token_for(platforms["eu-platform"])
    inside = [generate.statement(day=generate.day(*H1)) for _n in range(150)]
    outside = [
        generate.statement(day=generate.day(datetime.date(2024, 1, 1), datetime.date(2025, 6, 30)))
        for _n in range(20)
    ]
    for batch in (inside[:100], inside[100:], outside):
        response = Client().post(
            f"{API}/statements",
            json.dumps({"statements": batch}),
            content_type="application/json",
            HTTP_AUTHORIZATION=token,
        )
        assert response.status_code == 201
    services.file_statements(
        platforms["eu-other-platform"], {"statements": [generate.statement(day=H1[0]) for _n in range(10)]}
    )
    return inside


def test_the_dsa_templates_totals_equal_what_was_posted(posted):
    answer = Client().get(
        f"{API}/platforms/eu-platform/dsa-template", {"start": "2025-07-01", "end": "2025-12-31"}
    )
    assert answer.status_code == 200, answer.content
    report = answer.json()
    assert report["statements"] == 150
    value = {(r["sheet"], r["row"], r["column"]): r["value"] for r in report["rows"]}
    total = lambda sheet, column: value[(sheet, "TOTAL", column)]  # noqa: E731
    notices = [s for s in posted if s["source_type"] in ("SOURCE_ARTICLE_16", "SOURCE_TRUSTED_FLAGGER")]
    law = sum(1 for s in notices if s["decision_ground"] == "DECISION_GROUND_ILLEGAL_CONTENT")
    assert total("04_A151B_Notices", "Number of actions taken on the basis of the law") == law
    assert (
        total("04_A151B_Notices", "Number of actions taken on the basis of the terms and conditions")
        == len(notices) - law
    )
    others = sum(1 for s in posted if s["source_type"] == "SOURCE_TYPE_OTHER_NOTIFICATION")
    assert total("03_A151A_MSO", "Actions following other notifications (including orders)") == others
    own = len(posted) - len(notices) - others
    assert (
        total("05_A151C_Own_Illegal", "Number of own-initiative actions")
        + total("06_A151D_241AB_Own_TC", "Number of own-initiative actions")
        == own
    )
    automated = [
        total("08_A151BCE_422C_Auto", c)
        for c in ("Fully automated decisions", "Partially automated decisions", "Decisions not automated")
    ]
    assert sum(automated) == 150
    assert automated[0] == sum(1 for s in posted if s["automated_decision"] == "AUTOMATED_DECISION_FULLY")
    # A category's row of notices adds up across categories to the total.
    per_category = sum(
        v
        for (sheet, row, column), v in value.items()
        if sheet == "04_A151B_Notices"
        and row != "TOTAL"
        and column == "Number of actions taken on the basis of the law"
    )
    assert per_category == law
    # What statements cannot give says so, never zero.
    assert total("04_A151B_Notices", "Median time to take action") == {
        "not_computable": "not computable: no notice time recorded"
    }
    assert "not_computable" in total("10_A423_AMAR", "Average monthly active recipients")


def test_the_csv_and_xlsx_hold_the_regulations_tables_and_the_same_totals(posted):
    params = {"start": "2025-07-01", "end": "2025-12-31"}
    raw = Client().get(f"{API}/platforms/eu-platform/dsa-template", {**params, "format": "csv"})
    assert raw.status_code == 200 and raw["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(raw.content.decode("utf-8-sig"))))
    sheets = {row["sheet"] for row in rows}
    assert {code for code, _s, _t in template.SHEETS} == sheets
    statements = next(r for r in rows if r["sheet"] == "01_ID" and r["row"] == "statements")
    assert statements["value"] == "150"
    book = load_workbook(
        io.BytesIO(
            Client().get(f"{API}/platforms/eu-platform/dsa-template", {**params, "format": "xlsx"}).content
        )
    )
    assert book.sheetnames == [code for code, _s, _t in template.SHEETS]
    auto = list(book["08_A151BCE_422C_Auto"].iter_rows(values_only=True))
    assert auto[1][0] == "Row" and sum(v for v in auto[2][3:6]) == 150
    assert str(auto[2][6]).startswith("not computable")


def test_the_template_reads_the_rollups_in_a_fixed_number_of_queries(posted, generate, platforms):
    with CaptureQueriesContext(connection) as few:
        template.dsa_template(None, "eu-platform", *H1)
    services.file_statements(
        platforms["eu-platform"], {"statements": [generate.statement(day=H1[0]) for _n in range(50)]}
    )
    with CaptureQueriesContext(connection) as more:
        report = template.dsa_template(None, "eu-platform", *H1)
    assert len(few) == len(more) <= 2 and report["statements"] == 200
    assert not any(
        'platform_reports_statement"' in q["sql"] and "FROM" in q["sql"] for q in more.captured_queries
    )


@pytest.mark.parametrize(
    "params",
    [
        {"start": "2025-07-01"},
        {"start": "yesterday", "end": "2025-12-31"},
        {"start": "2025-12-31", "end": "2025-07-01"},
        {"start": "2000-01-01", "end": "2030-12-31"},
        {"start": "2025-07-01", "end": "2025-12-31", "format": "pdf"},
    ],
)
def test_a_bad_period_or_format_is_refused(platforms, params):
    response = Client().get(f"{API}/platforms/eu-platform/dsa-template", params)
    assert response.status_code in (400, 422)


def test_an_unknown_format_is_refused_naming_it_in_the_readers_language(platforms):
    params = {"start": "2025-07-01", "end": "2025-12-31", "format": "pdf"}
    response = Client().get(f"{API}/platforms/eu-platform/dsa-template", params, HTTP_ACCEPT_LANGUAGE="ja")
    assert response.status_code == 422
    assert "json、csv、xlsx" in response.json()["error"]["fields"]["format"]


@pytest.mark.parametrize("field", ["start", "end"])
@pytest.mark.parametrize(
    "text", ["2025-07-01\nX-Injected: 1", '2025-07-01"; filename="evil.exe', "2025-07-01x"]
)
@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_download_with_a_hostile_period_is_refused_naming_the_field(platforms, field, text, kind):
    """The period named the file: a line break gave a 500 (Django refuses it in a header), a quote a
    file name of the reader's choosing. Only a date is taken; anything more is refused, nothing sent."""
    params = {"start": "2025-07-01", "end": "2025-12-31", "format": kind, field: text}
    for language, expected in (
        ("en", f"{field} must be a date"),
        ("ja", f"{field} は 2025-07-01 の形式の日付"),
    ):
        answer = Client().get(
            f"{API}/platforms/eu-platform/dsa-template", params, HTTP_ACCEPT_LANGUAGE=language
        )
        assert answer.status_code == 422
        assert expected in answer.json()["error"]["message"] and field in answer.json()["error"]["fields"]
        assert "Content-Disposition" not in answer
        page = Client().get(f"/{language}/platform-reports/platforms/eu-platform/dsa-template/", params)
        assert page.status_code == 400 and "Content-Disposition" not in page
        assert expected in page.content.decode()


def test_a_download_is_named_from_the_platform_and_the_dates_only(platforms):
    params = {"start": "2025-07-01", "end": "2025-12-31"}
    answer = Client().get(f"{API}/platforms/eu-platform/dsa-template", {**params, "format": "csv"})
    assert (
        answer["Content-Disposition"]
        == 'attachment; filename="dsa-template-eu-platform-2025-07-01-2025-12-31.csv"'
    )
    page = Client().get(
        "/en/platform-reports/platforms/eu-platform/dsa-template/", {**params, "format": "xlsx"}
    )
    assert (
        page["Content-Disposition"]
        == 'attachment; filename="dsa-template-eu-platform-2025-07-01-2025-12-31.xlsx"'
    )


@pytest.mark.parametrize("path", ["dsa-template", "common-template"])
def test_a_period_at_the_calendars_end_is_refused_not_a_500(platforms, path):
    params = {"start": "9999-12-01", "end": "9999-12-31"}
    for language, expected in (
        ("en", "between 2000-01-01 and 2100-12-31"),
        ("ja", "2000-01-01 から 2100-12-31"),
    ):
        answer = Client().get(f"{API}/platforms/eu-platform/{path}", params, HTTP_ACCEPT_LANGUAGE=language)
        assert answer.status_code == 422
        assert expected in answer.json()["error"]["message"] and "start" in answer.json()["error"]["fields"]


def test_an_unknown_platform_is_404(db):
    for code in ("nobody", "eu-dg-connect"):
        assert (
            Client()
            .get(f"{API}/platforms/{code}/dsa-template", {"start": "2025-07-01", "end": "2025-12-31"})
            .status_code
            == 404
        )
    assert Client().get("/en/platform-reports/platforms/nobody/dsa-template/").status_code == 404


@pytest.mark.parametrize("language", ["en", "ja"])
def test_the_mapping_and_the_template_pages_read_in_both_languages(posted, language):
    page = Client().get(f"/{language}/platform-reports/template/").content.decode()
    assert "territorial_scope" in page
    assert (
        ("何が失われるか" in page or "失われる" in page)
        if language == "ja"
        else "Lost from DSA to Japan" in page
    )
    html = Client().get(
        f"/{language}/platform-reports/platforms/eu-platform/dsa-template/?start=2025-07-01&end=2025-12-31"
    )
    assert html.status_code == 200
    text = html.content.decode()
    assert "04_A151B_Notices" in text
    assert (
        ("算出できない" in text) if language == "ja" else ("not computable: no notice time recorded" in text)
    )
    assert (
        Client().get(f"/{language}/platform-reports/platforms/eu-platform/dsa-template/?start=x").status_code
        == 400
    )
    download = Client().get(
        f"/{language}/platform-reports/platforms/eu-platform/dsa-template/?start=2025-07-01&end=2025-12-31&format=xlsx"
    )
    assert download["Content-Disposition"].endswith('.xlsx"')


def _requests(platforms):
    base = {"requester_type": "RIGHTS_HOLDER", "reason": "PRIVACY"}
    records = [
        # answered in time with a measure, the poster notified
        {
            **base,
            "reference": "a",
            "received_at": "2025-04-02T10:00:00+09:00",
            "response": "MEASURE_TAKEN",
            "responded_at": "2025-04-03T10:00:00+09:00",
            "measure": "REMOVAL",
            "poster_notified_at": "2025-04-03T11:00:00+09:00",
        },
        # late, extended, no measure
        {
            **base,
            "reference": "b",
            "reason": "DEFAMATION",
            "received_at": "2025-06-01T10:00:00+09:00",
            "response": "NO_MEASURE",
            "responded_at": "2025-06-20T10:00:00+09:00",
            "extended": True,
            "extension_reason": "POSTER_HEARING",
        },
        # no response sent
        {
            **base,
            "reference": "c",
            "received_at": "2026-03-31T23:00:00+09:00",
            "response": "NO_MEASURE",
            "no_notification_reason": "NO_CONTACT",
        },
        # the next publication year (1 April 2026, JST)
        {**base, "reference": "d", "received_at": "2026-04-01T00:30:00+09:00"},
    ]
    japan.file_requests(platforms["jp-platform"], {"requests": records})


def test_japans_yearly_items_count_by_reason_measure_and_deadline(platforms):
    _requests(platforms)
    found = Client().get(f"{API}/platforms/jp-platform/japan/2025").json()
    items = {(i["item"], i["key"]): i["value"] for i in found["items"]}
    assert found["total"] == 3
    assert (
        items[("Notifications that a measure was taken (Art 25(1)(i)), by reason", "Invasion of privacy")]
        == 1
    )
    assert (
        items[
            (
                "Notifications that no measure was taken (Art 25(1)(ii)), by reason",
                "Defamation, damage to reputation",
            )
        ]
        == 1
    )
    assert items[("Period extended (Art 25(2)), by reason", "Hearing the poster's opinion")] == 1
    assert (
        items[("No notification sent (Art 25(1) proviso), by reason", "The requester cannot be contacted")]
        == 1
    )
    assert items[("Notices to posters (Art 27), by type of measure", "Removal of the information")] == 1
    assert items[("Responses sent within 7 days of the request", "TOTAL")] == 1
    empty = Client().get(f"{API}/platforms/jp-platform/japan/2020").json()
    assert empty["items"][0]["value"] == {
        "not_computable": "not computable: no records were filed for this period"
    }
    assert Client().get(f"{API}/platforms/jp-platform/japan/1800").status_code == 422
    page = Client().get("/ja/platform-reports/platforms/jp-platform/japan/2025/").content.decode()
    assert "プライバシー侵害" in page


def test_the_common_template_puts_both_regimes_side_by_side(posted, platforms):
    _requests(platforms)
    both = (
        Client()
        .get(f"{API}/platforms/jp-platform/common-template", {"start": "2025-04-01", "end": "2026-03-30"})
        .json()
    )
    rows = {row["field"]: row for row in both["rows"]}
    # The common template's days are UTC days: c (31 March 23:00 JST) is on the 31st, outside.
    assert rows["notices_received"]["japan"] == 2 and "not_computable" in rows["notices_received"]["dsa"]
    assert rows["responses_within_deadline"]["japan"] == 1
    assert "not_computable" in rows["fully_automated_decisions"]["japan"]
    eu = (
        Client()
        .get(f"{API}/platforms/eu-platform/common-template", {"start": "2025-07-01", "end": "2025-12-31"})
        .json()
    )
    assert {row["field"]: row for row in eu["rows"]}["decisions"]["dsa"] == 150
    mapping = Client().get(f"{API}/template/mapping").json()
    assert {"decisions", "category", "notices_received"} <= {row["field"] for row in mapping}
