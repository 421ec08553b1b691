"""Hostile input one field at a time: every API write, sent a body that is otherwise valid, with ONE field
(or one field of its first nested item) replaced by a hostile value -- NaN, Infinity, a number past any
double, -1, 2**63, an empty or 10,000-character string, a NUL, a spreadsheet formula, the wrong JSON type
(a list, an object, null, a boolean), or an impossible date. Validation passes its first checks and the
value reaches the services, the database or a computation: each answer is a clear 4xx naming what is
wrong (and stores nothing), or a 2xx only where the value is legitimately valid; never a 500, never a
stack trace, on SQLite and on PostgreSQL.

Each write is built from a valid example body below (the test first checks that it is accepted), so a
change that makes an example invalid fails loudly rather than probing nothing. `test_each_example_names_a
_write_of_the_api` keeps the table in step with the OpenAPI document: a new write fails it until it has an
example (or, bodiless or multipart, a reason in UNPROBED).
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from partnership.api import api
from tests.helpers import fingerprint, rolled_back, written_tables

# --- the hostile values ----------------------------------------------------------------------------------

#: name -> the raw JSON text put in place of the field's value.
HOSTILE = {
    "NaN": "NaN",
    "Infinity": "Infinity",
    "-Infinity": "-Infinity",
    "1e400": "1e400",
    "-1": "-1",
    "2**63": str(2**63),
    "empty string": '""',
    "10,000 characters": json.dumps("x" * 10_000),
    "NUL": '"a\\u0000b"',
    "formula": json.dumps("=cmd|' /C calc'!A0"),
    "list": '["x"]',
    "object": '{"x": 1}',
    "null": "null",
    "true": "true",
}
#: For a field whose valid value is a number written as a string ("55000"): the same numbers as strings.
NUMERIC_STRINGS = {'"NaN"': '"NaN"', '"Infinity"': '"Infinity"', '"1e400"': '"1e400"', '"-1"': '"-1"'}
#: For a date or time field: dates no calendar holds.
DATES = {
    "0000-01-01": '"0000-01-01"',
    "2026-02-30": '"2026-02-30"',
    "9999-12-31T25:00": '"9999-12-31T25:00"',
    "9999-12-31": '"9999-12-31"',
    # Valid where they stand, but past year 9999 or before year 1 once moved to UTC.
    "9999-12-31T23:59:59-12:00": '"9999-12-31T23:59:59-12:00"',
    "0001-01-01T00:00:00+14:00": '"0001-01-01T00:00:00+14:00"',
}
#: Values never legitimately valid anywhere: a 2xx on one of them is a bug.
NEVER_VALID = {"NaN", "Infinity", "-Infinity", "1e400", "NUL", '"NaN"', '"Infinity"', '"1e400"'}
NEVER_VALID_DATES = {"0000-01-01", "2026-02-30", "9999-12-31T25:00"}
DATE_FIELD = re.compile(
    r"(date|_at|_on|^at|opens|closes|deadline|month|takes_effect|period_start|period_end)$"
)
SENTINEL = "\x01hostile\x01"


def _numeric(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        float(value)
    except ValueError:
        return False
    return True


def _slots(body: Any, optional: list[str]) -> Iterator[tuple[str, tuple, Any]]:
    """(name, path, valid value) of each field of `body`, of each field of its lists' and objects' first
    item, and of each optional top-level field the example leaves out (valid value None)."""
    if not isinstance(body, dict):
        return
    for key, value in body.items():
        yield key, (key,), value
        inner = value[0] if isinstance(value, list) and value and isinstance(value[0], dict) else value
        prefix = (key, 0) if inner is not value else (key,)
        if isinstance(inner, dict):
            for sub, subvalue in inner.items():
                yield f"{key}.{sub}", (*prefix, sub), subvalue
        elif isinstance(value, list) and value:
            yield f"{key}[0]", (key, 0), value[0]
    for key in optional:
        if key not in body:
            yield key, (key,), None


#: For free text, where the numbers all take the one path of "a number where text is due": fewer.
TEXT_ONLY = ("1e400", "empty string", "10,000 characters", "NUL", "formula", "list", "null")


def _hostile_values(name: str, valid: Any) -> dict[str, str]:
    values = dict(HOSTILE)
    if isinstance(valid, str) and not _numeric(valid):
        values = {label: HOSTILE[label] for label in TEXT_ONLY}
    if _numeric(valid) and not name.endswith("code"):  # a product code is text that looks like a number
        values.update(NUMERIC_STRINGS)
    if DATE_FIELD.search(name.rsplit(".", 1)[-1]):
        values.update(DATES)
    if isinstance(valid, list):
        values["list"] = '[["x"]]'  # a list of lists where a list of values is due
    return values


def _replaced(body: Any, path: tuple, raw: str) -> str:
    """`body` as JSON text with the value at `path` replaced by the raw JSON text `raw`."""
    copy = json.loads(json.dumps(body))
    target = copy
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = SENTINEL
    return json.dumps(copy).replace(json.dumps(SENTINEL), raw)


# --- what a write stores -------------------------------------------------------------------------------

#: Tables a refused request may touch: the session and the token's last use are not the refused write.
#: A TAXII API root is made for each party on first use (threat_intel.queries), whatever the request.
BOOKKEEPING = {"django_session", "people_apitoken", "axes_accessattempt", "threat_intel_apiroot"}


# --- the valid examples --------------------------------------------------------------------------------


@dataclass
class Call:
    """A valid write: who sends it, where, the body, and request headers."""

    user: Any
    path: str
    body: Any
    method: str = "post"
    headers: dict[str, str] = field(default_factory=dict)
    ignored: set[str] = field(default_factory=set)  # fields this kind of write reads not at all


@dataclass
class World:
    members: dict
    request: pytest.FixtureRequest

    def fixture(self, name: str) -> Any:
        return self.request.getfixturevalue(name)


def _soon(days: int = 0, hours: int = 0) -> str:
    return (timezone.now() + datetime.timedelta(days=days, hours=hours)).isoformat()


UPDATE = {"status": "on_track", "narrative": "Expert meeting held.", "language": "en", "period": 2026}
INDICATOR = {
    "title": "SMEs reached",
    "language": "en",
    "unit": "SMEs",
    "ascending": True,
    "baseline_value": "0",
    "baseline_year": 2022,
    "target_value": "500",
    "target_date": "2027-12-31",
}
CYCLE = {"year": 2026, "call_opens": "2026-01-15", "call_closes": "2026-03-31", "council_date": "2026-05-12"}
COUNCIL = {
    "mechanism": "digital-partnership-council",
    "kind": "council",
    "title": "Council 2026",
    "language": "en",
    "date": "2026-05-12",
    "place": "Tokyo",
    "online": False,
    "participants": ["jp-mic"],
    "minutes": "Met.",
    "agenda": [{"title": "Connectivity", "actions": [61]}],
}


def _deliverable(world: World):
    from partnership.programme import services

    return services.create_deliverable(
        world.members["jp_secretariat"], 48, {"title": "6G white paper", "language": "en", "due_period": 2027}
    )


def _indicator(world: World):
    from partnership.programme import services

    return services.create_indicator(world.members["eu_secretariat"], 72, INDICATOR)


def _update(world: World):
    from partnership.programme import services

    return services.file_update(world.members["jp_secretariat"], 48, UPDATE)


def _cycle(world: World, year: int = 2026):
    from tests.helpers import plan_cycle

    return plan_cycle(world.members["jp_secretariat"], {**CYCLE, "year": year})


def _meeting(world: World):
    from partnership.cycle import services

    _cycle(world)
    _cycle(world, 2027)
    return services.record_meeting(world.members["jp_secretariat"], 2026, COUNCIL)


def _outcome(world: World):
    from partnership.cycle import services

    meeting = _meeting(world)
    return services.record_outcome(
        world.members["jp_secretariat"],
        meeting.uid,
        {"kind": "guidance", "text": "Design it.", "language": "en", "owner": "jp-mic", "actions": [61]},
    )


def _window(world: World):
    from partnership.cycle import services

    _cycle(world)
    now = timezone.now()
    return services.open_window(
        world.members["eu_secretariat"],
        2026,
        {
            "title": "Call",
            "opens": now - datetime.timedelta(hours=1),
            "closes": now + datetime.timedelta(hours=1),
        },
    )


def _contribution(world: World):
    from partnership.cycle import services

    window = _window(world)
    return services.submit_contribution(
        world.members["eu_stakeholder"], window.pk, {"text": "Ours.", "language": "en"}
    )


TRANSLATION = {"text": "翻訳", "machine_assisted": False}

EXAMPLES: dict[str, Callable[[World], Call]] = {
    "POST /api/v1/actions/{paragraph}/updates": lambda w: Call(
        w.members["jp_secretariat"], "/api/v1/actions/48/updates", UPDATE
    ),
    "POST /api/v1/actions/{paragraph}/deliverables": lambda w: Call(
        w.members["jp_secretariat"],
        "/api/v1/actions/48/deliverables",
        {
            "title": "Joint 6G workshop",
            "description": "A workshop.",
            "language": "en",
            "due_date": "2027-03-31",
            "status": "planned",
            "evidence": ["https://example.org/a"],
        },
    ),
    "PATCH /api/v1/deliverables/{uid}": lambda w: (
        lambda d: Call(
            w.members["jp_secretariat"],
            f"/api/v1/deliverables/{d.uid}",
            {"title": "Renamed", "due_date": "2027-06-30", "status": "in_progress"},
            "patch",
            {"HTTP_IF_MATCH": f'"{d.uid}.{d.revision}"'},
        )
    )(_deliverable(w)),
    "POST /api/v1/actions/{paragraph}/indicators": lambda w: Call(
        w.members["eu_secretariat"], "/api/v1/actions/72/indicators", INDICATOR
    ),
    "PATCH /api/v1/indicators/{uid}": lambda w: (
        lambda i: Call(
            w.members["eu_secretariat"],
            f"/api/v1/indicators/{i.uid}",
            {"target_value": "600", "baseline_year": 2021, "target_date": "2028-12-31", "ascending": True},
            "patch",
            {"HTTP_IF_MATCH": f'"{i.uid}.{i.revision}"'},
        )
    )(_indicator(w)),
    "POST /api/v1/indicators/{uid}/values": lambda w: Call(
        w.members["eu_secretariat"],
        f"/api/v1/indicators/{_indicator(w).uid}/values",
        {"period_start": "2025-01-01", "period_end": "2025-12-31", "value": "120", "source": "EEN"},
    ),
    "POST /api/v1/actions/{paragraph}/comments": lambda w: Call(
        w.members["jp_stakeholder"], "/api/v1/actions/48/comments", {"body": "Ready.", "language": "en"}
    ),
    "PUT /api/v1/updates/{uid}/translations/{language}": lambda w: Call(
        w.members["jp_secretariat"], f"/api/v1/updates/{_update(w).uid}/translations/ja", TRANSLATION, "put"
    ),
    "PUT /api/v1/deliverables/{uid}/translations/{language}": lambda w: Call(
        w.members["jp_secretariat"],
        f"/api/v1/deliverables/{_deliverable(w).uid}/translations/ja",
        {**TRANSLATION, "description": "説明"},
        "put",
    ),
    "POST /api/v1/cycles": lambda w: Call(w.members["eu_secretariat"], "/api/v1/cycles", CYCLE),
    "POST /api/v1/cycles/{year}/calendar": lambda w: (
        _cycle(w),
        Call(
            w.members["jp_secretariat"],
            "/api/v1/cycles/2026/calendar",
            {"call_opens": "2026-01-20", "call_closes": "2026-04-30", "council_date": "2026-06-01"},
        ),
    )[1],
    "POST /api/v1/cycles/{year}/meetings": lambda w: (
        _cycle(w),
        Call(w.members["jp_secretariat"], "/api/v1/cycles/2026/meetings", COUNCIL),
    )[1],
    "POST /api/v1/meetings/{uid}/outcomes": lambda w: Call(
        w.members["jp_secretariat"],
        f"/api/v1/meetings/{_meeting(w).uid}/outcomes",
        {
            "kind": "guidance",
            "text": "Design it.",
            "language": "en",
            "owner": "jp-mic",
            "areas": [],
            "actions": [61],
        },
    ),
    "POST /api/v1/outcomes/{uid}/follow-up": lambda w: Call(
        w.members["jp_lead"],
        f"/api/v1/outcomes/{_outcome(w).uid}/follow-up",
        {"follow_up": "closed", "note": "Done."},
    ),
    "POST /api/v1/meetings/{uid}/priorities": lambda w: Call(
        w.members["jp_secretariat"],
        f"/api/v1/meetings/{_meeting(w).uid}/priorities",
        {"action": 61, "rationale": "Outages.", "language": "en", "cycle": 2027},
    ),
    "POST /api/v1/windows/{window_id}/contributions": lambda w: Call(
        w.members["eu_stakeholder"],
        f"/api/v1/windows/{_window(w).pk}/contributions",
        {"text": "We support it.", "language": "en", "areas": [], "actions": [61]},
    ),
    "POST /api/v1/contributions/{uid}/moderation": lambda w: Call(
        w.members["eu_secretariat"],
        f"/api/v1/contributions/{_contribution(w).uid}/moderation",
        {"status": "accepted", "reply": "Thanks."},
    ),
    "PUT /api/v1/outcomes/{uid}/translations/{language}": lambda w: Call(
        w.members["jp_secretariat"], f"/api/v1/outcomes/{_outcome(w).uid}/translations/ja", TRANSLATION, "put"
    ),
    "PUT /api/v1/contributions/{uid}/translations/{language}": lambda w: Call(
        w.members["eu_secretariat"],
        f"/api/v1/contributions/{_contribution(w).uid}/translations/ja",
        TRANSLATION,
        "put",
    ),
}


# The exchanges.
SC = "/api/v1/supply-chain"
from tests.exchanges.supply_chain.test_contract import EVENT, INVESTMENT, MEASURE, SCENARIO  # noqa: E402

OBSERVATIONS = [{"date": f"2015-{month:02d}-01", "value": f"{100 + month}.0"} for month in range(1, 13)]


def _series(world: World):
    from partnership.exchanges.supply_chain import services

    description = {"title": "Shipments", "unit": "index", "frequency": "monthly"}
    return services.import_observations(
        world.members["jp_secretariat"], "JP-SHIP", OBSERVATIONS, description
    ).series


def _register(world: World, kind: str, data: dict):
    from partnership.exchanges.supply_chain import registers

    return registers.create(world.members["jp_secretariat"], kind, data)


def _event(world: World):
    from partnership.exchanges.supply_chain import alerts

    return alerts.report_event(world.members["jp_secretariat"], {**EVENT, "tlp": "green", "recipients": []})


def _alert(world: World):
    from partnership.exchanges.supply_chain import alerts

    owner = world.members["jp_secretariat"]
    return alerts.propose_alert(
        owner, {"title": "Car chips", "event": str(_event(world).uid), "stage": "alert"}
    )


def _alert_action(world: World):
    from partnership.exchanges.supply_chain import alerts

    alert = _alert(world)
    step = alerts.act_on_alert(
        world.members["jp_secretariat"], alert.uid, "action", {"text": "Ask firms", "deadline": "2030-01-01"}
    )
    return alert, step.data["action"]


def _exercise(world: World):
    from partnership.exchanges.supply_chain import exercises

    return exercises.create_exercise(
        world.members["jp_secretariat"], {**SCENARIO, "injects": SCENARIO["injects"][:3]}
    )


def _run(world: World, released: bool = False):
    from partnership.exchanges.supply_chain import exercises

    run = exercises.start_run(world.members["jp_secretariat"], _exercise(world).uid)
    if released:
        exercises.release_next(world.members["jp_secretariat"], run.uid)
    return run


CABLES = "/api/v1/cables/outages"


def _operator(world: World):
    return world.fixture("operators")["jp-cable-a"]


def _outage(world: World):
    from partnership.exchanges.cable_outages import services
    from tests.exchanges.cable_outages.test_outages import report

    return services.report_outage(_operator(world), report())


def _outage_report(world: World) -> dict:
    from tests.exchanges.cable_outages.test_outages import report

    _operator(world)
    return {**report(), "fault_distance_km": 12.5, "fault_landing": ""}


EXAMPLES.update(
    {
        "POST /api/v1/cycles/{year}/phase": lambda w: (
            _cycle(w),
            Call(w.members["jp_secretariat"], "/api/v1/cycles/2026/phase", {"phase": "call_open"}),
        )[1],
        "PUT /api/v1/cycles/{year}/late-updates": lambda w: (
            _cycle(w),
            Call(
                w.members["jp_secretariat"],
                "/api/v1/cycles/2026/late-updates",
                {"late_updates": "refuse"},
                "put",
            ),
        )[1],
        "POST /api/v1/people/invitations": lambda w: Call(
            w.members["jp_secretariat"],
            "/api/v1/people/invitations",
            {
                "email": "hanako@soumu.example",
                "organisation": "jp-mic",
                "role": "action_lead",
                "language": "ja",
            },
        ),
        "PATCH /api/v1/people/{person_id}": lambda w: Call(
            w.members["jp_secretariat"],
            f"/api/v1/people/{w.members['jp_lead'].pk}",
            {"organisation": "jp-mic", "role": "action_lead", "language": "en"},
            "patch",
        ),
        f"POST {SC}/series": lambda w: Call(
            w.members["jp_secretariat"],
            f"{SC}/series",
            {
                "code": "JP-NEW",
                "title": "New",
                "language": "en",
                "unit": "index",
                "frequency": "monthly",
                "source": "METI",
                "licence": "CC-BY-4.0",
                "product_code": "8542",
            },
        ),
        f"PUT {SC}/series/{{uid}}": lambda w: Call(
            w.members["jp_secretariat"],
            f"{SC}/series/{_series(w).uid}",
            {"title": "Renamed", "unit": "index"},
            "put",
        ),
        f"POST {SC}/series/{{uid}}/observations": lambda w: Call(
            w.members["jp_secretariat"],
            f"{SC}/series/{_series(w).uid}/observations",
            {"observations": [{"date": "2016-01-01", "value": "120.5"}], "unit": "index"},
        ),
        f"POST {SC}/investments": lambda w: Call(
            w.members["jp_secretariat"], f"{SC}/investments", INVESTMENT
        ),
        f"PUT {SC}/investments/{{uid}}": lambda w: Call(
            w.members["jp_secretariat"],
            f"{SC}/investments/{_register(w, 'investments', INVESTMENT).uid}",
            {**INVESTMENT, "status": "paused"},
            "put",
        ),
        f"POST {SC}/export-controls": lambda w: Call(
            w.members["jp_secretariat"], f"{SC}/export-controls", MEASURE
        ),
        f"PUT {SC}/export-controls/{{uid}}": lambda w: Call(
            w.members["jp_secretariat"],
            f"{SC}/export-controls/{_register(w, 'export_controls', MEASURE).uid}",
            {**MEASURE, "title": "Revised", "ends_on": "2030-01-01"},
            "put",
        ),
        f"POST {SC}/events": lambda w: Call(
            w.members["jp_secretariat"],
            f"{SC}/events",
            {**EVENT, "expected_days": 30, "description": "Fire."},
        ),
        f"POST {SC}/events/{{uid}}/additions": lambda w: Call(
            w.members["eu_lead"],
            f"{SC}/events/{_event(w).uid}/additions",
            {"text": "We know more", "language": "en"},
        ),
        f"POST {SC}/alerts": lambda w: Call(
            w.members["jp_secretariat"],
            f"{SC}/alerts",
            {
                "title": "From the event",
                "event": str(_event(w).uid),
                "stage": "alert",
            },
        ),
        f"POST {SC}/alerts/{{uid}}/assess": lambda w: Call(
            w.members["eu_lead"], f"{SC}/alerts/{_alert(w).uid}/assess", {"stage": "crisis", "note": "Worse."}
        ),
        f"POST {SC}/alerts/{{uid}}/owner": lambda w: Call(
            w.members["eu_secretariat"], f"{SC}/alerts/{_alert(w).uid}/owner", {"organisation": "eu-dg-grow"}
        ),
        f"POST {SC}/alerts/{{uid}}/actions": lambda w: Call(
            w.members["jp_secretariat"],
            f"{SC}/alerts/{_alert(w).uid}/actions",
            {"text": "Ask firms", "deadline": "2030-01-01", "language": "en"},
        ),
        f"POST {SC}/alerts/{{uid}}/actions/{{action}}/done": lambda w: (
            lambda found: Call(
                w.members["jp_secretariat"],
                f"{SC}/alerts/{found[0].uid}/actions/{found[1]}/done",
                {"done_on": "2026-01-02"},
            )
        )(_alert_action(w)),
        f"POST {SC}/alerts/{{uid}}/close": lambda w: Call(
            w.members["jp_secretariat"],
            f"{SC}/alerts/{_alert(w).uid}/close",
            {"note": "Restored", "lessons": "Keep stock data"},
        ),
        f"POST {SC}/exercises": lambda w: Call(w.members["jp_secretariat"], f"{SC}/exercises", SCENARIO),
        f"PUT {SC}/exercises/{{uid}}": lambda w: Call(
            w.members["jp_secretariat"],
            f"{SC}/exercises/{_exercise(w).uid}",
            {**SCENARIO, "title": "Changed"},
            "put",
        ),
        f"POST {SC}/exercises/{{uid}}/runs": lambda w: Call(
            w.members["jp_secretariat"], f"{SC}/exercises/{_exercise(w).uid}/runs", {"speed": 60}
        ),
        f"POST {SC}/exercises/runs/{{run}}/lessons": lambda w: Call(
            w.members["eu_lead"],
            f"{SC}/exercises/runs/{_run(w).uid}/lessons",
            {"text": "A lesson", "language": "en"},
        ),
        f"POST {SC}/exercises/runs/{{run}}/injects/{{number}}/{{step}}": lambda w: Call(
            w.members["eu_lead"],
            f"{SC}/exercises/runs/{_run(w, released=True).uid}/injects/1/propose",
            {"stage": "alert", "note": "Watching.", "language": "en"},
            ignored={"organisation", "text", "deadline", "action", "done_on", "lessons"},  # other steps'
        ),
        "POST /api/v1/threat-intel/collections": lambda w: Call(
            w.members["jp_secretariat"],
            "/api/v1/threat-intel/collections",
            {
                "api_root": "jp",
                "title": "Energy",
                "description": "Feeds.",
                "default_tlp": "green",
                "allow_custom": False,
            },
        ),
        "POST /api/v1/threat-intel/collections/{collection_id}/grants": lambda w: Call(
            w.members["jp_secretariat"],
            f"/api/v1/threat-intel/collections/{w.fixture('community').collection.pk}/grants",
            {"organisation": "eu-guest", "can_read": True, "can_write": True, "community": False},
        ),
        f"POST {CABLES}": lambda w: Call(_operator(w), CABLES, _outage_report(w)),
        f"POST {CABLES}/{{uid}}/stages": lambda w: Call(
            _operator(w),
            f"{CABLES}/{_outage(w).uid}/stages",
            {
                "stage": "interim",
                "summary": "Ship sailing.",
                "plan_received_at": timezone.now().isoformat(),
                "expected_repair_at": _soon(days=9),
                "repair_ship": "CS Demo Mariner",
            },
        ),
        f"PUT {CABLES}/profiles/party": lambda w: Call(
            w.members["jp_secretariat"],
            f"{CABLES}/profiles/party",
            {"stages": [{"stage": "notification", "hours": 6}]},
            "put",
        ),
        f"POST {CABLES}/filers": lambda w: (
            _operator(w),
            Call(
                w.members["jp_secretariat"],
                f"{CABLES}/filers",
                {"cable": "demo-asia-europe-1", "organisation": "jp-cable-a", "co_owners": ["jp-cable-b"]},
            ),
        )[1],
        "POST /api/v1/platform-reports/months": lambda w: Call(
            w.members["eu_secretariat"], "/api/v1/platform-reports/months", {"month": "2025-01"}
        ),
        "POST /api/v1/certificates/verify": lambda w: Call(
            w.members["jp_secretariat"],
            "/api/v1/certificates/verify",
            {"text": "HC1:NOTACERT", "at": "2026-01-01T00:00:00Z"},
        ),
    }
)


def _proposal(world: World):
    """Cycle 2026 with a new calendar JP's secretariat proposed, for the EU's to agree to."""
    from partnership.cycle import services

    _cycle(world)
    return services.propose_calendar(
        world.members["jp_secretariat"],
        2026,
        {"call_opens": "2026-01-20", "call_closes": "2026-04-30", "council_date": "2026-06-01"},
    )


def _published(world: World):
    """Cycle 2026's report, published by JP's secretariat at the stock-take (tests/cycle/test_report_
    signatures.py), for the EU's to countersign."""
    from partnership.cycle import report, services

    jp = world.members["jp_secretariat"]
    _cycle(world)
    for phase in ("call_open", "call_closed", "stock_take"):
        services.advance_phase(jp, 2026, phase)
    return report.publish_report(jp, 2026)


def _invitation_token(world: World) -> str:
    from partnership.people import services

    invitation = services.invite(
        world.members["jp_secretariat"],
        {"email": "hanako@soumu.example", "organisation": "jp-mic", "role": "action_lead", "language": "ja"},
        "http://testserver/",
    )
    return services.invitation_token(invitation.person)


PASSWORD = "a-long-password-1"
#: A detector with every parameter its method reads (CUSUM has the most), so that each is probed.
CUSUM = {
    "method": "cusum",
    "name": "shift",
    "transform": "log",
    "baseline": 24,
    "gap": 2,
    "trend": True,
    "seasonal": True,
    "ar1": True,
    "drift": 0.5,
    "limit": 7.0,
    "direction": "both",
    "cooldown": 12,
}
PR = "/api/v1/platform-reports"


def _platform(world: World, code: str):
    return world.fixture("platforms")[code]


def _statement(world: World) -> dict:
    """A valid statement of reasons drawn from the shared DSA contract (tests/exchanges/platform_reports)."""
    return world.fixture("generate").statement(day=datetime.date(2025, 9, 1))


def _removal_request() -> dict:
    from tests.exchanges.platform_reports.test_japan import record

    return record(0, extended=True, extension_reason="EXPERT_REVIEW", extension_detail="Asked a lawyer.")


EXAMPLES.update(
    {
        "POST /api/v1/people/invitations/accept": lambda w: Call(
            None,
            "/api/v1/people/invitations/accept",
            {"token": _invitation_token(w), "password": PASSWORD, "password_confirmation": PASSWORD},
        ),
        "POST /api/v1/cycles/{year}/calendar/agree": lambda w: Call(
            w.members["eu_secretariat"],
            "/api/v1/cycles/2026/calendar/agree",
            {"proposal": str(_proposal(w).uid)},
        ),
        "POST /api/v1/cycles/{year}/report/countersign": lambda w: Call(
            w.members["eu_secretariat"],
            "/api/v1/cycles/2026/report/countersign",
            {"sha256": _published(w).sha256},
        ),
        f"PUT {SC}/series/{{uid}}/detectors": lambda w: Call(
            w.members["jp_secretariat"],
            f"{SC}/series/{_series(w).uid}/detectors",
            {"detectors": [CUSUM, {"method": "threshold", "level": 14, "direction": "up"}]},
            "put",
        ),
        f"PUT {SC}/subscriptions/{{name}}": lambda w: Call(
            w.members["eu_lead"], f"{SC}/subscriptions/investments", {"on": True}, "put"
        ),
        f"POST {PR}/statements": lambda w: Call(
            _platform(w, "eu-platform"), f"{PR}/statements", {"statements": [_statement(w)]}
        ),
        f"POST {PR}/statement": lambda w: Call(_platform(w, "eu-platform"), f"{PR}/statement", _statement(w)),
        f"POST {PR}/japan/requests": lambda w: Call(
            _platform(w, "jp-platform"), f"{PR}/japan/requests", {"requests": [_removal_request()]}
        ),
    }
)


# --- the probe -----------------------------------------------------------------------------------------


def _operation(key: str) -> dict:
    method, path = key.split(" ", 1)
    return api.get_openapi_schema()["paths"][path][method.lower()]


def _schema_of(operation: dict) -> dict:
    components = api.get_openapi_schema()["components"]["schemas"]
    content = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if not content:
        return {}
    schema = content["schema"]
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _nullable(schema: dict, name: str) -> bool:
    if name not in schema.get("required", []):
        return True
    text = json.dumps(schema.get("properties", {}).get(name, {}))
    return '"null"' in text


def _send(client: Client, call: Call, text: str, authorization: str | None):
    signed = {"HTTP_AUTHORIZATION": authorization} if authorization else {}
    return getattr(client, call.method)(
        call.path, data=text, content_type="application/json", **signed, **call.headers
    )


def _probe(key: str, world: World, token_for) -> list[str]:
    """Every hostile value in every field of the write `key`: what went wrong, one line each."""
    schema = _schema_of(_operation(key))
    call = EXAMPLES[key](world)
    authorization = token_for(call.user) if call.user is not None else None
    client = Client()
    with rolled_back():
        valid = _send(client, call, json.dumps(call.body), authorization)
    assert 200 <= valid.status_code < 300, (key, "the valid example is refused", valid.content[:500])
    base: dict[str, str] = {}
    wrong = []
    optional = [name for name in schema.get("properties", {}) if name not in schema.get("required", [])]
    for name, path, valid_value in _slots(call.body, optional):
        for label, raw in _hostile_values(name, valid_value).items():
            case = f"{key} {name}={label}"
            after: dict[str, str] = {}
            with rolled_back(), written_tables() as tables:
                response = _send(client, call, _replaced(call.body, path, raw), authorization)
                status = response.status_code
                touched = tables - BOOKKEEPING
                if 400 <= status < 500:
                    after = {table: fingerprint(table) for table in touched}
            for table in after:
                if table not in base:
                    base[table] = fingerprint(table)
            if status >= 500 or b"Traceback" in response.content:
                wrong.append(f"{case}: {status} {response.content[:200]!r}")
                continue
            if 400 <= status < 500:
                changed = sorted(table for table, print_ in after.items() if print_ != base[table])
                if changed:
                    wrong.append(f"{case}: {status} but stored in {changed}")
                try:
                    answer = response.json()
                    error = (
                        answer["error"]
                        if "error" in answer
                        else {"message": answer.get("message") or answer["errors"]}
                    )
                except (ValueError, KeyError, TypeError, AttributeError):
                    wrong.append(f"{case}: {status} without the one error body: {response.content[:200]!r}")
                    continue
                if not error.get("message"):
                    wrong.append(f"{case}: {status} naming nothing: {error}")
                continue
            top = name.split(".", 1)[0]
            if top in call.ignored:
                continue
            if (
                label in NEVER_VALID
                or label in NEVER_VALID_DATES
                and raw in DATES.values()
                or label in ("list", "object")
                and not isinstance(valid_value, list | dict)
                or label == "true"
                and not isinstance(valid_value, bool)
                and valid_value is not None
                or label == "null"
                and "." not in name
                and not _nullable(schema, top)
            ):
                wrong.append(f"{case}: accepted ({status})")
    return wrong


@pytest.mark.parametrize("key", sorted(EXAMPLES))
def test_an_api_write_with_one_hostile_field_is_a_clear_answer(key, members, token_for, request):
    wrong = _probe(key, World(members, request), token_for)
    assert not wrong, "\n".join(wrong)


#: API writes without a JSON body, so without a field to probe: each with its reason. A write in neither
#: EXAMPLES nor here fails the test below, so that a new write is probed from its first commit.
UNPROBED = {
    "POST /api/v1/people/{person_id}/deactivate": "bodiless: the path names the person",
    "POST /api/v1/people/{person_id}/reactivate": "bodiless: the path names the person",
    "POST /api/v1/outcomes/{uid}/confirm": "bodiless: the path names the outcome",
    "POST /api/v1/priorities/{uid}/confirm": "bodiless: the path names the priority",
    f"POST {SC}/alerts/{{uid}}/acknowledge": "bodiless: the path names the alert",
    f"POST {SC}/exercises/runs/{{run}}/release": "bodiless: the path names the run",
    f"POST {SC}/exercises/runs/{{run}}/end": "bodiless: the path names the run",
    f"DELETE {CABLES}/filers/{{cable}}": "bodiless: the path names the cable",
    f"POST {SC}/series/{{uid}}/files": "multipart: test_hostile_files.py sends it hostile files",
    f"POST {PR}/japan/requests/file": "multipart: test_hostile_files.py sends it hostile files",
}


def test_each_example_names_a_write_of_the_api():
    """Each example is a write of the OpenAPI document, and each write of the document with a JSON body
    has an example: the others are in UNPROBED with a reason."""
    assert set(EXAMPLES) <= set(_writes())
    schema = api.get_openapi_schema()
    writes = {
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method in operations
        if method in ("post", "put", "patch", "delete")
    }
    assert not set(EXAMPLES) & set(UNPROBED), "probed and named as unprobed"
    assert sorted(writes - set(EXAMPLES) - set(UNPROBED)) == [], "writes with no example to probe"
    assert sorted(set(UNPROBED) - writes) == [], "named as unprobed but not a write of the API"
    bodied = set(_writes())
    assert sorted(key for key, reason in UNPROBED.items() if key in bodied) == [], "a JSON body unprobed"


def _writes() -> list[str]:
    schema = api.get_openapi_schema()
    return sorted(
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if method in ("post", "put", "patch")
        and "application/json" in operation.get("requestBody", {}).get("content", {})
    )


from tests.exchanges.cable_outages.conftest import demo_geojson, operators  # noqa: E402, F401
from tests.exchanges.platform_reports.conftest import contract, generate, platforms  # noqa: E402, F401
from tests.exchanges.threat_intel.conftest import community  # noqa: E402, F401
