"""Hostile input one field at a time, on the site's HTML forms (the API's writes are probed by
test_hostile_fields.py). Each page that takes a POST is sent a valid submission (checked first to
succeed) by a user allowed to post it, through the client's normal path with the CSRF check enforced as
the site enforces it, then the same submission with ONE field replaced by a hostile value -- a NUL, 10,000
characters, a spreadsheet formula, NaN, Infinity, 1e400, -1, 2**63, an empty string, dates no calendar
holds -- or left out, or sent twice. Each answer is the form again showing an error (nothing stored), or a
redirect only where the value is legitimately valid; never a 5xx, never a stack trace. The same valid
submission by an anonymous user, and by a user who may not post it (of the other party where one party
owns what is written), stores nothing either.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib.messages import constants as message_levels
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from tests.helpers import fingerprint, rolled_back, written_tables

# --- the hostile values ----------------------------------------------------------------------------------

MISSING = object()
SECOND = object()  # the field sent twice: its valid value, then another
HOSTILE: dict[str, Any] = {
    "NUL": "a\x00b",
    "10,000 characters": "x" * 10_000,
    "formula": "=cmd|' /C calc'!A0",
    "empty": "",
    "NaN": "NaN",
    "Infinity": "Infinity",
    "1e400": "1e400",
    "-1": "-1",
    "2**63": str(2**63),
}
DATES = {"0000-01-01": "0000-01-01", "2026-02-30": "2026-02-30", "2026-12-31T25:00": "2026-12-31T25:00"}
#: Free text: the numbers all take the one path of "a number where text is due", so fewer values.
TEXT_ONLY = ("NUL", "10,000 characters", "formula", "empty")
#: Kinds of field (anything not named is free text).
TEXT, NUMBER, DATE, CHOICE, FLAG = "text", "number", "date", "choice", "flag"


def _values(kind: str) -> dict[str, Any]:
    values = {label: HOSTILE[label] for label in TEXT_ONLY} if kind == TEXT else dict(HOSTILE)
    if kind == DATE:
        values.update(DATES)
    values["missing"] = MISSING
    values["second value"] = SECOND
    return values


def _never_valid(kind: str, label: str) -> bool:
    """A redirect (the write accepted) on this value is a bug, whatever the field means."""
    if kind == FLAG or label in ("missing", "second value", "empty"):
        return False
    if label == "NUL":
        return True
    if kind == NUMBER:
        return label in ("NaN", "Infinity", "1e400")
    return kind in (DATE, CHOICE)  # no choice nor date is a formula, a NUL, a number or a wrong date


# --- what a request stores -----------------------------------------------------------------------------

#: Tables a refused request may touch: the session is not the refused write; a TAXII API root is made for
#: each party on first use (threat_intel.queries), whatever the request.
BOOKKEEPING = {"django_session", "axes_accessattempt", "threat_intel_apiroot"}


# --- the forms -----------------------------------------------------------------------------------------


@dataclass
class Form:
    """A valid submission of a page's form: who may send it, where, its fields; who may not send it."""

    user: Any
    path: str
    data: dict[str, Any]
    outsider: Any  # a member who may not post it: of the other party, where one party owns the write
    kinds: dict[str, str] = field(default_factory=dict)  # fields that are not free text
    files: Callable[[], dict[str, Any]] | None = None  # uploads sent with each submission
    #: Open to the public (it stores nothing).
    public: bool = False
    #: A button whose refusal comes back as a redirect to its page with an error message.
    refused_by_redirect: bool = False


@dataclass
class World:
    members: dict
    request: pytest.FixtureRequest

    def fixture(self, name: str) -> Any:
        return self.request.getfixturevalue(name)

    def __getitem__(self, name: str) -> Any:
        return self.members[name]


def _days(days: int) -> str:
    return (timezone.localtime() + datetime.timedelta(days=days)).strftime("%Y-%m-%d")


def _local(days: float = 0) -> str:
    return (timezone.localtime() + datetime.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


# The supply chain.
def _sc():
    from tests.exchanges.supply_chain import test_contract

    return test_contract


def _event(w: World):
    from partnership.exchanges.supply_chain import alerts

    return alerts.report_event(w["jp_secretariat"], {**_sc().EVENT, "tlp": "green", "recipients": []})


def _alert(w: World):
    from partnership.exchanges.supply_chain import alerts

    return alerts.propose_alert(
        w["jp_secretariat"], {"title": "Car chips", "event": str(_event(w).uid), "stage": "alert"}
    )


def _alert_action(w: World):
    from partnership.exchanges.supply_chain import alerts

    alert = _alert(w)
    step = alerts.act_on_alert(
        w["jp_secretariat"], alert.uid, "action", {"text": "Ask firms", "deadline": "2030-01-01"}
    )
    return alert, step.data["action"]


def _exercise(w: World):
    from partnership.exchanges.supply_chain import exercises

    scenario = _sc().SCENARIO
    return exercises.create_exercise(w["jp_secretariat"], {**scenario, "injects": scenario["injects"][:3]})


def _run(w: World, released: bool = False):
    from partnership.exchanges.supply_chain import exercises

    run = exercises.start_run(w["jp_secretariat"], _exercise(w).uid)
    if released:
        exercises.release_next(w["jp_secretariat"], run.uid)
    return run


def _series(w: World):
    from partnership.exchanges.supply_chain import services

    observations = [{"date": f"2015-{month:02d}-01", "value": f"{100 + month}.0"} for month in range(1, 13)]
    description = {"title": "Shipments", "unit": "index", "frequency": "monthly"}
    return services.import_observations(w["jp_secretariat"], "JP-SHIP", observations, description).series


SC = "/en/supply-chain"
STEP = {"stage": CHOICE, "organisation": CHOICE, "deadline": DATE, "done_on": DATE, "action": NUMBER}
EVENT_KINDS = {
    "kind": CHOICE,
    "country": CHOICE,
    "severity": CHOICE,
    "start_date": DATE,
    "tlp": CHOICE,
    "recipients": CHOICE,
    "expected_days": NUMBER,
}


def _alert_step(step: str, user: str, data: dict, outsider: str = "eu_stakeholder"):
    def build(w: World) -> Form:
        if step == "done":
            alert, action = _alert_action(w)
            data_ = {**data, "action": str(action)}
        else:
            alert, data_ = _alert(w), data
        return Form(w[user], f"{SC}/alerts/{alert.uid}/{step}/", data_, w[outsider], STEP)

    return build


def _run_step(step: str, user: str, data: dict, released: bool = True):
    def build(w: World) -> Form:
        run = _run(w, released)
        kinds = {"inject": NUMBER, "stage": CHOICE, "language": CHOICE}
        return Form(w[user], f"{SC}/exercises/runs/{run.uid}/{step}/", data, w["eu_stakeholder"], kinds)

    return build


FORMS: dict[str, Callable[[World], Form]] = {
    "supply chain: report an event": lambda w: Form(
        w["jp_secretariat"],
        f"{SC}/events/",
        {**_sc().EVENT, "expected_days": "30", "description": "Fire."},
        w["jp_stakeholder"],
        EVENT_KINDS,
    ),
    "supply chain: add to an event": lambda w: Form(
        w["eu_lead"],
        f"{SC}/events/{_event(w).uid}/",
        {"text": "We know more", "language": "en"},
        w["jp_secretariat"],  # the event is JP's: the other party adds to it, not its own
        {"language": CHOICE},
    ),
    "supply chain: propose an alert": lambda w: Form(
        w["jp_secretariat"],
        f"{SC}/alerts/",
        {"title": "From the event", "event": str(_event(w).uid), "stage": "alert"},
        w["jp_stakeholder"],
        {"stage": CHOICE, "event": CHOICE},
    ),
    "supply chain: alert subscription": lambda w: Form(
        w["jp_secretariat"],
        f"{SC}/alerts/subscription/",
        {"subscribe": "1"},
        None,
        {"subscribe": FLAG},
    ),
    "supply chain: acknowledge an alert": _alert_step("acknowledge", "eu_lead", {}),  # a button
    "supply chain: assess an alert": _alert_step("assess", "eu_lead", {"stage": "crisis", "note": "Worse."}),
    "supply chain: own an alert": _alert_step("owner", "eu_secretariat", {"organisation": "eu-dg-grow"}),
    "supply chain: an alert's action": _alert_step(
        "actions", "jp_secretariat", {"text": "Ask firms", "deadline": "2030-01-01", "language": "en"}
    ),
    "supply chain: an alert's action done": _alert_step("done", "jp_secretariat", {"done_on": "2026-01-02"}),
    "supply chain: close an alert": _alert_step(
        "close", "jp_secretariat", {"note": "Restored", "lessons": "Keep stock data"}
    ),
    "supply chain: write an exercise": lambda w: Form(
        w["jp_secretariat"],
        f"{SC}/exercises/",
        {"scenario": json.dumps({**_sc().SCENARIO, "injects": _sc().SCENARIO["injects"][:2]})},
        w["jp_stakeholder"],
    ),
    "supply chain: start a run": lambda w: Form(
        w["jp_secretariat"],
        f"{SC}/exercises/{_exercise(w).uid}/",
        {"speed": "60"},
        w["eu_secretariat"],
        {"speed": NUMBER},
    ),
    "supply chain: release an inject": _run_step("release", "jp_secretariat", {}, released=False),
    "supply chain: end a run": _run_step("end", "jp_secretariat", {}),
    "supply chain: a run's lessons": _run_step("lessons", "eu_lead", {"text": "A lesson", "language": "en"}),
    "supply chain: respond to an inject": _run_step(
        "propose", "eu_lead", {"inject": "1", "stage": "alert", "note": "Watching.", "language": "en"}
    ),
    "supply chain: register subscription": lambda w: Form(
        w["jp_secretariat"],
        f"{SC}/subscriptions/investments/",
        {"on": "1"},
        None,
        {"on": FLAG},
    ),
    "supply chain: a series' detectors": lambda w: Form(
        w["jp_secretariat"],
        f"{SC}/{_series(w).uid}/detectors/",
        {"detectors": json.dumps([{"method": "cusum", "name": "drift-watch"}])},
        w["eu_secretariat"],
    ),
}

# The cable outages.
CABLES = "/en/cables/outages"


def _operators(w: World) -> dict:
    return w.fixture("operators")


def _outage(w: World):
    from partnership.exchanges.cable_outages import services
    from tests.exchanges.cable_outages.test_outages import report

    return services.report_outage(_operators(w)["jp-cable-a"], report())


OUTAGE_KINDS = {
    "cable": CHOICE,
    "started_at": DATE,
    "detected_at": DATE,
    "cause": CHOICE,
    "fault_latitude": NUMBER,
    "fault_longitude": NUMBER,
    "fibre_pairs_lost": NUMBER,
    "capacity_lost_gbps": NUMBER,
    "profile": CHOICE,
    "tlp": CHOICE,
    "rerouted": FLAG,
}

FORMS.update(
    {
        "cables: report an outage": lambda w: Form(
            _operators(w)["jp-cable-a"],
            f"{CABLES}/report/",
            {
                "cable": "demo-asia-europe-1",
                "started_at": _local(-2 / 24),
                "detected_at": _local(-1 / 24),
                "cause": "fishing",
                "fault_latitude": "16.3",
                "fault_longitude": "40.7",
                "fibre_pairs_lost": "1",
                "capacity_lost_gbps": "400",
                "rerouted": "on",
                "repair_ship": "CS Demo Mariner",
                "profile": "nis2",
                "tlp": "amber",
                "summary": "Two fibre pairs lost.",
            },
            w["jp_lead"],  # not an operator (an operator of either party may report on a cable)
            OUTAGE_KINDS,
        ),
        "cables: file a stage": lambda w: Form(
            _operators(w)["jp-cable-a"],
            f"{CABLES}/{_outage(w).uid}/",
            {"stage": "interim", "summary": "Ship on site.", "repair_ship": "CS Demo Mariner"},
            _operators(w)["eu-cable"],
            {"stage": CHOICE, "plan_received_at": DATE, "expected_repair_at": DATE},
        ),
        "cables: edit the party's profile": lambda w: Form(
            w["jp_secretariat"],
            f"{CABLES}/profiles/edit/",
            {
                "notification_hours": "6",
                "notification_after": "detection",
                "final_hours": "48",
                "final_after": "notification",
                "revision": "0",
            },
            _operators(w)["jp-cable-a"],
            {
                "notification_hours": NUMBER,
                "notification_after": CHOICE,
                "final_hours": NUMBER,
                "final_after": CHOICE,
                "revision": NUMBER,
            },
        ),
        "cables: designate a filer": lambda w: Form(
            w["jp_secretariat"],
            f"{CABLES}/filers/",
            {"cable": "demo-asia-europe-1", "organisation": "jp-cable-a", "co_owners": ["jp-cable-b"]},
            (_operators(w), w["jp_lead"])[1],
            {"cable": CHOICE, "organisation": CHOICE, "co_owners": CHOICE},
        ),
        "cables: revoke a filer": lambda w: (
            _designated(w),
            Form(w["jp_secretariat"], f"{CABLES}/filers/demo-asia-europe-1/revoke/", {}, w["eu_secretariat"]),
        )[1],
    }
)


def _designated(w: World):
    from partnership.exchanges.cable_outages import services

    _operators(w)
    return services.designate_filer(w["jp_secretariat"], "demo-asia-europe-1", "jp-cable-a", ["jp-cable-b"])


# The cycle (tests/cycle/test_views.py's cycle: last year's Council, this year's call open).
THIS = 2026
CYCLE_KINDS = {
    "year": NUMBER,
    "cycle": NUMBER,
    "call_opens": DATE,
    "call_closes": DATE,
    "council_date": DATE,
    "date": DATE,
    "opens": DATE,
    "closes": DATE,
    "late_updates": CHOICE,
    "phase": CHOICE,
    "kind": CHOICE,
    "mechanism": CHOICE,
    "language": CHOICE,
    "participants": CHOICE,
    "owner": CHOICE,
    "actions": CHOICE,
    "areas": CHOICE,
    "area": CHOICE,
    "action": CHOICE,
    "status": CHOICE,
    "result": CHOICE,
    "follow_up": CHOICE,
    "online": FLAG,
    "proposal": NUMBER,
}


def _cycle(w: World) -> dict:
    return w.fixture("cycle")


def _cycle_write(name: str, outsider: str):
    def build(w: World) -> Form:
        from tests.cycle.test_views import _writes

        path, data, allowed = _writes(_cycle(w))[name]
        user = "jp_secretariat" if "jp_secretariat" in allowed else sorted(allowed)[0]
        return Form(w[user], path, data, w[outsider], CYCLE_KINDS)

    return build


def _proposed_calendar(w: World):
    from partnership.cycle import services

    _cycle(w)
    services.propose_calendar(
        w["jp_secretariat"], THIS, {"call_opens": f"{THIS}-01-20", "call_closes": f"{THIS}-04-30"}
    )


def _outcome_to_confirm(w: World):
    from partnership.cycle import services

    return services.record_outcome(
        w["jp_secretariat"],
        _cycle(w)["council"].uid,
        {"kind": "decision", "text": "Go.", "language": "en", "owner": "jp-meti", "actions": [46]},
    )


FORMS.update(
    {
        "cycle: plan a cycle": _cycle_write("plan cycle", "jp_lead"),
        "cycle: advance the phase": lambda w: (
            lambda form: (setattr(form, "refused_by_redirect", True), form)[1]
        )(_cycle_write("advance phase", "jp_lead")(w)),
        "cycle: record a meeting": _cycle_write("record meeting", "jp_lead"),
        "cycle: record an outcome": _cycle_write("record outcome", "eu_secretariat"),
        "cycle: set a priority": _cycle_write("set priority", "eu_secretariat"),
        "cycle: a priority's result": lambda w: (
            lambda form: (setattr(form, "refused_by_redirect", True), form)[1]
        )(_cycle_write("priority result", "eu_secretariat")(w)),
        "cycle: open a window": _cycle_write("open window", "jp_lead"),
        "cycle: contribute": lambda w: (
            lambda form: (
                setattr(form, "files", lambda: {"attachment": SimpleUploadedFile("a.txt", b"paper")}),
                form,
            )[1]
        )(_cycle_write("contribute", "jp_secretariat")(w)),
        "cycle: moderate": _cycle_write("moderate EU", "jp_secretariat"),
        "cycle: follow up": _cycle_write("follow up JP", "eu_lead"),
        "cycle: late updates": lambda w: (
            _cycle(w),
            Form(
                w["eu_secretariat"],
                f"/en/cycles/{THIS}/late-updates/",
                {"late_updates": "refuse"},
                w["eu_lead"],
                CYCLE_KINDS,
                refused_by_redirect=True,
            ),
        )[1],
        "cycle: propose a calendar": lambda w: (
            _cycle(w),
            Form(
                w["jp_secretariat"],
                f"/en/cycles/{THIS}/calendar/",
                {
                    "call_opens": f"{THIS}-01-20",
                    "call_closes": f"{THIS}-04-30",
                    "council_date": f"{THIS}-06-01",
                },
                w["jp_lead"],
                CYCLE_KINDS,
                refused_by_redirect=True,
            ),
        )[1],
        "cycle: agree a calendar": lambda w: (
            _proposed_calendar(w),
            Form(
                w["eu_secretariat"],
                f"/en/cycles/{THIS}/calendar/agree/",
                {},
                w["jp_secretariat"],  # the proposer's party does not agree to its own proposal
                CYCLE_KINDS,
                refused_by_redirect=True,
            ),
        )[1],
        "cycle: confirm an outcome": lambda w: Form(
            w["eu_secretariat"],
            f"/en/outcomes/{_outcome_to_confirm(w).uid}/confirm/",
            {},
            w["jp_secretariat"],
            refused_by_redirect=True,
        ),
        "cycle: confirm a priority": lambda w: Form(
            w["eu_secretariat"],
            f"/en/priorities/{_cycle(w)['priority'].uid}/confirm/",
            {},
            w["jp_secretariat"],
            refused_by_redirect=True,
        ),
    }
)

# The programme.
PROGRAMME_KINDS = {
    "status": CHOICE,
    "language": CHOICE,
    "period": NUMBER,
    "due_period": NUMBER,
    "due_date": DATE,
    "period_start": DATE,
    "period_end": DATE,
    "value": NUMBER,
    "machine_assisted": FLAG,
}


def _deliverable(w: World):
    from partnership.programme import services

    return services.create_deliverable(
        w["jp_secretariat"], 48, {"title": "6G white paper", "language": "en", "due_period": 2027}
    )


def _indicator(w: World):
    from partnership.programme import services
    from tests.web.test_hostile_fields import INDICATOR

    return services.create_indicator(w["eu_secretariat"], 72, INDICATOR)


def _update(w: World):
    from partnership.programme import services
    from tests.web.test_hostile_fields import UPDATE

    return services.file_update(w["jp_secretariat"], 48, UPDATE)


def _deliverable_edit(w: World) -> Form:
    from partnership.programme import services

    deliverable = _deliverable(w)
    return Form(
        w["jp_secretariat"],
        f"/en/actions/48/deliverables/{deliverable.uid}/",
        {
            "title": "Renamed",
            "description": "A paper.",
            "language": "en",
            "due_date": "2027-06-30",
            "due_period": "2027",
            "status": "in_progress",
            "evidence": "https://example.org/a",
            "etag": services.etag(deliverable),
        },
        w["eu_secretariat"],
        {**PROGRAMME_KINDS, "etag": CHOICE},
    )


FORMS.update(
    {
        "programme: file an update": lambda w: Form(
            w["jp_lead"],
            "/en/actions/48/update/",
            {"status": "on_track", "narrative": "Expert meeting held.", "language": "en", "period": "2026"},
            w["eu_lead"],
            PROGRAMME_KINDS,
        ),
        "programme: comment": lambda w: Form(
            w["jp_stakeholder"],
            "/en/actions/48/comments/",
            {"body": "Ready.", "language": "en"},
            None,  # every member may comment: only the public may not
            PROGRAMME_KINDS,
            refused_by_redirect=True,  # the action's page, the refusal in its messages
        ),
        "programme: a new deliverable": lambda w: Form(
            w["jp_secretariat"],
            "/en/actions/48/deliverables/new/",
            {
                "title": "Joint 6G workshop",
                "description": "A workshop.",
                "language": "en",
                "due_date": "2027-03-31",
                "due_period": "2027",
                "status": "planned",
                "evidence": "https://example.org/a",
            },
            w["jp_stakeholder"],
            PROGRAMME_KINDS,
        ),
        "programme: change a deliverable": _deliverable_edit,
        "programme: an indicator's value": lambda w: Form(
            w["eu_secretariat"],
            f"/en/actions/72/indicators/{_indicator(w).uid}/value/",
            {"period_start": "2025-01-01", "period_end": "2025-12-31", "value": "120", "source": "EEN"},
            w["jp_secretariat"],
            PROGRAMME_KINDS,
        ),
        "programme: translate an update": lambda w: Form(
            w["jp_secretariat"],
            f"/en/translations/update/{_update(w).uid}/",
            {"language": "ja", "text": "翻訳", "machine_assisted": ""},
            w["eu_stakeholder"],
            PROGRAMME_KINDS,
        ),
    }
)

# People, and the certificates.
PEOPLE_KINDS = {"organisation": CHOICE, "role": CHOICE, "language": CHOICE, "email": CHOICE, "active": FLAG}
INVITATION = {
    "email": "hanako@soumu.example",
    "organisation": "jp-mic",
    "role": "action_lead",
    "language": "ja",
}
FORMS.update(
    {
        "people: invite": lambda w: Form(
            w["jp_secretariat"], "/en/people/invite/", INVITATION, w["eu_secretariat"], PEOPLE_KINDS
        ),
        "people: a person's membership": lambda w: Form(
            w["jp_secretariat"],
            f"/en/people/{w['jp_lead'].pk}/",
            {"organisation": "jp-mic", "role": "action_lead", "language": "en"},
            w["eu_secretariat"],
            PEOPLE_KINDS,
        ),
        "people: deactivate": lambda w: Form(
            w["jp_secretariat"],
            f"/en/people/{w['jp_lead'].pk}/active/",
            {"active": "0"},
            w["eu_secretariat"],
            PEOPLE_KINDS,
        ),
        "people: own language": lambda w: Form(
            w["jp_lead"], "/en/people/me/", {"language": "en"}, None, PEOPLE_KINDS
        ),
        "people: make a token": lambda w: Form(
            w["jp_lead"], "/en/people/me/tokens/", {"name": "script"}, None, refused_by_redirect=True
        ),
        "people: revoke a token": lambda w: Form(
            w["jp_lead"],
            f"/en/people/me/tokens/{_people().create_token(w['jp_lead'])[0].pk}/revoke/",
            {},
            None,
        ),
        "certificates: verify": lambda w: Form(
            w["jp_secretariat"],
            "/en/certificates/",
            {"text": "HC1:NOTACERT", "party": "JP"},
            None,  # open to everyone; it stores nothing
            {"party": CHOICE},
            public=True,
        ),
    }
)

#: Forms whose valid submission answers with the page (200), not a redirect.
ANSWERS_WITH_A_PAGE = {"certificates: verify", "people: make a token"}


def _people():
    from partnership.people import services

    return services


# --- the probe -----------------------------------------------------------------------------------------


def _client(user) -> Client:
    """A client that enforces CSRF as the site does, holding the token a page of the site gave it."""
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    assert client.get("/en/login/" if user is None else "/en/people/me/").status_code in (200, 302)
    if "csrftoken" not in client.cookies:
        client.get("/en/")
    return client


def _post(client: Client, form: Form, data: dict[str, Any]):
    body = {**data, "csrfmiddlewaretoken": client.cookies["csrftoken"].value}
    if form.files:
        body.update(form.files())
    return client.post(form.path, body)


def _error_message(response) -> bool:
    """An error message this response added (not one an earlier response left in the cookie)."""
    queued = getattr(getattr(response.wsgi_request, "_messages", None), "_queued_messages", [])
    return any(message.level == message_levels.ERROR for message in queued)


def _shows_an_error(response) -> bool:
    text = response.content.decode(errors="replace")
    return 'role="alert"' in text or 'class="errors"' in text


def _with(data: dict[str, Any], name: str, value: Any) -> dict[str, Any]:
    changed = dict(data)
    if value is MISSING:
        changed.pop(name, None)
    elif value is SECOND:
        valid = data.get(name, "")
        changed[name] = [*(valid if isinstance(valid, list) else [valid]), "x"]
    else:
        changed[name] = value
    return changed


def _fields(form: Form) -> list[str]:
    return list(form.data) or ["extra"]  # a button's form: probe a field it does not read


def _probe(key: str, world: World) -> list[str]:
    form = FORMS[key](world)
    client = _client(form.user)
    success = (200,) if key in ANSWERS_WITH_A_PAGE else (302,)
    with rolled_back():
        valid = _post(client, form, form.data)
    assert valid.status_code in success and not _error_message(valid), (
        key,
        "the valid submission is refused",
        valid.status_code,
        valid.content.decode(errors="replace")[-3000:],
    )
    base: dict[str, str] = {}
    wrong: list[str] = []
    for name in _fields(form):
        kind = form.kinds.get(name, TEXT if form.data else FLAG)
        for label, value in _values(kind).items():
            case = f"{key} {name}={label}"
            after: dict[str, str] = {}
            with rolled_back(), written_tables() as tables:
                response = _post(client, form, _with(form.data, name, value))
                status = response.status_code
                # A form that answers with a page (200) on success and a redirect with an error on refusal.
                page_on_success = key in ANSWERS_WITH_A_PAGE and form.refused_by_redirect
                refused = (status == 302 if page_on_success else status != 302) or _error_message(response)
                if refused:
                    after = {table: fingerprint(table) for table in tables - BOOKKEEPING}
            for table in after:
                if table not in base:
                    base[table] = fingerprint(table)
            if status >= 500 or b"Traceback" in response.content:
                wrong.append(f"{case}: {status}")
                continue
            if refused:
                changed = sorted(table for table, print_ in after.items() if print_ != base[table])
                if changed:
                    wrong.append(f"{case}: {status} but stored in {changed}")
                if status == 302 and not form.refused_by_redirect:
                    wrong.append(f"{case}: refused by a redirect, the form not shown again")
                elif status != 302 and (
                    status not in (200, 400, 404, 409, 413, 422) or not _shows_an_error(response)
                ):
                    if status == 200 and key in ANSWERS_WITH_A_PAGE and not _never_valid(kind, label):
                        continue
                    wrong.append(f"{case}: {status} showing no error")
                continue
            if _never_valid(kind, label):
                wrong.append(f"{case}: accepted ({status} to {response.get('Location')})")
    return wrong


def _stores_nothing(form: Form, user, allowed: tuple[int, ...], what: str) -> list[str]:
    client = _client(user)
    base: dict[str, str] = {}
    with rolled_back(), written_tables() as tables:
        response = _post(client, form, form.data)
        after = {table: fingerprint(table) for table in tables - BOOKKEEPING}
    base = {table: fingerprint(table) for table in after}
    wrong = []
    if response.status_code not in allowed:
        wrong.append(f"{what}: {response.status_code} {response.get('Location', '')}")
    elif response.status_code == 302 and "/login/" not in response["Location"]:
        wrong.append(f"{what}: redirected to {response['Location']}, not to the login")
    changed = sorted(table for table, print_ in after.items() if print_ != base[table])
    if changed:
        wrong.append(f"{what}: stored in {changed}")
    return wrong


@pytest.mark.parametrize("key", sorted(FORMS))
def test_a_form_with_one_hostile_field_is_refused_on_the_form_or_legitimately_accepted(key, members, request):
    wrong = _probe(key, World(members, request))
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("key", sorted(FORMS))
def test_a_form_posted_by_the_public_or_by_someone_who_may_not_stores_nothing(key, members, request):
    form = FORMS[key](World(members, request))
    wrong = _stores_nothing(form, None, (200,) if form.public else (302, 403), "anonymous")
    if form.outsider is not None:
        wrong += _stores_nothing(form, form.outsider, (403, 404), f"{form.outsider.username}")
    assert not wrong, "\n".join(wrong)


from tests.cycle.test_views import cycle, media  # noqa: E402, F401
from tests.exchanges.cable_outages.conftest import demo_geojson, operators  # noqa: E402, F401
