"""The public pages (anyone reads them, in both languages) and `partnership platform-reports`."""

import json

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import translation

from partnership.exchanges.platform_reports import services
from partnership.exchanges.platform_reports.models import Statement

pytestmark = pytest.mark.django_db


@pytest.fixture
def filed(platforms, generate):
    statements = [generate.statement() for _n in range(3)]
    services.file_statements(platforms["eu-platform"], {"statements": statements})
    return statements


@pytest.mark.parametrize("language", ["en", "ja"])
def test_an_anonymous_reader_sees_the_platforms_a_platform_and_a_statement(filed, language):
    client = Client()
    home = client.get(f"/{language}/platform-reports/")
    assert home.status_code == 200 and "eu-platform" in home.content.decode()
    page = client.get(f"/{language}/platform-reports/platforms/eu-platform/").content.decode()
    for statement in filed:
        assert statement["puid"] in page
    found = Statement.objects.get(puid=filed[0]["puid"])
    html = client.get(f"/{language}/platform-reports/statements/{found.uuid}/").content.decode()
    assert filed[0]["decision_facts"] in html and "decision_facts" in html
    if language == "ja":
        assert "理由説明書" in html


def test_a_page_that_names_nothing_is_404(db):
    client = Client()
    assert client.get("/en/platform-reports/platforms/nobody/").status_code == 404
    assert client.get("/en/platform-reports/statements/not-a-uuid/").status_code == 404


def test_the_command_files_as_the_platform_and_refuses_whole(platforms, members, generate, tmp_path):
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"statements": [generate.statement(), generate.statement()]}))
    call_command("platform_reports", "file", str(good), "--user", "eu-platform")
    assert Statement.objects.count() == 2
    bad = tmp_path / "bad.json"
    broken = generate.statement()
    del broken["category"]
    bad.write_text(json.dumps({"statements": [generate.statement(), broken]}))
    with pytest.raises(CommandError, match="statement_1"):
        call_command("platform_reports", "file", str(bad), "--user", "eu-platform")
    with pytest.raises(CommandError, match="platform"):
        call_command("platform_reports", "file", str(good), "--user", "eu-secretariat")
    assert Statement.objects.count() == 2


def test_the_command_given_a_folder_says_so_in_the_readers_language(platforms, tmp_path):
    folder = tmp_path / "batch"
    folder.mkdir()
    with pytest.raises(CommandError, match=r"^batch cannot be read: Is a directory$"):
        call_command("platform_reports", "file", str(folder), "--user", "eu-platform")
    with translation.override("ja"), pytest.raises(CommandError, match=r"^batch を読み込めません"):
        call_command("platform_reports", "file", str(folder), "--user", "eu-platform")
    assert not Statement.objects.exists()


def test_a_batch_item_that_is_not_an_object_is_named_by_its_index(platforms, generate):
    with pytest.raises(services.StatementsRefused) as refused:
        services.file_statements(platforms["eu-platform"], {"statements": [generate.statement(), "text", 7]})
    assert set(refused.value.errors) == {"statement_1", "statement_2"}
    assert not Statement.objects.exists()


def test_a_platforms_totals_count_old_categories_under_their_new_codes(platforms, generate):
    import datetime

    from partnership.exchanges.platform_reports import queries

    before = datetime.date(2025, 3, 1)
    statements = [
        generate.statement(day=before, category="STATEMENT_CATEGORY_UNSAFE_AND_ILLEGAL_PRODUCTS"),
        generate.statement(
            day=datetime.date(2025, 9, 1), category="STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS"
        ),
        generate.statement(day=before, category="STATEMENT_CATEGORY_NON_CONSENSUAL_BEHAVIOUR"),
    ]
    for statement in statements:
        statement["category_addition"] = []
        statement["category_specification"] = []
    services.file_statements(platforms["eu-platform"], {"statements": statements})
    totals = {
        row["code"]: row["statements"]
        for row in queries.platform_statements(None, "eu-platform")["categories"]
    }
    assert totals == {
        "STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS": 2,
        "STATEMENT_CATEGORY_NON_CONSENSUAL_BEHAVIOUR": 1,
    }
