"""Building the report: the programme and the cycle read into plain, language-neutral data."""

import datetime
import hashlib
import json
import math
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import networkx as nx
from django.db.models import Count, F, Prefetch, Window
from django.db.models.functions import ExtractYear, RowNumber
from django.utils import timezone, translation

from partnership.people.models import Party
from partnership.programme import exchanges, translations
from partnership.programme.models import (
    Area,
    Deliverable,
    Indicator,
    IndicatorValue,
    JointAction,
    ProgressUpdate,
)
from partnership.programme.queries import overdue_deliverables, period_statuses

from ..models import Contribution, Cycle, Meeting, Outcome, Priority
from ..services import get_cycle, open_guidance

#: Bumped when the shape of the data changes; a published report keeps the version it was built with.
SCHEMA = 1
STATUSES = [*ProgressUpdate.Status.values, "missing"]
LANGUAGES = ("en", "ja")
#: Reports are published from the stock-take on: the updates of the cycle are in (para 20).
PUBLISHABLE_FROM = Cycle.Phase.STOCK_TAKE


def _number(value: Decimal | int | float | None) -> str | None:
    """A decimal as a plain string without trailing zeros (JSON has no decimals; floats would round)."""
    if value is None:
        return None
    text = format(Decimal(value).normalize(), "f")
    return "0" if text in ("-0", "") else text


def _date(value: datetime.date | None) -> str | None:
    return value.isoformat() if value else None


def _jsonable(value: Any) -> Any:
    """Whatever an exchange returns, as plain JSON values (decimals and dates become strings)."""
    return json.loads(json.dumps(value, default=str, ensure_ascii=False))


def canonical_json(data: dict[str, Any]) -> bytes:
    """The canonical form that is hashed: sorted keys, no spaces, UTF-8."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def sha256_of(data: dict[str, Any]) -> str:
    """The SHA-256 of the canonical JSON of `data`."""
    return hashlib.sha256(canonical_json(data)).hexdigest()


class Texts:
    """The authored texts of a report, gathered while it is built, and their translations (issue 15).

    Each text of an update, deliverable, outcome or contribution is noted with its item (`want`);
    `fill` then reads every current translation of them in one query and gives each text dict its
    `translations` ({language: {text, organisation, human, ...}}). A text without one keeps the shape it
    always had, so a report with no translation is the same data as before translations existed.
    """

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def want(
        self, kind: str, uid: Any, fields: dict[str, str], language: str, text: dict[str, Any], party: str
    ) -> dict[str, Any]:
        self.items.append(
            {
                "kind": kind,
                "uid": uid,
                "digest": translations.source_digest(fields, language),
                "text": text,
                "party": party,
                "language": language,
            }
        )
        return text

    def fill(self) -> None:
        found = translations.current((item["kind"], item["uid"], item["digest"]) for item in self.items)
        for item in self.items:
            current = found.get((item["kind"], item["uid"]))
            item["translated"] = current or {}
            if current:
                item["text"]["translations"] = current


def _statuses(
    year: int, texts: Texts, party_ids: dict[int, str]
) -> dict[tuple[int, int, int], dict[str, Any]]:
    """(action id, party id, period) -> that party's update that counts for the cycle, for `year` and
    the year before: `programme.queries.period_statuses`, the rule the dashboard counts by too; `late`
    when it came after the cycle's call for updates closed (shown so, never counted silently)."""
    statuses = {}
    for key, found in period_statuses([year - 1, year]).items():
        narrative = {"text": found.narrative, "language": found.language}
        if key[2] == year:  # last year's text is not shown: only this cycle's is translated for it
            texts.want(
                "update", found.uid, {"text": found.narrative}, found.language, narrative, party_ids[key[1]]
            )
        statuses[key] = {
            "version": found.version,
            "status": found.status,
            "narrative": narrative,
            "late": found.late,
        }
    return statuses


def _graph(areas: list[dict[str, Any]], related: Iterable[tuple[int, int]]) -> dict[str, Any]:
    """Areas and joint actions as a graph: nodes, edges and a deterministic circular layout.

    The actions sit on an outer circle in paragraph order grouped by area, each area on an inner
    circle at the mean angle of its actions (an area without actions on a small ring at the centre);
    related actions are joined across the circle. The
    same programme gives the same picture on every run and every machine.
    """
    graph = nx.Graph()
    ordered = [(area, action) for area in areas for action in area["actions"]]
    for area in areas:
        graph.add_node(f"area:{area['code']}", kind="area", area=area["code"])
    for area, action in ordered:
        node = f"action:{action['paragraph']}"
        graph.add_node(node, kind="action", area=area["code"], paragraph=action["paragraph"])
        graph.add_edge(f"area:{area['code']}", node, kind="area")
    for first, second in related:
        if first != second:
            graph.add_edge(f"action:{min(first, second)}", f"action:{max(first, second)}", kind="related")
    positions: dict[str, tuple[float, float]] = {}
    count = max(len(ordered), 1)
    for index, (_area, action) in enumerate(ordered):
        angle = 2 * math.pi * index / count - math.pi / 2
        positions[f"action:{action['paragraph']}"] = (math.cos(angle), math.sin(angle))
    # An area with no action has no angle of its own: such areas sit on a small ring of their own, so
    # that none lands on an area that has actions (area 14, Blockchain, was drawn on area 4, HPC).
    empty = [area for area in areas if not area["actions"]]
    for area in areas:
        members = [positions[f"action:{action['paragraph']}"] for action in area["actions"]]
        if members:
            x = sum(point[0] for point in members) / len(members)
            y = sum(point[1] for point in members) / len(members)
            angle, radius = math.atan2(y, x), 0.55
        else:
            angle, radius = 2 * math.pi * empty.index(area) / len(empty) + math.pi / 2, 0.2
        positions[f"area:{area['code']}"] = (radius * math.cos(angle), radius * math.sin(angle))
    nodes = [
        {
            "id": node,
            "kind": attributes["kind"],
            "area": attributes["area"],
            "paragraph": attributes.get("paragraph"),
            "degree": graph.degree[node],
            "x": round(positions[node][0], 4),
            "y": round(positions[node][1], 4),
        }
        for node, attributes in graph.nodes(data=True)
    ]
    edges = sorted(
        (
            {"source": min(a, b, key=_node_order), "target": max(a, b, key=_node_order), "kind": kind}
            for a, b, kind in graph.edges(data="kind")
        ),
        key=lambda edge: (edge["kind"], _node_order(edge["source"]), _node_order(edge["target"])),
    )
    # Clusters of actions joined by "related" links: an action with no link is a cluster of its own.
    related_only = nx.Graph()
    related_only.add_nodes_from(node for node in graph if node.startswith("action:"))
    related_only.add_edges_from((a, b) for a, b, kind in graph.edges(data="kind") if kind == "related")
    return {"nodes": nodes, "edges": edges, "clusters": nx.number_connected_components(related_only)}


def _node_order(node: str) -> tuple[int, str]:
    kind, _, key = node.partition(":")
    return (0, key) if kind == "area" else (1, f"{int(key):04d}")


def _areas_and_actions(
    year: int, parties: list[dict[str, Any]], party_ids: dict[int, str], texts: Texts
) -> tuple[list[dict[str, Any]], list[tuple[int, int]], dict[str, Any]]:
    """The 15 areas with their joint actions and each party's status for `year`; the related pairs;
    the executive summary (counts by area and party, what moved since the year before)."""
    statuses = _statuses(year, texts, party_ids)
    areas = [
        {
            "code": code,
            "name_en": name_en,
            "name_ja": name_ja,
            "paragraphs": paragraphs,
            "actions": [],
        }
        for code, name_en, name_ja, paragraphs in Area.objects.order_by("position").values_list(
            "code", "name_en", "name_ja", "paragraphs"
        )
    ]
    by_code = {area["code"]: area for area in areas}
    paragraph_of: dict[int, int] = {}
    moved: dict[str, list[dict[str, Any]]] = {party["code"]: [] for party in parties}
    for pk, paragraph, area_code, heading_en, heading_ja, title_en, title_ja in JointAction.objects.order_by(
        "paragraph"
    ).values_list("pk", "paragraph", "area__code", "heading_en", "heading_ja", "title_en", "title_ja"):
        paragraph_of[pk] = paragraph
        action: dict[str, Any] = {
            "paragraph": paragraph,
            "heading_en": heading_en,
            "heading_ja": heading_ja,
            "title_en": title_en,
            "title_ja": title_ja,
            "related": [],
            "parties": {},
        }
        for party_id, code in party_ids.items():
            current = statuses.get((pk, party_id, year))
            previous = statuses.get((pk, party_id, year - 1))
            action["parties"][code] = current
            if current and previous and current["status"] != previous["status"]:
                moved[code].append(
                    {"paragraph": paragraph, "from": previous["status"], "to": current["status"]}
                )
        by_code[area_code]["actions"].append(action)
    related = [
        (paragraph_of[first], paragraph_of[second])
        for first, second in JointAction.related.through.objects.values_list(
            "from_jointaction_id", "to_jointaction_id"
        )
    ]
    by_paragraph = {action["paragraph"]: action for area in areas for action in area["actions"]}
    for first, second in related:
        if second not in by_paragraph[first]["related"]:
            by_paragraph[first]["related"].append(second)
    for action in by_paragraph.values():
        action["related"].sort()
    by_area = []
    totals = {party["code"]: dict.fromkeys(STATUSES, 0) for party in parties}
    late = dict.fromkeys(totals, 0)
    for area in areas:
        counts = {party["code"]: dict.fromkeys(STATUSES, 0) for party in parties}
        for action in area["actions"]:
            for code, current in action["parties"].items():
                status = current["status"] if current else "missing"
                counts[code][status] += 1
                totals[code][status] += 1
                late[code] += bool(current and current["late"])
        by_area.append({"area": area["code"], "actions": len(area["actions"]), "counts": counts})
    # Late updates are counted with their status and named as late: never counted silently (issue 14).
    summary = {"by_area": by_area, "totals": totals, "late": late, "moved": moved}
    return areas, related, summary


def _deliverable(row: dict[str, Any], texts: Texts) -> dict[str, Any]:
    title = {"text": row["title"], "language": row["language"]}
    fields = {"text": row["title"], "description": row["description"]}
    texts.want("deliverable", row["uid"], fields, row["language"], title, row["party__code"])
    return {
        "uid": str(row["uid"]),
        "paragraph": row["action__paragraph"],
        "party": row["party__code"],
        "organisation": row["organisation__code"],
        "title": title,
        "due_date": _date(row["due_date"]),
        "due_period": row["due_period"],
        "status": row["status"],
    }


DELIVERABLE_FIELDS = (
    "uid",
    "action__paragraph",
    "party__code",
    "organisation__code",
    "title",
    "description",
    "language",
    "due_date",
    "due_period",
    "status",
)


def _deliverables(year: int, texts: Texts) -> dict[str, Any]:
    """Delivered in the cycle (last changed during `year`) and overdue at the cycle's end (or today)."""
    as_of = min(timezone.now().date(), datetime.date(year, 12, 31))
    delivered = (
        Deliverable.objects.filter(status=Deliverable.Status.DELIVERED, updated_at__year=year)
        .order_by("action__paragraph", "party__code", "title")
        .values(*DELIVERABLE_FIELDS)
    )
    overdue = (
        overdue_deliverables(today=as_of)
        .select_related(None)
        .order_by("action__paragraph", "party__code", "due_date", "title")
        .values(*DELIVERABLE_FIELDS)
    )
    return {
        "as_of": as_of.isoformat(),
        "delivered": [_deliverable(row, texts) for row in delivered],
        "overdue": [_deliverable(row, texts) for row in overdue],
    }


def _indicators(year: int) -> list[dict[str, Any]]:
    """Every indicator with baseline, target, the latest actual up to the cycle's end and a yearly
    series for its chart (the last value of each year): two queries whatever the number of values."""
    yearly = (
        IndicatorValue.objects.filter(period_end__lte=datetime.date(year, 12, 31))
        .annotate(
            year=ExtractYear("period_end"),
            rank=Window(
                RowNumber(),
                partition_by=[F("indicator_id"), ExtractYear("period_end")],
                order_by=[F("period_end").desc(), F("period_start").desc()],
            ),
        )
        .filter(rank=1)
        .order_by("indicator_id", "period_end")
        .values_list("indicator_id", "period_end", "value", "source")
    )
    series: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for indicator_id, period_end, value, source in yearly:
        series[indicator_id].append(
            {"period_end": period_end.isoformat(), "value": _number(value), "source": source}
        )
    result = []
    for row in Indicator.objects.order_by("action__paragraph", "party__code", "title").values(
        "pk",
        "uid",
        "action__paragraph",
        "party__code",
        "organisation__code",
        "title",
        "language",
        "unit",
        "ascending",
        "baseline_value",
        "baseline_year",
        "target_value",
        "target_date",
    ):
        points = series.get(row["pk"], [])
        result.append(
            {
                "uid": str(row["uid"]),
                "paragraph": row["action__paragraph"],
                "party": row["party__code"],
                "organisation": row["organisation__code"],
                "title": {"text": row["title"], "language": row["language"]},
                "unit": row["unit"],
                "ascending": row["ascending"],
                "baseline": {"value": _number(row["baseline_value"]), "year": row["baseline_year"]},
                "target": {"value": _number(row["target_value"]), "date": _date(row["target_date"])},
                "latest": points[-1] if points else None,
                "series": [[point["period_end"], point["value"]] for point in points],
                "source": "secretariat",
            }
        )
    return result


def _signed_by(outcome: Outcome) -> dict[str, Any] | None:
    """Where an outcome signed by a peer node is in that node's log (None for this node's own)."""
    party, entry = outcome.signed_by, outcome.ledger_entry
    if party is None or entry is None:
        return None
    return {"party": party, "entry": entry.index, "key_id": entry.key_id}


def _agreement(outcome: Outcome) -> dict[str, Any] | None:
    """A decision's or guidance item's agreement: proposed by the host party, agreed by the other
    (`agreed_by` null while it awaits the other party); None for a note, one party's act."""
    if outcome.kind == Outcome.Kind.NOTE:
        return None
    host = outcome.meeting.party
    return {
        "proposed_by": host.code if host is not None else None,
        "agreed_by": outcome.agreed_by.code if outcome.agreed_by is not None else None,
    }


def _outcome_text(outcome: Outcome, texts: Texts) -> dict[str, Any]:
    text = {"text": outcome.text, "language": outcome.language}
    host = outcome.meeting.party.code if outcome.meeting.party is not None else ""
    return texts.want("outcome", outcome.uid, {"text": outcome.text}, outcome.language, text, host)


def _outcome(outcome: Outcome, texts: Texts) -> dict[str, Any]:
    owner = outcome.owner
    return {
        "uid": str(outcome.uid),
        "kind": outcome.kind,
        "text": _outcome_text(outcome, texts),
        "owner": (
            {"code": owner.code, "name_en": owner.name_en, "name_ja": owner.name_ja} if owner else None
        ),
        "follow_up": outcome.follow_up,
        "follow_up_note": outcome.follow_up_note,
        "signed_by": _signed_by(outcome),
        "agreement": _agreement(outcome),
        "meeting": {
            "title": outcome.meeting.title,
            "date": outcome.meeting.date.isoformat(),
            "cycle": outcome.meeting.cycle.year,
        },
    }


def _follow_up(cycle: Cycle, texts: Texts) -> dict[str, Any]:
    """Guidance and decisions of earlier cycles still open, and those closed during this cycle."""
    still_open = open_guidance(before_year=cycle.year).select_related(
        "meeting__cycle", "meeting__party", "owner", "ledger_entry", "agreed_by"
    )
    closed = (
        Outcome.objects.filter(closed_in=cycle)
        .exclude(kind=Outcome.Kind.NOTE)
        .select_related("meeting__cycle", "meeting__party", "owner", "ledger_entry", "agreed_by")
    )
    order = ("meeting__date", "pk")
    return {
        "open": [_outcome(item, texts) for item in still_open.order_by(*order)],
        "closed_in_cycle": [_outcome(item, texts) for item in closed.order_by(*order)],
    }


def _priorities(cycle: Cycle) -> list[dict[str, Any]]:
    """The priorities the Council set for this cycle and what became of them."""
    return [
        {
            "area": priority.area.code if priority.area else None,
            "paragraph": priority.action.paragraph if priority.action else None,
            "rationale": {"text": priority.rationale, "language": priority.language},
            "result": priority.result,
            "result_note": priority.result_note,
            "set_at": {"title": priority.set_at.title, "date": priority.set_at.date.isoformat()},
        }
        for priority in Priority.objects.filter(cycle=cycle)
        .select_related("area", "action", "set_at")
        .order_by("pk")
    ]


def _meetings(cycle: Cycle, texts: Texts) -> list[dict[str, Any]]:
    """Meetings held in the cycle, oldest first, with their outcomes (two queries)."""
    meetings = (
        Meeting.objects.filter(cycle=cycle)
        .select_related("mechanism", "party")
        .prefetch_related(
            Prefetch("outcomes", queryset=Outcome.objects.select_related("ledger_entry", "agreed_by"))
        )
        .order_by("date", "pk")
    )
    return [
        {
            "uid": str(meeting.uid),
            "kind": meeting.kind,
            "title": {"text": meeting.title, "language": meeting.language},
            "date": meeting.date.isoformat(),
            "place": meeting.place,
            "online": meeting.online,
            "mechanism": {
                "code": meeting.mechanism.code,
                "name_en": meeting.mechanism.name_en,
                "name_ja": meeting.mechanism.name_ja,
            },
            "outcomes": [
                {
                    "uid": str(outcome.uid),
                    "kind": outcome.kind,
                    "text": _outcome_text(outcome, texts),
                    "follow_up": outcome.follow_up,
                    "signed_by": _signed_by(outcome),
                    "agreement": _agreement(outcome),
                }
                for outcome in sorted(meeting.outcomes.all(), key=lambda outcome: outcome.pk)
            ],
        }
        for meeting in meetings
    ]


def _contribution_text(row: Any, texts: Texts) -> dict[str, Any]:
    text = {"text": row["text"], "language": row["language"]}
    party = row["organisation__party__code"] or ""
    return texts.want("contribution", row["uid"], {"text": row["text"]}, row["language"], text, party)


def _stakeholders(cycle: Cycle, texts: Texts) -> dict[str, Any]:
    """Accepted contributions of the cycle: counts by kind of organisation, and the texts (paras 22, 45)."""
    accepted = Contribution.objects.filter(window__cycle=cycle, status=Contribution.Status.ACCEPTED)
    by_kind = {
        kind: count
        for kind, count in accepted.values_list("organisation__kind")
        .annotate(count=Count("pk"))
        .order_by("organisation__kind")
    }
    return {
        "by_kind": by_kind,
        "total": sum(by_kind.values()),
        "contributions": [
            {
                "uid": str(row["uid"]),
                "organisation": {
                    "code": row["organisation__code"],
                    "kind": row["organisation__kind"],
                    "name_en": row["organisation__name_en"],
                    "name_ja": row["organisation__name_ja"],
                },
                "text": _contribution_text(row, texts),
                "reply": row["reply"],
            }
            for row in accepted.order_by("created_at", "pk").values(
                "uid",
                "organisation__code",
                "organisation__kind",
                "organisation__name_en",
                "organisation__name_ja",
                "organisation__party__code",
                "text",
                "language",
                "reply",
            )
        ],
    }


def _exchanges(year: int) -> list[dict[str, Any]]:
    """The registered exchanges' indicators and report sections (in both languages)."""
    sections = []
    for exchange in exchanges.registered():
        titles = {}
        for language in LANGUAGES:
            with translation.override(language):
                titles[language] = str(exchange.title or exchange.name)
        sections.append(
            {
                "name": exchange.name,
                "title": titles,
                "annex_paragraphs": sorted(exchange.annex_paragraphs),
                "indicators": _jsonable(exchange.indicators(year)),
                "sections": {
                    language: _jsonable(exchange.report_section(year, language)) for language in LANGUAGES
                },
            }
        )
    return sections


def build_report(year: int) -> dict[str, Any]:
    """The progress report of cycle `year` as JSON-serialisable, language-neutral data (live)."""
    return build_report_with_texts(year)[0]


def build_report_with_texts(year: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """`build_report(year)` and its authored texts as `Texts` gathered them: each {kind, uid, party,
    language, text, translated ({language: info})}, for the translation queue (issue 15)."""
    texts = Texts()
    cycle = get_cycle(year)
    rows = list(Party.objects.order_by("code").values_list("pk", "code", "name_en", "name_ja"))
    parties = [{"code": code, "name_en": name_en, "name_ja": name_ja} for _pk, code, name_en, name_ja in rows]
    party_ids = {pk: code for pk, code, _en, _ja in rows}
    areas, related, summary = _areas_and_actions(year, parties, party_ids, texts)
    data = {
        "schema": SCHEMA,
        "cycle": {
            "year": cycle.year,
            "phase": cycle.phase,
            "call_opens": _date(cycle.call_opens),
            "call_closes": _date(cycle.call_closes),
            "council_date": _date(cycle.council_date),
        },
        "parties": parties,
        "statuses": STATUSES,
        "summary": summary,
        "areas": areas,
        "deliverables": _deliverables(year, texts),
        "indicators": _indicators(year),
        "follow_up": _follow_up(cycle, texts),
        "priorities": _priorities(cycle),
        "meetings": _meetings(cycle, texts),
        "stakeholders": _stakeholders(cycle, texts),
        "graph": _graph(areas, related),
        "exchanges": _exchanges(year),
    }
    texts.fill()
    return data, texts.items
