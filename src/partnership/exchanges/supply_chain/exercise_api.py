"""/api/v1/supply-chain/exercises (issue 16, item 4): tabletop exercises, read by members under the TLP
rule, written through `exercises.py`. Mounted on `api.router`."""

from typing import Any

from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.responses import Status
from pydantic import Field, StrictFloat

from partnership.api_helpers import WRITE_AUTH, SignedOut, error_responses, ledger_fields, paginate, signed_in
from partnership.errors import NotFound

from . import exercise_queries, exercises

router = Router(tags=["supply chain: tabletop exercises"])


class ScenarioIn(Schema):
    title: str
    description: str = ""
    language: str = Field("en", description="en or ja")
    tlp: str = Field("green", description="clear, green, amber, amber+strict or red")
    recipients: list[str] = Field(
        default_factory=list, description="organisations an AMBER or RED scenario names"
    )
    injects: list[Any] = Field(
        description="in release order, at most 200: each an object with `offset` (T+0h, T+6h, T+2d...), "
        "`type` (event: the fields of an event, `start_date` optional; observations: `series` (a series code "
        "to copy) or `title`, `unit`, `frequency`, and `observations` as [date, value] pairs) and a `note`"
    )


class ExerciseOut(SignedOut):
    uid: str
    party: str
    organisation: str
    title: str
    description: str
    language: str
    tlp: str
    revision: int
    inject_count: int
    created_at: str
    changed_at: str
    injects: list[dict[str, Any]] | None = Field(
        None, description="the injects, for the writers of the exercise's party only (null for others)"
    )
    runs: list[str] = []


class ExercisePage(Schema):
    count: int
    next: str | None
    previous: str | None
    items: list[ExerciseOut]


class RunIn(Schema):
    speed: StrictFloat = Field(
        0, description="scenario minutes per real minute of the clock; 0: release by hand"
    )


class ResponseIn(Schema):
    stage: str | None = Field(None, description="propose, assess: monitoring, alert or crisis")
    note: str = Field("", description="propose, assess: a note; close: the closing note")
    organisation: str | None = Field(None, description="owner: an organisation of your party")
    text: str | None = Field(None, description="actions: the preventive action")
    deadline: str | None = Field(None, description="actions: YYYY-MM-DD")
    action: str | None = Field(None, description="done: the action's uid")
    done_on: str | None = None
    lessons: str = ""
    language: str = "en"


class LessonsIn(Schema):
    text: str
    language: str = "en"


class StepOut(SignedOut):
    uid: str
    kind: str
    inject: int | None = Field(description="the inject's number, from 1")
    party: str
    organisation: str
    person: str
    at: str
    data: dict[str, Any]


class PartyResponseOut(Schema):
    acknowledged_at: str | None
    acknowledged_after_minutes: float | None
    assessed_at: str | None
    assessed_after_minutes: float | None
    stage: str | None
    owner: str
    actions: int
    done: int


class InjectOut(Schema):
    number: int
    released_at: str
    inject: dict[str, Any]
    stage: str | None
    raised: bool
    closed: bool
    responses: dict[str, PartyResponseOut]


class PartySummaryOut(Schema):
    party: str
    acknowledged: int
    assessed: int
    median_acknowledgement_minutes: float | None
    median_assessment_minutes: float | None
    highest_stage: str | None
    actions: int
    done: int
    lessons: str | None


class RunOut(SignedOut):
    uid: str
    exercise: str
    title: str
    party: str
    speed: float
    started_at: str
    ended_at: str | None
    released: int
    inject_count: int
    injects: list[InjectOut]
    parties: list[PartySummaryOut]
    timeline: list[StepOut]


def exercise_out(exercise, reader=None, runs: list | None = None) -> dict[str, Any]:
    shown = reader is not None and exercise_queries.may_see_injects(reader, exercise)
    return {
        **ledger_fields(exercise),
        "uid": str(exercise.uid),
        "party": exercise.party.code,
        "organisation": exercise.organisation.code,
        **{name: getattr(exercise, name) for name in ("title", "description", "language", "tlp", "revision")},
        "inject_count": exercise.inject_count,
        "created_at": exercise.created_at.isoformat(),
        "changed_at": exercise.changed_at.isoformat(),
        "injects": exercise.injects if shown else None,
        "runs": [str(run.uid) for run in runs or []],
    }


def _minutes(delta) -> float | None:
    return None if delta is None else round(delta.total_seconds() / 60, 1)


def step_out(step) -> dict[str, Any]:
    return {
        **ledger_fields(step),
        "uid": str(step.uid),
        "kind": step.kind,
        "inject": step.inject + 1 if step.inject is not None else None,
        "party": step.party.code,
        "organisation": step.organisation.code,
        "person": step.person,
        "at": step.at.isoformat(),
        "data": step.data,
    }


def run_out(detail: exercise_queries.RunDetail) -> dict[str, Any]:
    run = detail.run
    return {
        **ledger_fields(run),
        "uid": str(run.uid),
        "exercise": str(run.exercise.uid),
        "title": run.exercise.title,
        "party": run.party.code,
        "speed": run.speed,
        "started_at": run.started_at.isoformat(),
        "ended_at": run.ended_at.isoformat() if run.ended_at else None,
        "released": run.released,
        "inject_count": run.inject_count,
        "injects": [
            {
                "number": play.number,
                "released_at": play.release.at.isoformat(),
                "inject": play.inject,
                "stage": play.stage,
                "raised": play.raised is not None,
                "closed": play.closing is not None,
                "responses": {
                    response.party: {
                        "acknowledged_at": response.acknowledged.at.isoformat()
                        if response.acknowledged
                        else None,
                        "acknowledged_after_minutes": _minutes(response.acknowledged_after),
                        "assessed_at": response.assessed.at.isoformat() if response.assessed else None,
                        "assessed_after_minutes": _minutes(response.assessed_after),
                        "stage": response.stage,
                        "owner": response.owner,
                        "actions": response.actions,
                        "done": response.done,
                    }
                    for response in play.responses
                },
            }
            for play in detail.injects
        ],
        "parties": [
            {
                "party": summary.party,
                "acknowledged": summary.acknowledged,
                "assessed": summary.assessed,
                "median_acknowledgement_minutes": summary.median_acknowledgement_minutes,
                "median_assessment_minutes": summary.median_assessment_minutes,
                "highest_stage": summary.highest_stage,
                "actions": summary.actions,
                "done": summary.done,
                "lessons": summary.lessons.data.get("text") if summary.lessons else None,
            }
            for summary in detail.parties
        ],
        "timeline": [step_out(step) for step in detail.steps],
    }


@router.get(
    "exercises",
    response={200: ExercisePage, **error_responses(401, 403, 422)},
    summary="Tabletop exercises (scenarios)",
)
def list_exercises(request):
    reader = signed_in(request)
    return paginate(request, exercise_queries.exercises(reader), lambda item: exercise_out(item, reader))


@router.post(
    "exercises",
    auth=WRITE_AUTH,
    response={201: ExerciseOut, **error_responses(400, 401, 403, 422)},
    summary="Write a scenario (your party's), checked whole",
)
def create_exercise(request, payload: ScenarioIn):
    exercise = exercises.create_exercise(request.auth, payload.model_dump())
    return Status(201, exercise_out(exercise, request.auth))


@router.get(
    "exercises/runs/{run}",
    response={200: RunOut, **error_responses(401, 403, 404)},
    summary="A run: the released injects, each party's responses and timings, the timeline",
)
def get_run(request, run: str):
    return run_out(exercise_queries.run_detail(signed_in(request), run))


@router.get(
    "exercises/{uid}",
    response={200: ExerciseOut, **error_responses(401, 403, 404)},
    summary="A scenario (its injects for its own party's writers) and its runs",
)
def get_exercise(request, uid: str):
    reader = signed_in(request)
    exercise = exercise_queries.exercise(reader, uid)
    return exercise_out(exercise, reader, list(exercise_queries.runs(reader, exercise)))


@router.put(
    "exercises/{uid}",
    auth=WRITE_AUTH,
    response={200: ExerciseOut, **error_responses(400, 401, 403, 404, 422)},
    summary="Change your party's scenario (a new signed revision)",
)
def revise_exercise(request, uid: str, payload: ScenarioIn):
    return exercise_out(exercises.revise_exercise(request.auth, uid, payload.model_dump()), request.auth)


@router.post(
    "exercises/{uid}/runs",
    auth=WRITE_AUTH,
    response={201: RunOut, **error_responses(400, 401, 403, 404, 422)},
    summary="Start a run of your party's exercise (its secretariat)",
)
def start_run(request, uid: str, payload: RunIn):
    run = exercises.start_run(request.auth, uid, payload.speed)
    return Status(201, run_out(exercise_queries.run_detail(request.auth, run.uid)))


RUN_RESPONSES: dict[int, Any] = {200: RunOut, **error_responses(400, 401, 403, 404, 422)}


@router.post(
    "exercises/runs/{run}/release",
    auth=WRITE_AUTH,
    response=RUN_RESPONSES,
    summary="Release the next inject (the facilitator)",
)
def release(request, run: str):
    exercises.release_next(request.auth, run)
    return run_out(exercise_queries.run_detail(request.auth, run))


@router.post("exercises/runs/{run}/end", auth=WRITE_AUTH, response=RUN_RESPONSES, summary="End a run")
def end(request, run: str):
    exercises.end_run(request.auth, run)
    return run_out(exercise_queries.run_detail(request.auth, run))


@router.post(
    "exercises/runs/{run}/lessons",
    auth=WRITE_AUTH,
    response=RUN_RESPONSES,
    summary="Your party's lessons of the run (for the after-action report)",
)
def lessons(request, run: str, payload: LessonsIn):
    exercises.record_lessons(request.auth, run, payload.model_dump())
    return run_out(exercise_queries.run_detail(request.auth, run))


@router.post(
    "exercises/runs/{run}/injects/{number}/{step}",
    auth=WRITE_AUTH,
    response=RUN_RESPONSES,
    summary="Your party's response to a released inject: "
    "propose, acknowledge, assess, owner, actions, done, close",
)
def respond(request, run: str, number: int, step: str, payload: ResponseIn):
    kind = exercises.RESPONSE_STEPS.get(step[:20])
    if kind is None:
        raise NotFound(_("There is no such step."))
    data = {key: value for key, value in payload.model_dump().items() if value is not None}
    exercises.respond(request.auth, run, number, kind, data)
    return run_out(exercise_queries.run_detail(request.auth, run))
