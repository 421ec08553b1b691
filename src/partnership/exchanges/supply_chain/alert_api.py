"""/api/v1/supply-chain/events and /alerts (issue 16, items 3, 4 and 7): read by members under the TLP
rule, written by a party's secretariat and action leads through `alerts.py`. Mounted on `api.router`."""

from typing import Any

from ninja import Router, Schema
from ninja.responses import Status
from pydantic import Field, StrictInt

from partnership.api_helpers import WRITE_AUTH, SignedOut, error_responses, ledger_fields, paginate, signed_in

from . import alert_queries, alerts
from .alert_models import StepKind

router = Router(tags=["supply chain: events and alerts"])


class EventIn(Schema):
    kind: str = Field(description="fab_fire, earthquake, power_loss, export_restriction, logistics or other")
    title: str
    country: str = Field(description="ISO 3166-1 alpha-2 code of the place, e.g. JP or TW")
    site: str = Field("", description="the site, free text (a fab, a port)")
    products: list[str] = Field(default_factory=list, description="HS codes: 8541, 8542 or their subheadings")
    products_text: str = ""
    firms: list[str] = Field(default_factory=list)
    severity: str = Field(description="minor, moderate, major or severe")
    expected_days: StrictInt | None = Field(None, description="expected duration in days")
    start_date: str = Field(description="YYYY-MM-DD")
    description: str = ""
    language: str = Field("en", description="en or ja: the language of the texts")
    tlp: str = Field("amber", description="clear, green, amber, amber+strict or red")
    recipients: list[str] = Field(
        default_factory=list, description="organisation codes an AMBER or RED event names"
    )


class AdditionIn(Schema):
    text: str = Field("", description="what your party knows (may be empty: an acknowledgement)")
    language: str = "en"


class AdditionOut(SignedOut):
    uid: str
    party: str
    organisation: str
    text: str
    language: str
    added_at: str


class EventOut(SignedOut):
    uid: str
    party: str
    organisation: str
    kind: str
    title: str
    country: str
    site: str
    products: list[str]
    products_text: str
    firms: list[str]
    severity: str
    expected_days: int | None
    start_date: str
    description: str
    language: str
    tlp: str
    reported_at: str
    acknowledged: bool
    additions: list[AdditionOut] = []


class EventPage(Schema):
    count: int
    next: str | None
    previous: str | None
    items: list[EventOut]


def addition_out(addition) -> dict[str, Any]:
    return {
        **ledger_fields(addition),
        "uid": str(addition.uid),
        "party": addition.party.code,
        "organisation": addition.organisation.code,
        "text": addition.text,
        "language": addition.language,
        "added_at": addition.added_at.isoformat(),
    }


def event_out(event, additions: list | None = None) -> dict[str, Any]:
    count = getattr(event, "addition_count", None)
    return {
        **ledger_fields(event),
        "uid": str(event.uid),
        "party": event.party.code,
        "organisation": event.organisation.code,
        **{
            name: getattr(event, name)
            for name in ("kind", "title", "country", "site", "products", "products_text", "firms")
        },
        **{
            name: getattr(event, name)
            for name in ("severity", "expected_days", "description", "language", "tlp")
        },
        "start_date": event.start_date.isoformat(),
        "reported_at": event.reported_at.isoformat(),
        "acknowledged": bool(count) if count is not None else bool(additions),
        "additions": [addition_out(addition) for addition in additions or []],
    }


@router.get(
    "events", response={200: EventPage, **error_responses(401, 403, 422)}, summary="Supply-chain events"
)
def list_events(request, party: str = "", kind: str = ""):
    found = alert_queries.events(
        signed_in(request), alert_queries.EventFilters(party=party[:8], kind=kind[:20])
    )
    return paginate(request, found, event_out)


@router.post(
    "events",
    auth=WRITE_AUTH,
    response={201: EventOut, **error_responses(400, 401, 403, 422)},
    summary="Report a disruption (your party's)",
)
def report_event(request, payload: EventIn):
    return Status(201, event_out(alerts.report_event(request.auth, payload.model_dump())))


@router.get(
    "events/{uid}",
    response={200: EventOut, **error_responses(401, 403, 404)},
    summary="An event and its additions",
)
def get_event(request, uid: str):
    event = alert_queries.event(signed_in(request), uid)
    return event_out(event, list(event.additions.all()))


@router.post(
    "events/{uid}/additions",
    auth=WRITE_AUTH,
    response={201: AdditionOut, **error_responses(400, 401, 403, 404, 422)},
    summary="Acknowledge the other party's event and add what you know",
)
def add_to_event(request, uid: str, payload: AdditionIn):
    return Status(201, addition_out(alerts.add_to_event(request.auth, uid, payload.model_dump())))


# --- alerts ---------------------------------------------------------------------------------------------


class AlertIn(Schema):
    title: str
    description: str = ""
    language: str = "en"
    stage: str = Field("monitoring", description="monitoring, alert or crisis: your party's assessment")
    event: str | None = Field(None, description="the uid of the event it comes from")
    signal: int | None = Field(None, description="the id of the signal it comes from (GET signals)")
    series: str | None = Field(None, description="or the series' uid and the signal's date")
    signal_date: str | None = None
    tlp: str = Field("green", description="clear, green, amber, amber+strict or red")
    recipients: list[str] = Field(default_factory=list)


class AssessIn(Schema):
    stage: str = Field(description="monitoring, alert or crisis")
    note: str = ""


class OwnerIn(Schema):
    organisation: str = Field(description="the code of an organisation of your party")


class ActionIn(Schema):
    text: str
    deadline: str = Field(description="YYYY-MM-DD")
    language: str = "en"


class DoneIn(Schema):
    done_on: str | None = Field(None, description="YYYY-MM-DD; today (UTC) if absent")


class CloseIn(Schema):
    note: str
    lessons: str = ""
    language: str = "en"


class StepOut(SignedOut):
    uid: str
    kind: str
    party: str
    organisation: str
    at: str
    data: dict[str, Any]


class ActionOut(Schema):
    uid: str
    party: str
    organisation: str
    text: str
    language: str
    deadline: str
    done_on: str | None
    overdue: bool


class AlertOut(SignedOut):
    uid: str
    party: str
    organisation: str
    title: str
    description: str
    language: str
    stage: str
    open: bool
    tlp: str
    event: str | None
    series: str | None
    signal_date: str | None
    signal_summary: dict[str, Any]
    proposed_at: str
    acknowledged_at: str | None
    closed_at: str | None
    closing_note: str
    lessons: str


class AlertDetailOut(AlertOut):
    assessments: dict[str, str]
    acknowledged_by: list[str]
    owners: dict[str, str]
    actions: list[ActionOut]
    timeline: list[StepOut]


class AlertPage(Schema):
    count: int
    next: str | None
    previous: str | None
    items: list[AlertOut]


def alert_out(alert) -> dict[str, Any]:
    return {
        **ledger_fields(alert),
        "uid": str(alert.uid),
        "party": alert.party.code,
        "organisation": alert.organisation.code,
        **{name: getattr(alert, name) for name in ("title", "description", "language", "stage", "tlp")},
        "open": alert.is_open,
        "event": str(alert.event.uid) if alert.event_id else None,
        "series": str(alert.series.uid) if alert.series_id else None,
        "signal_date": alert.signal_date.isoformat() if alert.signal_date else None,
        "signal_summary": alert.signal_summary,
        "proposed_at": alert.proposed_at.isoformat(),
        "acknowledged_at": alert.acknowledged_at.isoformat() if alert.acknowledged_at else None,
        "closed_at": alert.closed_at.isoformat() if alert.closed_at else None,
        "closing_note": alert.closing_note,
        "lessons": alert.lessons,
    }


def detail_out(detail: alert_queries.AlertDetail) -> dict[str, Any]:
    return {
        **alert_out(detail.alert),
        "assessments": {item.party.code: item.stage for item in detail.assessments},
        "acknowledged_by": [item.party.code for item in detail.acknowledgements],
        "owners": {item.party.code: item.organisation.code for item in detail.owners},
        "actions": [
            {
                "uid": str(action.uid),
                "party": action.party.code,
                "organisation": action.organisation.code,
                "text": action.text,
                "language": action.language,
                "deadline": action.deadline.isoformat(),
                "done_on": action.done_on.isoformat() if action.done_on else None,
                "overdue": alert_queries.is_overdue(action),
            }
            for action in detail.actions
        ],
        "timeline": [
            {
                **ledger_fields(step),
                "uid": str(step.uid),
                "kind": step.kind,
                "party": step.party.code,
                "organisation": step.organisation.code,
                "at": step.at.isoformat(),
                "data": step.data,
            }
            for step in detail.steps
        ],
    }


@router.get(
    "alerts", response={200: AlertPage, **error_responses(401, 403, 422)}, summary="Supply-chain alerts"
)
def list_alerts(request, state: str = "", stage: str = ""):
    found = alert_queries.alerts(
        signed_in(request), alert_queries.AlertFilters(state=state[:8], stage=stage[:12])
    )
    return paginate(request, found, alert_out)


@router.post(
    "alerts",
    auth=WRITE_AUTH,
    response={201: AlertDetailOut, **error_responses(400, 401, 403, 404, 422)},
    summary="Propose an alert from an event or a signal",
)
def propose_alert(request, payload: AlertIn):
    alert = alerts.propose_alert(request.auth, payload.model_dump())
    return Status(201, detail_out(alert_queries.alert_detail(request.auth, alert.uid)))


@router.get(
    "alerts/{uid}",
    response={200: AlertDetailOut, **error_responses(401, 403, 404)},
    summary="An alert with its assessments, owners, preventive actions and timeline",
)
def get_alert(request, uid: str):
    return detail_out(alert_queries.alert_detail(signed_in(request), uid))


def _step(request, uid: str, kind: str, data: dict[str, Any]) -> dict[str, Any]:
    alerts.act_on_alert(request.auth, uid, kind, data)
    return detail_out(alert_queries.alert_detail(request.auth, uid))


STEP_RESPONSES: dict[int, Any] = {200: AlertDetailOut, **error_responses(400, 401, 403, 404, 422)}


@router.post(
    "alerts/{uid}/acknowledge",
    summary="Acknowledge an alert (your party's acknowledgement)",
    auth=WRITE_AUTH,
    response=STEP_RESPONSES,
)
def acknowledge(request, uid: str):
    return _step(request, uid, StepKind.ACKNOWLEDGEMENT, {})


@router.post(
    "alerts/{uid}/assess",
    summary="Assess an alert's stage (your party's assessment)",
    auth=WRITE_AUTH,
    response=STEP_RESPONSES,
)
def assess(request, uid: str, payload: AssessIn):
    return _step(request, uid, StepKind.ASSESSMENT, payload.model_dump())


@router.post(
    "alerts/{uid}/owner",
    summary="Name your party's owner of an alert",
    auth=WRITE_AUTH,
    response=STEP_RESPONSES,
)
def owner(request, uid: str, payload: OwnerIn):
    return _step(request, uid, StepKind.OWNER, payload.model_dump())


@router.post(
    "alerts/{uid}/actions",
    summary="Add a preventive action of your organisation",
    auth=WRITE_AUTH,
    response=STEP_RESPONSES,
)
def add_action(request, uid: str, payload: ActionIn):
    return _step(request, uid, StepKind.ACTION, payload.model_dump())


@router.post(
    "alerts/{uid}/actions/{action}/done",
    summary="Complete one of your party's preventive actions",
    auth=WRITE_AUTH,
    response=STEP_RESPONSES,
)
def complete_action(request, uid: str, action: str, payload: DoneIn):
    return _step(request, uid, StepKind.ACTION_DONE, {"action": action, **payload.model_dump()})


@router.post(
    "alerts/{uid}/close",
    summary="Close an alert with a note and its lessons",
    auth=WRITE_AUTH,
    response=STEP_RESPONSES,
)
def close(request, uid: str, payload: CloseIn):
    return _step(request, uid, StepKind.CLOSING, payload.model_dump())
