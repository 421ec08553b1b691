"""Every read of tabletop exercises (issue 16, item 4), for the pages, the API and the services: members
of both parties read an exercise and its runs under its TLP level (`people.tlp.visible`); the injects
of a scenario before their release are read only by the writers of the party that wrote it. The run's
measures (time from each release to each party's first acknowledgement and assessment, the stage each
reached, its actions) are computed from its steps in Python: two queries whatever the run's size."""

from __future__ import annotations

import datetime
import statistics
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import translation
from django.utils.translation import gettext as _

from partnership.errors import NotFound, PermissionDenied
from partnership.people import tlp
from partnership.people.models import Party
from partnership.people.permissions import actor_for, can_write_supply_alerts, supply_chain_reader

from .alert_models import STAGE_RANK, EventKind, Severity, Stage
from .exercise_models import Exercise, ExerciseRun, ExerciseStep, ExerciseStepKind

K = ExerciseStepKind


def format_offset(minutes: int) -> str:
    """`T+2d6h`, `T+0h`: an offset in minutes as a planner writes it."""
    days, rest = divmod(int(minutes), 1440)
    hours, mins = divmod(rest, 60)
    text = (f"{days}d" if days else "") + (f"{hours}h" if hours else "") + (f"{mins}m" if mins else "")
    return "T+" + (text or "0h")


def duration_text(delta: datetime.timedelta | float | None) -> str:
    """A response time for the pages: "—", "45 min", "2 h 05 min", "1 d 3 h" (minutes given as a number)."""
    if delta is None:
        return "—"
    minutes = int(round(delta.total_seconds() / 60 if isinstance(delta, datetime.timedelta) else delta))
    if minutes < 60:
        return _("%(m)s min") % {"m": minutes}
    hours, mins = divmod(minutes, 60)
    if hours < 24:
        return _("%(h)s h %(m)02d min") % {"h": hours, "m": mins}
    days, hours = divmod(hours, 24)
    return _("%(d)s d %(h)s h") % {"d": days, "h": hours}


def inject_view(inject: dict[str, Any]) -> dict[str, Any]:
    """An inject with its labels in the active language, for the pages."""
    from .alerts import country_name

    found = dict(inject)
    if inject.get("type") == "event":
        found["kind_label"] = (
            EventKind(inject["kind"]).label if inject.get("kind") in EventKind.values else ""
        )
        found["severity_label"] = (
            Severity(inject["severity"]).label if inject.get("severity") in Severity.values else ""
        )
        found["country_name"] = country_name(
            inject.get("country", ""), (translation.get_language() or "en")[:2]
        )
    found["at"] = format_offset(inject.get("offset", 0))
    return found


def _reader(reader: User | AnonymousUser | None) -> tuple[int, bool]:
    found = supply_chain_reader(reader)
    if found is None:
        raise PermissionDenied(_("Supply-chain exercises are for the partnership's members; sign in."))
    return found


def visible_exercises(reader: User | AnonymousUser | None) -> QuerySet[Exercise]:
    """The exercises `reader` may read (PermissionDenied for the public)."""
    organisation, community = _reader(reader)
    through = Exercise.recipients.through.objects
    named = Q(Exists(through.filter(exercise_id=OuterRef("pk"), organisation_id=organisation)))
    return Exercise.objects.filter(
        tlp.visible(organisation, community, named, author="organisation_id")
    ).select_related("party", "organisation", "ledger_entry")


def exercises(reader: User | AnonymousUser | None) -> QuerySet[Exercise]:
    """The exercises `reader` may read, latest changed first."""
    return visible_exercises(reader).order_by("-changed_at", "-pk")


def _uid(value: Any, missing: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise NotFound(missing) from None


def exercise(reader: User | AnonymousUser | None, uid: Any) -> Exercise:
    """One exercise the reader may read, or NotFound."""
    missing = _("There is no such exercise.")
    found = visible_exercises(reader).filter(uid=_uid(uid, missing)).prefetch_related("recipients").first()
    if found is None:
        raise NotFound(missing)
    return found


def may_write(reader: User | AnonymousUser | None) -> bool:
    """May the reader write scenarios and respond (a secretariat or action lead on its own node)?"""
    return can_write_supply_alerts(actor_for(reader))


def reader_party(reader: User | AnonymousUser | None) -> str:
    actor = actor_for(reader)
    return actor.party.code if actor else ""


def may_see_injects(reader: User | AnonymousUser | None, found: Exercise) -> bool:
    """The injects before their release are the facilitators': the writers of the exercise's party."""
    actor = actor_for(reader)
    return can_write_supply_alerts(actor) and actor is not None and actor.party.pk == found.party_id


def may_facilitate(reader: User | AnonymousUser | None, found: Exercise) -> bool:
    """May the reader start, release and end runs of `found` (its party's secretariat, here)?"""
    actor = actor_for(reader)
    return (
        may_see_injects(reader, found)
        and actor is not None
        and actor.is_secretariat
        and found.signed_by is None
    )


def runs(reader: User | AnonymousUser | None, of: Exercise | None = None) -> QuerySet[ExerciseRun]:
    """The runs of the exercises the reader may read (of one exercise), latest first."""
    found = ExerciseRun.objects.filter(exercise__in=visible_exercises(reader)).select_related(
        "exercise", "party", "organisation"
    )
    if of is not None:
        found = found.filter(exercise=of)
    return found.order_by("-started_at", "-pk")


def run(reader: User | AnonymousUser | None, uid: Any) -> ExerciseRun:
    """One run the reader may read, or NotFound."""
    missing = _("There is no such exercise run.")
    found = runs(reader).filter(uid=_uid(uid, missing)).first()
    if found is None:
        raise NotFound(missing)
    return found


@dataclass
class PartyResponse:
    """How one party answered one inject."""

    party: str
    acknowledged: ExerciseStep | None = None
    assessed: ExerciseStep | None = None
    stage: str | None = None
    owner: str = ""
    actions: int = 0
    done: int = 0

    @property
    def acknowledged_text(self) -> str:
        return duration_text(self.acknowledged_after)

    @property
    def assessed_text(self) -> str:
        return duration_text(self.assessed_after)

    @property
    def acknowledged_after(self) -> datetime.timedelta | None:
        return self._after(self.acknowledged)

    @property
    def assessed_after(self) -> datetime.timedelta | None:
        return self._after(self.assessed)

    released_at: datetime.datetime | None = None

    def _after(self, step: ExerciseStep | None) -> datetime.timedelta | None:
        if step is None or self.released_at is None:
            return None
        # A peer's clock a little behind this node's may date a response just before the release.
        return max(step.at - self.released_at, datetime.timedelta(0))


@dataclass
class InjectPlay:
    """A released inject, what was said about it, and each party's response."""

    number: int
    release: ExerciseStep
    stage: str | None = None
    raised: ExerciseStep | None = None
    closing: ExerciseStep | None = None
    steps: list[ExerciseStep] = field(default_factory=list)
    actions: list[tuple[ExerciseStep, str | None]] = field(default_factory=list)
    responses: list[PartyResponse] = field(default_factory=list)

    @property
    def inject(self) -> dict[str, Any]:
        return self.release.data

    @property
    def view(self) -> dict[str, Any]:
        return inject_view(self.release.data)


@dataclass
class PartySummary:
    """One party's figures over the whole run, for the after-action report."""

    party: str
    acknowledged: int = 0
    assessed: int = 0
    median_acknowledgement_minutes: float | None = None
    median_assessment_minutes: float | None = None
    highest_stage: str | None = None
    actions: int = 0
    done: int = 0
    lessons: ExerciseStep | None = None
    timeline: list[ExerciseStep] = field(default_factory=list)

    @property
    def acknowledgement_text(self) -> str:
        return duration_text(self.median_acknowledgement_minutes)

    @property
    def assessment_text(self) -> str:
        return duration_text(self.median_assessment_minutes)


@dataclass
class RunDetail:
    run: ExerciseRun
    injects: list[InjectPlay]
    parties: list[PartySummary]
    steps: list[ExerciseStep]


def _highest(stages: list[str]) -> str | None:
    return max(stages, key=lambda stage: STAGE_RANK[Stage(stage)]) if stages else None


def _answer(play: InjectPlay, step: ExerciseStep) -> None:
    """Count a party's response `step` into `play` and that party's response to it."""
    code = step.party.code
    play.steps.append(step)
    response = next((item for item in play.responses if item.party == code), None)
    if response is None:
        response = PartyResponse(party=code, released_at=play.release.at)
        play.responses.append(response)
    if step.kind in (K.PROPOSAL, K.ACKNOWLEDGEMENT) and response.acknowledged is None:
        response.acknowledged = step
    if step.kind in (K.PROPOSAL, K.ASSESSMENT):
        response.assessed = response.assessed or step
        response.stage = _highest([s for s in (response.stage, step.data.get("stage")) if s])
    if step.kind == K.PROPOSAL:
        play.raised = step
    elif step.kind == K.OWNER:
        response.owner = step.data.get("organisation", "")
    elif step.kind == K.ACTION:
        response.actions += 1
        play.actions.append((step, None))
    elif step.kind == K.ACTION_DONE:
        response.done += 1
        done_action = step.data.get("action")
        play.actions = [
            (action, step.data.get("done_on") if action.data.get("action") == done_action else done)
            for action, done in play.actions
        ]
    elif step.kind == K.CLOSING:
        play.closing = step


def _after(delta: datetime.timedelta | None) -> float:
    return delta.total_seconds() / 60 if delta is not None else 0.0


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def run_detail(reader: User | AnonymousUser | None, uid: Any) -> RunDetail:
    """A run with its released injects, each party's response to each and its figures (3 queries)."""
    found = run(reader, uid)
    steps = list(
        ExerciseStep.objects.filter(run=found).select_related("party", "organisation", "ledger_entry")
    )
    codes = list(Party.objects.order_by("code").values_list("code", flat=True))
    plays: dict[int, InjectPlay] = {}
    for step in steps:
        if step.kind == K.RELEASE and step.inject is not None:
            plays[step.inject] = InjectPlay(number=step.inject + 1, release=step)
    for play in plays.values():
        play.responses = [PartyResponse(party=code, released_at=play.release.at) for code in codes]
    summaries = {code: PartySummary(party=code) for code in codes}
    for step in steps:
        summary = summaries.setdefault(step.party.code, PartySummary(party=step.party.code))
        if step.kind == K.RELEASE:
            continue
        summary.timeline.append(step)
        if step.kind == K.LESSONS:
            summary.lessons = step
        answered = plays.get(step.inject) if step.inject is not None else None
        if answered is not None:
            _answer(answered, step)
    for play in plays.values():
        play.stage = _highest([r.stage for r in play.responses if r.stage])
    for code, summary in summaries.items():
        answers = [r for play in plays.values() for r in play.responses if r.party == code]
        acknowledged = [_after(r.acknowledged_after) for r in answers if r.acknowledged is not None]
        assessed = [_after(r.assessed_after) for r in answers if r.assessed is not None]
        summary.acknowledged, summary.assessed = len(acknowledged), len(assessed)
        median = _median(acknowledged)
        summary.median_acknowledgement_minutes = None if median is None else round(median, 1)
        median = _median(assessed)
        summary.median_assessment_minutes = None if median is None else round(median, 1)
        summary.highest_stage = _highest([r.stage for r in answers if r.stage])
        summary.actions = sum(r.actions for r in answers)
        summary.done = sum(r.done for r in answers)
    return RunDetail(
        run=found,
        injects=[plays[index] for index in sorted(plays)],
        parties=list(summaries.values()),
        steps=steps,
    )
