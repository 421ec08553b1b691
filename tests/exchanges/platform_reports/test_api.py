"""The EU database's API, mirrored: batches of 1 to 100 statements, all or nothing, puids once per
platform, public reads, and who may file (the permission matrix)."""

from __future__ import annotations

import json
import threading

import pytest
from django.db import connection
from django.db.models import Sum
from django.test import Client

from partnership.exchanges.platform_reports.models import DailyCount, DailyTally, Statement, StatementPuid

pytestmark = pytest.mark.django_db

API = "/api/v1/platform-reports"


def post(token: str | None, path: str, body, **headers):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    extra = {"HTTP_AUTHORIZATION": token} if token else {}
    extra.update({f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()})
    return Client().post(f"{API}/{path}", data, content_type="application/json", **extra)


def stored() -> tuple[int, int, int]:
    total = DailyCount.objects.aggregate(n=Sum("statements"))["n"] or 0
    return Statement.objects.count(), StatementPuid.objects.count(), total


@pytest.fixture
def eu(platforms, token_for):
    return token_for(platforms["eu-platform"])


def test_a_hundred_statements_are_filed_with_their_uuids_and_read_by_anyone(eu, generate):
    batch = [generate.statement() for _n in range(100)]
    response = post(eu, "statements", {"statements": batch})
    assert response.status_code == 201, response.content
    filed = response.json()["statements"]
    assert [item["puid"] for item in filed] == [s["puid"] for s in batch]
    assert stored() == (100, 100, 100)
    for item, statement in zip(filed, batch, strict=True):
        read = Client().get(f"{API}/statement/{item['uuid']}")  # anonymous: statements are public
        assert read.status_code == 200
        body = read.json()
        assert (body["puid"], body["category"], body["platform"]) == (
            statement["puid"],
            statement["category"],
            "eu-platform",
        )
    # The rollups count what was filed, by category and by each content type.
    per_category = dict(
        DailyCount.objects.values_list("category").annotate(n=Sum("statements")).values_list("category", "n")
    )
    expected: dict[str, int] = {}
    for statement in batch:
        expected[statement["category"]] = expected.get(statement["category"], 0) + 1
    assert per_category == expected
    content_types = sum(len(set(s["content_type"])) for s in batch)
    assert (
        DailyTally.objects.filter(dimension="content_type").aggregate(n=Sum("statements"))["n"]
        == content_types
    )


@pytest.mark.parametrize("size", [0, 101])
def test_an_empty_batch_and_one_of_101_are_refused(eu, generate, size):
    response = post(eu, "statements", {"statements": [generate.statement() for _n in range(size)]})
    assert response.status_code == 422
    assert "statements" in response.json()["errors"]
    assert stored() == (0, 0, 0)


@pytest.mark.parametrize("body", ["{not json", b"\xff\xfe", "[1, 2]", '{"statements": "many"}', "null"])
def test_a_body_that_is_not_a_batch_is_refused(eu, body):
    response = post(eu, "statements", body)
    assert response.status_code in (400, 422), response.content
    assert stored() == (0, 0, 0)


def test_a_50_mb_body_is_refused_unread(eu):
    response = post(eu, "statements", b'{"statements": ["' + b"x" * (50 * 1024 * 1024) + b'"]}')
    assert response.status_code == 413
    assert stored() == (0, 0, 0)


def test_one_bad_statement_refuses_the_whole_batch_naming_its_index(eu, generate):
    batch = [generate.statement() for _n in range(40)]
    batch[37]["automated_decision"] = "AUTOMATED_DECISION_SOMETIMES"
    response = post(eu, "statements", {"statements": batch})
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert list(errors) == ["statement_37"]
    assert list(errors["statement_37"]) == ["automated_decision"]
    assert stored() == (0, 0, 0)


def test_a_puid_repeated_in_a_batch_or_already_filed_is_refused(eu, platforms, token_for, generate):
    first = generate.statement()
    twice = [first, generate.statement(puid=first["puid"])]
    response = post(eu, "statements", {"statements": twice})
    assert response.status_code == 422
    assert "puid" in response.json()["errors"]["statement_1"]
    assert stored() == (0, 0, 0)

    assert post(eu, "statements", {"statements": [first]}).status_code == 201
    again = post(
        eu, "statements", {"statements": [generate.statement(), generate.statement(puid=first["puid"])]}
    )
    assert again.status_code == 422
    assert list(again.json()["errors"]) == ["statement_1"]
    assert stored() == (1, 1, 1)
    # Another platform has puids of its own: the same puid is its to use.
    other = token_for(platforms["eu-other-platform"])
    assert post(other, "statements", {"statements": [first]}).status_code == 201


def test_the_single_statement_path_answers_errors_by_field(eu, generate):
    statement = generate.statement()
    response = post(eu, "statement", statement)
    assert response.status_code == 201
    assert response.json()["puid"] == statement["puid"] and response.json()["uuid"]
    broken = generate.statement(content_date="2025-13-01")
    refused = post(eu, "statement", broken)
    assert refused.status_code == 422
    assert list(refused.json()["errors"]) == ["content_date"]


def test_existing_puid_answers_for_the_callers_platform_only(eu, platforms, token_for, generate):
    statement = generate.statement()
    uuid = post(eu, "statements", {"statements": [statement]}).json()["statements"][0]["uuid"]
    found = Client().get(f"{API}/statement/existing-puid/{statement['puid']}", HTTP_AUTHORIZATION=eu)
    assert found.status_code == 200 and found.json()["uuid"] == uuid
    other = token_for(platforms["eu-other-platform"])
    assert (
        Client()
        .get(f"{API}/statement/existing-puid/{statement['puid']}", HTTP_AUTHORIZATION=other)
        .status_code
        == 404
    )
    assert Client().get(f"{API}/statement/existing-puid/{statement['puid']}").status_code == 401
    assert (
        Client().get(f"{API}/statement/existing-puid/never-filed", HTTP_AUTHORIZATION=eu).status_code == 404
    )


@pytest.mark.parametrize("path", ["statement/not-a-uuid", "statement/0190a4b2-0000-7000-8000-000000000000"])
def test_a_statement_that_does_not_exist_is_404(db, path):
    assert Client().get(f"{API}/{path}").status_code == 404


def test_who_may_file(platforms, members, token_for, generate):
    """The matrix: a platform files for itself; not for another platform, not as a secretariat or a
    stakeholder, not anonymously; nothing is stored by a refused call."""
    batch = {"statements": [generate.statement()]}
    assert post(None, "statements", batch).status_code == 401
    assert post("Bearer not-a-token", "statements", batch).status_code == 401
    for member in ("eu_secretariat", "jp_secretariat", "eu_stakeholder", "eu_member_state"):
        assert post(token_for(members[member]), "statements", batch).status_code == 403, member
    eu = token_for(platforms["eu-platform"])
    assert post(eu, "statements", {**batch, "platform": "eu-other-platform"}).status_code == 403
    assert post(eu, "statements", {**batch, "platform": "jp-platform"}).status_code == 403
    assert stored() == (0, 0, 0)
    assert post(eu, "statements", {**batch, "platform": "eu-platform"}).status_code == 201
    assert post(token_for(platforms["jp-platform"]), "statements", batch).status_code == 201
    assert Statement.objects.filter(platform__code="jp-platform").count() == 1


def test_a_platform_files_only_on_its_partys_node(platforms, token_for, generate, settings):
    settings.NODE_PARTY = "JP"
    response = post(token_for(platforms["eu-platform"]), "statements", {"statements": [generate.statement()]})
    assert response.status_code == 403
    assert stored() == (0, 0, 0)


def test_messages_are_in_the_readers_language_with_the_dsa_field_names(eu, generate):
    broken = generate.statement()
    del broken["decision_facts"]
    response = post(eu, "statements", {"statements": [broken]}, **{"Accept-Language": "ja"})
    message = response.json()["errors"]["statement_0"]["decision_facts"][0]
    assert "decision_facts" in message
    assert any("\u3040" <= char <= "\u30ff" or "\u4e00" <= char <= "\u9fff" for char in message), message


@pytest.mark.django_db(transaction=True)
def test_two_batches_at_once_with_the_same_puid_store_it_once(programme, platforms, token_for, generate):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the race is PostgreSQL's (run with PARTNERSHIP_DATABASE_URL)")
    eu = token_for(platforms["eu-platform"])
    shared = generate.statement()
    batches = [[shared, *(generate.statement() for _n in range(49))] for _batch in range(4)]
    answers: list[int] = []

    def send(batch):
        try:
            answers.append(post(eu, "statements", {"statements": batch}).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(batch,)) for batch in batches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [201, 422, 422, 422]
    assert StatementPuid.objects.filter(puid=shared["puid"]).count() == 1
    assert Statement.objects.count() == 50


def test_a_full_batch_with_every_text_at_its_maximum_fits_the_request_limit(eu, contract, generate):
    """The request size limit must not refuse what the EU database accepts: 100 statements, each text
    field (every `max:N` of the contract but the URL's) filled to N characters."""
    batch = []
    for n in range(100):
        statement = generate.statement()
        for field, tokens in contract.rules.items():
            limit = next((int(t.split(":")[1]) for t in tokens if t.startswith("max:")), None)
            if limit is None or "url" in tokens or field not in statement:
                continue
            statement[field] = (f"p{n}-" + "a" * limit)[:limit] if field == "puid" else "é" * limit
        batch.append(statement)
    body = json.dumps({"statements": batch})
    response = post(eu, "statements", body)
    assert response.status_code == 201, (len(body), response.content[:300])
    assert stored()[0] == 100
