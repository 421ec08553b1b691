"""Tabletop exercises travel to the other party's node as signed records sealed to it (issue 16, item 4),
and a peer's records apply here only as that party: the exercise's party alone starts, releases (in
order) and ends its runs, and a party responds only as itself. This process plays the JP node;
tests/federation/test_supply_chain_exercises.py plays a run across two real nodes."""

import datetime
import json
import uuid

import pytest
from django.utils import timezone

from partnership.exchanges.supply_chain import exercise_records, exercises
from partnership.exchanges.supply_chain.exercise_models import Exercise, ExerciseRun, ExerciseStep
from partnership.ledger import sealing
from partnership.ledger import services as ledger_services
from partnership.ledger.keys import key_id, load_or_create_key, verifier_key_string
from partnership.ledger.models import LogEntry
from partnership.ledger.records import format_time, parse_record
from partnership.ledger.registry import RecordRejected

pytestmark = pytest.mark.django_db

SCENARIO = {
    "title": "Gallium export licences (exercise)",
    "tlp": "green",
    "injects": [
        {
            "offset": "T+0h",
            "type": "event",
            "kind": "export_restriction",
            "title": "Licences for gallium exports",
            "country": "CN",
            "severity": "major",
        },
        {
            "offset": "T+1d",
            "type": "event",
            "kind": "logistics",
            "title": "A secret second inject",
            "country": "CN",
            "severity": "minor",
        },
    ],
}


@pytest.fixture
def eu_key(tmp_path):
    return load_or_create_key(tmp_path / "eu-node-key.pem")


@pytest.fixture
def jp_node(settings, eu_key):
    """This process as the JP node, with the EU node as its configured peer."""
    settings.NODE_PARTY = "JP"
    settings.PEERS = f"http://eu.example {verifier_key_string('EU', eu_key)}"
    return settings


def from_eu(peer_log, kind, uid, payload, organisation="eu-dg-grow", at=None):
    """A record of the EU node made now (or `at`), its payload sealed to this node, applied as sync
    applies it."""
    sealed = sealing.seal(json.dumps(payload).encode(), ledger_services.known_keys())
    time = format_time(at or timezone.now())
    record, entry = peer_log(kind, {"uid": str(uid), "to": "JP", "sealed": sealed}, "EU", organisation, time)
    applier = {
        exercise_records.EXERCISE: exercise_records.apply_exercise,
        exercise_records.STEP: exercise_records.apply_step,
    }[kind]
    applier(record, entry)
    return entry


@pytest.fixture
def run(members, jp_node):
    exercise = exercises.create_exercise(members["jp_secretariat"], SCENARIO)
    run = exercises.start_run(members["jp_secretariat"], exercise.uid)
    exercises.release_next(members["jp_secretariat"], run.uid)
    return run


def test_what_the_eu_node_receives_is_sealed_and_holds_no_unreleased_inject(run, eu_key):
    entries = LogEntry.objects.filter(log="").order_by("index")
    assert all(b"gallium" not in bytes(entry.record).lower() for entry in entries)
    keys = {key_id("EU", eu_key).hex(): eu_key}
    opened = []
    for entry in entries:
        record = parse_record(bytes(entry.record))
        if record.type in (exercise_records.EXERCISE, exercise_records.STEP):
            opened.append(json.loads(sealing.open_sealed(record.content["sealed"], keys)))
    text = json.dumps(opened)
    assert "Licences for gallium exports" in text and "A secret second inject" not in text
    assert [item.get("kind") for item in opened] == [None, "start", "release"]
    assert opened[0]["injects"] == 2


def test_the_eu_nodes_responses_apply_as_eu(members, run, peer_log):
    step = uuid.uuid4()
    body = {
        "run": str(run.uid),
        "kind": "assessment",
        "inject": 0,
        "person": "An EU officer",
        "data": {"stage": "alert"},
    }
    from_eu(peer_log, exercise_records.STEP, step, body)
    from_eu(peer_log, exercise_records.STEP, step, body)  # applied once
    applied = ExerciseStep.objects.get(kind="assessment")
    assert (applied.party.code, applied.person, applied.data) == (
        "EU",
        "An EU officer",
        {"stage": "alert", "note": ""},
    )
    hostile = [
        ({"run": str(run.uid), "kind": "release", "inject": 1, "data": SCENARIO["injects"][1]}, "only JP"),
        ({"run": str(run.uid), "kind": "end", "inject": None, "data": {}}, "only JP"),
        ({"run": str(run.uid), "kind": "acknowledgement", "inject": 1, "data": {}}, "not released"),
        (
            {"run": str(run.uid), "kind": "owner", "inject": 0, "data": {"organisation": "jp-meti"}},
            "not an organisation of EU",
        ),
        ({"run": str(run.uid), "kind": "assessment", "inject": 0, "data": {"stage": "panic"}}, "stage"),
        ({"run": str(run.uid), "kind": "self-destruct", "inject": 0, "data": {}}, "kind"),
        ({"run": str(uuid.uuid4()), "kind": "assessment", "inject": 0, "data": {"stage": "alert"}}, "no run"),
        (
            {
                "run": str(uuid.uuid4()),
                "kind": "start",
                "inject": None,
                "data": {"exercise": str(run.exercise.uid)},
            },
            "own exercise",
        ),
    ]
    for payload, reason in hostile:
        with pytest.raises(RecordRejected, match=reason):
            from_eu(peer_log, exercise_records.STEP, uuid.uuid4(), payload)
    assert ExerciseStep.objects.filter(party__code="EU").count() == 1
    run.refresh_from_db()
    assert (run.released, run.ended_at) == (1, None)
    # A response dated before its inject's release (beyond a clock's lag) is a lie.
    early = {"run": str(run.uid), "kind": "acknowledgement", "inject": 0, "data": {}}
    with pytest.raises(RecordRejected, match="before the inject's release"):
        from_eu(
            peer_log,
            exercise_records.STEP,
            uuid.uuid4(),
            early,
            at=run.started_at - datetime.timedelta(hours=1),
        )
    # One made before JP ended the run, arriving after, is taken; one made after is not.
    made = timezone.now()
    exercises.end_run(members["jp_secretariat"], run.uid)
    from_eu(peer_log, exercise_records.STEP, uuid.uuid4(), early, at=made)
    late = {"run": str(run.uid), "kind": "owner", "inject": 0, "data": {"organisation": "eu-dg-grow"}}
    with pytest.raises(RecordRejected, match="ended"):
        from_eu(
            peer_log,
            exercise_records.STEP,
            uuid.uuid4(),
            late,
            at=timezone.now() + datetime.timedelta(minutes=1),
        )
    assert list(ExerciseStep.objects.filter(party__code="EU").values_list("kind", flat=True)) == [
        "assessment",
        "acknowledgement",
    ]


def test_an_eu_exercise_and_run_arrive_read_only(members, jp_node, peer_log):
    exercise = uuid.uuid4()
    description = {
        "title": "EU scenario",
        "description": "",
        "language": "en",
        "tlp": "green",
        "recipients": [],
        "injects": 1,
        "revision": 1,
    }
    from_eu(peer_log, exercise_records.EXERCISE, exercise, description)
    held = Exercise.objects.get(uid=exercise)
    assert (held.party.code, held.inject_count, held.injects, held.signed_by) == ("EU", 1, [], "EU")
    run = uuid.uuid4()
    from_eu(
        peer_log,
        exercise_records.STEP,
        uuid.uuid4(),
        {"run": str(run), "kind": "start", "inject": None, "data": {"exercise": str(exercise), "speed": 0}},
    )
    release = {
        "offset": 0,
        "type": "event",
        "kind": "fab_fire",
        "title": "Fire in Dresden",
        "country": "DE",
        "severity": "major",
        "start_date": "2026-05-01",
    }
    with pytest.raises(RecordRejected, match="not the next"):
        from_eu(
            peer_log,
            exercise_records.STEP,
            uuid.uuid4(),
            {"run": str(run), "kind": "release", "inject": 1, "data": release},
        )
    with pytest.raises(RecordRejected, match="injects.0..severity|severity"):
        from_eu(
            peer_log,
            exercise_records.STEP,
            uuid.uuid4(),
            {"run": str(run), "kind": "release", "inject": 0, "data": {**release, "severity": "vast"}},
        )
    from_eu(
        peer_log,
        exercise_records.STEP,
        uuid.uuid4(),
        {"run": str(run), "kind": "release", "inject": 0, "data": release},
    )
    held_run = ExerciseRun.objects.get(uid=run)
    assert (held_run.released, held_run.signed_by) == (1, "EU")
    # JP answers EU's inject on its own node; JP cannot release or end EU's run, nor change its scenario.
    exercises.respond(members["jp_secretariat"], run, 1, "acknowledgement", {})
    with pytest.raises(exercises.PermissionDenied):
        exercises.end_run(members["jp_secretariat"], run)
    with pytest.raises(exercises.PermissionDenied):
        exercises.revise_exercise(members["jp_secretariat"], exercise, SCENARIO)
