"""What tabletop exercises share with the other party's node, and how a peer's records apply here (issue
16, item 4): a run can be played across two nodes, the facilitating party's node releasing the injects
and the other party responding on its own node.

Both record types are sealed to the other party's node as events and alerts are (`alert_records._sign`):
`content` is `{"uid", "to", "sealed"}`; the record's `party` and `organisation` are the author's.

- `supply_chain.exercise` (a scenario, per revision): `sealed` holds `title`, `description`, `language`,
  `tlp`, `recipients` (organisation codes), `injects` (how many; the injects themselves stay with the
  facilitating party until released) and `revision`.
- `supply_chain.exercise_step` (every step of a run, by the party that made it): `sealed` holds `run`
  (its uid), `kind` (start, release, end, proposal, acknowledgement, assessment, owner, action,
  action_done, closing, lessons), `inject` (the index it answers, or null), `person` (who, by name) and
  `data`: a start's `exercise`, `injects` and `speed`; a release's inject (its `offset` in minutes,
  `type`, `note`, the event's fields or the `observations` with the `signals` they raised); a response's
  the same fields as the step of a real alert (`supply_chain.alert_step`); lessons' `text`, `language`.

The appliers check the content as the services check input (`exercises.clean_*`, `check_response`) and
take the acting party from the record: the exercise's party alone starts, releases and ends its runs, in
order; a party responds only as itself. Applied once (the object's uid).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from partnership.ledger.records import SignedRecord
from partnership.ledger.registry import RecordRejected
from partnership.peer_records import (
    author_party,
    held_by_peer,
    newer_entry,
    party_organisation,
    record_time,
    uid_of,
)

from .alert_records import _checked, _opened, _sign
from .exercise_models import Exercise, ExerciseRun, ExerciseStep, ExerciseStepKind

if TYPE_CHECKING:
    from partnership.ledger.models import LogEntry

EXERCISE = "supply_chain.exercise"
STEP = "supply_chain.exercise_step"
#: At most this many signals in a released inject from a peer.
SIGNALS_MAX = 500


def exercise_payload(exercise: Exercise) -> dict[str, Any]:
    return {
        "title": exercise.title,
        "description": exercise.description,
        "language": exercise.language,
        "tlp": exercise.tlp,
        "recipients": sorted(exercise.recipients.values_list("code", flat=True)),
        "injects": exercise.inject_count,
        "revision": exercise.revision,
    }


def share_exercise(exercise: Exercise) -> LogEntry:
    return _sign(
        EXERCISE,
        exercise.party.code,
        exercise.organisation.code,
        exercise.changed_at,
        exercise.uid,
        exercise_payload(exercise),
    )


def share_step(step: ExerciseStep) -> LogEntry:
    payload = {
        "run": str(step.run.uid),
        "kind": step.kind,
        "inject": step.inject,
        "person": step.person,
        "data": step.data,
    }
    return _sign(STEP, step.party.code, step.organisation.code, step.at, step.uid, payload)


def _description(payload: dict[str, Any], party: Any) -> dict[str, Any]:
    from . import alerts, exercises

    level, recipients = alerts._marking(payload, party, "green")
    count = payload.get("injects")
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= exercises.MAX_INJECTS:
        raise RecordRejected(f"{EXERCISE}: injects must be a count of 1 to {exercises.MAX_INJECTS}")
    return {
        "title": alerts._text(payload, "title", alerts.TITLE_MAX, required=True),
        "description": alerts._text(payload, "description", alerts.TEXT_MAX),
        "language": alerts._choice(payload, "language", ["en", "ja"], "en"),
        "tlp": level,
        "recipients": recipients,
        "inject_count": count,
    }


def apply_exercise(record: SignedRecord, entry: LogEntry) -> None:
    """A peer's scenario (its description, without injects), kept here read-only."""
    uid, payload = _opened(record)
    if payload is None:
        return
    party = author_party(record)
    organisation = party_organisation(party, record.organisation)
    cleaned = _checked(EXERCISE, _description, payload, party)
    recipients = cleaned.pop("recipients")
    held = Exercise.objects.select_related("ledger_entry").filter(uid=uid).first()
    when = record_time(record)
    if held is not None:
        held_by_peer(held, entry, "exercise")
        if not newer_entry(held, entry):
            return
        for name, value in cleaned.items():
            setattr(held, name, value)
        held.changed_at, held.ledger_entry = when, entry
        held.revision = max(held.revision + 1, int(payload.get("revision") or 0))
        held.save()
        held.recipients.set(recipients)
        return
    exercise = Exercise.objects.create(
        uid=uid,
        party=party,
        organisation=organisation,
        created_at=when,
        changed_at=when,
        ledger_entry=entry,
        injects=[],
        **cleaned,
    )
    exercise.recipients.set(recipients)


def _release(payload: dict[str, Any], party: Any) -> dict[str, Any]:
    from . import exercises

    data = payload.get("data") or {}
    cleaned = exercises.clean_inject(data, held_series=False)
    signals = data.get("signals", [])
    if cleaned["type"] == "observations":
        if (
            not isinstance(signals, list)
            or len(signals) > SIGNALS_MAX
            or not all(isinstance(s, dict) for s in signals)
        ):
            raise RecordRejected(f"{STEP}: signals must be a list of at most {SIGNALS_MAX} objects")
        cleaned["signals"] = signals
    if cleaned["type"] == "event":
        cleaned["start_date"] = data.get("start_date") if isinstance(data.get("start_date"), str) else None
    return cleaned


def _start(step: ExerciseStep, run_uid: Any, data: dict[str, Any], entry: LogEntry) -> None:
    """A peer's start of a run of its own exercise held here."""
    from . import exercises

    party = step.party
    exercise = Exercise.objects.filter(uid=uid_of(data, "exercise")).first()
    if exercise is None or exercise.party_id != party.pk:
        raise RecordRejected(f"{STEP}: {party.code} starts runs only of its own exercise held here")
    speed = data.get("speed", 0)
    if isinstance(speed, bool) or not isinstance(speed, int | float) or not 0 <= speed <= exercises.MAX_SPEED:
        raise RecordRejected(f"{STEP}: speed is not a number of 0 to {exercises.MAX_SPEED}")
    run = ExerciseRun.objects.create(
        uid=run_uid,
        exercise=exercise,
        party=party,
        organisation=step.organisation,
        speed=speed,
        started_at=step.at,
        inject_count=exercise.inject_count,
        ledger_entry=entry,
    )
    step.run = run
    step.data = {"exercise": str(exercise.uid), "injects": run.inject_count, "speed": speed}
    step.save()


def apply_step(record: SignedRecord, entry: LogEntry) -> None:
    """A peer party's step of a run: its start, release or end of a run of its own exercise, or its
    response (as itself) to an inject released here."""
    from . import exercises

    uid, payload = _opened(record)
    if payload is None:
        return
    party = author_party(record)
    organisation = party_organisation(party, record.organisation)
    if ExerciseStep.objects.filter(uid=uid).exists():
        return
    run_uid = uid_of(payload, "run")
    kind, data, inject = payload.get("kind"), payload.get("data"), payload.get("inject")
    person = payload.get("person")
    person = person if isinstance(person, str) else ""
    if kind not in ExerciseStepKind.values or not isinstance(data, dict):
        raise RecordRejected(f"{STEP}: kind {kind!r} is not a step of a run, or data is not an object")
    if inject is not None and (isinstance(inject, bool) or not isinstance(inject, int) or inject < 0):
        raise RecordRejected(f"{STEP}: inject must be an index or null")
    when = record_time(record)
    run = ExerciseRun.objects.select_related("exercise").filter(uid=run_uid).first()
    step = ExerciseStep(
        uid=uid,
        kind=kind,
        inject=inject,
        party=party,
        organisation=organisation,
        person=person[:200],
        at=when,
        ledger_entry=entry,
    )
    if kind == ExerciseStepKind.START:
        if run is not None:
            raise RecordRejected(f"{STEP}: the run {run_uid} is held here already")
        _start(step, run_uid, data, entry)
        return
    if run is None:
        raise RecordRejected(f"{STEP}: there is no run {run_uid} here; its start comes first")
    step.run = run
    if kind in (ExerciseStepKind.RELEASE, ExerciseStepKind.END):
        if party.pk != run.party_id or not run.is_open:
            raise RecordRejected(f"{STEP}: only {run.party.code} releases and ends its open run")
        if kind == ExerciseStepKind.RELEASE:
            if inject != run.released or run.released >= run.inject_count:
                raise RecordRejected(f"{STEP}: inject {inject} is not the next one to release")
            step.data = _checked(STEP, _release, payload, party)
            run.released += 1
        else:
            step.data, run.ended_at = {}, when
        run.save()
        step.save()
        return
    if kind == ExerciseStepKind.LESSONS:
        step.data = _checked(STEP, exercises.clean_lessons, data)
        step.save()
        return
    if inject is None:
        raise RecordRejected(f"{STEP}: a response names its inject")
    cleaned = _checked(STEP, exercises.clean_response, kind, data, party)
    _checked(STEP, exercises.check_response, run, inject, kind, cleaned, party, when)
    step.data = cleaned
    step.save()
