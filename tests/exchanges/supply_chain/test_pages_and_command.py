"""The series pages in both languages (chart, vintages, no inline script or style) and the command."""

import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from partnership.exchanges.supply_chain import services
from partnership.exchanges.supply_chain.models import Series

pytestmark = pytest.mark.django_db


@pytest.fixture
def revised(members):
    owner = members["jp_secretariat"]
    description = {
        "title": "電子部品出荷 <指数>",
        "language": "ja",
        "unit": "index <2020>",
        "frequency": "monthly",
    }
    rows = [{"date": f"2024-{m:02d}-01", "value": str(90 + m)} for m in range(1, 7)]
    services.import_observations(owner, "JP-SHIP", rows, description)
    services.import_observations(owner, "JP-SHIP", [{"date": "2024-06-01", "value": "99.5"}])
    services.describe_series(members["eu_secretariat"], {"code": "EU-INV", "frequency": "quarterly"})
    return Series.objects.get(code="JP-SHIP")


@pytest.mark.parametrize(
    ("language", "words", "june"),
    [("en", "Values and vintages", "1 Jun 2024"), ("ja", "値と版", "2024年6月1日")],
)
def test_the_series_page_shows_the_chart_and_the_earlier_value(
    client, members, revised, language, words, june
):
    client.force_login(members["eu_lead"])  # the other party's members read it too
    html = client.get(f"/{language}/supply-chain/{revised.uid}/").content.decode()
    assert words in html
    chart = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    assert "<path d=" in chart and "<circle" in chart  # the line, and the ring of the revised June
    assert "&lt;2020&gt;" in chart and "<2020>" not in chart  # every text escaped
    assert "<script" not in html.split("</header>")[-1] and " style=" not in html
    # The date in the language's one style, as on every other page.
    row = re.search(rf'<td class="date">{june}</td>(.*?)</tr>', html, re.S).group(1)
    assert "99.5" in row and "96.0" in row  # the latest value and the one it revised


def test_the_list_filters_by_party_in_both_languages(client, members, revised):
    client.force_login(members["jp_stakeholder"])
    english = client.get("/en/supply-chain/?party=EU").content.decode()
    assert "EU-INV" in english and "JP-SHIP" not in english
    japanese = client.get("/ja/supply-chain/").content.decode()
    assert "サプライチェーン監視" in japanese and "四半期" in japanese and "JP-SHIP" in japanese


def test_the_pages_ask_for_sign_in(client, revised):
    assert client.get("/en/supply-chain/").status_code == 302


def test_the_command_creates_a_series_and_imports_a_new_release(members, write_csv, capsys):
    path = write_csv("observation_date,X\n2020-01-01,1\n2020-02-01,.\n")
    call_command(
        "supply_chain", "import", str(path), "--series", "X", "--user", "jp-secretariat", "--unit", "units"
    )
    out = capsys.readouterr().out
    assert "JP X created" in out and "2 new" in out and '1 values given as "." are stored as missing' in out
    call_command("supply_chain", "import", str(path), "--series", "X", "--user", "jp-secretariat")
    assert "nothing new (2 unchanged)" in capsys.readouterr().out
    call_command("supply_chain", "series", "--user", "eu-stakeholder")
    assert re.search(
        r"JP  X  monthly  units  2020-01-01 \.\. 2020-02-01  1 releases", capsys.readouterr().out
    )


def test_the_command_reports_a_bad_file_naming_the_line(members, write_csv):
    path = write_csv("date,a,b\n2020-01-01,1,2\n2020-02-01,x,3\n", "two.csv")
    with pytest.raises(CommandError, match=r"two.csv, line 3, column a: 'x' is not a number"):
        call_command(
            "supply_chain",
            "import",
            str(path),
            "--series",
            "X",
            "--user",
            "jp-secretariat",
            "--format",
            "csv",
            "--value-column",
            "a",
        )
    assert not Series.objects.exists()


def test_the_command_given_a_folder_says_so_and_stores_nothing(members, tmp_path):
    """A folder passed the size check and then raised IsADirectoryError: a traceback, not a refusal."""
    folder = tmp_path / "releases"
    folder.mkdir()
    with pytest.raises(CommandError, match=r"^releases cannot be read: Is a directory$"):
        call_command("supply_chain", "import", str(folder), "--series", "X", "--user", "jp-secretariat")
    assert not Series.objects.exists()
    with translation.override("ja"), pytest.raises(CommandError, match=r"^releases を読み込めません"):
        call_command("supply_chain", "import", str(folder), "--series", "X", "--user", "jp-secretariat")
