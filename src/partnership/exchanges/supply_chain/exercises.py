"""Every write of tabletop exercises (issue 16, item 4; para 46: crisis preparedness): scenarios, runs,
the release of injects, and each party's responses.

A scenario is checked whole (`clean_scenario`: `Invalid` naming the inject and field, e.g.
`injects[3].severity`) and stored atomically. Writers are a party's secretariat and action leads on their
own party's node (`people.permissions.require_write_supply_alerts`); a scenario is changed only by its own
party, a run is started, released and ended only by the secretariat of the exercise's party, and a party
responds only as itself. Every run step is one signed record of the acting party (`exercise_records`),
sealed to the other party's node.

Exercise data never touches the real tables: an injected event is not an `Event`, injected observations
make no `Series` or `Signal` (the detectors run in memory on a copy), no subscriber is mailed.
"""

from __future__ import annotations

import datetime
import re
import uuid
from pathlib import Path
from typing import Any

import numpy as np
from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from partnership import detection
from partnership.errors import Invalid, PermissionDenied
from partnership.inputs import JsonInputError, load_json
from partnership.people.models import Party
from partnership.people.permissions import Actor, require_write_supply_alerts
from partnership.people.tlp import Tlp

from . import alerts, exercise_queries, exercise_records
from .alert_models import ContentLanguage, Stage, StepKind
from .exercise_models import Exercise, ExerciseRun, ExerciseStep, ExerciseStepKind, InjectType
from .exercise_queries import format_offset
from .models import Frequency, Observation, Series

#: A scenario holds at most this many injects (a day-long exercise has a few dozen).
MAX_INJECTS = 200
#: At most this many observations in one inject, and this many days of scenario time.
MAX_OBSERVATIONS = 2_000
MAX_OFFSET_MINUTES = 366 * 24 * 60
#: A scenario file is at most this big.
MAX_FILE_BYTES = 2 * 1024 * 1024
#: Who released an inject the scenario clock released (stored as data, not translated).
CLOCK = "scenario clock"
#: How far a peer node's clock may lag this one's: a response dated earlier than its inject's release
#: by more is refused (its time would be a lie); by less, its time to respond counts as zero.
CLOCK_SKEW = datetime.timedelta(minutes=5)
#: The scenario clock runs at most this many scenario minutes per real minute.
MAX_SPEED = 10_000.0
OFFSET = re.compile(r"(?:T\s*)?\+?\s*((?:\d+\s*[dhm]\s*)+)", re.IGNORECASE)
PART = re.compile(r"(\d+)\s*([dhm])", re.IGNORECASE)
MINUTES = {"d": 1440, "h": 60, "m": 1}
#: The steps a party takes on a released inject, as on a real alert.
RESPONSES = (
    ExerciseStepKind.PROPOSAL,
    ExerciseStepKind.ACKNOWLEDGEMENT,
    ExerciseStepKind.ASSESSMENT,
    ExerciseStepKind.OWNER,
    ExerciseStepKind.ACTION,
    ExerciseStepKind.ACTION_DONE,
    ExerciseStepKind.CLOSING,
)

#: The responses to an inject by the last part of their path (API and pages).
RESPONSE_STEPS = {
    "propose": ExerciseStepKind.PROPOSAL,
    "acknowledge": ExerciseStepKind.ACKNOWLEDGEMENT,
    "assess": ExerciseStepKind.ASSESSMENT,
    "owner": ExerciseStepKind.OWNER,
    "actions": ExerciseStepKind.ACTION,
    "done": ExerciseStepKind.ACTION_DONE,
    "close": ExerciseStepKind.CLOSING,
}


def _invalid(name: str, message: str) -> Invalid:
    return Invalid(f"{name}: {message}", {name: message})


def parse_offset(value: Any) -> int:
    """Minutes from T+0 of an offset written `T+0h`, `T+6h`, `T+2d`, `T+1d6h30m` (or a number of
    minutes); ValueError otherwise."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        minutes = value
    else:
        text = str(value).strip()
        match = OFFSET.fullmatch(text)
        if match is None:
            raise ValueError(value)
        minutes = sum(int(number) * MINUTES[unit.lower()] for number, unit in PART.findall(match.group(1)))
    if not 0 <= minutes <= MAX_OFFSET_MINUTES:
        raise ValueError(value)
    return minutes


def _prefixed(prefix: str, error: Invalid) -> Invalid:
    """`error` of one inject, its fields named `injects[i].field`."""
    fields = {f"{prefix}.{name}": message for name, message in (error.fields or {}).items()}
    if not fields:
        fields = {prefix: error.message}
    name, message = next(iter(fields.items()))
    return Invalid(f"{name}: {message}", fields)


def _observations(value: Any, frequency: str) -> list[list[Any]]:
    if not isinstance(value, list) or not value:
        raise _invalid("observations", _("give a list of [date, value] pairs."))
    if len(value) > MAX_OBSERVATIONS:
        raise _invalid("observations", _("at most %(max)s observations.") % {"max": MAX_OBSERVATIONS})
    found: list[list[Any]] = []
    for position, pair in enumerate(value):
        name = f"observations[{position}]"
        if isinstance(pair, dict):
            pair = [pair.get("date"), pair.get("value")]
        if not isinstance(pair, list) or len(pair) != 2:
            raise _invalid(name, _("give a [date, value] pair."))
        day = alerts._date({"date": pair[0]}, "date")
        number = pair[1]
        if isinstance(number, bool) or not isinstance(number, int | float) or not np.isfinite(number):
            raise _invalid(name, _("%(value)s is not a number.") % {"value": repr(number)[:40]})
        assert day is not None
        if found and day.isoformat() <= found[-1][0]:
            raise _invalid(name, _("the dates must increase (after %(date)s).") % {"date": found[-1][0]})
        found.append([day.isoformat(), float(number)])
    if frequency not in Frequency.values:
        raise _invalid("frequency", _("%(value)s is not a frequency.") % {"value": repr(frequency)[:40]})
    return found


def clean_inject(data: Any, held_series: bool = True) -> dict[str, Any]:
    """One inject: its `offset`, `type`, an optional `note` for the participants, and the event's fields
    or the observations; `Invalid` naming the field. `held_series`: a series it names must be held here
    (a scenario's author's node; a peer's released inject already carries its signals)."""
    if not isinstance(data, dict):
        raise Invalid(_("An inject is an object of fields."), {"inject": _("an object of fields")})
    try:
        offset = parse_offset(data.get("offset"))
    except ValueError:
        raise _invalid(
            "offset",
            _("%(value)s is not an offset such as T+0h, T+6h, T+2d or T+1d6h (at most a year).")
            % {"value": repr(data.get("offset"))[:40]},
        ) from None
    kind = alerts._choice(data, "type", list(InjectType.values))
    found: dict[str, Any] = {
        "offset": offset,
        "type": kind,
        "note": alerts._text(data, "note", alerts.TEXT_MAX),
    }
    if kind == InjectType.EVENT:
        # The event's own marking is the scenario's; a start date left out is the day it is released.
        event = alerts.clean_event(
            {
                **data,
                "tlp": Tlp.CLEAR,
                "recipients": [],
                "start_date": data.get("start_date") or "2000-01-01",
            },
            Party(),
        )
        event.pop("recipients")
        event.pop("tlp")
        event["start_date"] = event["start_date"].isoformat() if data.get("start_date") else None
        found.update(event)
        return found
    frequency = alerts._choice(data, "frequency", list(Frequency.values), "monthly")
    code = data.get("series") or ""
    if not isinstance(code, str) or len(code) > 64:
        raise _invalid("series", _("must be the code of a series."))
    if code and held_series and not Series.objects.filter(code=code).exists():
        raise _invalid("series", _("There is no series %(code)s on this node.") % {"code": code})
    found.update(
        {
            "series": code,
            "title": alerts._text(data, "title", alerts.TITLE_MAX, required=not code) or code,
            "unit": alerts._text(data, "unit", 64),
            "frequency": frequency,
            "language": alerts._choice(data, "language", list(ContentLanguage.values), "en"),
            "observations": _observations(data.get("observations"), frequency),
        }
    )
    return found


def clean_scenario(data: Any, party: Party) -> dict[str, Any]:
    """A whole scenario, checked before anything is stored: `title`, `description`, `language`, `tlp`,
    `recipients` and `injects` (1 to `MAX_INJECTS`, offsets never going backwards). `Invalid` names the
    first wrong field, `injects[i].field` for an inject's."""
    if not isinstance(data, dict):
        raise Invalid(_("A scenario is an object of fields."), {"scenario": _("an object of fields")})
    level, recipients = alerts._marking(data, party, Tlp.GREEN)
    cleaned: dict[str, Any] = {
        "title": alerts._text(data, "title", alerts.TITLE_MAX, required=True),
        "description": alerts._text(data, "description", alerts.TEXT_MAX),
        "language": alerts._choice(data, "language", list(ContentLanguage.values), "en"),
        "tlp": level,
        "recipients": recipients,
    }
    injects = data.get("injects")
    if not isinstance(injects, list) or not injects:
        raise _invalid("injects", _("give a list of at least one inject."))
    if len(injects) > MAX_INJECTS:
        raise _invalid(
            "injects", _("at most %(max)s injects, not %(n)s.") % {"max": MAX_INJECTS, "n": len(injects)}
        )
    found: list[dict[str, Any]] = []
    for index, inject in enumerate(injects):
        prefix = f"injects[{index}]"
        try:
            item = clean_inject(inject)
        except Invalid as error:
            raise _prefixed(prefix, error) from None
        if found and item["offset"] < found[-1]["offset"]:
            raise _invalid(
                f"{prefix}.offset",
                _("%(offset)s comes before the previous inject's %(previous)s: offsets never go backwards.")
                % {"offset": format_offset(item["offset"]), "previous": format_offset(found[-1]["offset"])},
            )
        found.append(item)
    cleaned["injects"] = found
    return cleaned


def _writer(user: User | AnonymousUser | None) -> Actor:
    return require_write_supply_alerts(user)


def _person(actor: Actor) -> str:
    user = actor.user
    return (user.get_full_name() or user.get_username())[:200]


def create_exercise(user: User | AnonymousUser | None, data: Any, uid: Any = None) -> Exercise:
    """A party's secretariat or action lead writes a scenario; checked whole, stored and signed at once."""
    actor = _writer(user)
    cleaned = clean_scenario(data, actor.party)
    recipients = cleaned.pop("recipients")
    now = timezone.now()
    with transaction.atomic():
        exercise = Exercise.objects.create(
            uid=uid or uuid.uuid4(),
            party=actor.party,
            organisation=actor.organisation,
            created_at=now,
            changed_at=now,
            inject_count=len(cleaned["injects"]),
            **cleaned,
        )
        exercise.recipients.set(recipients)
        exercise.ledger_entry = exercise_records.share_exercise(exercise)
        exercise.save(update_fields=["ledger_entry"])
    return exercise


def revise_exercise(user: User | AnonymousUser | None, uid: Any, data: Any) -> Exercise:
    """The exercise's own party changes its scenario (a new signed revision); the other party cannot."""
    actor = _writer(user)
    exercise = exercise_queries.exercise(user, uid)
    if exercise.party_id != actor.party.pk or exercise.signed_by:
        raise PermissionDenied(_("A scenario is changed only by the party that wrote it."))
    cleaned = clean_scenario(data, actor.party)
    recipients = cleaned.pop("recipients")
    with transaction.atomic():
        locked = Exercise.objects.select_for_update().get(pk=exercise.pk)
        for name, value in cleaned.items():
            setattr(locked, name, value)
        locked.inject_count = len(cleaned["injects"])
        locked.revision += 1
        locked.changed_at = timezone.now()
        locked.save()
        locked.recipients.set(recipients)
        locked.ledger_entry = exercise_records.share_exercise(locked)
        locked.save(update_fields=["ledger_entry"])
    return locked


def read_scenario(path: str | Path) -> Any:
    """The JSON of a scenario file (at most `MAX_FILE_BYTES`), or `Invalid` saying what is wrong."""
    file = Path(path)
    try:
        size = file.stat().st_size
        if size > MAX_FILE_BYTES:
            raise Invalid(
                _("%(file)s is %(size)s bytes; a scenario file has at most %(max)s.")
                % {"file": file.name, "size": size, "max": MAX_FILE_BYTES}
            )
        text = file.read_bytes()
    except OSError as error:
        raise Invalid(
            _("%(file)s cannot be read: %(error)s") % {"file": file.name, "error": error.strerror}
        ) from None
    try:
        return load_json(text)
    except JsonInputError as error:
        raise Invalid(f"{file.name}: {error.message}") from None


def import_scenario(user: User | AnonymousUser | None, path: str | Path) -> Exercise:
    """A scenario from a JSON file, as `create_exercise`."""
    _writer(user)
    return create_exercise(user, read_scenario(path))


# --- runs ----------------------------------------------------------------------------------------------


def _facilitator(user: User | AnonymousUser | None, exercise: Exercise) -> Actor:
    actor = _writer(user)
    if not actor.is_secretariat or exercise.party_id != actor.party.pk:
        raise PermissionDenied(
            _("A run is started, released and ended by the secretariat of the exercise's party.")
        )
    return actor


def _step(
    run: ExerciseRun,
    kind: str,
    actor: Actor | None,
    data: dict[str, Any],
    inject: int | None = None,
    at: datetime.datetime | None = None,
) -> ExerciseStep:
    """Keep a step of the acting party (the facilitating organisation when the clock acts) and sign it."""
    step = ExerciseStep.objects.create(
        run=run,
        inject=inject,
        kind=kind,
        party=actor.party if actor else run.party,
        organisation=actor.organisation if actor else run.organisation,
        person=_person(actor) if actor else CLOCK,
        data=data,
        at=at or timezone.now(),
    )
    step.ledger_entry = exercise_records.share_step(step)
    step.save(update_fields=["ledger_entry"])
    return step


def start_run(user: User | AnonymousUser | None, uid: Any, speed: Any = 0) -> ExerciseRun:
    """The secretariat of the exercise's party starts a run; both parties take part. `speed`: scenario
    minutes per real minute of the clock that releases injects when due (0: by the facilitator only)."""
    _writer(user)  # a stakeholder is refused as such, before what it may read is looked at
    exercise = exercise_queries.exercise(user, uid)
    actor = _facilitator(user, exercise)
    try:
        pace = float(speed or 0)
        if not 0 <= pace <= MAX_SPEED:
            raise ValueError
    except (TypeError, ValueError):
        raise _invalid(
            "speed",
            _("give 0 (released by hand) to %(max)s scenario minutes a minute.") % {"max": int(MAX_SPEED)},
        ) from None
    with transaction.atomic():
        run = ExerciseRun.objects.create(
            exercise=exercise,
            party=actor.party,
            organisation=actor.organisation,
            speed=pace,
            started_at=timezone.now(),
            injects=exercise.injects,  # as they are now: a later revision does not change a run
            inject_count=exercise.inject_count,
        )
        step = _step(run, ExerciseStepKind.START, actor, start_data(run))
        run.ledger_entry = step.ledger_entry
        run.save(update_fields=["ledger_entry"])
    return run


def start_data(run: ExerciseRun) -> dict[str, Any]:
    """What a start's record carries: the scenario's description, not its injects (released one by one)."""
    exercise = run.exercise
    return {
        "exercise": str(exercise.uid),
        "title": exercise.title,
        "description": exercise.description,
        "language": exercise.language,
        "tlp": exercise.tlp,
        "recipients": sorted(exercise.recipients.values_list("code", flat=True)),
        "injects": run.inject_count,
        "speed": run.speed,
    }


def _released(run: ExerciseRun, index: int) -> dict[str, Any]:
    """What the release of inject `index` carries: the inject, and for observations the signals the
    detectors raise on the injected dates of the series (computed on a copy, never stored as signals)."""
    inject = dict(run.injects[index])
    if inject["type"] == InjectType.OBSERVATIONS:
        inject["signals"] = injected_signals(inject)
    if inject["type"] == InjectType.EVENT and not inject.get("start_date"):
        inject["start_date"] = timezone.now().date().isoformat()
    return inject


def injected_signals(inject: dict[str, Any]) -> list[dict[str, Any]]:
    """The signals of an observations inject: the real series' latest values (if it names one) with the
    injected values over them, run through the series' detectors (the defaults for a synthetic one)."""
    from .services import series_detectors

    values: dict[str, float] = {}
    detectors = detection.default_detectors()
    real = Series.objects.filter(code=inject.get("series") or "-").order_by("pk").first()
    if real is not None:
        detectors = series_detectors(real)
        for day, value in (
            Observation.objects.filter(series=real, is_latest=True)
            .exclude(value=None)
            .values_list("date", "value")
        ):
            if value is not None:  # excluded above; for the type
                values[day.isoformat()] = float(value)
    injected = {day for day, _value in inject["observations"]}
    values.update({day: value for day, value in inject["observations"]})
    pairs = [(datetime.date.fromisoformat(day), value) for day, value in sorted(values.items())]
    if len(pairs) < 3 or inject["frequency"] == Frequency.DAILY:
        return []
    series = detection.make_series(pairs, inject.get("series") or "exercise", inject["frequency"])
    found = []
    for detector in detectors:
        try:
            with np.errstate(all="ignore"):
                signals = detector.detect(series)
        except (detection.SeriesError, ArithmeticError):
            continue
        for signal in signals:
            if (
                signal.date.isoformat() in injected
                and np.isfinite(signal.value)
                and np.isfinite(signal.baseline)
            ):
                found.append({**signal.as_json(), "detector": detector.name})
    return sorted(found, key=lambda item: (item["date"], item["detector"]))


def release_next(user: User | AnonymousUser | None, run_uid: Any) -> ExerciseStep:
    """The facilitator releases the next inject of an open run."""
    _writer(user)
    run = exercise_queries.run(user, run_uid)
    actor = _facilitator(user, run.exercise)
    with transaction.atomic():
        locked = ExerciseRun.objects.select_for_update().select_related("exercise").get(pk=run.pk)
        if not locked.is_open:
            raise Invalid(_("This exercise has ended."), {"run": pgettext("exercise", "ended")})
        if locked.released >= locked.inject_count:
            raise Invalid(_("Every inject is released."), {"run": _("every inject is released")})
        return _release(locked, actor)


def _release(run: ExerciseRun, actor: Actor | None) -> ExerciseStep:
    index = run.released
    step = _step(run, ExerciseStepKind.RELEASE, actor, _released(run, index), inject=index)
    run.released = index + 1
    run.save(update_fields=["released"])
    return step


def release_due(now: datetime.datetime | None = None) -> int:
    """The scenario clock: release every inject now due in the open runs this node facilitates (those
    with a speed); how many were released. Run by `partnership supply-chain exercise tick`."""
    from django.conf import settings

    now = now or timezone.now()
    made = 0
    from partnership.ledger.models import OWN

    # Only the runs this node started: a peer's run is released by the peer's clock.
    runs = ExerciseRun.objects.filter(ended_at=None, speed__gt=0, ledger_entry__log=OWN)
    if settings.NODE_PARTY:
        runs = runs.filter(party__code=settings.NODE_PARTY)
    for run_id in runs.values_list("pk", flat=True):
        with transaction.atomic():
            run = ExerciseRun.objects.select_for_update().select_related("exercise").get(pk=run_id)
            elapsed = (now - run.started_at).total_seconds() / 60 * run.speed
            while run.released < run.inject_count and run.injects[run.released]["offset"] <= elapsed:
                _release(run, None)
                made += 1
    return made


def end_run(user: User | AnonymousUser | None, run_uid: Any) -> ExerciseRun:
    """The facilitator ends a run: no more releases or responses, the lessons may still be recorded."""
    _writer(user)
    run = exercise_queries.run(user, run_uid)
    actor = _facilitator(user, run.exercise)
    with transaction.atomic():
        locked = ExerciseRun.objects.select_for_update().get(pk=run.pk)
        if not locked.is_open:
            raise Invalid(_("This exercise has ended."), {"run": pgettext("exercise", "ended")})
        step = _step(locked, ExerciseStepKind.END, actor, {})
        locked.ended_at = step.at
        locked.save(update_fields=["ended_at"])
    return locked


# --- responses -----------------------------------------------------------------------------------------


def clean_response(kind: str, data: Any, party: Party) -> dict[str, Any]:
    """What a response says, checked as the same step of a real alert (`alerts.clean_step`); a proposal
    holds the party's stage and note."""
    if kind not in RESPONSES:
        raise _invalid("kind", _("%(value)s is not a response to an inject.") % {"value": repr(kind)[:40]})
    if not isinstance(data, dict):
        raise Invalid(_("A step is an object of fields."))
    if kind == ExerciseStepKind.PROPOSAL:
        return {
            "stage": alerts._choice(data, "stage", list(Stage.values), Stage.MONITORING),
            "note": alerts._text(data, "note", alerts.TEXT_MAX),
            "language": alerts._choice(data, "language", list(ContentLanguage.values), "en"),
        }
    return alerts.clean_step(StepKind(kind), data, party, None)  # type: ignore[arg-type]


def check_response(
    run: ExerciseRun,
    inject: int,
    kind: str,
    data: dict[str, Any],
    party: Party,
    at: datetime.datetime | None = None,
) -> None:
    """Whether `party` may make this response now, or at `at` for a peer's record (one made before the
    run's end reached that node is taken); `Invalid` saying why not."""
    if run.ended_at is not None and (at is None or at > run.ended_at):
        raise Invalid(_("This exercise has ended."), {"run": pgettext("exercise", "ended")})
    if not 0 <= inject < run.released:
        raise _invalid("inject", _("inject %(n)s is not released.") % {"n": inject + 1})
    steps = ExerciseStep.objects.filter(run=run, inject=inject)
    if at is not None:
        release = steps.filter(kind=ExerciseStepKind.RELEASE).values_list("at", flat=True).first()
        if release is not None and at < release - CLOCK_SKEW:
            raise _invalid("inject", _("a response dated before the inject's release."))
    if steps.filter(kind=ExerciseStepKind.CLOSING).exists():
        raise Invalid(_("This exercise alert is closed."), {"inject": pgettext("alert", "closed")})
    if (
        kind == ExerciseStepKind.ACKNOWLEDGEMENT
        and steps.filter(
            party=party, kind__in=(ExerciseStepKind.ACKNOWLEDGEMENT, ExerciseStepKind.PROPOSAL)
        ).exists()
    ):
        raise Invalid(_("Your party has acknowledged this inject already."), {"inject": _("acknowledged")})
    if kind == ExerciseStepKind.PROPOSAL and steps.filter(kind=ExerciseStepKind.PROPOSAL).exists():
        raise Invalid(_("This inject is an exercise alert already."), {"inject": _("raised already")})
    if kind in (ExerciseStepKind.CLOSING,) and not steps.filter(kind=ExerciseStepKind.PROPOSAL).exists():
        raise Invalid(_("Raise the exercise alert before closing it."), {"inject": _("no exercise alert")})
    actions = {step.data.get("action"): step for step in steps.filter(kind=ExerciseStepKind.ACTION)}
    if kind == ExerciseStepKind.ACTION and data["action"] in actions:
        raise _invalid("action", _("an action %(uid)s exists already.") % {"uid": data["action"]})
    if kind == ExerciseStepKind.ACTION_DONE:
        action = actions.get(data["action"])
        if action is None:
            raise _invalid("action", _("there is no such action on this alert."))
        if action.party_id != party.pk:
            raise PermissionDenied(_("A preventive action is completed by the party that owns it."))
        if steps.filter(kind=ExerciseStepKind.ACTION_DONE, data__action=data["action"]).exists():
            raise _invalid("action", _("this action is done already."))


def _index(value: Any, run: ExerciseRun) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise _invalid("inject", _("%(value)s is not an inject.") % {"value": repr(value)[:40]}) from None
    return number - 1  # injects are numbered from 1 for people


def respond(
    user: User | AnonymousUser | None, run_uid: Any, inject: Any, kind: str, data: Any = None
) -> ExerciseStep:
    """A party's response to released inject number `inject` (from 1): raise it as an exercise alert at a
    stage, acknowledge, assess, name its owner, add or complete a preventive action, close it. Always as
    the acting user's own party, on its own node; signed and sealed to the other party's node."""
    actor = _writer(user)
    run = exercise_queries.run(user, run_uid)
    index = _index(inject, run)
    cleaned = clean_response(kind, data if data is not None else {}, actor.party)
    with transaction.atomic():
        locked = ExerciseRun.objects.select_for_update().get(pk=run.pk)
        check_response(locked, index, kind, cleaned, actor.party)
        return _step(locked, kind, actor, cleaned, inject=index)


def record_lessons(user: User | AnonymousUser | None, run_uid: Any, data: Any) -> ExerciseStep:
    """A party's lessons of the whole run, for the after-action report (during or after it; a later
    record replaces the earlier one on the report, the timeline keeps both)."""
    actor = _writer(user)
    run = exercise_queries.run(user, run_uid)
    cleaned = clean_lessons(data)
    with transaction.atomic():
        locked = ExerciseRun.objects.select_for_update().get(pk=run.pk)
        return _step(locked, ExerciseStepKind.LESSONS, actor, cleaned)


def clean_lessons(data: Any) -> dict[str, Any]:
    """A party's lessons of a run: `text` (required) in `language`."""
    if not isinstance(data, dict):
        raise Invalid(_("A step is an object of fields."))
    return {
        "text": alerts._text(data, "text", alerts.TEXT_MAX, required=True),
        "language": alerts._choice(data, "language", list(ContentLanguage.values), "en"),
    }
