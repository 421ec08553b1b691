"""The progress report to the Council: its content in both languages, as HTML, PDF and JSON; publishing
freezes it; two published reports compare; who may see and publish what; a fixed query count; the
exchange contract's sections; and the `partnership report` command."""

import datetime
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from partnership import csp
from partnership.cycle import report, services
from partnership.cycle.models import PublishedReport
from partnership.errors import Conflict, NotFound, PermissionDenied
from partnership.programme import exchanges
from partnership.programme import services as programme
from partnership.programme.models import Area, JointAction, ProgressUpdate
from tests.helpers import plan_cycle

IN_CI = os.environ.get("CI") == "true"
PARAGRAPHS = range(46, 84)


def needs(tool: str):
    """Skip without `tool` (poppler-utils), except in CI, where its absence is a failure."""
    return pytest.mark.skipif(
        shutil.which(tool) is None and not IN_CI,
        reason=f"{tool} (poppler-utils) is not installed; `apt-get install poppler-utils`",
    )


def update(user, paragraph: int, period: int, status: str, narrative: str, language: str = "en") -> None:
    programme.file_update(
        user, paragraph, {"status": status, "narrative": narrative, "language": language, "period": period}
    )


def cycle_through(user, year: int, until: str = "stock_take") -> None:
    """Create the cycle of `year` and move it up to `until`."""
    plan_cycle(user, {"year": year, "call_opens": f"{year}-01-15", "call_closes": f"{year}-03-31"})
    for phase in services.PHASES[1 : services.PHASES.index(until) + 1]:
        services.advance_phase(user, year, phase)


@pytest.fixture
def cycles(members):
    """Cycles 2025 and 2026 at the stock-take, with progress, a Council with guidance and a priority,
    a deliverable, an indicator and an accepted contribution."""
    jp, eu = members["jp_secretariat"], members["eu_secretariat"]
    cycle_through(jp, 2025, until="guidance_published")
    cycle_through(jp, 2026)
    update(jp, 46, 2025, "on_track", "半導体の意見交換を開始した。", "ja")
    update(eu, 46, 2025, "on_track", "Semiconductor exchange started.")
    update(jp, 46, 2026, "at_risk", "専門家会合が延期された。", "ja")
    update(eu, 46, 2026, "on_track", "First early-warning exercise held.")
    update(eu, 61, 2026, "done", "Outage reporting template agreed.")
    council = services.record_meeting(
        jp,
        2025,
        {
            "mechanism": "digital-partnership-council",
            "kind": "council",
            "title": "Second Digital Partnership Council",
            "language": "en",
            "date": "2025-05-10",
            "place": "Tokyo",
        },
    )
    services.record_outcome(
        jp,
        council.uid,
        {
            "kind": "guidance",
            "text": "Deepen the semiconductor early-warning work.",
            "language": "en",
            "owner": "eu-dg-connect",
            "actions": [46],
        },
    )
    services.set_priority(
        jp,
        council.uid,
        {"cycle": 2026, "action": 46, "rationale": "Supply-chain resilience.", "language": "en"},
    )
    services.record_meeting(
        eu,
        2026,
        {
            "mechanism": "digital-policy-dialogue",
            "kind": "dialogue",
            "title": "Digital Policy Dialogue",
            "language": "en",
            "date": "2026-02-20",
        },
    )
    deliverable = programme.create_deliverable(
        eu, 46, {"title": "Joint early-warning protocol", "language": "en", "due_period": 2026}
    )
    indicator = programme.create_indicator(
        eu,
        46,
        {
            "title": "Alerts exchanged",
            "language": "en",
            "unit": "alerts",
            "ascending": True,
            "baseline_value": "0",
            "baseline_year": 2024,
            "target_value": "40",
            "target_date": "2027-12-31",
        },
    )
    for year, value in ((2025, "8"), (2026, "19")):
        programme.record_indicator_value(
            eu,
            indicator.uid,
            {"period_start": f"{year}-01-01", "period_end": f"{year}-06-30", "value": value, "source": "log"},
        )
    now = timezone.now()
    window = services.open_window(
        jp,
        2026,
        {
            "title": "Input for 2026",
            "opens": now - datetime.timedelta(hours=1),
            "closes": now + datetime.timedelta(hours=1),
        },
    )
    contribution = services.submit_contribution(
        members["jp_stakeholder"], window.pk, {"text": "産業界は早期警戒の共有を歓迎する。", "language": "ja"}
    )
    services.moderate(jp, contribution.uid, {"status": "accepted"})
    return {"deliverable": deliverable, "indicator": indicator, "council": council}


# --- content -----------------------------------------------------------------------------------------


def test_build_report_is_json_and_covers_every_area_and_action(cycles):
    data = report.build_report(2026)
    assert json.loads(report.render_json(data)) == data
    assert [area["code"] for area in data["areas"]] == list(
        Area.objects.order_by("position").values_list("code", flat=True)
    )
    assert len(data["areas"]) == 15
    paragraphs = [action["paragraph"] for area in data["areas"] for action in area["actions"]]
    assert sorted(paragraphs) == list(PARAGRAPHS)
    action = next(a for area in data["areas"] for a in area["actions"] if a["paragraph"] == 46)
    assert action["parties"]["JP"]["status"] == "at_risk"
    assert action["parties"]["JP"]["narrative"] == {"text": "専門家会合が延期された。", "language": "ja"}
    assert action["title_ja"] and action["title_en"]
    summary = data["summary"]
    assert summary["moved"]["JP"] == [{"paragraph": 46, "from": "on_track", "to": "at_risk"}]
    assert summary["moved"]["EU"] == []
    assert summary["totals"]["EU"]["done"] == 1 and summary["totals"]["EU"]["missing"] == 36
    assert data["follow_up"]["open"][0]["text"]["text"].startswith("Deepen")
    assert data["priorities"][0]["paragraph"] == 46 and data["priorities"][0]["result"] == "pending"
    assert [m["title"]["text"] for m in data["meetings"]] == ["Digital Policy Dialogue"]
    assert data["stakeholders"]["by_kind"] == {"stakeholder": 1}
    (indicator,) = data["indicators"]
    assert indicator["latest"]["value"] == "19" and indicator["target"]["value"] == "40"
    assert indicator["series"] == [["2025-06-30", "8"], ["2026-06-30", "19"]]
    graph = data["graph"]
    assert len([n for n in graph["nodes"] if n["kind"] == "area"]) == 15
    assert len([n for n in graph["nodes"] if n["kind"] == "action"]) == 38
    assert (
        any(edge["kind"] == "related" for edge in graph["edges"])
        or not JointAction.related.through.objects.exists()
    )
    assert report.build_report(2026) == data  # the same data on every build


def test_unknown_cycle_is_not_found(programme):
    with pytest.raises(NotFound):
        report.build_report(1999)


@pytest.mark.parametrize("language", ["en", "ja"])
def test_html_has_every_area_and_joint_action_in_the_language(cycles, language):
    html = report.render_html(report.build_report(2026), language)
    assert f'<html lang="{language}">' in html
    for area in Area.objects.all():
        assert f"<h2>{_html(getattr(area, f'name_{language}') or area.name_en)}</h2>" in html
    for action in JointAction.objects.all():
        title = getattr(action, f"title_{language}") or action.title_en
        assert re.search(
            rf'<span class="para">{action.paragraph}\.</span> {re.escape(_html(title))}</h3>', html
        )
    assert "<svg" in html and "<script" not in html
    if language == "en":
        # The JP narrative is Japanese: marked as written in another language.
        assert '<span class="untranslated" lang="ja">専門家会合が延期された。</span>' in html
        assert "Executive summary" in html
    else:
        assert '<span lang="ja">専門家会合が延期された。</span>' in html
        assert '<span class="untranslated" lang="en">First early-warning exercise held.</span>' in html
        assert "Executive summary" not in html


def _html(text: str) -> str:
    from django.utils.html import escape

    return escape(text)


# --- PDF ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pdfs(django_db_setup, django_db_blocker, tmp_path_factory):
    """One PDF per language of a report built once (WeasyPrint is slow), with the data it shows."""
    from django.db import transaction

    from partnership.people.models import Organisation
    from partnership.people.services import create_member

    folder = tmp_path_factory.mktemp("pdf")
    with django_db_blocker.unblock(), transaction.atomic():
        secretariat = create_member(
            "pdf-secretariat",
            "pdf-password-1",
            Organisation.objects.get(code="jp-digital-agency"),
            "secretariat",
        )
        create_member(  # agrees to the calendar, so the phases can move
            "pdf-eu-secretariat",
            "pdf-password-1",
            Organisation.objects.get(code="eu-dg-connect"),
            "secretariat",
        )
        cycle_through(secretariat, 2026)
        update(secretariat, 46, 2026, "at_risk", "専門家会合が延期された。", "ja")
        data = report.build_report(2026)
        files = {}
        for language in ("en", "ja"):
            files[language] = folder / f"report-{language}.pdf"
            files[language].write_bytes(report.render_pdf(data, language))
        transaction.set_rollback(True)
    return files, data


def _pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def _squeezed(text: str) -> str:
    """Without any white space: a long title may wrap anywhere in the PDF's text."""
    return re.sub(r"\s+", "", text)


# Marked: pytest-django creates only the databases that the selected tests declare.
@pytest.mark.django_db
@needs("pdftotext")
@pytest.mark.parametrize("language", ["en", "ja"])
def test_pdf_text_has_every_area_and_joint_action(pdfs, language):
    files, data = pdfs
    text = _squeezed(_pdf_text(files[language]))
    for area in data["areas"]:
        name = area[f"name_{language}"] or area["name_en"]
        assert _squeezed(name) in text, name
        for action in area["actions"]:
            title = action[f"title_{language}"] or action["title_en"]
            assert _squeezed(f"{action['paragraph']}.{title}") in text, title
    assert "専門家会合が延期された。" in text
    if language == "ja":
        assert re.search(r"[\u3040-\u30ff]", text)  # kana: real Japanese, not boxes or mojibake


@pytest.mark.django_db
@needs("pdffonts")
def test_pdf_embeds_every_font(pdfs):
    files, _data = pdfs
    for path in files.values():
        listing = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
        rows = listing.splitlines()[2:]
        assert rows, listing
        for row in rows:
            # name type encoding emb sub uni object ID: "emb" is the fourth column from the right.
            assert row.split()[-5] == "yes", row
        if report.cjk_font_files():
            assert "Report-Sans" in listing  # the @font-face of the CJK font file, embedded


# --- publishing --------------------------------------------------------------------------------------


def test_publish_freezes_the_report(cycles, members):
    jp, eu = members["jp_secretariat"], members["eu_secretariat"]
    published = report.publish_report(jp, 2026)
    stored = PublishedReport.objects.get(cycle__year=2026)
    assert stored.sha256 == report.sha256_of(stored.data) == published.sha256
    html_before = report.render_html(stored.data, "en", stored)
    json_before = report.render_json(stored.data)
    # Later edits to the programme: an action's title, a new update, a new indicator value.
    JointAction.objects.filter(paragraph=46).update(title_en="Renamed after publication")
    update(eu, 46, 2026, "off_track", "Written after publication.")
    programme.record_indicator_value(
        eu,
        cycles["indicator"].uid,
        {"period_start": "2026-07-01", "period_end": "2026-09-30", "value": "30", "source": "log"},
    )
    data, found = report.report_data(2026)
    assert found is not None and found.pk == published.pk
    assert report.render_html(data, "en", found) == html_before
    assert report.render_json(data) == json_before
    assert report.sha256_of(data) == published.sha256
    assert "Renamed after publication" not in html_before
    assert "Renamed after publication" in report.render_html(report.build_report(2026), "en")
    with pytest.raises(ValueError):
        found.save()


def test_publish_only_once_and_only_from_the_stock_take(cycles, members):
    jp = members["jp_secretariat"]
    report.publish_report(jp, 2026)
    with pytest.raises(Conflict):
        report.publish_report(members["eu_secretariat"], 2026)
    plan_cycle(jp, {"year": 2027, "call_opens": "2027-01-15", "call_closes": "2027-03-31"})
    with pytest.raises(Conflict, match="stock-take"):
        report.publish_report(jp, 2027)
    with pytest.raises(NotFound):
        report.publish_report(jp, 2031)


@pytest.mark.parametrize("name", ["jp_lead", "eu_stakeholder", "eu_member_state"])
def test_only_secretariats_publish(cycles, members, name):
    with pytest.raises(PermissionDenied):
        report.publish_report(members[name], 2026)
    assert not PublishedReport.objects.exists()


def test_diff_between_two_published_reports(cycles, members):
    jp, eu = members["jp_secretariat"], members["eu_secretariat"]
    report.publish_report(jp, 2025)
    deliverable = cycles["deliverable"]
    programme.change_deliverable(eu, deliverable.uid, {"status": "delivered"}, programme.etag(deliverable))
    outcome = services.open_guidance().get()
    services.follow_up(eu, outcome.uid, {"follow_up": "closed", "note": "Done in the dialogue."})
    report.publish_report(jp, 2026)
    diff = report.diff_reports(2025, 2026)
    changes = {
        (item["paragraph"], item["party"]): (item["from"], item["to"]) for item in diff["status_changes"]
    }
    assert changes[(46, "JP")] == ("on_track", "at_risk")
    assert changes[(61, "EU")] == ("missing", "done")
    assert (46, "EU") not in changes
    assert [item["title"]["text"] for item in diff["newly_delivered"]] == ["Joint early-warning protocol"]
    (moved,) = diff["indicators_moved"]
    assert (moved["from"], moved["to"]) == ("8", "19")
    assert [item["text"]["text"] for item in diff["guidance_closed"]] == [
        "Deepen the semiconductor early-warning work."
    ]
    assert diff["priorities"]["to"][0]["paragraph"] == 46
    text = report.diff_text(diff, "en")
    assert "46 JP: on track → at risk" in text and "Joint early-warning protocol" in text
    assert "リスクあり" in report.diff_text(diff, "ja") or "46 JP" in report.diff_text(diff, "ja")
    with pytest.raises(NotFound):
        report.diff_reports(2026, 2027)


# --- pages --------------------------------------------------------------------------------------------


def test_public_sees_published_reports_but_not_live_ones(cycles, members):
    public = Client()
    assert public.get("/en/reports/2026/").status_code == 404
    live = public.get("/en/cycles/2026/report/")
    assert live.status_code == 302 and "/login/" in live["Location"]
    outsider = Client()
    outsider.force_login(User.objects.create_user("no-party", password="x-password-1"))
    assert outsider.get("/en/cycles/2026/report/").status_code == 403
    member = Client()
    member.force_login(members["eu_stakeholder"])
    page = member.get("/ja/cycles/2026/report/")
    assert page.status_code == 200 and '<html lang="ja">' in page.content.decode()

    report.publish_report(members["jp_secretariat"], 2026)
    listing = public.get("/en/reports/")
    assert listing.status_code == 200 and "/en/reports/2026/" in listing.content.decode()
    html = public.get("/ja/reports/2026/")
    assert html.status_code == 200 and "SHA-256" in html.content.decode()
    as_json = public.get("/en/reports/2026/report.json")
    assert as_json["Content-Type"].startswith("application/json")
    document = json.loads(as_json.content)
    content = {name: value for name, value in document.items() if name not in ("sha256", "signatures")}
    assert report.sha256_of(content) == document["sha256"] == PublishedReport.objects.get().sha256
    pdf = public.get("/ja/reports/2026/report.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    # Rendered once, then served from the cache (a public page must not cost seconds per request).
    assert report.published_pdf(PublishedReport.objects.get(), "ja") == pdf.content
    progress = public.get("/ja/progress/")
    assert progress.status_code == 200
    assert Area.objects.get(code="semiconductors").name_ja in progress.content.decode()


def test_report_pages_allow_their_own_style_element_and_nothing_else(cycles, members):
    """The report is a standalone document with its CSS inline; its page's policy allows exactly that
    <style> element by its hash, and still no inline script."""
    member = Client()
    member.force_login(members["eu_stakeholder"])
    report.publish_report(members["jp_secretariat"], 2026)
    for path in ("/ja/cycles/2026/report/", "/en/reports/2026/"):
        response = member.get(path)
        styles = re.findall(r"<style>(.*?)</style>", response.content.decode(), re.DOTALL)
        assert len(styles) == 1
        policy = dict(
            (part.split()[0], part.split()[1:]) for part in response["Content-Security-Policy"].split(";")
        )
        assert policy["style-src"] == ["'self'", csp.hash_source(styles[0])]
        assert policy["script-src"] == ["'self'"]


def test_diff_page(cycles, members):
    report.publish_report(members["jp_secretariat"], 2025)
    report.publish_report(members["jp_secretariat"], 2026)
    page = Client().get("/en/reports/diff/?from=2025&to=2026")
    assert page.status_code == 200 and "at risk" in page.content.decode()
    assert Client().get("/en/reports/diff/?from=2025&to=2030").status_code == 404
    assert Client().get("/en/reports/diff/?from=x&to=2026").status_code == 400


def test_progress_page_without_a_published_report(programme):
    page = Client().get("/en/progress/")
    assert page.status_code == 200 and "No progress report is published yet." in page.content.decode()


# --- query count --------------------------------------------------------------------------------------


def _queries(year: int) -> int:
    with CaptureQueriesContext(connection) as captured:
        report.build_report(year)
    return len(captured.captured_queries)


def test_query_count_does_not_grow_with_the_data(cycles, members):
    jp, eu = members["jp_secretariat"], members["eu_secretariat"]
    before = _queries(2026)
    for paragraph in (48, 50, 54, 61, 63, 72):
        for version in range(3):
            update(jp, paragraph, 2026, "on_track", f"Update {version}.")
            update(eu, paragraph, 2025, "at_risk", f"Earlier {version}.")
    for month in range(1, 10):
        programme.record_indicator_value(
            eu,
            cycles["indicator"].uid,
            {
                "period_start": f"2024-{month:02d}-01",
                "period_end": f"2024-{month:02d}-28",
                "value": month,
                "source": "log",
            },
        )
    programme.create_deliverable(jp, 48, {"title": "Second", "language": "en", "due_period": 2025})
    assert ProgressUpdate.objects.count() > 40
    assert _queries(2026) == before
    # The programme's own and a fixed few per exchange's section (threat intel: 7, supply chain: 4 and 2
    # for its alert figures each time the report asks for its indicators or its section: 6, cables: 3, one
    # per indicators and section, with no map imported, platform reports: its rollups per indicators and
    # section and its trends) and the translations of the report's texts (one query per kind of text).
    assert before <= 62


# --- the exchange contract ----------------------------------------------------------------------------


class OutageExchange(exchanges.Exchange):
    """A test exchange serving para 61, registered the way an app's AppConfig.ready() would."""

    name = "test_outages"
    title = "Cable outage exchange"
    annex_paragraphs = (61,)

    def indicators(self, cycle_year: int) -> list[dict]:
        return [
            {
                "name": {"en": "Outages reported", "ja": "報告された障害"},
                "value": 7,
                "unit": "reports",
                "source": "cable outage exchange",
            }
        ]

    def report_section(self, cycle_year: int, language: str) -> dict:
        title = {"en": "Submarine cable outages", "ja": "海底ケーブルの障害"}[language]
        return {
            "title": title,
            "figures": [{"label": "reports", "value": 7}],
            "chart": '<svg xmlns="http://www.w3.org/2000/svg" class="outage-chart" width="9" height="9"/>',
            "events": [f"Cycle {cycle_year}: repair of a cable off Shima."],
        }


@pytest.fixture
def outage_exchange():
    exchange = exchanges.register(OutageExchange())
    yield exchange
    exchanges.unregister(exchange.name)


def test_registered_exchange_appears_in_the_report(cycles, outage_exchange):
    assert outage_exchange in exchanges.registered()
    data = report.build_report(2026)
    # Para 61 is also served by the installed cable_outages exchange: the test's own section, by name.
    (section,) = [s for s in data["exchanges"] if s["name"] == "test_outages"]
    assert section["annex_paragraphs"] == [61]
    assert section["indicators"][0]["value"] == 7
    assert section["sections"]["ja"]["title"] == "海底ケーブルの障害"
    english = report.render_html(data, "en")
    assert "Submarine cable outages" in english and 'class="outage-chart"' in english
    assert "Cycle 2026: repair of a cable off Shima." in english and "Outages reported" in english
    assert "<td>Cable outage exchange</td>" in english and "<td>test_outages</td>" not in english
    japanese = report.render_html(data, "ja")
    assert "海底ケーブルの障害" in japanese and "報告された障害" in japanese


def test_register_refuses_what_breaks_the_contract():
    with pytest.raises(TypeError):
        exchanges.register(object())  # type: ignore[arg-type]

    class Outside(OutageExchange):
        annex_paragraphs = (12,)

    with pytest.raises(ValueError):
        exchanges.register(Outside())


# --- the command --------------------------------------------------------------------------------------


def test_command_writes_the_report_in_each_format(cycles, tmp_path, capsys):
    out = tmp_path / "report.json"
    call_command("report", "--cycle", "2026", "--lang", "en", "--format", "json", "-o", str(out))
    assert json.loads(out.read_text(encoding="utf-8"))["cycle"]["year"] == 2026
    assert "live data" in capsys.readouterr().err
    html = tmp_path / "report.html"
    call_command("report", "--cycle", "2026", "--lang", "ja", "--format", "html", "-o", str(html))
    assert '<html lang="ja">' in html.read_text(encoding="utf-8")


def test_command_publishes_and_then_uses_the_published_data(cycles, tmp_path, capsys):
    call_command("report", "publish", "--cycle", "2026", "--user", "jp-secretariat")
    assert "published" in capsys.readouterr().out
    out = tmp_path / "r.json"
    call_command("report", "--cycle", "2026", "--format", "json", "-o", str(out))
    assert "published" in capsys.readouterr().err
    document = json.loads(out.read_text())
    content = {name: value for name, value in document.items() if name not in ("sha256", "signatures")}
    assert report.sha256_of(content) == document["sha256"] == PublishedReport.objects.get().sha256
    with pytest.raises(CommandError, match="already published"):
        call_command("report", "publish", "--cycle", "2026", "--user", "jp-secretariat")
    with pytest.raises(CommandError, match="Only the secretariats"):
        call_command("report", "publish", "--cycle", "2025", "--user", "jp-lead")
    with pytest.raises(CommandError, match="no active user"):
        call_command("report", "publish", "--cycle", "2025", "--user", "nobody")


def test_command_diff(cycles, capsys):
    report.publish_report(cycles["council"].created_by, 2025)
    report.publish_report(cycles["council"].created_by, 2026)
    call_command("report", "diff", "--from", "2025", "--to", "2026")
    assert "46 JP: on track → at risk" in capsys.readouterr().out
    with pytest.raises(CommandError, match="2024"):
        call_command("report", "diff", "--from", "2024", "--to", "2026")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--cycle", "1999"], "There is no cycle 1999"),
        (["--cycle", "2026", "--lang", "fr"], "--lang"),
        (["--cycle", "2026", "--format", "docx"], "--format"),
        (["--format", "json"], "--cycle"),
        (["--cycle", "2026", "--format", "pdf"], "-o"),
        (["diff", "--from", "2025"], "--to"),
    ],
)
def test_command_refuses_bad_input_in_words(cycles, arguments, message):
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("report", *arguments)


def test_a_missing_measure_reads_no_data_yet_and_a_paragraph_is_named_once(cycles, outage_exchange):
    """Issue 14: "None hours" and "(para 54) (para 54)" in the exchange table of the published report."""
    outage_exchange.indicators = lambda year: [
        {"name": "Median hours to repair", "value": None, "unit": "hours", "source": "test_outages"}
    ]
    for language, missing in (("en", "no data yet"), ("ja", "データなし")):
        html = report.render_html(report.build_report(2026), language)
        row = html.split("<td>Median hours to repair</td>")[1].split("</tr>")[0]
        assert f'<td class="number">{missing}</td>' in row and "None" not in row
    english = report.render_html(report.build_report(2026), "en")
    # The threat-intelligence section names its paragraph once, in its heading.
    assert english.count("(para 54)") == 1


def test_a_publication_has_one_date_in_utc_in_both_languages(cycles, members):
    """Issue 14: the frozen 2025 report read "2026-12-06" in English and "2026-12-07" in Japanese."""
    import datetime
    import zoneinfo

    from django.utils import timezone

    published = report.publish_report(members["jp_secretariat"], 2026)
    published.published_at = datetime.datetime(2026, 12, 6, 23, 30, tzinfo=datetime.UTC)
    published.signatures.update(signed_at=published.published_at)  # the publisher signs as it publishes
    seen = {}
    for language, zone in (("en", "Europe/Brussels"), ("ja", "Asia/Tokyo")):
        with timezone.override(zoneinfo.ZoneInfo(zone)):
            seen[language] = report.render_html(published.data, language, report=published)
    # In each language's one date style (issue 15.7), the same day in both.
    assert "Published on 6 Dec 2026, 23:30 UTC." in seen["en"]
    assert "2026年12月6日 23:30（UTC）に公表" in seen["ja"]
    # The header, where the publication and its signatures are dated (the body's "overdue on <today>" is
    # the day the test runs, which may be 2026-12-07).
    assert "2026年12月7日" not in seen["ja"].split('<nav class="contents"', 1)[0]


def test_no_two_areas_share_a_point_on_the_related_actions_map(cycles):
    """Issue 14: area 14 (Blockchain, no actions) was drawn on area 4 (HPC), so HPC's actions seemed
    to belong to Blockchain."""
    import math

    nodes = [node for node in report.build_report(2026)["graph"]["nodes"] if node["kind"] == "area"]
    assert len(nodes) >= 14
    closest = min(
        math.dist((a["x"], a["y"]), (b["x"], b["y"])) for i, a in enumerate(nodes) for b in nodes[i + 1 :]
    )
    assert closest > 0.05
