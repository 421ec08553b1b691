"""Translations across two real nodes (issue 15, item 3): a translation replicates through the ledger
like the text it translates. The JP node runs in its own process; this process is the EU node."""

import json

import pytest
from django.test import Client

from partnership.ledger import services, sync
from partnership.programme import services as programme
from partnership.programme.models import ProgressUpdate, Translation
from tests.helpers import signed_in

pytestmark = pytest.mark.django_db(transaction=True)

JP_NARRATIVE = "5G研究開発の共同公募を準備している。"
EN_TRANSLATION = "Preparing a joint call for 5G research and development."
EU_NARRATIVE = "The standardisation dialogue met twice; a joint workshop is planned."
JA_TRANSLATION = "標準化対話を2回開催し、共同ワークショップを計画している。"


def pull() -> None:
    (result,) = sync.sync_all()
    assert result.error == "", result.error


def test_a_translation_made_on_the_jp_node_shows_on_the_eu_node_and_only_jp_replaces_it(
    jp, eu_node, members, token_for
):
    eu_node.peer(jp)
    filed = jp.post(
        "/api/v1/actions/48/updates",
        jp.secretariat_token,
        {"status": "on_track", "narrative": JP_NARRATIVE, "language": "ja"},
    )
    path = f"/api/v1/updates/{filed['id']}/translations/en"
    made = jp.post(path, jp.secretariat_token, {"text": EN_TRANSLATION}, method="PUT")
    assert (made["revision"], made["organisation"]) == (1, "jp-digital-agency")

    pull()

    held = Translation.objects.get(item_uid=filed["id"])
    assert (held.signed_by, held.text, held.translator) == ("JP", EN_TRANSLATION, None)
    page = signed_in(members["eu_lead"]).get("/en/actions/48/").content.decode()
    assert EN_TRANSLATION in page and "Translated by Digital Agency" in page
    # The EU node translates nothing of JP's: refused on the EU node, by the API as by the service.
    refused = Client().put(
        path,
        json.dumps({"text": "EU's own wording"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=token_for(members["eu_secretariat"]),
    )
    assert refused.status_code == 403
    # JP replaces its translation on its own node; the EU node follows.
    jp.post(path, jp.secretariat_token, {"text": "A joint 5G R&D call is being prepared."}, method="PUT")
    pull()
    held.refresh_from_db()
    assert (held.revision, held.text) == (2, "A joint 5G R&D call is being prepared.")
    assert Translation.objects.count() == 1


def test_a_translation_of_an_eu_update_shows_in_the_japanese_report_on_the_jp_node(
    jp_factory, eu_node, live_server, members
):
    jp = jp_factory(env={"PARTNERSHIP_PEERS": f"{live_server.url} {services.verifier_key()}"})
    eu_node.peer(jp)
    update = programme.file_update(
        members["eu_lead"], 72, {"status": "on_track", "narrative": EU_NARRATIVE, "language": "en"}
    )
    # The JP secretariat plans the cycle on its node (the report is the cycle's).
    jp.post(
        "/api/v1/cycles",
        jp.secretariat_token,
        {
            "year": update.period,
            "call_opens": f"{update.period}-01-15",
            "call_closes": f"{update.period}-03-31",
        },
    )
    jp.call("ledger", "sync")
    before = jp.call("report", "build", "--cycle", str(update.period), "--lang", "ja").stdout
    at = before.index(EU_NARRATIVE)
    assert "原文：英語" in before[at : at + len(EU_NARRATIVE) + 400]

    programme.translate(members["eu_secretariat"], "update", update.uid, {"text": JA_TRANSLATION})
    jp.call("ledger", "sync")

    after = jp.call("report", "build", "--cycle", str(update.period), "--lang", "ja").stdout
    at = after.index(JA_TRANSLATION)
    block = after[at - 300 : at + len(JA_TRANSLATION) + 400]
    assert "原文：英語" not in block and EU_NARRATIVE not in block
    assert "翻訳：欧州委員会通信ネットワーク・コンテンツ・技術総局" in block
    assert ProgressUpdate.objects.filter(uid=update.uid).exists()
