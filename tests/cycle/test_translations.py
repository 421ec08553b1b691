"""Both languages for what people write, in the cycle (issue 15, item 3): the Council report in Japanese
carries an EU narrative translated once it is, with who translated it, and marked 原文：英語 until then;
the secretariats' queue of what still needs a translation; outcomes and contributions translated."""

import datetime
import json
import os
import shutil
import subprocess
import uuid

import pytest
from django.test import Client
from django.utils import timezone

from partnership.cycle import report, services
from partnership.errors import PermissionDenied
from partnership.programme import services as programme
from partnership.programme.models import Translation
from tests.helpers import plan_cycle, signed_in

EU_NARRATIVE = "The standardisation dialogue met twice; a joint workshop is planned."
JA_TRANSLATION = "標準化対話を2回開催し、共同ワークショップを計画している。"
JP_NARRATIVE = "5G研究開発の共同公募を準備している。"
EN_TRANSLATION = "Preparing a joint call for 5G research and development."
IN_CI = os.environ.get("CI") == "true"


def update(user, paragraph: int, narrative: str, language: str):
    return programme.file_update(
        user, paragraph, {"status": "on_track", "narrative": narrative, "language": language, "period": 2026}
    )


@pytest.fixture
def cycle_2026(members):
    """Cycle 2026 at the stock-take, an EU update in English (72) and a JP update in Japanese (48), a
    Council hosted by JP with guidance, and an accepted contribution of an EU stakeholder."""
    jp, eu = members["jp_secretariat"], members["eu_secretariat"]
    plan_cycle(jp, {"year": 2026, "call_opens": "2026-01-15", "call_closes": "2026-03-31"})
    for phase in services.PHASES[1 : services.PHASES.index("stock_take") + 1]:
        services.advance_phase(jp, 2026, phase)
    eu_update = update(members["eu_lead"], 72, EU_NARRATIVE, "en")
    jp_update = update(members["jp_lead"], 48, JP_NARRATIVE, "ja")
    council = services.record_meeting(
        jp,
        2026,
        {
            "mechanism": "digital-partnership-council",
            "kind": "council",
            "title": "Digital Partnership Council",
            "language": "ja",
            "date": "2026-05-10",
        },
    )
    guidance = services.record_outcome(
        jp,
        council.uid,
        {"kind": "guidance", "text": "半導体の早期警戒を深める。", "language": "ja", "owner": "jp-mic"},
    )
    now = timezone.now()
    window = services.open_window(
        eu,
        2026,
        {
            "title": "Input",
            "opens": now - datetime.timedelta(hours=1),
            "closes": now + datetime.timedelta(hours=1),
        },
    )
    contribution = services.submit_contribution(
        members["eu_stakeholder"], window.pk, {"text": "Industry welcomes the workshop.", "language": "en"}
    )
    services.moderate(eu, contribution.uid, {"status": "accepted"})
    return {
        "eu_update": eu_update,
        "jp_update": jp_update,
        "guidance": guidance,
        "contribution": contribution,
    }


def _party_block(html: str, narrative: str) -> str:
    """The report's text around `narrative` (the party's status block it sits in)."""
    at = html.index(narrative)
    return html[at - 300 : at + len(narrative) + 400]


# --- the check named in the issue --------------------------------------------------------------------


def test_a_translation_added_to_an_eu_update_shows_in_the_japanese_report_without_the_marker(
    members, cycle_2026
):
    before = report.render_html(report.build_report(2026), "ja")
    assert "原文：英語" in _party_block(before, EU_NARRATIVE)
    assert JA_TRANSLATION not in before

    programme.translate(
        members["eu_secretariat"], "update", cycle_2026["eu_update"].uid, {"text": JA_TRANSLATION}
    )

    data = report.build_report(2026)
    after = report.render_html(data, "ja")
    block = _party_block(after, JA_TRANSLATION)
    assert "原文：英語" not in block and EU_NARRATIVE not in block
    assert "翻訳：欧州委員会通信ネットワーク・コンテンツ・技術総局" in block
    # The English report keeps the EU's own words, unmarked; the data carries the translation once.
    english = report.render_html(data, "en")
    assert EU_NARRATIVE in english and JA_TRANSLATION not in english
    action = next(a for area in data["areas"] for a in area["actions"] if a["paragraph"] == 72)
    assert (
        action["parties"]["EU"]["narrative"]["translations"]["ja"]["organisation"]["code"] == "eu-dg-connect"
    )
    # The member's live report page says the same.
    page = signed_in(members["jp_lead"]).get("/ja/cycles/2026/report/").content.decode()
    assert JA_TRANSLATION in page and "原文：英語" not in _party_block(page, JA_TRANSLATION)


def test_the_english_report_carries_a_japanese_narrative_marked_until_it_is_translated(members, cycle_2026):
    before = report.render_html(report.build_report(2026), "en")
    assert "original in Japanese" in _party_block(before, JP_NARRATIVE)
    programme.translate(members["jp_lead"], "update", cycle_2026["jp_update"].uid, {"text": EN_TRANSLATION})
    after = report.render_html(report.build_report(2026), "en")
    block = _party_block(after, EN_TRANSLATION)
    assert "original in Japanese" not in block and "Translated by Ministry of Internal Affairs" in block


@pytest.mark.django_db
def test_a_report_without_translations_is_the_same_data_as_before():
    """A text with no translation keeps the shape it always had ({text, language}): reports published
    before translations existed rebuild to the same SHA-256 when nobody translated anything."""
    item = {"text": "x", "language": "en"}
    texts = report.build.Texts()
    texts.want("update", uuid.uuid4(), {"text": "x"}, "en", item, "EU")
    texts.fill()
    assert item == {"text": "x", "language": "en"}


def test_outcomes_and_contributions_are_translated_by_their_own_party(members, cycle_2026, token_for):
    guidance, contribution = cycle_2026["guidance"], cycle_2026["contribution"]
    client = Client()

    def put(kind: str, uid, who: str, body: dict):
        return client.put(
            f"/api/v1/{kind}/{uid}/translations/en",
            json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=token_for(members[who]),
        )

    assert put("outcomes", guidance.uid, "eu_secretariat", {"text": "x"}).status_code == 403
    assert (
        put("outcomes", guidance.uid, "jp_lead", {"text": "x"}).status_code == 403
    )  # not the host's secretariat
    added = put("outcomes", guidance.uid, "jp_secretariat", {"text": "Deepen semiconductor early warning."})
    assert added.status_code == 200 and added.json()["kind"] == "outcome"

    def put_ja(who: str):
        return client.put(
            f"/api/v1/contributions/{contribution.uid}/translations/ja",
            json.dumps({"text": "産業界はワークショップを歓迎する。"}),
            content_type="application/json",
            HTTP_AUTHORIZATION=token_for(members[who]),
        )

    assert put_ja("jp_secretariat").status_code == 403
    assert put_ja("jp_stakeholder").status_code == 403
    assert put_ja("eu_stakeholder").status_code == 200  # its author
    data = report.build_report(2026)
    english, japanese = report.render_html(data, "en"), report.render_html(data, "ja")
    assert "Deepen semiconductor early warning." in english
    assert "産業界はワークショップを歓迎する。" in japanese
    meeting = signed_in(members["eu_lead"]).get(f"/en/meetings/{guidance.meeting.uid}/").content.decode()
    assert "Deepen semiconductor early warning." in meeting and "Translated by" in meeting
    consultation = Client().get("/ja/cycles/2026/consultation/").content.decode()
    assert "産業界はワークショップを歓迎する。" in consultation


@pytest.mark.skipif(
    shutil.which("pdftotext") is None and not IN_CI, reason="pdftotext (poppler-utils) absent"
)
def test_the_pdf_reports_in_both_languages_carry_the_translations(members, cycle_2026, tmp_path):
    programme.translate(members["eu_lead"], "update", cycle_2026["eu_update"].uid, {"text": JA_TRANSLATION})
    programme.translate(
        members["jp_secretariat"], "update", cycle_2026["jp_update"].uid, {"text": EN_TRANSLATION}
    )
    data = report.build_report(2026)
    texts = {}
    for language in ("en", "ja"):
        path = tmp_path / f"{language}.pdf"
        path.write_bytes(report.render_pdf(data, language))
        texts[language] = "".join(
            subprocess.run(
                ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
            ).stdout.split()
        )
    assert "".join(JA_TRANSLATION.split()) in texts["ja"] and "翻訳：" in texts["ja"]
    assert "".join(EN_TRANSLATION.split()) in texts["en"] and "Translatedby" in texts["en"]


# --- the queue ---------------------------------------------------------------------------------------


def test_the_queue_lists_the_reports_texts_still_to_translate_and_links_the_form(members, cycle_2026):
    eu_page = signed_in(members["eu_secretariat"])
    body = eu_page.get("/en/cycles/2026/translations/").content.decode()
    # EU's texts in the report: its update and the accepted contribution.
    assert '<p class="lead" id="queue-count">2 texts' in body
    assert f"/en/translations/update/{cycle_2026['eu_update'].uid}/" in body
    assert f"/en/translations/contribution/{cycle_2026['contribution'].uid}/" in body
    assert str(cycle_2026["jp_update"].uid) not in body
    programme.translate(members["eu_lead"], "update", cycle_2026["eu_update"].uid, {"text": JA_TRANSLATION})
    body = eu_page.get("/en/cycles/2026/translations/").content.decode()
    assert '<p class="lead" id="queue-count">1 text' in body and str(cycle_2026["eu_update"].uid) not in body
    # Both parties' texts on request, with a link only where the reader may translate.
    everyone = eu_page.get("/en/cycles/2026/translations/?party=all").content.decode()
    assert "48 · JP · 2026 v1" in everyone
    assert f"/en/translations/update/{cycle_2026['jp_update'].uid}/" not in everyone
    japanese = signed_in(members["jp_secretariat"]).get("/ja/cycles/2026/translations/").content.decode()
    assert "報告書のために翻訳が必要なもの" in japanese and "2件" in japanese


def test_a_stale_translation_is_back_in_the_queue(members):
    jp = members["jp_secretariat"]
    plan_cycle(jp, {"year": 2026, "call_opens": "2026-01-15", "call_closes": "2026-12-31"})
    deliverable = programme.create_deliverable(
        members["eu_lead"], 72, {"title": "Workshop", "language": "en", "due_date": "2026-01-31"}
    )
    programme.translate(members["eu_lead"], "deliverable", deliverable.uid, {"text": "訳：第六世代の会合"})
    page = signed_in(members["eu_secretariat"])
    assert str(deliverable.uid) not in page.get("/en/cycles/2026/translations/").content.decode()
    programme.change_deliverable(
        members["eu_lead"], deliverable.uid, {"title": "Workshop on 6G"}, programme.etag(deliverable)
    )
    body = page.get("/en/cycles/2026/translations/").content.decode()
    assert str(deliverable.uid) in body and "stale" in body
    japanese = report.render_html(report.build_report(2026), "ja")
    assert "訳：第六世代の会合" not in japanese and "Workshop on 6G" in japanese


@pytest.mark.parametrize("who", ["jp_lead", "eu_lead", "eu_stakeholder"])
def test_the_queue_is_the_secretariats(members, cycle_2026, who):
    assert signed_in(members[who]).get("/en/cycles/2026/translations/").status_code == 403
    with pytest.raises(PermissionDenied):
        from partnership.cycle import queries

        queries.translation_queue(members[who], 2026)


def test_the_queue_sends_the_public_to_sign_in_and_knows_no_other_cycle(members, cycle_2026):
    response = Client().get("/en/cycles/2026/translations/")
    assert response.status_code == 302 and "login" in response["Location"]
    assert signed_in(members["eu_secretariat"]).get("/en/cycles/1999/translations/").status_code == 404


def test_the_queue_costs_a_fixed_number_of_queries(members, cycle_2026, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    page = signed_in(members["eu_secretariat"])
    with CaptureQueriesContext(connection) as few:
        page.get("/en/cycles/2026/translations/?party=all")
    for paragraph in (46, 47, 61):
        update(members["eu_secretariat"], paragraph, f"Update on {paragraph}.", "en")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page.get("/en/cycles/2026/translations/?party=all")
    assert Translation.objects.count() == 0
