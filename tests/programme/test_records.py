"""The programme's records in the ledger: signed with each write, applied from a peer, read-only then."""

import datetime
import json
import uuid

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import Client

from partnership.errors import PermissionDenied
from partnership.ledger import registry
from partnership.ledger.models import LogEntry
from partnership.ledger.records import format_time
from partnership.ledger.registry import RecordRejected
from partnership.programme import services
from partnership.programme.models import Deliverable, Indicator, IndicatorValue, ProgressUpdate
from tests.helpers import apply, signed, signed_in

UPDATE = {"status": "on_track", "narrative": "Expert meeting held in Brussels.", "language": "en"}
DELIVERABLE = {"title": "Joint 6G white paper", "language": "en", "due_date": "2027-03-31"}
INDICATOR = {
    "title": "Joint 6G trials",
    "language": "en",
    "unit": "trials",
    "ascending": True,
    "baseline_value": "0",
    "baseline_year": 2022,
    "target_value": "12.5",
    "target_date": "2027-12-31",
}
MESSAGE = "This record was signed by the EU node; it can only be changed there."


def own_entries():
    return LogEntry.objects.filter(log="")


def send(client, method, path, body, authorization, **headers):
    return getattr(client, method)(
        path,
        data=json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=authorization,
        **headers,
    )


# --- records signed with each write -----------------------------------------------------------------


def test_filing_an_update_appends_one_entry_whose_signed_record_is_the_update(members):
    before = own_entries().count()
    update = services.file_update(members["jp_lead"], 48, UPDATE)
    assert own_entries().count() == before + 1
    update = ProgressUpdate.objects.get(pk=update.pk)
    record = signed(update.ledger_entry)
    assert record.type == "programme.progress_update"
    assert (record.party, record.organisation) == ("JP", "jp-mic")
    assert record.time == format_time(update.created_at)
    assert record.content == {
        "uid": str(update.uid),
        "action": 48,
        "period": update.period,
        "version": 1,
        "status": "on_track",
        "narrative": "Expert meeting held in Brussels.",
        "language": "en",
        "organisation": "jp-mic",
    }
    assert update.signed_by is None


def test_each_deliverable_change_is_a_new_record_of_its_full_state(members):
    jp = members["jp_secretariat"]
    deliverable = services.create_deliverable(jp, 48, {**DELIVERABLE, "organisation": "jp-mic"})
    first = deliverable.ledger_entry
    changed = services.change_deliverable(
        jp,
        deliverable.uid,
        {"status": "delivered", "evidence": "https://example.org/6g"},
        services.etag(deliverable),
    )
    second = Deliverable.objects.get(pk=changed.pk).ledger_entry
    assert second.index == first.index + 1
    assert signed(first).content["status"] == "planned" and signed(first).content["revision"] == 1
    record = signed(second)
    assert (record.type, record.party, record.organisation) == (
        "programme.deliverable",
        "JP",
        "jp-digital-agency",
    )
    assert record.content == {
        "uid": str(deliverable.uid),
        "action": 48,
        "organisation": "jp-mic",
        "title": "Joint 6G white paper",
        "description": "",
        "language": "en",
        "due_date": "2027-03-31",
        "due_period": None,
        "status": "delivered",
        "evidence": ["https://example.org/6g"],
        "revision": 2,
    }
    assert record.time == format_time(Deliverable.objects.get(pk=changed.pk).updated_at)


def test_an_indicator_and_each_recording_of_a_value_are_records(members):
    jp = members["jp_secretariat"]
    indicator = services.create_indicator(jp, 48, INDICATOR)
    content = signed(indicator.ledger_entry).content
    assert content["baseline_value"] == "0" and content["target_value"] == "12.5"
    assert content["target_date"] == "2027-12-31" and content["revision"] == 1
    period = {"period_start": "2026-01-01", "period_end": "2026-12-31", "source": "MIC"}
    value, _ = services.record_indicator_value(jp, indicator.uid, {**period, "value": "3"})
    corrected, _ = services.record_indicator_value(
        jp, indicator.uid, {**period, "value": "4.25"}, replace=True
    )
    assert corrected.pk == value.pk
    first, second = LogEntry.objects.filter(log="").order_by("index")[1:3]
    assert signed(first).content == {
        "uid": str(value.uid),
        "indicator": str(indicator.uid),
        "period_start": "2026-01-01",
        "period_end": "2026-12-31",
        "value": "3",
        "source": "MIC",
    }
    assert signed(second).content["value"] == "4.25"
    # Sending the same value again changes nothing, so it signs nothing.
    services.record_indicator_value(jp, indicator.uid, {**period, "value": "4.25"})
    assert own_entries().count() == 3


def test_a_failure_after_the_append_rolls_back_the_update_and_its_entry(members):
    before = own_entries().count()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.file_update(members["jp_lead"], 48, UPDATE)
        raise RuntimeError("the request failed after the service returned")
    assert own_entries().count() == before
    assert not ProgressUpdate.objects.exists()


def test_a_deliverable_is_not_created_when_the_node_cannot_sign_it(members, settings, tmp_path):
    settings.NODE_KEY_FILE = tmp_path / "broken-key.pem"
    settings.NODE_KEY_FILE.write_text("not a key")
    with pytest.raises(ValueError):
        services.create_deliverable(members["jp_secretariat"], 48, DELIVERABLE)
    assert not Deliverable.objects.exists()
    assert not own_entries().exists()


def test_a_spreadsheet_import_signs_each_row(members, tmp_path):
    path = tmp_path / "rows.csv"
    path.write_text(
        "action,title,language,due_date,due_cycle,status,evidence\n"
        "48,Testbed,en,2027-03-31,,planned,\n"
        "46,Report,en,,2027,in_progress,\n",
        encoding="utf-8",
    )
    call_command("import", "deliverables", str(path), "--user", "jp-secretariat")
    assert sorted(signed(entry).content["title"] for entry in own_entries()) == ["Report", "Testbed"]
    assert all(d.ledger_entry is not None for d in Deliverable.objects.all())


# --- applying a peer's records ----------------------------------------------------------------------


def update_content(**changes):
    return {
        "uid": str(uuid.uuid4()),
        "action": 72,
        "period": 2026,
        "version": 1,
        "status": "at_risk",
        "narrative": "Data spaces pilot delayed.",
        "language": "en",
        "organisation": "eu-dg-grow",
        **changes,
    }


def deliverable_content(**changes):
    return {
        "uid": str(uuid.uuid4()),
        "action": 72,
        "organisation": "eu-dg-grow",
        "title": "Data spaces pilot",
        "description": "",
        "language": "en",
        "due_date": "2027-06-30",
        "due_period": None,
        "status": "planned",
        "evidence": [],
        "revision": 1,
        **changes,
    }


def indicator_content(**changes):
    return {
        "uid": str(uuid.uuid4()),
        "action": 72,
        "organisation": "eu-dg-grow",
        "title": "Pilots running",
        "language": "en",
        "unit": "pilots",
        "ascending": True,
        "baseline_value": "0",
        "baseline_year": 2022,
        "target_value": "5",
        "target_date": "2027-12-31",
        "revision": 1,
        **changes,
    }


def value_content(indicator_uid, **changes):
    return {
        "uid": str(uuid.uuid4()),
        "indicator": indicator_uid,
        "period_start": "2026-01-01",
        "period_end": "2026-12-31",
        "value": "2",
        "source": "DG GROW",
        **changes,
    }


def test_every_programme_record_type_has_an_applier():
    assert {
        "programme.progress_update",
        "programme.deliverable",
        "programme.indicator",
        "programme.indicator_value",
    } <= set(registry.record_types())


def test_a_peer_update_is_applied_as_that_party_with_no_local_author_once(members, peer_log):
    content = update_content()
    record, entry = peer_log("programme.progress_update", content)
    apply(record, entry)
    apply(record, entry)
    update = ProgressUpdate.objects.get()
    assert str(update.uid) == content["uid"]
    assert (update.party.code, update.organisation.code, update.author) == ("EU", "eu-dg-grow", None)
    assert (update.action.paragraph, update.status, update.version) == (72, "at_risk", 1)
    assert update.ledger_entry == entry and update.signed_by == "EU"
    assert update.created_at == datetime.datetime(2026, 11, 20, 9, 30, 0, 500000, tzinfo=datetime.UTC)


def test_the_author_organisation_must_be_of_the_records_party(members, peer_log):
    record, entry = peer_log("programme.progress_update", update_content(), organisation="jp-digital-agency")
    with pytest.raises(RecordRejected, match="author organisation"):
        apply(record, entry)
    assert not ProgressUpdate.objects.exists()


def test_a_peer_deliverable_takes_the_newest_revision_whatever_the_order(members, peer_log):
    content = deliverable_content()
    first = peer_log("programme.deliverable", content)
    second = peer_log("programme.deliverable", {**content, "status": "delivered", "revision": 2})
    apply(*first)
    apply(*second)
    apply(*first)  # an older revision arriving late changes nothing
    apply(*second)  # nor does the same one twice
    deliverable = Deliverable.objects.get()
    assert (deliverable.status, deliverable.revision) == ("delivered", 2)
    assert deliverable.ledger_entry == second[1] and deliverable.party.code == "EU"
    assert deliverable.organisation.code == "eu-dg-grow"


@pytest.mark.parametrize(
    ("record_type", "model", "content", "reason"),
    [
        *(
            ("programme.progress_update", ProgressUpdate, content, reason)
            for content, reason in [
                (update_content(organisation="jp-mic"), "not an organisation of EU"),
                (update_content(action=12), "no joint action at paragraph 12"),
                (update_content(status="finished"), "status"),
                (update_content(uid="not-a-uuid"), "not a UUID"),
                (update_content(version=0), "version"),
                (update_content(version=2**31), "version"),
                ("a text, not an object", "not a JSON object"),
                ({"uid": str(uuid.uuid4())}, "lacks"),
            ]
        ),
        *(
            ("programme.deliverable", Deliverable, content, reason)
            for content, reason in [
                (deliverable_content(organisation="jp-mic"), "not an organisation of EU"),
                (deliverable_content(organisation="no-such-body"), "not an organisation on this node"),
                (deliverable_content(action=99), "no joint action at paragraph 99"),
                (deliverable_content(status="cancelled"), "status"),
                (deliverable_content(evidence=["ftp://example.org/x"]), "evidence"),
                (deliverable_content(due_date=None), "due date"),
                (deliverable_content(revision="2"), "revision"),
                # Past what the column holds (PostgreSQL's integer): refused, not a database error
                # that would stop every sync with the peer at this entry.
                (deliverable_content(revision=2**31), "revision"),
            ]
        ),
    ],
)
def test_a_bad_peer_record_is_rejected_and_leaves_nothing(
    members, peer_log, record_type, model, content, reason
):
    record, entry = peer_log(record_type, content)
    with pytest.raises(RecordRejected, match=reason):
        apply(record, entry)
    assert not model.objects.exists()


def test_a_peer_cannot_overwrite_this_nodes_own_record(members, peer_log):
    own = services.create_deliverable(members["eu_secretariat"], 72, DELIVERABLE)
    record, entry = peer_log("programme.deliverable", deliverable_content(uid=str(own.uid), revision=5))
    with pytest.raises(RecordRejected, match="belongs to this node"):
        apply(record, entry)
    own.refresh_from_db()
    assert (own.title, own.revision) == ("Joint 6G white paper", 1)


def test_a_peer_indicator_and_its_values_are_applied(members, peer_log):
    content = indicator_content()
    apply(*peer_log("programme.indicator", content))
    apply(*peer_log("programme.indicator", {**content, "target_value": "6", "revision": 2}))
    indicator = Indicator.objects.get()
    assert (str(indicator.target_value.normalize()), indicator.revision, indicator.signed_by) == (
        "6",
        2,
        "EU",
    )
    value = value_content(content["uid"])
    first = peer_log("programme.indicator_value", value)
    correction = peer_log("programme.indicator_value", {**value, "value": "3"})
    apply(*first)
    apply(*correction)
    apply(*first)  # re-applied after the correction: the later entry stands
    stored = IndicatorValue.objects.get()
    assert (stored.value, stored.recorded_by, stored.ledger_entry) == (3, None, correction[1])


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"indicator": str(uuid.uuid4())}, "not on this node"),
        ({"value": "lots"}, "value"),
        ({"period_end": "2025-12-31"}, "period"),
    ],
)
def test_a_bad_peer_value_is_rejected_and_leaves_nothing(members, peer_log, changes, reason):
    content = indicator_content()
    apply(*peer_log("programme.indicator", content))
    value = value_content(content["uid"], **changes)
    record, entry = peer_log("programme.indicator_value", value)
    with pytest.raises(RecordRejected, match=reason):
        apply(record, entry)
    assert not IndicatorValue.objects.exists()


def test_a_value_on_this_nodes_indicator_is_rejected(members, peer_log):
    indicator = services.create_indicator(members["eu_secretariat"], 72, INDICATOR)
    value = value_content(str(indicator.uid))
    with pytest.raises(RecordRejected, match="not an indicator of EU"):
        apply(*peer_log("programme.indicator_value", value))
    assert not IndicatorValue.objects.exists()


# --- a peer's records are read-only on every path ---------------------------------------------------


@pytest.fixture
def peer_records(members, peer_log):
    """A deliverable, an indicator and an update the EU node signed, applied on this (embedded) node."""
    apply(*peer_log("programme.progress_update", update_content()))
    apply(*peer_log("programme.deliverable", deliverable_content()))
    apply(*peer_log("programme.indicator", indicator_content()))
    return {"deliverable": Deliverable.objects.get(), "indicator": Indicator.objects.get()}


def test_services_refuse_to_change_a_peers_records(members, peer_records):
    eu = members["eu_secretariat"]  # of the signing party, and its secretariat: still refused here
    deliverable, indicator = peer_records["deliverable"], peer_records["indicator"]
    with pytest.raises(PermissionDenied, match=MESSAGE):
        services.change_deliverable(eu, deliverable.uid, {"status": "delivered"}, services.etag(deliverable))
    with pytest.raises(PermissionDenied, match=MESSAGE):
        services.change_indicator(eu, indicator.uid, {"unit": "projects"}, services.etag(indicator))
    with pytest.raises(PermissionDenied, match=MESSAGE):
        services.record_indicator_value(
            eu,
            indicator.uid,
            {"period_start": "2026-01-01", "period_end": "2026-12-31", "value": "1", "source": "x"},
        )
    deliverable.refresh_from_db()
    assert deliverable.status == "planned" and not IndicatorValue.objects.exists()


def test_the_web_shows_the_mark_and_refuses_every_edit(members, peer_records):
    client = signed_in(members["eu_secretariat"])
    deliverable, indicator = peer_records["deliverable"], peer_records["indicator"]
    page = client.get("/en/actions/72/").content.decode()
    entry = deliverable.ledger_entry
    assert f"Signed by the EU node · entry {entry.index}" in page
    assert f'title="Signing key {entry.key_id}; this record is read-only on this node."' in page
    assert page.count("Signed by the EU node") == 4  # side by side, history, deliverable, indicator
    assert f"/deliverables/{deliverable.uid}/" not in page
    assert f"/indicators/{indicator.uid}/value/" not in page
    edit = f"/en/actions/72/deliverables/{deliverable.uid}/"
    for response in (
        client.get(edit),
        client.post(edit, {**DELIVERABLE, "status": "delivered", "etag": services.etag(deliverable)}),
        client.get(f"/en/actions/72/indicators/{indicator.uid}/value/"),
    ):
        assert response.status_code == 403
        assert MESSAGE in response.content.decode()
    assert Deliverable.objects.get().status == "planned"
    dashboard = client.get("/en/dashboard/?since=2026-01-01").content.decode()
    assert "Signed by the EU node" in dashboard


def test_the_mark_is_in_japanese_on_japanese_pages(members, peer_records):
    page = signed_in(members["jp_secretariat"]).get("/ja/actions/72/").content.decode()
    assert "EU ノードが署名" in page


def test_the_api_marks_peer_records_and_refuses_changes(members, peer_records, token_for):
    client, eu = Client(), token_for(members["eu_secretariat"])
    deliverable, indicator = peer_records["deliverable"], peer_records["indicator"]
    read = client.get(f"/api/v1/deliverables/{deliverable.uid}", HTTP_AUTHORIZATION=eu)
    assert read.json()["signed_by"] == "EU"
    assert read.json()["ledger_entry"] == deliverable.ledger_entry.index
    updates = client.get("/api/v1/actions/72/updates", HTTP_AUTHORIZATION=eu).json()["items"]
    assert updates[0]["signed_by"] == "EU" and updates[0]["author"] is None
    patch = send(
        client,
        "patch",
        f"/api/v1/deliverables/{deliverable.uid}",
        {"status": "delivered"},
        eu,
        HTTP_IF_MATCH=read["ETag"],
    )
    assert patch.status_code == 403 and patch.json()["error"]["message"] == MESSAGE
    value = {"period_start": "2026-01-01", "period_end": "2026-12-31", "value": "1", "source": "x"}
    posted = send(client, "post", f"/api/v1/indicators/{indicator.uid}/values", value, eu)
    assert posted.status_code == 403 and posted.json()["error"]["message"] == MESSAGE
    own = services.create_deliverable(members["eu_secretariat"], 72, DELIVERABLE)
    mine = client.get(f"/api/v1/deliverables/{own.uid}", HTTP_AUTHORIZATION=eu).json()
    assert mine["signed_by"] is None and mine["ledger_entry"] == own.ledger_entry.index


def test_the_admin_refuses_to_change_a_peers_deliverable(members, peer_records):
    client = signed_in(members["eu_secretariat"])
    deliverable = peer_records["deliverable"]
    path = f"/en/admin/programme/deliverable/{deliverable.pk}/change/"
    assert client.get(path).status_code == 200  # viewable
    response = client.post(path, {**DELIVERABLE, "status": "delivered", "revision": 1})
    assert response.status_code == 403
    assert Deliverable.objects.get().status == "planned"


def test_an_import_names_the_peers_rows_it_refuses(members, peer_records, tmp_path, capsys):
    deliverable = peer_records["deliverable"]
    path = tmp_path / "rows.csv"
    path.write_text(
        "id,revision,action,title,language,due_date,due_cycle,status,evidence\n"
        f"{deliverable.uid},1,72,Data spaces pilot,en,2027-06-30,,delivered,\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError):
        call_command("import", "deliverables", str(path), "--user", "eu-secretariat")
    assert f"row 2: {MESSAGE}" in capsys.readouterr().err
    assert Deliverable.objects.get().status == "planned"


# --- a federated node writes only its own party's records -------------------------------------------


def test_a_federated_node_writes_only_its_partys_records_through_the_api(members, token_for, settings):
    settings.NODE_PARTY = "JP"
    client = Client()
    refused = send(client, "post", "/api/v1/actions/72/updates", UPDATE, token_for(members["eu_secretariat"]))
    assert refused.status_code == 403
    assert refused.json()["error"]["message"] == (
        "This node is run by JP and signs only JP's records; write EU's records on the EU node."
    )
    refused = send(
        client, "post", "/api/v1/actions/72/deliverables", DELIVERABLE, token_for(members["eu_lead"])
    )
    assert refused.status_code == 403
    accepted = send(client, "post", "/api/v1/actions/48/updates", UPDATE, token_for(members["jp_lead"]))
    assert accepted.status_code == 201 and accepted.json()["signed_by"] is None
    assert [u.party.code for u in ProgressUpdate.objects.all()] == ["JP"]


def test_a_federated_node_offers_and_takes_no_web_write_for_the_other_party(members, settings):
    settings.NODE_PARTY = "JP"
    eu = signed_in(members["eu_secretariat"])
    page = eu.get("/en/actions/72/").content.decode()
    assert "/en/actions/72/update/" not in page and "/deliverables/new/" not in page
    response = eu.post("/en/actions/72/update/", UPDATE)
    assert response.status_code == 403
    assert "This node is run by JP" in response.content.decode()
    jp = signed_in(members["jp_secretariat"])
    assert "/en/actions/72/update/" in jp.get("/en/actions/72/").content.decode()
    assert jp.post("/en/actions/72/update/", UPDATE).status_code == 302
    assert [u.party.code for u in ProgressUpdate.objects.all()] == ["JP"]


def test_the_embedded_node_writes_for_every_party(members, settings):
    settings.NODE_PARTY = ""
    services.file_update(members["eu_secretariat"], 72, UPDATE)
    services.file_update(members["jp_secretariat"], 72, UPDATE)
    assert ProgressUpdate.objects.count() == 2


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"status": "finished"},
        {"status": ""},
        {"language": "fr"},
        {"narrative": "   "},
        {"narrative": "x" * 10000},
        {"narrative": "x" * 10001},
        {"narrative": "  padded  "},
    ],
)
def test_a_peer_update_is_checked_by_the_rules_of_the_update_form(changes):
    from partnership.programme.forms import UpdateForm
    from partnership.programme.records import update_fields

    content = update_content(**changes)
    form = UpdateForm({k: content[k] for k in ("status", "narrative", "language")})
    try:
        accepted = update_fields(content)
    except RecordRejected:
        accepted = None
    assert (accepted is not None) == form.is_valid()
    if accepted is not None:
        assert accepted == {k: form.cleaned_data[k] for k in ("status", "narrative", "language")}


def test_a_run_of_peer_updates_applies_as_one_by_one_would(members, peer_log):
    from partnership.ledger import registry
    from partnership.ledger.sync import SyncResult, _apply_all

    first = update_content()
    items = [
        peer_log("programme.progress_update", first),
        peer_log("programme.progress_update", first),  # the same record again: applied once
        peer_log("programme.progress_update", update_content(uid=str(uuid.uuid4()))),  # version 1 again
        peer_log("programme.progress_update", update_content(version=2, status="finished")),  # bad status
        peer_log("programme.progress_update", update_content(version=2)),
    ]
    result = SyncResult("EU")
    with registry.batch():
        _apply_all([(entry, record) for record, entry in items], result)

    assert (result.applied, result.rejected) == (3, 2)
    assert sorted(ProgressUpdate.objects.values_list("version", flat=True)) == [1, 2]
    for entry in (entry for _record, entry in items):
        entry.refresh_from_db()
    errors = [entry.apply_error for _record, entry in items]
    assert errors[:2] == ["", ""] and errors[4] == ""
    assert "already has version 1" in errors[2]
    assert "status" in errors[3]
