"""Finding and taking data out (issue 15.4): the search with its filters, who finds what, the CSV and XLSX
downloads of what a page lists, hostile queries, and the print layout of an action and of a cycle."""

import csv
import html
import io
import re

import openpyxl
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from partnership.programme import services
from partnership.programme.models import JointAction
from tests.cycle.test_views import LAST, THIS, cycle, media  # noqa: F401 (fixtures)
from tests.factories import IndicatorFactory, IndicatorValueFactory
from tests.helpers import signed_in

UPDATE = {"status": "on_track", "language": "en"}


def text(response) -> str:
    return response.content.decode()


def rows(response) -> list[tuple[str, str]]:
    """(kind, text) of each result row of a search page, the text without its markup."""
    found = re.findall(r'<tr class="result result-(\w+)">(.*?)</tr>', text(response), re.S)
    result = []
    for kind, row in found:
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        words = re.sub(r"<span class=\"(lang-marker|signed-by)\".*?</span>", "", cells[5], flags=re.S)
        result.append((kind, html.unescape(re.sub(r"<[^>]+>", "", words)).strip()))
    return result


def texts(response) -> list[str]:
    return [found for _kind, found in rows(response)]


@pytest.fixture
def progress(members, cycle):  # noqa: F811 (the cycle fixture above)
    """Updates of both parties on 48 and 72 in two periods, deliverables of both, an outcome of each party
    (in `cycle`) and contributions in every state (in `cycle`)."""
    jp, eu = members["jp_secretariat"], members["eu_secretariat"]
    services.file_update(jp, 48, {**UPDATE, "period": LAST, "narrative": "Terahertz testbed planned."})
    services.file_update(
        jp, 48, {**UPDATE, "period": THIS, "status": "at_risk", "narrative": "テラヘルツ試験台が遅れている。"}
    )
    services.file_update(
        eu, 48, {**UPDATE, "period": THIS, "narrative": "Terahertz calls for proposals open."}
    )
    services.file_update(
        eu, 72, {**UPDATE, "period": THIS, "status": "done", "narrative": "SME digital hubs linked."}
    )
    services.create_deliverable(jp, 48, {"title": "Terahertz roadmap", "language": "en", "due_period": THIS})
    services.create_deliverable(
        eu,
        72,
        {"title": '=HYPERLINK("http://evil.example/","x")', "language": "en", "due_date": f"{LAST}-06-30"},
    )
    return cycle


def search(who, language="en", **query):
    return signed_in(who).get(f"/{language}/search/", query)


# --- filters --------------------------------------------------------------------------------------------


def test_words_find_updates_deliverables_and_actions_in_either_language(members, progress):
    member = members["jp_stakeholder"]
    assert sorted(texts(search(member, q="terahertz"))) == [
        "Terahertz calls for proposals open.",
        "Terahertz roadmap",
        "Terahertz testbed planned.",
    ]
    assert texts(search(member, q="テラヘルツ")) == ["テラヘルツ試験台が遅れている。"]
    # An action by its Japanese title, read in English, and by a word of its English title in Japanese.
    action = JointAction.objects.get(paragraph=48)
    assert ("action", action.title_en) in rows(search(None, q=action.title_ja[:4], type="action"))
    assert ("action", action.title_ja) in rows(
        search(None, "ja", q=action.title_en.split()[0], type="action")
    )
    # Every word must be found; a full-width query finds the half-width text.
    assert texts(search(member, q="terahertz roadmap")) == ["Terahertz roadmap"]
    assert texts(search(member, q="ＳＭＥ hubs")) == ["SME digital hubs linked."]


def test_each_filter_narrows_the_results(members, progress):
    member = members["eu_secretariat"]
    assert {kind for kind, _ in rows(search(member, type="update"))} == {"update"}
    assert len(rows(search(member, type="update"))) == 4
    assert texts(search(member, type="update", party="JP")) == [
        "テラヘルツ試験台が遅れている。",
        "Terahertz testbed planned.",
    ]
    assert texts(search(member, type="update", cycle=LAST)) == ["Terahertz testbed planned."]
    assert texts(search(member, status="done")) == ["SME digital hubs linked."]
    assert texts(search(member, status="at_risk")) == ["テラヘルツ試験台が遅れている。"]
    assert texts(search(member, type="deliverable", cycle=LAST)) == ['=HYPERLINK("http://evil.example/","x")']
    assert texts(search(member, type="update", action=72)) == ["SME digital hubs linked."]
    area = JointAction.objects.get(paragraph=72).area.code
    assert set(texts(search(member, area=area, type="update"))) == {"SME digital hubs linked."}
    # The cycle's kinds: outcomes by owner party and follow-up, contributions by status.
    assert texts(search(member, type="outcome", party="EU")) == ["Report on SMEs."]
    assert set(texts(search(member, type="outcome", cycle=LAST))) == {"Report on 5G R&I.", "Report on SMEs."}
    assert texts(search(member, type="outcome", action=48)) == ["Report on 5G R&I."]
    assert texts(search(member, type="contribution", status="rejected")) == ["Fund our testbed."]
    assert texts(search(member, type="contribution", party="JP", status="accepted")) == ["JBCEの意見。"]
    # Joint actions have no cycle or status: asking for one leaves them out.
    assert not [kind for kind, _ in rows(search(member, cycle=THIS)) if kind == "action"]
    # Actions by lead party: MIC (JP) leads 48, DG GROW (EU) leads 72.
    jp_led = [found for kind, found in rows(search(None, type="action", party="JP"))]
    assert JointAction.objects.get(paragraph=48).title_en in jp_led
    assert JointAction.objects.get(paragraph=72).title_en not in jp_led


def test_results_are_paginated_and_counted_by_type(members, progress):
    page_one = search(members["jp_secretariat"], type="action")
    assert len(rows(page_one)) == 25
    body = text(page_one)
    count = JointAction.objects.count()
    assert f"{count} results" in body and "Page 1 of 2" in body and 'rel="next"' in body
    page_two = search(members["jp_secretariat"], type="action", page=2)
    assert len(rows(page_two)) == count - 25
    assert not set(texts(page_one)) & set(texts(page_two))
    past = search(members["jp_secretariat"], type="action", page=99)
    assert past.status_code == 200 and "past the end" in text(past) and not rows(past)


# --- who finds what -------------------------------------------------------------------------------------

EVERYONE = {"JBCEの意見。"}
MEMBERS_ONLY = {"Terahertz calls for proposals open.", "Terahertz roadmap", "Report on 5G R&I."}
PENDING = {"Pending views of EBC.", "Pending views of JBCE.", "Fund our testbed."}


@pytest.mark.parametrize(
    ("who", "pending_seen"),
    [
        (None, set()),
        ("jp_secretariat", PENDING),
        ("eu_secretariat", PENDING),
        ("jp_lead", set()),
        ("eu_lead", set()),
        ("jp_stakeholder", {"Pending views of JBCE."}),
        ("eu_stakeholder", {"Pending views of EBC."}),
        ("eu_member_state", {"Fund our testbed."}),
    ],
)
def test_the_permission_matrix(members, progress, token_for, who, pending_seen):
    """The public finds actions and accepted contributions; members progress and outcomes too; a pending
    or rejected contribution only its own organisation and the secretariats; page, API and export agree."""
    user = members[who] if who else None
    words = ("Terahertz", "Report", "views", "JBCE", "testbed")
    seen = set()
    for word in words:
        seen |= set(texts(search(user, q=word)))
    expected = EVERYONE | pending_seen | (MEMBERS_ONLY if who else set())
    assert seen & (EVERYONE | MEMBERS_ONLY | PENDING) == expected
    headers = {"HTTP_AUTHORIZATION": token_for(user)} if user else {}
    api = set()
    exported = set()
    for word in words:
        api |= {
            item["text"] for item in Client().get("/api/v1/search", {"q": word}, **headers).json()["items"]
        }
        download = signed_in(user).get("/en/search/export.csv", {"q": word})
        exported |= {
            row[5]
            for row in csv.reader(io.StringIO(b"".join(download.streaming_content).decode("utf-8-sig")))
        }
    assert api & (EVERYONE | MEMBERS_ONLY | PENDING) == expected
    assert {restore(value) for value in exported} & (EVERYONE | MEMBERS_ONLY | PENDING) == expected


def restore(cell: str) -> str:
    from partnership.spreadsheet_cells import restore as undo

    return undo(cell)


def test_the_public_is_told_to_sign_in_for_progress(client, progress):
    body = text(client.get("/en/search/", {"q": "terahertz"}))
    assert "Sign in to search progress updates" in body
    assert "Terahertz roadmap" not in body


# --- downloads ------------------------------------------------------------------------------------------


def _csv(response) -> list[list[str]]:
    content = b"".join(response.streaming_content)
    assert content.startswith("\ufeff".encode())  # UTF-8 with a byte-order mark, as `partnership export`
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def _xlsx(response) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    return [["" if value is None else value for value in row] for row in sheet.iter_rows(values_only=True)]


@pytest.mark.parametrize("language", ["en", "ja"])
def test_the_downloads_hold_the_rows_of_the_page_in_the_readers_language(members, progress, language):
    client = signed_in(members["eu_secretariat"])
    query = {"type": "update", "party": "JP"}
    page = client.get(f"/{language}/search/", query)
    links = re.findall(r'href="(/' + language + r'/search/export\.(?:csv|xlsx)\?[^"]+)"', text(page))
    assert len(links) == 2
    as_csv = _csv(client.get(html.unescape(links[0])))
    as_xlsx = _xlsx(client.get(html.unescape(links[1])))
    header = {"en": "Type", "ja": "種類"}[language]
    assert as_csv[0][0] == header and as_xlsx[0][0] == header
    assert [row[5] for row in as_csv[1:]] == texts(page) == [row[5] for row in as_xlsx[1:]]
    assert [row[2] for row in as_csv[1:]] == ["JP", "JP"]
    assert as_csv[1][8].startswith("http://testserver/" + language + "/actions/48/")


def test_a_formula_is_neutralised_in_both_formats(members, progress):
    client = signed_in(members["jp_secretariat"])
    query = {"type": "deliverable", "cycle": LAST}
    as_csv = _csv(client.get("/en/search/export.csv", query))
    assert as_csv[1][5] == '\'=HYPERLINK("http://evil.example/","x")'
    sheet = openpyxl.load_workbook(
        io.BytesIO(b"".join(client.get("/en/search/export.xlsx", query).streaming_content))
    ).active
    cell = sheet.cell(row=2, column=6)
    assert cell.data_type == "s" and cell.value == '\'=HYPERLINK("http://evil.example/","x")'


def test_a_download_past_its_limit_says_where_it_was_cut(members, progress):
    from partnership.programme import spreadsheets
    from partnership.programme.searchable import Filters

    header, found = spreadsheets.export_search(members["jp_secretariat"], Filters(kind="update"), limit=3)
    written = list(found)
    assert len(written) == 4 and len(header) == 9
    assert written[-1] == ["Cut at 3 rows: narrow the filters to take out the rest."]


def test_the_actions_and_indicator_values_download(members, progress, client):
    actions = _csv(client.get("/en/search/export.csv", {"type": "action"}))
    assert len(actions) == JointAction.objects.count() + 1
    indicator = IndicatorFactory(
        action=JointAction.objects.get(paragraph=48), title="-5 km of cable", unit="km"
    )
    IndicatorValueFactory(indicator=indicator, value="10.0000")
    member = signed_in(members["jp_lead"])
    page = text(member.get("/ja/actions/48/"))
    assert 'href="/ja/actions/48/indicator-values.xlsx"' in page
    values = _csv(member.get("/ja/actions/48/indicator-values.csv"))
    assert values[0][0] == "指標"
    assert values[1][:3] == ["'-5 km of cable", "48", indicator.party.code]
    assert values[1][6] == "10"  # not 1E+1
    assert _xlsx(member.get("/en/actions/48/indicator-values.xlsx"))[1][0] == "'-5 km of cable"
    # Members only, like the action page's indicators; an unknown action or format is a 404.
    assert client.get("/en/actions/48/indicator-values.csv").status_code == 403
    assert member.get("/en/actions/999/indicator-values.csv").status_code == 404
    assert member.get("/en/actions/48/indicator-values.pdf").status_code == 404
    assert member.get("/en/search/export.exe").status_code == 404


# --- hostile input --------------------------------------------------------------------------------------

HOSTILE = [
    ({"q": "x" * 201}, "Words"),
    ({"q": " ".join("abcdefghij")}, "at most 8 words"),
    ({"party": "XX"}, "Party"),
    ({"party": "JP'--"}, "Party"),
    ({"area": "../../etc"}, "Priority area"),
    ({"cycle": "abc"}, "Cycle"),
    ({"cycle": "99999999999999999999"}, "Cycle"),
    ({"cycle": "-1"}, "Cycle"),
    ({"status": "<script>"}, "Status"),
    ({"type": "user"}, "Type"),
    ({"action": "46.5"}, "Joint action"),
    ({"page": "0"}, "Page"),
    ({"page": "99999999999999999999"}, "Page"),
]


@pytest.mark.parametrize(("query", "named"), HOSTILE)
def test_a_wrong_filter_is_named_and_answered_400_never_500(members, progress, token_for, query, named):
    for who in (None, members["eu_stakeholder"]):
        page = search(who, **query)
        assert page.status_code == 400, query
        body = text(page)
        assert 'role="alert"' in body and named in body and "<script>" not in body.split("<main", 1)[1]
        download = signed_in(who).get("/en/search/export.csv", query)
        assert download.status_code == 400 and download.content
    api = Client().get("/api/v1/search", query, HTTP_AUTHORIZATION=token_for(members["jp_lead"]))
    assert api.status_code == 422
    assert set(api.json()["error"]["fields"]) == {next(iter(query))}


def test_a_nul_character_is_refused_everywhere(members, token_for):
    for path in ("/en/search/?q=a%00b", "/en/search/export.csv?party=%00", "/ja/search/export.xlsx?q=%00"):
        response = signed_in(members["jp_lead"]).get(path)
        assert response.status_code == 400, path
    assert Client().get("/api/v1/search?q=%00").status_code == 422


def test_the_api_pages_and_names_a_bad_page_size(members, progress, token_for):
    headers = {"HTTP_AUTHORIZATION": token_for(members["jp_secretariat"])}
    body = Client().get("/api/v1/search", {"type": "action", "page_size": 10}, **headers).json()
    assert body["count"] == JointAction.objects.count() and len(body["items"]) == 10
    assert body["counts"] == {"action": body["count"]} and body["previous"] is None
    second = Client().get(body["next"], **headers).json()
    assert second["items"][0]["reference"] == body["items"][-1]["reference"] + "" or second["items"]
    assert Client().get("/api/v1/search", {"page_size": "500"}, **headers).status_code == 422
    public = Client().get("/api/v1/search", {"q": "terahertz"}).json()
    assert {item["type"] for item in public["items"]} <= {"action", "contribution"}


# --- fixed query count ----------------------------------------------------------------------------------


def _queries(client, path) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def test_the_search_does_not_grow_with_the_data(members, progress):
    """At most one count and one read per kind (five kinds) besides the page's own few queries: the
    number depends on which kinds a page spans, never on how many rows there are."""
    client = signed_in(members["jp_secretariat"])
    paths = ["/en/search/?q=e", "/en/search/?q=e&page=2", "/en/search/?party=EU&cycle=2026"]
    bound = 16
    assert max(_queries(client, path) for path in paths) <= bound
    for number in range(60):
        services.file_update(
            members["eu_secretariat"], 46 + number % 30, {**UPDATE, "narrative": f"More {number}"}
        )
    assert max(_queries(client, path) for path in [*paths, "/en/search/?q=e&page=3"]) <= bound


# --- print -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "ja"])
def test_the_print_layout_of_an_action_and_of_a_cycle(members, progress, language):
    member = signed_in(members["jp_lead"])
    action = text(member.get(f"/{language}/actions/48/"))
    assert f'href="/{language}/actions/48/print/"' in action
    printed = text(member.get(f"/{language}/actions/48/print/"))
    assert '<body class="print-view">' in printed
    for shown in ("Terahertz roadmap", "Terahertz testbed planned.", "テラヘルツ試験台が遅れている。"):
        assert shown in printed
    assert 'href="/' + language + '/actions/48/"' in printed  # back to the page
    cycle_page = text(member.get(f"/{language}/cycles/{THIS}/"))
    assert f'href="/{language}/cycles/{THIS}/print/"' in cycle_page
    printed_cycle = member.get(f"/{language}/cycles/{THIS}/print/")
    assert printed_cycle.status_code == 200 and '<body class="print-view">' in text(printed_cycle)
    # No inline script or style: the Content-Security-Policy would block it.
    for body in (printed, text(printed_cycle)):
        assert "<script>" not in body and "<style" not in body and " style=" not in body
    # The public prints what the public reads.
    public = text(Client().get(f"/{language}/actions/48/print/"))
    assert "Terahertz roadmap" not in public
    # Meetings and guidance are the members': the public's print of the cycle has none.
    assert "Report on 5G R&amp;I." in text(member.get(f"/{language}/cycles/{LAST}/print/"))
    public_cycle = text(Client().get(f"/{language}/cycles/{LAST}/print/"))
    assert (
        "Report on 5G R&amp;I." not in public_cycle
        and "Japan-EU Digital Partnership Council" not in public_cycle
    )
    assert Client().get(f"/{language}/actions/999/print/").status_code == 404
    assert Client().get(f"/{language}/cycles/1999/print/").status_code == 404


def test_the_print_stylesheet_is_in_the_static_css():
    from pathlib import Path

    import partnership

    css = (Path(partnership.__file__).parent / "web/static/web/site.css").read_text()
    assert "@media print" in css and ".print-view" in css
