"""The JSON API under /api/v1/: public reads, member reads, writes, and one error body everywhere."""

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from partnership.programme import services
from partnership.programme.models import (
    Deliverable,
    Indicator,
    IndicatorValue,
    JointAction,
    ProgressUpdate,
    current_period,
)
from tests.factories import IndicatorValueFactory

ANNEX = list(range(46, 84))
UPDATE = {"status": "on_track", "narrative": "Expert meeting held in Brussels.", "language": "en"}


def send(client, method: str, path: str, body, authorization: str | None = None, **headers):
    """A JSON request, as a script would send it."""
    if authorization:
        headers["HTTP_AUTHORIZATION"] = authorization
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return getattr(client, method)(path, data=data, content_type="application/json", **headers)


def assert_error(response, status: int, code: str) -> dict:
    """The one error body: {"error": {"code", "message", "fields"}}, as JSON, with no stack trace."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    assert isinstance(body["error"]["fields"], dict)
    assert "Traceback" not in response.content.decode()
    return body["error"]


@pytest.fixture
def jp(members, token_for) -> str:
    return token_for(members["jp_secretariat"])


@pytest.fixture
def eu(members, token_for) -> str:
    return token_for(members["eu_secretariat"])


INDICATOR = {
    "title": "SMEs reached",
    "language": "en",
    "unit": "SMEs",
    "baseline_value": "0",
    "baseline_year": 2022,
    "target_value": "500",
    "target_date": "2027-12-31",
}


@pytest.fixture
def progress(members):
    """Some of each kind of progress record, filed through the services."""
    jp, eu = members["jp_secretariat"], members["eu_secretariat"]
    services.file_update(jp, 48, UPDATE)
    services.file_update(eu, 48, {**UPDATE, "status": "at_risk"})
    deliverable = services.create_deliverable(
        jp, 48, {"title": "6G white paper", "language": "en", "due_period": 2027}
    )
    indicator = services.create_indicator(eu, 72, INDICATOR)
    services.add_comment(members["eu_member_state"], 72, {"body": "Please include us.", "language": "en"})
    return {"deliverable": deliverable, "indicator": indicator}


# --- public reads ------------------------------------------------------------------------------------


def test_the_actions_of_the_annex_are_public(client, programme):
    response = client.get("/api/v1/actions")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 38
    assert [item["paragraph"] for item in body["items"]] == ANNEX
    assert all(item["title_ja"].strip() and item["title_en"].strip() for item in body["items"])
    assert {"area", "heading_en", "leads", "related"} <= set(body["items"][0])


def test_actions_filter_by_area(client, programme):
    body = client.get("/api/v1/actions?area=privacy").json()
    assert [item["paragraph"] for item in body["items"]] == [81, 82, 83]
    assert all(item["area"] == "privacy" for item in body["items"])


def test_areas_are_public_and_list_their_actions(client, programme):
    response = client.get("/api/v1/areas")
    assert response.status_code == 200
    areas = response.json()
    assert sorted(p for area in areas for p in area["actions"]) == ANNEX
    assert all(area["name_en"] and area["name_ja"] for area in areas)


def test_one_action_is_public_without_progress(client, programme, progress):
    response = client.get("/api/v1/actions/48")
    assert response.status_code == 200
    body = response.json()
    assert body["paragraph"] == 48
    assert "jp-mic" in body["leads"]
    assert body["text_en"] == JointAction.objects.get(paragraph=48).text_en  # verbatim
    assert body["latest"] is None  # progress is for members


def test_one_action_shows_each_partys_latest_update_to_members(client, programme, progress, jp):
    body = client.get("/api/v1/actions/48", HTTP_AUTHORIZATION=jp).json()
    assert {party: update["status"] for party, update in body["latest"].items()} == {
        "JP": "on_track",
        "EU": "at_risk",
    }


def test_parties_and_organisations_are_public(client, programme):
    assert {p["code"] for p in client.get("/api/v1/parties").json()} == {"JP", "EU"}
    organisations = {o["code"]: o for o in client.get("/api/v1/organisations").json()}
    assert organisations["jp-mic"]["party"] == "JP"
    assert organisations["digital-partnership-council"]["party"] is None


def test_json_is_utf8_and_japanese_stays_readable(client, programme):
    response = client.get("/api/v1/actions/48")
    assert response["Content-Type"] == "application/json; charset=utf-8"
    title_ja = response.json()["title_ja"]
    assert title_ja.encode("utf-8") in response.content
    assert b"\\u" not in response.content


# --- member reads ------------------------------------------------------------------------------------


MEMBER_READS = [
    "/api/v1/updates",
    "/api/v1/actions/48/updates",
    "/api/v1/deliverables",
    "/api/v1/deliverables/{deliverable}",
    "/api/v1/indicators",
    "/api/v1/indicators/{indicator}",
    "/api/v1/indicators/{indicator}/values",
    "/api/v1/actions/72/comments",
]


@pytest.mark.parametrize("path", MEMBER_READS)
def test_progress_needs_a_member(client, programme, progress, path, members, token_for):
    url = path.format(deliverable=progress["deliverable"].uid, indicator=progress["indicator"].uid)
    error = assert_error(client.get(url), 401, "unauthenticated")
    assert "token" in error["message"].lower()
    assert client.get(url)["WWW-Authenticate"] == 'Bearer realm="partnership"'
    # Every member reads, stakeholders included; the other party's records too.
    assert client.get(url, HTTP_AUTHORIZATION=token_for(members["jp_stakeholder"])).status_code == 200


def test_a_session_of_a_member_reads_progress(client, programme, progress, members):
    client.force_login(members["eu_member_state"])
    assert client.get("/api/v1/updates").json()["count"] == 2


def test_updates_are_listed_newest_first_and_filter(client, progress, jp):
    body = client.get("/api/v1/updates", HTTP_AUTHORIZATION=jp).json()
    assert [item["party"] for item in body["items"]] == ["EU", "JP"]
    assert client.get("/api/v1/updates?party=JP", HTTP_AUTHORIZATION=jp).json()["count"] == 1
    assert client.get("/api/v1/updates?status=at_risk", HTTP_AUTHORIZATION=jp).json()["count"] == 1
    assert (
        client.get(f"/api/v1/updates?period={current_period()}", HTTP_AUTHORIZATION=jp).json()["count"] == 2
    )


def test_deliverables_and_indicators_filter(client, progress, jp):
    assert client.get("/api/v1/deliverables?paragraph=48", HTTP_AUTHORIZATION=jp).json()["count"] == 1
    assert client.get("/api/v1/deliverables?party=EU", HTTP_AUTHORIZATION=jp).json()["count"] == 0
    assert client.get("/api/v1/indicators?paragraph=72", HTTP_AUTHORIZATION=jp).json()["count"] == 1


@pytest.mark.parametrize("path", MEMBER_READS)
def test_progress_is_refused_to_an_account_of_no_party(client, programme, progress, path, django_user_model):
    # Signed in (no 401) but a member of no party: the rule of people.permissions answers 403.
    client.force_login(django_user_model.objects.create_user("visitor", password="x" * 20))  # noqa: S106
    url = path.format(deliverable=progress["deliverable"].uid, indicator=progress["indicator"].uid)
    error = assert_error(client.get(url), 403, "forbidden")
    assert "members" in error["message"]


def test_the_lists_of_an_unknown_action_are_404(client, progress, jp):
    for path in ("/api/v1/actions/99/updates", "/api/v1/actions/99/comments"):
        assert_error(client.get(path, HTTP_AUTHORIZATION=jp), 404, "not_found")


def test_each_area_lists_its_own_actions_in_paragraph_order(client, programme):
    areas = {area["code"]: area["actions"] for area in client.get("/api/v1/areas").json()}
    assert areas["privacy"] == [81, 82, 83]
    assert list(areas) == [area["code"] for area in client.get("/api/v1/areas").json()]  # Section 4's order


def test_deliverables_filter_by_status_and_overdue(client, progress, members, jp):
    late = services.create_deliverable(
        members["jp_secretariat"], 48, {"title": "Testbed", "language": "en", "due_date": "2020-01-31"}
    )
    listed = client.get("/api/v1/deliverables", HTTP_AUTHORIZATION=jp).json()
    assert [item["title"] for item in listed["items"]] == ["6G white paper", "Testbed"]  # paragraph, then age
    overdue = client.get("/api/v1/deliverables?overdue=true", HTTP_AUTHORIZATION=jp).json()
    assert [item["id"] for item in overdue["items"]] == [str(late.uid)]
    assert client.get("/api/v1/deliverables?status=planned", HTTP_AUTHORIZATION=jp).json()["count"] == 2
    assert client.get("/api/v1/deliverables?status=delivered", HTTP_AUTHORIZATION=jp).json()["count"] == 0


def test_indicators_filter_by_party(client, progress, jp):
    assert client.get("/api/v1/indicators?party=EU", HTTP_AUTHORIZATION=jp).json()["count"] == 1
    assert client.get("/api/v1/indicators?party=JP", HTTP_AUTHORIZATION=jp).json()["count"] == 0


def test_comments_are_listed_with_their_author(client, progress, jp):
    listed = client.get("/api/v1/actions/72/comments", HTTP_AUTHORIZATION=jp).json()
    assert [(c["organisation"], c["body"]) for c in listed] == [("eu-member-states", "Please include us.")]
    assert client.get("/api/v1/actions/48/comments", HTTP_AUTHORIZATION=jp).json() == []


@pytest.mark.parametrize(
    "path", ["/api/v1/updates", "/api/v1/deliverables", "/api/v1/indicators", "/api/v1/actions/48/updates"]
)
def test_a_list_costs_the_same_queries_for_one_record_as_for_many(
    client, members, progress, jp, path, django_assert_max_num_queries
):
    # Every row comes with what it shows (queries.* loads it): no query per row.
    client.get(path, HTTP_AUTHORIZATION=jp)  # the token's first use writes its last-used time
    with CaptureQueriesContext(connection) as few:
        client.get(path, HTTP_AUTHORIZATION=jp)
    for n in range(5):
        services.file_update(members["eu_secretariat"], 48, {**UPDATE, "narrative": f"Again {n}."})
        services.create_deliverable(
            members["eu_secretariat"], 48, {"title": f"D{n}", "language": "en", "due_period": 2027}
        )
        services.create_indicator(members["eu_secretariat"], 72, {**INDICATOR, "title": f"I{n}"})
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(path, HTTP_AUTHORIZATION=jp).json()["count"] > 1


# --- writes --------------------------------------------------------------------------------------------


def test_filing_an_update_defaults_the_period_and_takes_the_authors_party(client, members, jp):
    response = send(client, "post", "/api/v1/actions/48/updates", UPDATE, jp)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["party"], body["organisation"], body["author"]) == (
        "JP",
        "jp-digital-agency",
        "jp-secretariat",
    )
    assert (body["period"], body["version"], body["paragraph"]) == (current_period(), 1, 48)
    again = send(client, "post", "/api/v1/actions/48/updates", {**UPDATE, "status": "done"}, jp).json()
    assert again["version"] == 2
    listed = client.get("/api/v1/actions/48/updates", HTTP_AUTHORIZATION=jp).json()
    assert [item["version"] for item in listed["items"]] == [2, 1]  # the history is kept


def test_a_deliverable_is_created_with_its_etag(client, members, jp):
    body = {"title": "Joint 6G workshop", "language": "en", "due_date": "2027-03-31"}
    response = send(client, "post", "/api/v1/actions/48/deliverables", body, jp)
    assert response.status_code == 201, response.content
    created = response.json()
    assert (created["party"], created["status"], created["revision"]) == ("JP", "planned", 1)
    assert response["ETag"] == f'"{created["id"]}.1"'


def test_an_indicator_keeps_its_documented_default(client, members, eu):
    body = {
        "title": "SMEs reached",
        "language": "en",
        "unit": "SMEs",
        "baseline_value": "0",
        "baseline_year": 2022,
        "target_value": "500",
        "target_date": "2027-12-31",
    }
    response = send(client, "post", "/api/v1/actions/72/indicators", body, eu)
    assert response.status_code == 201, response.content
    assert response.json()["ascending"] is True
    assert Indicator.objects.get().ascending is True


def test_a_value_is_recorded_once_and_repeated_harmlessly(client, progress, eu):
    url = f"/api/v1/indicators/{progress['indicator'].uid}/values"
    value = {"period_start": "2025-01-01", "period_end": "2025-12-31", "value": "120", "source": "EEN"}
    assert send(client, "post", url, value, eu).status_code == 201
    assert send(client, "post", url, value, eu).status_code == 200
    error = assert_error(send(client, "post", url, {**value, "value": "130"}, eu), 409, "conflict")
    assert "2025-01-01" in error["message"]
    assert [item["value"] for item in client.get(url, HTTP_AUTHORIZATION=eu).json()["items"]] == ["120.0000"]


def test_a_comment_is_posted(client, members, token_for):
    authorization = token_for(members["jp_stakeholder"])
    body = {"body": "JBCE members are ready to contribute.", "language": "en"}
    response = send(client, "post", "/api/v1/actions/48/comments", body, authorization)
    assert response.status_code == 201
    assert response.json()["organisation"] == "jp-jbce"


# --- ETag and If-Match ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "change", "token"),
    [("deliverable", {"status": "in_progress"}, "jp"), ("indicator", {"target_value": "600"}, "eu")],
)
def test_the_etag_flow(client, progress, request, kind, change, token):
    authorization = request.getfixturevalue(token)
    url = f"/api/v1/{kind}s/{progress[kind].uid}"
    read = client.get(url, HTTP_AUTHORIZATION=authorization)
    etag = read["ETag"]
    assert etag == f'"{progress[kind].uid}.1"'

    assert_error(send(client, "patch", url, change, authorization), 428, "precondition_required")
    changed = send(client, "patch", url, change, authorization, HTTP_IF_MATCH=etag)
    assert changed.status_code == 200, changed.content
    assert changed.json()["revision"] == 2
    assert changed["ETag"] == f'"{progress[kind].uid}.2"'

    # A second writer who read the same version loses, and says so; the first edit stands.
    error = assert_error(
        send(client, "patch", url, {"title": "Overwritten"}, authorization, HTTP_IF_MATCH=etag),
        412,
        "precondition_failed",
    )
    assert "changed" in error["message"]
    assert client.get(url, HTTP_AUTHORIZATION=authorization).json()["title"] != "Overwritten"


def test_a_patch_changes_only_what_it_names(client, progress, jp):
    url = f"/api/v1/deliverables/{progress['deliverable'].uid}"
    etag = client.get(url, HTTP_AUTHORIZATION=jp)["ETag"]
    body = send(
        client, "patch", url, {"evidence": ["https://example.org/paper.pdf"]}, jp, HTTP_IF_MATCH=etag
    ).json()
    assert (body["title"], body["due_cycle"], body["evidence"]) == (
        "6G white paper",
        2027,
        ["https://example.org/paper.pdf"],
    )


# --- the error body on every status ----------------------------------------------------------------------


def test_400_for_a_body_that_is_not_json(client, members, jp):
    error = assert_error(
        send(client, "post", "/api/v1/actions/48/updates", "{not json", jp), 400, "malformed"
    )
    assert error["message"]
    assert not ProgressUpdate.objects.exists()


def test_400_names_an_unknown_field(client, members, jp):
    response = send(client, "post", "/api/v1/actions/48/updates", {**UPDATE, "colour": "red"}, jp)
    error = assert_error(response, 400, "malformed")
    assert "colour" in error["fields"]
    assert not ProgressUpdate.objects.exists()


def test_400_names_a_field_of_the_wrong_type(client, members, jp):
    error = assert_error(
        send(client, "post", "/api/v1/actions/48/updates", {**UPDATE, "status": "fine"}, jp), 400, "malformed"
    )
    assert "status" in error["fields"]
    assert_error(send(client, "post", "/api/v1/actions/48/updates", [UPDATE], jp), 400, "malformed")


def test_400_for_a_malformed_path(client, programme):
    error = assert_error(client.get("/api/v1/actions/forty-eight"), 400, "malformed")
    assert "paragraph" in error["fields"]


def test_401_for_a_write_without_a_token(client, members):
    response = send(client, "post", "/api/v1/actions/48/updates", UPDATE)
    assert_error(response, 401, "unauthenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_403_for_a_write_the_role_does_not_allow(client, members, token_for):
    authorization = token_for(members["eu_stakeholder"])
    error = assert_error(
        send(client, "post", "/api/v1/actions/48/updates", UPDATE, authorization), 403, "forbidden"
    )
    assert "secretariat" in error["message"]


def test_404_for_an_unknown_action_deliverable_or_address(client, members, jp):
    assert_error(client.get("/api/v1/actions/12"), 404, "not_found")
    assert_error(send(client, "post", "/api/v1/actions/99/updates", UPDATE, jp), 404, "not_found")
    assert_error(
        client.get("/api/v1/deliverables/00000000-0000-0000-0000-000000000000", HTTP_AUTHORIZATION=jp),
        404,
        "not_found",
    )
    assert_error(client.get("/api/v1/indicators/not-a-uuid", HTTP_AUTHORIZATION=jp), 404, "not_found")
    assert_error(client.get("/api/v1/no-such-thing"), 404, "not_found")
    assert_error(client.get("/api/v2/actions"), 404, "not_found")


def test_405_for_a_method_the_address_does_not_take(client, programme, jp):
    response = client.delete("/api/v1/actions/48", HTTP_AUTHORIZATION=jp)
    assert_error(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"]


def test_422_names_the_invalid_field(client, members, jp):
    response = send(client, "post", "/api/v1/actions/48/updates", {**UPDATE, "period": 2021}, jp)
    error = assert_error(response, 422, "invalid")
    assert "period" in error["fields"]
    response = send(
        client, "post", "/api/v1/actions/48/deliverables", {"title": "No date", "language": "en"}, jp
    )
    error = assert_error(response, 422, "invalid")
    assert "due_date" in error["fields"]
    assert not ProgressUpdate.objects.exists()
    assert not Deliverable.objects.exists()


def test_413_for_a_body_over_the_limit(client, members, jp, settings):
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == settings.MAX_UPLOAD_BYTES
    narrative = "x" * (settings.MAX_UPLOAD_BYTES + 1)
    response = send(client, "post", "/api/v1/actions/48/updates", {**UPDATE, "narrative": narrative}, jp)
    error = assert_error(response, 413, "too_large")
    assert str(settings.MAX_UPLOAD_BYTES) in error["message"]
    assert not ProgressUpdate.objects.exists()


def test_the_session_api_needs_the_csrf_token(members):
    client = Client(enforce_csrf_checks=True)
    client.force_login(members["jp_secretariat"])
    response = send(client, "post", "/api/v1/actions/48/updates", UPDATE)
    error = assert_error(response, 403, "forbidden")
    assert "CSRF" in error["message"]
    assert not ProgressUpdate.objects.exists()


def test_a_token_request_needs_no_csrf_token(members, jp):
    client = Client(enforce_csrf_checks=True)
    assert send(client, "post", "/api/v1/actions/48/updates", UPDATE, jp).status_code == 201


def test_no_stack_trace_for_a_value_that_does_not_fit(client, progress, eu):
    """A number too large for the column is a field error, not a server error."""
    url = f"/api/v1/indicators/{progress['indicator'].uid}/values"
    value = {"period_start": "2025-01-01", "period_end": "2025-12-31", "value": "1e30", "source": "EEN"}
    response = send(client, "post", url, value, eu)
    assert response.status_code in (400, 422)
    assert "value" in response.json()["error"]["fields"]
    assert not IndicatorValue.objects.exists()


# --- pagination ---------------------------------------------------------------------------------------


def test_pagination_links(client, programme):
    first = client.get("/api/v1/actions?page_size=10").json()
    assert (first["count"], len(first["items"]), first["previous"]) == (38, 10, None)
    assert first["next"] == "http://testserver/api/v1/actions?page=2&page_size=10"
    second = client.get(first["next"]).json()
    assert second["items"][0]["paragraph"] == 56
    assert second["previous"] == "http://testserver/api/v1/actions?page=1&page_size=10"
    last = client.get("/api/v1/actions?page=4&page_size=10").json()
    assert ([item["paragraph"] for item in last["items"]], last["next"]) == (
        [76, 77, 78, 79, 80, 81, 82, 83],
        None,
    )


def test_pagination_keeps_the_filters(client, programme):
    first = client.get("/api/v1/actions?area=privacy&page_size=2").json()
    assert first["next"] == "http://testserver/api/v1/actions?area=privacy&page=2&page_size=2"
    assert [item["paragraph"] for item in client.get(first["next"]).json()["items"]] == [83]


def test_a_page_past_the_end_is_empty(client, programme):
    body = client.get("/api/v1/actions?page=100000000000000000000").json()
    assert (body["count"], body["items"], body["next"]) == (38, [], None)


@pytest.mark.parametrize("query", ["page=0", "page=-1", "page_size=0", "page_size=201", "page=two"])
def test_a_bad_page_is_named(client, programme, query):
    error = assert_error(client.get(f"/api/v1/actions?{query}"), 422, "invalid")
    assert set(error["fields"]) & {"page", "page_size"}


def test_values_are_paged_by_period(client, progress, eu):
    indicator = progress["indicator"]
    for month in range(1, 13):
        IndicatorValueFactory(
            indicator=indicator,
            period_start=f"2025-{month:02}-01",
            period_end=f"2025-{month:02}-28",
            value=month,
        )
    body = client.get(f"/api/v1/indicators/{indicator.uid}/values?page_size=5", HTTP_AUTHORIZATION=eu).json()
    assert body["count"] == 12
    assert [item["period_start"] for item in body["items"]][:2] == ["2025-01-01", "2025-02-01"]


# --- the API describes itself ------------------------------------------------------------------------


def test_the_openapi_document_lists_the_paths(client, programme):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    paths = document["paths"]
    for path in [
        "/api/v1/areas",
        "/api/v1/actions",
        "/api/v1/actions/{paragraph}",
        "/api/v1/actions/{paragraph}/updates",
        "/api/v1/actions/{paragraph}/deliverables",
        "/api/v1/actions/{paragraph}/indicators",
        "/api/v1/actions/{paragraph}/comments",
        "/api/v1/updates",
        "/api/v1/deliverables",
        "/api/v1/deliverables/{uid}",
        "/api/v1/indicators",
        "/api/v1/indicators/{uid}",
        "/api/v1/indicators/{uid}/values",
    ]:
        assert path in paths, path
    assert {"get", "post"} <= set(paths["/api/v1/actions/{paragraph}/updates"])
    assert "patch" in paths["/api/v1/deliverables/{uid}"]


def test_the_api_docs_page(client, programme):
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert b"openapi.json" in response.content


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ('{"status": "on_track", "narrative": "x", "language": "en", "n": NaN}', "NaN"),
        ('{"status": "on_track", "narrative": "x", "language": "en", "n": 1e999}', "1e999"),
        ('{"status": "on_track", "narrative": "x", "narrative": "y", "language": "en"}', "twice"),
        ('{"status": "on_track", "narrative": "held\\u0000", "language": "en"}', "NUL"),
        ("[" * 50_000 + "]" * 50_000, "nested"),
    ],
)
def test_a_body_that_is_not_i_json_is_refused_with_its_reason(client, members, jp, body, says):
    before = ProgressUpdate.objects.count()
    response = send(client, "post", "/api/v1/actions/46/updates", body, jp)
    error = assert_error(response, 400, "malformed")
    assert says in error["message"]
    assert ProgressUpdate.objects.count() == before
