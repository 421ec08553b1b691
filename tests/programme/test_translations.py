"""Translations of what people write (issue 15, item 3): who may add one (web and API), what is refused,
what the pages show, when a translation goes stale, and how a peer's translation applies here."""

import json

import pytest
from django.test import Client

from partnership.errors import Invalid, PermissionDenied
from partnership.ledger.models import LogEntry
from partnership.ledger.registry import RecordRejected
from partnership.programme import records, services, translations
from partnership.programme.models import Translation

EU_NARRATIVE = "The standardisation dialogue met twice; a joint workshop is planned."
JA_TEXT = "標準化対話を2回開催し、共同ワークショップを計画している。"


def send(client, method: str, path: str, body, authorization: str | None = None):
    headers = {"HTTP_AUTHORIZATION": authorization} if authorization else {}
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return getattr(client, method)(path, data=data, content_type="application/json", **headers)


@pytest.fixture
def eu_update(members):
    """An English update of the EU on para 72, filed by DG GROW's action lead (which leads 72)."""
    return services.file_update(
        members["eu_lead"], 72, {"status": "on_track", "narrative": EU_NARRATIVE, "language": "en"}
    )


@pytest.fixture
def eu_deliverable(members):
    return services.create_deliverable(
        members["eu_lead"],
        72,
        {"title": "Joint workshop", "description": "With industry.", "language": "en", "due_period": 2026},
    )


# --- the service and the permission matrix -----------------------------------------------------------


@pytest.mark.parametrize("who", ["eu_lead", "eu_secretariat"])
def test_the_author_and_its_partys_secretariat_translate_an_update(members, eu_update, who):
    translation = services.translate(members[who], "update", eu_update.uid, {"text": JA_TEXT})
    assert (translation.language, translation.source_language) == ("ja", "en")
    assert translation.translator == members[who] and translation.human is True
    assert translation.organisation.code == {"eu_lead": "eu-dg-grow", "eu_secretariat": "eu-dg-connect"}[who]
    assert translation.source_sha256 == translations.source_of("update", eu_update.uid).digest
    assert translation.ledger_entry is not None
    assert json.loads(translation.ledger_entry.record)["type"] == records.TRANSLATION


@pytest.mark.parametrize("who", ["jp_secretariat", "jp_lead", "eu_stakeholder", "eu_member_state"])
def test_others_may_not_translate_an_update(members, eu_update, who):
    with pytest.raises(PermissionDenied):
        services.translate(members[who], "update", eu_update.uid, {"text": JA_TEXT})
    assert not Translation.objects.exists()


def test_the_deliverable_owners_member_translates_it_and_the_description_is_required(members, eu_deliverable):
    with pytest.raises(Invalid) as refused:
        services.translate(
            members["eu_lead"], "deliverable", eu_deliverable.uid, {"text": "共同ワークショップ"}
        )
    assert "description" in refused.value.fields
    translation = services.translate(
        members["eu_lead"],
        "deliverable",
        eu_deliverable.uid,
        {"text": "共同ワークショップ", "description": "産業界と共に。"},
    )
    assert translation.description == "産業界と共に。"
    with pytest.raises(PermissionDenied):
        services.translate(
            members["jp_secretariat"], "deliverable", eu_deliverable.uid, {"text": "x", "description": "y"}
        )


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"text": JA_TEXT, "language": "en"}, "language"),  # the source's own language
        ({"text": JA_TEXT, "language": "fr"}, "language"),
        ({"text": "   "}, "text"),
        ({"text": ""}, "text"),
        ({"text": "あ" * 10001}, "text"),
        ({"text": "訳\x00文"}, "text"),
        ({"text": JA_TEXT, "description": "not for an update"}, "description"),
        ({"text": JA_TEXT, "party": "JP"}, "party"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_stored(members, eu_update, data, field):
    size = LogEntry.objects.count()
    with pytest.raises(Invalid) as refused:
        services.translate(members["eu_secretariat"], "update", eu_update.uid, data)
    assert field in refused.value.fields
    assert not Translation.objects.exists() and LogEntry.objects.count() == size


def test_a_replacement_keeps_the_uid_takes_the_next_revision_and_is_signed_again(members, eu_update):
    first = services.translate(members["eu_lead"], "update", eu_update.uid, {"text": "最初の訳"})
    second = services.translate(
        members["eu_secretariat"], "update", eu_update.uid, {"text": JA_TEXT, "machine_assisted": True}
    )
    assert (second.uid, second.revision, second.human) == (first.uid, 2, False)
    assert second.organisation.code == "eu-dg-connect"
    assert Translation.objects.count() == 1
    assert second.ledger_entry.index > first.ledger_entry.index
    # Said to be machine-assisted, it is marked so wherever it is shown.
    reader = Client()
    reader.force_login(members["jp_lead"])
    assert "（機械翻訳を基に確認済み）" in reader.get("/ja/actions/72/").content.decode()


def test_a_translation_goes_stale_when_its_source_changes(members, eu_deliverable):
    services.translate(
        members["eu_lead"],
        "deliverable",
        eu_deliverable.uid,
        {"text": "共同ワークショップ", "description": "産業界と共に。"},
    )
    page = Client()
    page.force_login(members["jp_secretariat"])
    assert "共同ワークショップ" in page.get("/ja/actions/72/").content.decode()
    services.change_deliverable(
        members["eu_lead"],
        eu_deliverable.uid,
        {"title": "Joint workshop on 6G"},
        services.etag(eu_deliverable),
    )
    body = page.get("/ja/actions/72/").content.decode()
    assert "共同ワークショップ" not in body and "Joint workshop on 6G" in body and "原文：英語" in body
    # The status alone changing leaves the translation current: only the text counts.
    changed = services.get_deliverable(members["eu_lead"], eu_deliverable.uid)
    form = Client()
    form.force_login(members["eu_lead"])
    assert "stale" in form.get(f"/en/translations/deliverable/{eu_deliverable.uid}/").content.decode()
    assert changed.revision == 2


# --- the pages ---------------------------------------------------------------------------------------


def test_the_action_page_shows_the_translation_with_who_translated_it(members, eu_update):
    reader = Client()
    reader.force_login(members["jp_lead"])
    before = reader.get("/ja/actions/72/").content.decode()
    assert "原文：英語" in before and JA_TEXT not in before
    services.translate(members["eu_secretariat"], "update", eu_update.uid, {"text": JA_TEXT})
    after = reader.get("/ja/actions/72/").content.decode()
    assert JA_TEXT in after and "欧州委員会" in after or "DG CONNECT" in after
    assert "翻訳" in after
    # The English reader reads the original, unmarked.
    english = reader.get("/en/actions/72/").content.decode()
    assert (
        EU_NARRATIVE in english
        and "Translated by" not in english.split("Latest status")[1].split("</section>")[0]
    )


def test_the_form_page_adds_a_translation_and_refuses_with_the_field_named(members, eu_update):
    author = Client()
    author.force_login(members["eu_lead"])
    url = f"/en/translations/update/{eu_update.uid}/"
    page = author.get(url)
    assert page.status_code == 200 and EU_NARRATIVE in page.content.decode()
    japanese = author.get(url.replace("/en/", "/ja/")).content.decode()
    assert "この進捗報告を翻訳する" in japanese and "ここでは機械翻訳は一切行いません" in japanese
    refused = author.post(url, {"language": "ja", "text": ""})
    assert refused.status_code == 200 and "field-error" in refused.content.decode()
    assert not Translation.objects.exists()
    saved = author.post(url, {"language": "ja", "text": JA_TEXT, "next": "https://evil.example/"})
    assert saved.status_code == 302 and saved["Location"] == "/en/actions/72/"
    assert Translation.objects.get().text == JA_TEXT


@pytest.mark.parametrize("who", ["jp_secretariat", "jp_lead", "eu_stakeholder"])
def test_the_form_page_is_refused_to_others(members, eu_update, who):
    other = Client()
    other.force_login(members[who])
    url = f"/en/translations/update/{eu_update.uid}/"
    assert other.get(url).status_code == 403
    assert other.post(url, {"language": "ja", "text": JA_TEXT}).status_code == 403
    assert not Translation.objects.exists()


def test_the_form_page_sends_the_public_to_sign_in_and_hides_unknown_items(members, eu_update):
    url = f"/en/translations/update/{eu_update.uid}/"
    response = Client().get(url)
    assert response.status_code == 302 and "login" in response["Location"]
    author = Client()
    author.force_login(members["eu_lead"])
    assert author.get("/en/translations/update/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert author.get(f"/en/translations/nothing/{eu_update.uid}/").status_code == 404


def test_hostile_text_is_shown_as_text(members, eu_update):
    services.translate(members["eu_lead"], "update", eu_update.uid, {"text": "<script>alert(1)</script>訳"})
    reader = Client()
    reader.force_login(members["jp_lead"])
    body = reader.get("/ja/actions/72/").content.decode()
    assert "<script>alert(1)" not in body and "&lt;script&gt;alert(1)&lt;/script&gt;訳" in body


# --- the API -----------------------------------------------------------------------------------------


def test_the_api_adds_and_replaces_a_translation(members, eu_update, token_for):
    path = f"/api/v1/updates/{eu_update.uid}/translations/ja"
    added = send(Client(), "put", path, {"text": JA_TEXT}, token_for(members["eu_lead"]))
    assert added.status_code == 200, added.content
    body = added.json()
    assert (body["language"], body["kind"], body["human"], body["revision"]) == ("ja", "update", True, 1)
    assert body["organisation"] == "eu-dg-grow" and body["ledger_entry"] is not None
    replaced = send(Client(), "put", path, {"text": "改訂訳"}, token_for(members["eu_secretariat"]))
    assert replaced.json()["revision"] == 2 and replaced.json()["id"] == body["id"]


@pytest.mark.parametrize(
    ("who", "status"),
    [("jp_secretariat", 403), ("jp_lead", 403), ("eu_stakeholder", 403), (None, 401)],
)
def test_the_api_refuses_others(members, eu_update, eu_deliverable, token_for, who, status):
    authorization = token_for(members[who]) if who else None
    for path, body in (
        (f"/api/v1/updates/{eu_update.uid}/translations/ja", {"text": JA_TEXT}),
        (f"/api/v1/deliverables/{eu_deliverable.uid}/translations/ja", {"text": "x", "description": "y"}),
    ):
        response = send(Client(), "put", path, body, authorization)
        assert response.status_code == status, response.content
        assert "Traceback" not in response.content.decode()
    assert not Translation.objects.exists()


@pytest.mark.parametrize(
    ("path_language", "body", "status", "field"),
    [
        ("en", {"text": JA_TEXT}, 422, "language"),
        ("fr", {"text": JA_TEXT}, 400, "language"),
        ("ja", {"text": ""}, 422, "text"),
        ("ja", {"text": "x" * 10001}, 422, "text"),
        ("ja", {"text": JA_TEXT, "author": "someone"}, 400, "author"),
        ("ja", {}, 400, "text"),
        ("ja", '{"text": "a\\u0000b"}', 400, None),
        ("ja", "not json", 400, None),
    ],
)
def test_the_api_refuses_bad_input(members, eu_update, token_for, path_language, body, status, field):
    path = f"/api/v1/updates/{eu_update.uid}/translations/{path_language}"
    response = send(Client(), "put", path, body, token_for(members["eu_lead"]))
    assert response.status_code == status, response.content
    error = response.json()["error"]
    if field:
        assert field in error["fields"] or error["message"].startswith(field)
    assert not Translation.objects.exists()


def test_the_api_answers_404_for_an_unknown_item(members, token_for):
    for uid in ("00000000-0000-0000-0000-000000000000", "not-a-uuid"):
        response = send(
            Client(),
            "put",
            f"/api/v1/updates/{uid}/translations/ja",
            {"text": JA_TEXT},
            token_for(members["eu_lead"]),
        )
        assert response.status_code == 404


# --- a peer's translation (the JP node round trip is tests/federation/test_translations.py) -----------


def _peer_update(peer_log):
    record, entry = peer_log(
        records.PROGRESS_UPDATE,
        {
            "uid": "6f1c1f0e-2b8e-4d8e-9a59-2d6f1b1f0a01",
            "action": 48,
            "period": 2026,
            "version": 1,
            "status": "on_track",
            "narrative": "5G研究開発の共同公募を準備している。",
            "language": "ja",
            "organisation": "jp-mic",
        },
        party="JP",
        organisation="jp-mic",
    )
    records.apply_progress_update(record, entry)
    return "6f1c1f0e-2b8e-4d8e-9a59-2d6f1b1f0a01"


def _translation_content(of: str, **changes) -> dict:
    content = {
        "uid": "0c0ffee0-0000-4000-8000-000000000001",
        "kind": "update",
        "item": of,
        "language": "en",
        "text": "Preparing a joint call for 5G R&D.",
        "description": "",
        "human": True,
        "source_language": "ja",
        "source_revision": 1,
        "source_sha256": "0" * 64,
        "revision": 1,
    }
    content.update(changes)
    return content


def test_a_peers_translation_of_its_own_text_applies_read_only(members, peer_log):
    item = _peer_update(peer_log)
    source = translations.source_of("update", __import__("uuid").UUID(item))
    record, entry = peer_log(
        records.TRANSLATION, _translation_content(item, source_sha256=source.digest), party="JP"
    )
    records.apply_translation(record, entry)
    records.apply_translation(record, entry)  # idempotent
    held = Translation.objects.get()
    assert (held.signed_by, held.translator, held.organisation.code) == ("JP", None, "jp-digital-agency")
    reader = Client()
    reader.force_login(members["eu_lead"])
    assert "Preparing a joint call for 5G R&amp;D." in reader.get("/en/actions/48/").content.decode()
    # Nobody on this node replaces it, not even JP's secretariat (its node does).
    with pytest.raises(PermissionDenied):
        services.translate(members["jp_secretariat"], "update", item, {"text": "x"})


@pytest.mark.parametrize(
    ("party", "changes", "reason"),
    [
        ("EU", {}, "may not translate"),  # the EU node translating JP's text
        ("JP", {"language": "ja"}, "source's language"),
        ("JP", {"text": ""}, "text"),
        ("JP", {"text": "x" * 10001}, "text"),
        ("JP", {"kind": "indicator"}, "kind"),
        ("JP", {"item": "00000000-0000-4000-8000-000000000000"}, "not on this node"),
        ("JP", {"human": "yes"}, "human"),
        ("JP", {"source_sha256": "zz"}, "source_sha256"),
        ("JP", {"revision": 0}, "revision"),
    ],
)
def test_an_applier_refuses_a_bad_or_foreign_translation(peer_log, members, party, changes, reason):
    item = _peer_update(peer_log)
    record, entry = peer_log(records.TRANSLATION, _translation_content(item, **changes), party=party)
    with pytest.raises(RecordRejected) as refused:
        records.apply_translation(record, entry)
    assert reason in str(refused.value)
    assert not Translation.objects.exists()
