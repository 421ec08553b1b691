"""The pages of tabletop exercises under /<lang>/supply-chain/exercises/ (issue 16, item 4): the list
with the form to write a scenario (JSON, typed or as a file), an exercise with its injects (for its own
party's writers) and its runs, the run page where injects are released and answered, and the after-action
report. Thin: each reads the request, calls `exercise_queries` or `exercises` and renders; a refused form
is shown again with its errors (422) and nothing stored."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from partnership.errors import Invalid, NotFound
from partnership.inputs import JsonInputError, load_json

from . import alert_queries, exercise_queries, exercises
from .alert_models import ContentLanguage, Stage
from .exercise_models import ExerciseStepKind

#: The largest scenario typed or uploaded on the page (as the command's file).
MAX_BYTES = exercises.MAX_FILE_BYTES


def _choices() -> dict[str, Any]:
    return {"stages": Stage.choices, "languages": ContentLanguage.choices}


def _scenario(request: HttpRequest) -> Any:
    upload = request.FILES.get("file")
    if upload is not None:
        if upload.size is None or upload.size > MAX_BYTES:
            raise Invalid(
                _("A scenario file has at most %(max)s bytes.") % {"max": MAX_BYTES},
                {"file": _("too large")},
            )
        text: bytes | str = upload.read()
    else:
        text = request.POST.get("scenario", "")
    try:
        return load_json(text)
    except JsonInputError as error:
        raise Invalid(error.message, {"scenario": error.message}) from None


@login_required
@require_http_methods(["GET", "POST"])
def exercises_page(request: HttpRequest) -> HttpResponse:
    """The exercises the reader may read; the form to write one (POST: a JSON scenario)."""
    errors: dict[str, str] = {}
    typed = ""
    if request.method == "POST":
        typed = request.POST.get("scenario", "")[:MAX_BYTES]
        try:
            exercise = exercises.create_exercise(request.user, _scenario(request))
        except Invalid as error:
            errors = error.fields or {"scenario": error.message}
        else:
            messages.success(request, _("The scenario is stored and sealed to the other party's node."))
            return redirect("supply-chain-exercise", uid=exercise.uid)
    page = Paginator(exercise_queries.exercises(request.user), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "supply_chain/exercises.html",
        {
            "page": page,
            "runs": list(exercise_queries.runs(request.user)[:20]),
            "may_write": exercise_queries.may_write(request.user),
            "typed": typed,
            "errors": errors,
        },
        status=422 if errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def exercise_page(request: HttpRequest, uid: str) -> HttpResponse:
    """One exercise: its description, its injects (for its own party's writers), its runs; the form to
    start a run (POST, its secretariat)."""
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            run = exercises.start_run(request.user, uid, request.POST.get("speed") or 0)
        except NotFound as error:
            raise Http404(str(error)) from error
        except Invalid as error:
            errors = error.fields or {"speed": error.message}
        else:
            messages.success(request, _("The exercise has started; release the first inject when ready."))
            return redirect("supply-chain-exercise-run", uid=run.uid)
    try:
        exercise = exercise_queries.exercise(request.user, uid)
    except NotFound as error:
        raise Http404(str(error)) from error
    shown = exercise_queries.may_see_injects(request.user, exercise)
    return render(
        request,
        "supply_chain/exercise.html",
        {
            "exercise": exercise,
            "injects": [
                {**exercise_queries.inject_view(inject), "number": index + 1}
                for index, inject in enumerate(exercise.injects)
            ]
            if shown
            else [],
            "shown": shown,
            "runs": list(exercise_queries.runs(request.user, exercise)),
            "may_facilitate": exercise_queries.may_facilitate(request.user, exercise),
            "errors": errors,
        },
        status=422 if errors else 200,
    )


def _run_page(
    request: HttpRequest, uid: str, template: str, errors: dict[str, str] | None = None, form: Any = None
) -> HttpResponse:
    try:
        detail = exercise_queries.run_detail(request.user, uid)
    except NotFound as error:
        raise Http404(str(error)) from error
    run = detail.run
    party = exercise_queries.reader_party(request.user)
    may_write = exercise_queries.may_write(request.user) and run.is_open
    return render(
        request,
        template,
        {
            "detail": detail,
            "acknowledged": {
                play.number
                for play in detail.injects
                for response in play.responses
                if response.party == party and response.acknowledged is not None
            },
            "run": run,
            "exercise": run.exercise,
            "party": party,
            "may_write": may_write,
            "may_record_lessons": exercise_queries.may_write(request.user),
            "may_facilitate": exercise_queries.may_facilitate(request.user, run.exercise) and run.is_open,
            "own_organisations": [o for o in alert_queries.organisations() if o.party.code == party]
            if may_write
            else [],
            "form": form or {},
            "errors": errors or {},
            **_choices(),
        },
        status=422 if errors else 200,
    )


@login_required
@require_GET
def run_page(request: HttpRequest, uid: str) -> HttpResponse:
    """A run: the released injects marked EXERCISE, each party's responses and timings, the forms of the
    responses the reader's party may give, the facilitator's buttons, the timeline per party."""
    return _run_page(request, uid, "supply_chain/exercise_run.html")


@login_required
@require_GET
def report_page(request: HttpRequest, uid: str) -> HttpResponse:
    """The after-action report of a run: per party, its timings, stages, actions and lessons."""
    return _run_page(request, uid, "supply_chain/exercise_report.html")


@login_required
@require_POST
def run_step(request: HttpRequest, uid: str, step: str) -> HttpResponse:
    """A form of the run page: release, end, lessons, or a response (propose, acknowledge, assess,
    owner, actions, done, close) to the inject numbered in `inject`."""
    form = {key: request.POST.get(key, "") for key in request.POST if key != "csrfmiddlewaretoken"}
    try:
        if step == "release":
            exercises.release_next(request.user, uid)
        elif step == "end":
            exercises.end_run(request.user, uid)
        elif step == "lessons":
            exercises.record_lessons(request.user, uid, form)
        elif step in exercises.RESPONSE_STEPS:
            data = {key: value for key, value in form.items() if key != "inject"}
            exercises.respond(request.user, uid, form.get("inject"), exercises.RESPONSE_STEPS[step], data)
        else:
            raise Http404(_("There is no such step."))
    except NotFound as error:
        raise Http404(str(error)) from error
    except Invalid as error:
        return _run_page(
            request, uid, "supply_chain/exercise_run.html", error.fields or {"form": error.message}, form
        )
    messages.success(
        request,
        _("Recorded, signed, and sent to the other party's node.")
        if step != "release"
        else _("The inject is released to both parties."),
    )
    if step == ExerciseStepKind.LESSONS:
        return redirect("supply-chain-exercise-report", uid=uid)
    return redirect("supply-chain-exercise-run", uid=uid)
