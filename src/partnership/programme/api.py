"""API of the programme: areas and actions (public), progress (members), writes (as one's own party)."""

import datetime
from decimal import Decimal
from typing import Any, Literal
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.responses import Status as WithStatus  # `Status` names the update statuses below
from pydantic import BaseModel, ConfigDict, Field

from partnership.api_helpers import (
    MAX_PAGE_SIZE,
    WRITE_AUTH,
    SignedOut,
    error_responses,
    ledger_fields,
    paginate,
    reader,
    signed_in,
)
from partnership.errors import Invalid
from partnership.people.permissions import require_read_progress

from . import queries, searchable, services
from .forms import search_filters
from .models import (
    Comment,
    Deliverable,
    Indicator,
    IndicatorValue,
    JointAction,
    ProgressUpdate,
    Translation,
)

router = Router(tags=["programme"])

Status = Literal["on_track", "at_risk", "off_track", "done"]
DeliverableStatus = Literal["planned", "in_progress", "delivered", "dropped"]
LanguageTag = Literal["en", "ja"]


class In(Schema):
    """Input schemas refuse fields they do not know: a typo must not be silently ignored."""

    model_config = ConfigDict(extra="forbid")

    party: str | None = Field(
        None, description="Optional: your own party's code. The party is always yours; naming another is 403."
    )


# --- schemas ----------------------------------------------------------------------------------------


class AreaOut(Schema):
    code: str
    name_en: str
    name_ja: str
    paragraphs: list[int]
    actions: list[int]


# The action schemas are plain pydantic models: they validate the dicts the handlers build, and ninja's
# Schema would read every field through its ORM getter, which cost a fifth of `GET /actions`.
class ActionOut(BaseModel):
    paragraph: int
    area: str
    heading_en: str
    heading_ja: str
    title_en: str
    title_ja: str
    related: list[int]
    leads: list[str]


class UpdateOut(SignedOut):
    id: UUID
    paragraph: int
    party: str
    period: int
    version: int
    status: Status
    narrative: str
    language: LanguageTag
    organisation: str
    author: str | None = Field(..., description="Username of the author; null for a peer node's update")
    created_at: datetime.datetime


class ActionDetailOut(ActionOut):
    text_en: str
    latest: dict[str, UpdateOut] | None = Field(None, description="Each party's latest update (members only)")


class UpdateIn(In):
    status: Status
    narrative: str = Field(..., min_length=1, max_length=10000)
    language: LanguageTag
    period: int | None = Field(None, description="Reporting year; the current one when left out")


class DeliverableOut(SignedOut):
    id: UUID
    paragraph: int
    party: str
    organisation: str
    title: str
    description: str
    language: LanguageTag
    due_date: datetime.date | None
    due_cycle: int | None
    status: DeliverableStatus
    evidence: list[str]
    revision: int
    updated_at: datetime.datetime


class DeliverableIn(In):
    title: str
    description: str = ""
    language: LanguageTag
    due_date: datetime.date | None = None
    due_cycle: int | None = None
    status: DeliverableStatus = "planned"
    evidence: list[str] = []
    organisation: str | None = Field(None, description="Owner organisation code; yours when left out")


class DeliverablePatch(In):
    title: str | None = None
    description: str | None = None
    language: LanguageTag | None = None
    due_date: datetime.date | None = None
    due_cycle: int | None = None
    status: DeliverableStatus | None = None
    evidence: list[str] | None = None
    organisation: str | None = None


class IndicatorOut(SignedOut):
    id: UUID
    paragraph: int
    party: str
    organisation: str
    title: str
    language: LanguageTag
    unit: str
    ascending: bool
    baseline_value: Decimal
    baseline_year: int
    target_value: Decimal
    target_date: datetime.date
    revision: int


class IndicatorIn(In):
    title: str
    language: LanguageTag
    unit: str
    ascending: bool = True
    baseline_value: Decimal
    baseline_year: int
    target_value: Decimal
    target_date: datetime.date
    organisation: str | None = None


class IndicatorPatch(In):
    title: str | None = None
    language: LanguageTag | None = None
    unit: str | None = None
    ascending: bool | None = None
    baseline_value: Decimal | None = None
    baseline_year: int | None = None
    target_value: Decimal | None = None
    target_date: datetime.date | None = None


class ValueOut(SignedOut):
    period_start: datetime.date
    period_end: datetime.date
    value: Decimal
    source: str


class ValueIn(In):
    period_start: datetime.date
    period_end: datetime.date
    value: Decimal
    source: str


class CommentIn(In):
    body: str = Field(..., min_length=1, max_length=5000)
    language: LanguageTag


class CommentOut(Schema):
    paragraph: int
    organisation: str
    author: str
    body: str
    language: LanguageTag
    created_at: datetime.datetime


# --- serialisers (plain dicts: faster than model validation on large lists) -----------------------


def action_out(action: JointAction) -> dict[str, Any]:
    return {
        "paragraph": action.paragraph,
        "area": action.area.code,
        "heading_en": action.heading_en,
        "heading_ja": action.heading_ja,
        "title_en": action.title_en,
        "title_ja": action.title_ja,
        "related": sorted(other.paragraph for other in action.related.all()),
        "leads": [lead.code for lead in action.leads.all()],
    }


def update_out(update: ProgressUpdate, paragraph: int | None = None) -> dict[str, Any]:
    return {
        "id": update.uid,
        "paragraph": paragraph or update.action.paragraph,
        "party": update.party.code,
        "period": update.period,
        "version": update.version,
        "status": update.status,
        "narrative": update.narrative,
        "language": update.language,
        "organisation": update.organisation.code,
        "author": update.author.username if update.author is not None else None,
        "created_at": update.created_at,
        **ledger_fields(update),
    }


def deliverable_out(deliverable: Deliverable) -> dict[str, Any]:
    return {
        "id": deliverable.uid,
        "paragraph": deliverable.action.paragraph,
        "party": deliverable.party.code,
        "organisation": deliverable.organisation.code,
        "title": deliverable.title,
        "description": deliverable.description,
        "language": deliverable.language,
        "due_date": deliverable.due_date,
        "due_cycle": deliverable.due_period,
        "status": deliverable.status,
        "evidence": deliverable.evidence,
        "revision": deliverable.revision,
        "updated_at": deliverable.updated_at,
        **ledger_fields(deliverable),
    }


def indicator_out(indicator: Indicator) -> dict[str, Any]:
    return {
        "id": indicator.uid,
        "paragraph": indicator.action.paragraph,
        "party": indicator.party.code,
        "organisation": indicator.organisation.code,
        **{name: getattr(indicator, name) for name in IndicatorPatch.model_fields if name != "party"},
        "revision": indicator.revision,
        **ledger_fields(indicator),
    }


def value_out(value: IndicatorValue) -> dict[str, Any]:
    return {
        **{name: getattr(value, name) for name in ("period_start", "period_end", "value", "source")},
        **ledger_fields(value),
    }


def comment_out(comment: Comment) -> dict[str, Any]:
    return {
        "paragraph": comment.action.paragraph,
        "organisation": comment.organisation.code,
        "author": comment.author.username,
        "body": comment.body,
        "language": comment.language,
        "created_at": comment.created_at,
    }


def _members_only(request: HttpRequest):
    user = signed_in(request)
    require_read_progress(user)
    return user


def _with_etag(response: HttpResponse, record: Deliverable | Indicator) -> None:
    response["ETag"] = services.etag(record)


def _deliverable_data(payload: DeliverableIn | DeliverablePatch) -> dict[str, Any]:
    # A creation sends the schema's defaults (status "planned", ...) to the form, which knows none;
    # a change sends only what the caller set.
    data = payload.model_dump(exclude_unset=isinstance(payload, DeliverablePatch))
    if "due_cycle" in data:
        data["due_period"] = data.pop("due_cycle")
    return data


def _form_data(data: dict[str, Any]) -> dict[str, Any]:
    """Form fields want missing optional values as empty, not None."""
    return {key: ("" if value is None else value) for key, value in data.items()}


# --- areas and actions (public) ---------------------------------------------------------------------


@router.get("areas", response=list[AreaOut], summary="Priority areas of Section 4")
def list_areas(request):
    return [
        {
            "code": a.code,
            "name_en": a.name_en,
            "name_ja": a.name_ja,
            "paragraphs": a.paragraphs,
            "actions": [action.paragraph for action in a.actions.all()],
        }
        for a in queries.areas_with_actions()
    ]


class ActionPage(BaseModel):
    count: int
    next: str | None
    previous: str | None
    items: list[ActionOut]


@router.get("actions", response=ActionPage, summary="Joint actions of the Annex (paras 46-83)")
def list_actions(request, area: str | None = None):
    return paginate(request, queries.action_summaries(area), dict)


@router.get(
    "actions/{paragraph}", response=ActionDetailOut, summary="One joint action, with the latest status"
)
def get_action(request, paragraph: int):
    action, latest = queries.action_detail(reader(request), paragraph)
    data = {**action_out(action), "text_en": action.text_en, "latest": None}
    if latest is not None:
        data["latest"] = {u.party.code: update_out(u, paragraph) for u in latest}
    return data


# --- progress updates -------------------------------------------------------------------------------


class UpdatePage(Schema):
    count: int
    next: str | None
    previous: str | None
    items: list[UpdateOut]


@router.get("actions/{paragraph}/updates", response=UpdatePage, summary="An action's updates, newest first")
def list_action_updates(request, paragraph: int):
    return paginate(request, queries.updates(signed_in(request), paragraph=paragraph), update_out)


@router.post(
    "actions/{paragraph}/updates",
    auth=WRITE_AUTH,
    response={201: UpdateOut, **error_responses(400, 401, 403, 404, 422)},
    summary="File your party's update (a new version if one exists for the period)",
)
def file_update(request, paragraph: int, payload: UpdateIn):
    update = services.file_update(request.auth, paragraph, _form_data(payload.model_dump(exclude_unset=True)))
    return WithStatus(201, update_out(update))


@router.get("updates", response=UpdatePage, summary="All updates, newest first")
def list_updates(request, party: str | None = None, period: int | None = None, status: Status | None = None):
    items = queries.updates(signed_in(request), party=party, period=period, status=status)
    return paginate(request, items, update_out)


# --- deliverables -----------------------------------------------------------------------------------


class DeliverablePage(Schema):
    count: int
    next: str | None
    previous: str | None
    items: list[DeliverableOut]


@router.get("deliverables", response=DeliverablePage, summary="Deliverables")
def list_deliverables(
    request,
    paragraph: int | None = None,
    party: str | None = None,
    status: DeliverableStatus | None = None,
    overdue: bool = False,
):
    items = queries.deliverables(
        signed_in(request), paragraph=paragraph, party=party, status=status, overdue=overdue
    )
    return paginate(request, items, deliverable_out)


@router.post(
    "actions/{paragraph}/deliverables",
    auth=WRITE_AUTH,
    response={201: DeliverableOut, **error_responses(400, 401, 403, 404, 422)},
    summary="Add a deliverable of your party",
)
def create_deliverable(request, response: HttpResponse, paragraph: int, payload: DeliverableIn):
    deliverable = services.create_deliverable(request.auth, paragraph, _form_data(_deliverable_data(payload)))
    _with_etag(response, deliverable)
    return WithStatus(201, deliverable_out(deliverable))


@router.get("deliverables/{uid}", response=DeliverableOut, summary="One deliverable, with its ETag")
def get_deliverable(request, response: HttpResponse, uid: str):
    deliverable = services.get_deliverable(_members_only(request), uid)
    _with_etag(response, deliverable)
    return deliverable_out(deliverable)


@router.patch(
    "deliverables/{uid}",
    auth=WRITE_AUTH,
    response={200: DeliverableOut, **error_responses(400, 401, 403, 404, 412, 422, 428)},
    summary="Change a deliverable; send If-Match with its ETag",
)
def change_deliverable(request, response: HttpResponse, uid: str, payload: DeliverablePatch):
    deliverable = services.change_deliverable(
        request.auth, uid, _form_data(_deliverable_data(payload)), request.headers.get("If-Match")
    )
    _with_etag(response, deliverable)
    return WithStatus(200, deliverable_out(deliverable))


# --- indicators -------------------------------------------------------------------------------------


class IndicatorPage(Schema):
    count: int
    next: str | None
    previous: str | None
    items: list[IndicatorOut]


@router.get("indicators", response=IndicatorPage, summary="Indicators")
def list_indicators(request, paragraph: int | None = None, party: str | None = None):
    items = queries.indicators(signed_in(request), paragraph=paragraph, party=party)
    return paginate(request, items, indicator_out)


@router.post(
    "actions/{paragraph}/indicators",
    auth=WRITE_AUTH,
    response={201: IndicatorOut, **error_responses(400, 401, 403, 404, 422)},
    summary="Define an indicator of your party",
)
def create_indicator(request, response: HttpResponse, paragraph: int, payload: IndicatorIn):
    indicator = services.create_indicator(
        request.auth,
        paragraph,
        _form_data(payload.model_dump()),  # with defaults: ascending is True
    )
    _with_etag(response, indicator)
    return WithStatus(201, indicator_out(indicator))


@router.get("indicators/{uid}", response=IndicatorOut, summary="One indicator, with its ETag")
def get_indicator(request, response: HttpResponse, uid: str):
    indicator = services.get_indicator(_members_only(request), uid)
    _with_etag(response, indicator)
    return indicator_out(indicator)


@router.patch(
    "indicators/{uid}",
    auth=WRITE_AUTH,
    response={200: IndicatorOut, **error_responses(400, 401, 403, 404, 412, 422, 428)},
    summary="Change an indicator; send If-Match with its ETag",
)
def change_indicator(request, response: HttpResponse, uid: str, payload: IndicatorPatch):
    indicator = services.change_indicator(
        request.auth, uid, _form_data(payload.model_dump(exclude_unset=True)), request.headers.get("If-Match")
    )
    _with_etag(response, indicator)
    return WithStatus(200, indicator_out(indicator))


class ValuePage(Schema):
    count: int
    next: str | None
    previous: str | None
    items: list[ValueOut]


@router.get("indicators/{uid}/values", response=ValuePage, summary="An indicator's actual values by period")
def list_values(request, uid: str):
    return paginate(request, queries.indicator_values(signed_in(request), uid), value_out, default_size=200)


@router.post(
    "indicators/{uid}/values",
    auth=WRITE_AUTH,
    response={201: ValueOut, 200: ValueOut, **error_responses(400, 401, 403, 404, 409, 422)},
    summary="Record an actual value for a period",
)
def record_value(request, uid: str, payload: ValueIn):
    value, created = services.record_indicator_value(request.auth, uid, payload.model_dump())
    return WithStatus(201 if created else 200, value_out(value))


# --- comments ---------------------------------------------------------------------------------------


@router.get("actions/{paragraph}/comments", response=list[CommentOut], summary="Comments on an action")
def list_comments(request, paragraph: int):
    return [comment_out(c) for c in queries.comments(signed_in(request), paragraph)]


@router.post(
    "actions/{paragraph}/comments",
    auth=WRITE_AUTH,
    response={201: CommentOut, **error_responses(400, 401, 403, 404, 422)},
    summary="Comment on an action as your organisation",
)
def add_comment(request, paragraph: int, payload: CommentIn):
    return WithStatus(201, comment_out(services.add_comment(request.auth, paragraph, payload.model_dump())))


# --- translations (issue 15; the cycle's outcomes and contributions use the same schemas) -----------


class TranslationIn(Schema):
    """A person's translation; the language is the path's. Never machine-made: say so when you started
    from a machine translation and reviewed it (`machine_assisted`)."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(description="The translated text (an update's narrative, a deliverable's title, ...)")
    description: str | None = Field(None, description="A deliverable's description, translated")
    machine_assisted: bool = Field(
        False, description="True when the translator started from a machine translation and reviewed it"
    )


class TranslationOut(SignedOut):
    id: UUID
    kind: str
    item: UUID
    language: str
    text: str
    description: str
    human: bool
    source_language: str
    source_revision: int
    revision: int
    organisation: str
    translated_at: datetime.datetime


def translation_out(translation: Translation) -> dict[str, Any]:
    return {
        "id": translation.uid,
        "kind": translation.kind,
        "item": translation.item_uid,
        "language": translation.language,
        "text": translation.text,
        "description": translation.description,
        "human": translation.human,
        "source_language": translation.source_language,
        "source_revision": translation.source_revision,
        "revision": translation.revision,
        "organisation": translation.organisation.code,
        "translated_at": translation.translated_at,
        **ledger_fields(translation),
    }


def put_translation(request, kind: str, uid: str, language: str, payload: TranslationIn) -> dict[str, Any]:
    """The one handler body of every `PUT .../translations/{language}` (programme and cycle)."""
    data = payload.model_dump(exclude_unset=True)
    if data.get("description") is None:
        data.pop("description", None)
    data["language"] = language
    return translation_out(services.translate(request.auth, kind, uid, data))


TRANSLATION_RESPONSES = {200: TranslationOut, **error_responses(400, 401, 403, 404, 409, 422)}


@router.put(
    "updates/{uid}/translations/{language}",
    auth=WRITE_AUTH,
    response=TRANSLATION_RESPONSES,
    summary="Add or replace the translation of an update (its author or its party's secretariat)",
)
def translate_update(request, uid: str, language: LanguageTag, payload: TranslationIn):
    return put_translation(request, "update", uid, language, payload)


@router.put(
    "deliverables/{uid}/translations/{language}",
    auth=WRITE_AUTH,
    response=TRANSLATION_RESPONSES,
    summary="Add or replace the translation of a deliverable's title and description",
)
def translate_deliverable(request, uid: str, language: LanguageTag, payload: TranslationIn):
    return put_translation(request, "deliverable", uid, language, payload)


# --- search -------------------------------------------------------------------------------------------


class FoundOut(BaseModel):
    type: str = Field(..., description="action, update, deliverable, outcome or contribution")
    reference: str = Field(..., description="The joint action's paragraph, or the meeting or consultation")
    party: str
    cycle: int | None
    status: str
    status_label: str = Field(..., description="The status in the reader's language")
    text: str
    language: str = Field(..., description="The text's language; \"\" for a joint action's title")
    date: str | None = Field(None, description="ISO date or time (UTC) of the row")
    url: str = Field(..., description="The page that shows it")
    signed_by: str | None


class SearchOut(BaseModel):
    count: int
    counts: dict[str, int] = Field(..., description="How many rows each type found")
    next: str | None
    previous: str | None
    items: list[FoundOut]


def found_out(found: searchable.Found) -> dict[str, Any]:
    return {
        "type": found.kind,
        "reference": found.reference,
        "party": found.party,
        "cycle": found.cycle,
        "status": found.status,
        "status_label": found.status_label,
        "text": found.text,
        "language": found.language,
        "date": found.date.isoformat() if found.date is not None else None,
        "url": found.url,
        "signed_by": found.signed_by,
    }


@router.get(
    "search",
    response={200: SearchOut, **error_responses(401, 422)},
    summary="Search joint actions, updates, deliverables, cycle outcomes and contributions",
    description="The search page's filters (each one optional; a wrong value is 422 naming it): q (words, "
    "each found in the English or Japanese text), type, party, area, cycle (year), status, action "
    "(paragraph), page, page_size (1-200, default 25). Only what the caller may read is found: joint "
    "actions and accepted contributions for everyone, progress and outcomes for members.",
)
def search(
    request,
    q: str | None = None,
    type: str | None = None,  # noqa: A002 (the page's parameter name)
    party: str | None = None,
    area: str | None = None,
    cycle: str | None = None,
    status: str | None = None,
    action: str | None = None,
    page: str | None = None,
    page_size: str | None = None,
):
    filters, number = search_filters(request.GET)
    try:
        size = int(page_size or queries.SEARCH_PAGE_SIZE)
    except ValueError:
        size = 0
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise Invalid(
            _("page_size: give a whole number from 1 to %(max)s.") % {"max": MAX_PAGE_SIZE},
            {"page_size": _("from 1 to %(max)s") % {"max": MAX_PAGE_SIZE}},
        )
    found = queries.search(reader(request), filters, page=number, page_size=size)

    def link(to: int) -> str:
        query = request.GET.copy()
        query["page"] = str(to)
        return request.build_absolute_uri(request.path + "?" + query.urlencode())

    return {
        "count": found.total,
        "counts": {code: count for code, _label, count in found.counts},
        "next": link(number + 1) if number < found.pages else None,
        "previous": link(number - 1) if 1 < number <= found.pages else None,
        "items": [found_out(row) for row in found.rows],
    }
