"""/api/v1/supply-chain/investments and /export-controls: the registers of long-term investment plans and
export-control measures (para 46; issue 16, items 5 and 6). Read by members under each entry's TLP level,
written by the party's secretariat or responsible ministry through `registers` (thin: no rule here)."""

from typing import Any

from ninja import Router, Schema
from ninja.responses import Status
from pydantic import Field

from partnership.api_helpers import WRITE_AUTH, SignedOut, error_responses, ledger_fields, paginate, signed_in

from . import register_queries, registers
from .models import Register

router = Router(tags=["supply chain registers"])


class EntryIn(Schema):
    """Common to both registers."""

    tlp: str = Field("amber", description="clear, green, amber, amber+strict or red (TLP 2.0)")
    recipients: list[str] = Field(
        default_factory=list, description="organisation codes an AMBER or RED entry is shared with"
    )
    language: str = Field("en", description="en or ja: the language of its texts")
    source: str = ""


class InvestmentIn(EntryIn):
    firm: str
    site: str
    country: str = Field(description="ISO 3166-1 alpha-2 code of the site's country, e.g. JP")
    technology_node: str = Field("", description="e.g. 2 nm, 28 nm, or a packaging technology")
    capacity: str | None = Field(None, description="decimal text, not negative; needs capacity_unit")
    capacity_unit: str = Field("", description="e.g. wafers per month (300 mm)")
    amount: str | None = Field(None, description="the planned investment, decimal text; needs currency")
    currency: str = Field("", description="ISO 4217, e.g. JPY, EUR, USD")
    support_amount: str | None = Field(None, description="public support, in the same currency")
    support_instrument: str = Field("", description="e.g. grant, loan, tax credit")
    support_basis: str = Field("", description="legal basis of the support, e.g. Chips Act Art. 15")
    announced_on: str | None = Field(None, description="YYYY-MM-DD")
    start_on: str | None = Field(None, description="YYYY-MM-DD, on or after announced_on")
    production_on: str | None = Field(None, description="YYYY-MM-DD, on or after start_on")
    status: str = Field(description="announced, construction, producing, paused or cancelled")


class ControlItem(Schema):
    list: str = Field(description="wassenaar, eu-annex-i, us-ccl, jp-etco or other")
    entry: str = Field(description='e.g. "3B001.f.1" (Wassenaar, EU Annex I), "7(18)" (Japan\'s order)')


class ExportControlIn(EntryIn):
    title: str
    kind: str = Field(description="new, amended or lifted")
    items: list[ControlItem] = Field(default_factory=list)
    hs_codes: list[str] = Field(default_factory=list, description="e.g. 8486.20, 854231")
    legal_basis: str
    adopted_on: str = Field(description="YYYY-MM-DD")
    takes_effect: str = Field(description="YYYY-MM-DD, on or after adopted_on")
    ends_on: str | None = Field(None, description="YYYY-MM-DD, on or after takes_effect")


class Revision(Schema):
    revision: int | None = Field(None, description="the revision you read: a newer one is a 409 Conflict")


class InvestmentRevise(InvestmentIn, Revision):
    pass


class ExportControlRevise(ExportControlIn, Revision):
    pass


class RevisionOut(Schema):
    revision: int
    organisation: str
    signed_at: str
    received_at: str | None = Field(description="when this node received it from the peer (a peer's entry)")
    late: bool
    changed: list[str] = Field(description="the fields this revision changed")
    content: dict[str, Any]


class EntryOut(SignedOut):
    uid: str
    party: str
    organisation: str
    revision: int
    changed_at: str
    content: dict[str, Any] = Field(description="the entry as its latest revision states it")


class MeasureOut(EntryOut):
    notified_at: str | None = Field(description="when the other party was first told (record signed)")
    received_at: str | None
    notice_deadline: str = Field(description="end of the day it takes effect, in its party's zone (UTC)")
    late: bool = Field(description="a revision reached the other party after the day it took effect")


class EntryDetail(EntryOut):
    revisions: list[RevisionOut]


class MeasureDetail(MeasureOut):
    revisions: list[RevisionOut]


class InvestmentPage(Schema):
    count: int
    next: str | None
    previous: str | None
    items: list[EntryOut]


class MeasurePage(Schema):
    count: int
    next: str | None
    previous: str | None
    items: list[MeasureOut]


def _time(moment) -> str | None:
    return moment.isoformat() if moment is not None else None


def _content(entry) -> dict[str, Any]:
    """The entry's fields as its revisions carry them (from the model; no query but the recipients)."""
    names = registers.INVESTMENT_FIELDS if hasattr(entry, "firm") else registers.EXPORT_CONTROL_FIELDS
    found: dict[str, Any] = {}
    for name in names:
        if name == "recipients":
            continue
        value = getattr(entry, name)
        if hasattr(value, "isoformat"):
            value = value.isoformat()
        elif value is not None and name in ("capacity", "amount", "support_amount"):
            value = format(value.normalize(), "f")
        found[name] = value
    return found


def entry_out(entry) -> dict[str, Any]:
    found = {
        "uid": str(entry.uid),
        "party": entry.party.code,
        "organisation": entry.organisation.code,
        "revision": entry.revision,
        "changed_at": entry.changed_at.isoformat(),
        "content": _content(entry),
        **ledger_fields(entry),
    }
    if hasattr(entry, "takes_effect"):
        found.update(
            notified_at=_time(entry.notified_at),
            received_at=_time(entry.received_at),
            notice_deadline=registers.notice_deadline(entry.party.code, entry.takes_effect).isoformat(),
            late=entry.late,
        )
    return found


def detail_out(page: register_queries.EntryPage) -> dict[str, Any]:
    found = entry_out(page.entry)
    found["content"] = page.revisions[0].content if page.revisions else found["content"]
    found["revisions"] = [
        {
            "revision": revision.revision,
            "organisation": revision.organisation.code,
            "signed_at": revision.signed_at.isoformat(),
            "received_at": _time(revision.received_at),
            "late": revision.late,
            "changed": changed,
            "content": revision.content,
        }
        for revision, changed in zip(page.revisions, page.changes, strict=True)
    ]
    return found


def _body(payload: Schema) -> dict[str, Any]:
    data = payload.dict()
    data.pop("revision", None)
    return data


@router.get(
    "investments",
    response={200: InvestmentPage, **error_responses(401, 403, 422)},
    summary="Long-term investment plans you may read (TLP), filtered by party, status, country, tlp",
)
def list_investments(request, party: str = "", status: str = "", country: str = "", tlp: str = ""):
    filters = register_queries.investment_filters(
        {"party": party, "status": status, "country": country, "tlp": tlp}
    )
    return paginate(request, register_queries.investments(signed_in(request), filters), entry_out)


@router.get(
    "investments/{uid}",
    response={200: EntryDetail, **error_responses(401, 403, 404)},
    summary="An investment plan with its revisions",
)
def get_investment(request, uid: str):
    return detail_out(register_queries.entry(signed_in(request), Register.INVESTMENTS, uid))


@router.post(
    "investments",
    auth=WRITE_AUTH,
    response={201: EntryDetail, **error_responses(400, 401, 403, 422)},
    summary="Record a long-term investment plan of your party (signed for the other party)",
)
def create_investment(request, payload: InvestmentIn):
    created = registers.create(request.auth, Register.INVESTMENTS, _body(payload))
    return Status(201, detail_out(register_queries.entry(request.auth, Register.INVESTMENTS, created.uid)))


@router.put(
    "investments/{uid}",
    auth=WRITE_AUTH,
    response={200: EntryDetail, **error_responses(400, 401, 403, 404, 409, 422)},
    summary="Revise an investment plan (the whole entry; a new signed revision if anything changed)",
)
def revise_investment(request, uid: str, payload: InvestmentRevise):
    registers.revise(request.auth, Register.INVESTMENTS, uid, _body(payload), payload.revision)
    return detail_out(register_queries.entry(request.auth, Register.INVESTMENTS, uid))


@router.get(
    "export-controls",
    response={200: MeasurePage, **error_responses(401, 403, 422)},
    summary="Export-control measures you may read (TLP), latest to take effect first",
)
def list_export_controls(
    request, party: str = "", kind: str = "", tlp: str = "", item: str = "", late: str = ""
):
    filters = register_queries.export_control_filters(
        {"party": party, "kind": kind, "tlp": tlp, "item": item, "late": late}
    )
    return paginate(request, register_queries.export_controls(signed_in(request), filters), entry_out)


@router.get(
    "export-controls/{uid}",
    response={200: MeasureDetail, **error_responses(401, 403, 404)},
    summary="An export-control measure with its revisions and whether it was notified in time",
)
def get_export_control(request, uid: str):
    return detail_out(register_queries.entry(signed_in(request), Register.EXPORT_CONTROLS, uid))


@router.post(
    "export-controls",
    auth=WRITE_AUTH,
    response={201: MeasureDetail, **error_responses(400, 401, 403, 422)},
    summary="Notify an export-control measure of your party (signed for the other party)",
)
def create_export_control(request, payload: ExportControlIn):
    created = registers.create(request.auth, Register.EXPORT_CONTROLS, _body(payload))
    return Status(
        201, detail_out(register_queries.entry(request.auth, Register.EXPORT_CONTROLS, created.uid))
    )


@router.put(
    "export-controls/{uid}",
    auth=WRITE_AUTH,
    response={200: MeasureDetail, **error_responses(400, 401, 403, 404, 409, 422)},
    summary="Revise an export-control measure (the whole entry; a new signed revision if anything changed)",
)
def revise_export_control(request, uid: str, payload: ExportControlRevise):
    registers.revise(request.auth, Register.EXPORT_CONTROLS, uid, _body(payload), payload.revision)
    return detail_out(register_queries.entry(request.auth, Register.EXPORT_CONTROLS, uid))


class SubscriptionIn(Schema):
    on: bool = Field(description="true: mail me each change the other party makes in this register")


class SubscriptionsOut(Schema):
    investments: bool
    export_controls: bool


def subscriptions_out(user) -> dict[str, bool]:
    held = registers.subscriptions(user)
    return {name: name in held for name in Register.values}


@router.get(
    "subscriptions",
    response={200: SubscriptionsOut, **error_responses(401, 403)},
    summary="The registers whose other-party changes you are mailed",
)
def get_subscriptions(request):
    return subscriptions_out(signed_in(request))


@router.put(
    "subscriptions/{name}",
    auth=WRITE_AUTH,
    response={200: SubscriptionsOut, **error_responses(400, 401, 403, 422)},
    summary="Subscribe to (or leave) the mail of a register: investments or export_controls",
)
def set_subscription(request, name: str, payload: SubscriptionIn):
    registers.subscribe(request.auth, name, payload.on)
    return subscriptions_out(request.auth)
