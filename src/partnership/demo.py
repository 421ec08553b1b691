"""The demo: the Japan-EU programme, demo accounts for every role, and progress that looks real.

Everything goes through the services, as the demo users, so the demo obeys the same rules as real use.
Running it again keeps what is there: accounts, passwords and progress already present are left alone.
"""

import datetime
import functools
import json
import os
import secrets
from decimal import Decimal
from pathlib import Path

import yaml
from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from partnership.cycle import report as cycle_report
from partnership.cycle import services as cycle_services
from partnership.cycle.models import (
    ConsultationWindow,
    Contribution,
    Cycle,
    Meeting,
    Outcome,
    PhaseChange,
    Priority,
)
from partnership.people.models import Membership, Organisation
from partnership.people.services import create_member
from partnership.programme import services
from partnership.programme.exchanges import DemoAccount, DemoContext, registered
from partnership.programme.loader import load_programme
from partnership.programme.models import JointAction, ProgressUpdate

DEMO_ACCOUNTS = [
    DemoAccount(
        "jp-secretariat",
        "jp-digital-agency",
        Membership.Role.SECRETARIAT,
        "Digital Agency, Japan's secretariat",
    ),
    DemoAccount(
        "eu-secretariat", "eu-dg-connect", Membership.Role.SECRETARIAT, "DG CONNECT, the EU's secretariat"
    ),
    DemoAccount(
        "jp-lead", "jp-mic", Membership.Role.ACTION_LEAD, "MIC, leads 5G/Beyond 5G and connectivity actions"
    ),
    DemoAccount(
        "eu-lead", "eu-dg-grow", Membership.Role.ACTION_LEAD, "DG GROW, leads industry and standards actions"
    ),
    DemoAccount("jp-stakeholder", "jp-jbce", Membership.Role.STAKEHOLDER, "Japan Business Council in Europe"),
    DemoAccount(
        "eu-stakeholder", "eu-ebc", Membership.Role.STAKEHOLDER, "European Business Council in Japan"
    ),
    DemoAccount("eu-member-state", "eu-member-states", Membership.Role.MEMBER_STATE, "an EU Member State"),
]


def demo_password() -> str:
    """PARTNERSHIP_DEMO_PASSWORD, or a generated one kept (mode 0600) in the data directory."""
    if settings.DEMO_PASSWORD:
        return settings.DEMO_PASSWORD
    path = Path(settings.DATA_DIR) / "demo-password"
    if path.exists():
        return path.read_text().strip()
    password = secrets.token_urlsafe(12)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(password)
    return password


def _on_this_node(party: str) -> bool:
    """Whether `party` authors on this node: every party on the single node, its own on a federated one."""
    return not settings.NODE_PARTY or party == settings.NODE_PARTY


def create_demo_accounts(password: str) -> list[tuple[DemoAccount, bool]]:
    """Create the demo accounts (of this node's party only, on a federated node) that do not exist yet;
    return each with whether it was created."""
    result = []
    create_exchange_organisations()
    for account in [*DEMO_ACCOUNTS, *(a for exchange in registered() for a in exchange.demo_accounts)]:
        if not _on_this_node(account.username.split("-")[0].upper()):
            continue
        exists = User.objects.filter(username=account.username).exists()
        email = f"{account.username}@demo.invalid"  # reminders need an address; .invalid never delivers
        if not exists:
            create_member(
                account.username,
                password,
                Organisation.objects.get(code=account.organisation),
                account.role,
                email=email,
            )
        else:
            # Accounts of an older demo had no address: give them one, change nothing else.
            User.objects.filter(username=account.username, email="").update(email=email)
        result.append((account, not exists))
    return result


def create_exchange_organisations() -> None:
    """The organisations the installed exchanges need for their demo (e.g. the ISACs of para 54), which
    the programme's text does not name, unless they exist."""
    from partnership.people.models import Party

    for exchange in registered():
        for organisation in exchange.demo_organisations:
            Organisation.objects.get_or_create(
                code=organisation.code,
                defaults={
                    "party": Party.objects.get(code=organisation.party),
                    "kind": organisation.kind,
                    "name_en": organisation.name_en,
                    "name_ja": organisation.name_ja,
                },
            )


#: Each demo action's course over the two cycles, (last year's status, this year's), taken in turn: an
#: action behind plan last year catches up, one on track falls behind, one finishes. The narrative of an
#: update is always one that says its status (NARRATIVES), never drawn separately from it.
TRAJECTORIES = [
    ("on_track", "on_track"),
    ("at_risk", "on_track"),
    ("on_track", "at_risk"),
    ("on_track", "done"),
    ("off_track", "at_risk"),
    ("on_track", "on_track"),
    ("done", "done"),
]
#: What an update of each status says, in each language: tests/test_demo_data.py checks that every demo
#: update's narrative reads as its status (behind plan only when at risk or off track, finished only
#: when done).
NARRATIVES: dict[str, dict[str, list[str]]] = {
    "on_track": {
        "en": [
            "Experts met at the {mechanism} and agreed the work plan for this cycle; the next exchange is "
            "scheduled.",
            "A joint expert workshop took place; both sides shared their approaches and identified two pilot "
            "topics.",
            "The joint paper was finalised and circulated to stakeholders for comment before the Council.",
        ],
        "ja": [
            "{mechanism}において専門家会合を開催し、今サイクルの作業計画に合意した。次回の意見交換を調整中。",
            "共同専門家ワークショップを開催し、双方の取組を共有して二つのパイロット課題を特定した。",
            "共同文書を最終化し、理事会に先立ちステークホルダーに意見照会を行った。",
        ],
    },
    "at_risk": {
        "en": [
            "Progress is slower than planned because of a change in the lead team; a new timeline will be "
            "proposed.",
            "Information was exchanged in writing; the planned meeting was postponed to the next quarter.",
        ],
        "ja": [
            "担当体制の変更により進捗が計画より遅れている。新たなスケジュールを提案する予定。",
            "書面で情報交換を行ったが、予定していた会合は次の四半期に延期された。",
        ],
    },
    "off_track": {
        "en": [
            "Work has stopped: the two sides have not agreed the scope, and this cycle's milestones will be "
            "missed.",
        ],
        "ja": [
            "作業範囲について双方の合意が得られず作業が停止しており、今サイクルの目標は達成できない見込み。"
        ],
    },
    "done": {
        "en": [
            "The work plan is complete: the final joint paper was published and both sides closed the action "
            "at the {mechanism}.",
        ],
        "ja": ["作業計画を完了した。最終共同文書を公表し、{mechanism}において双方が本行動の完了を確認した。"],
    },
}
MECHANISMS = [
    ("Digital Policy Dialogue", "日EUデジタル政策対話"),
    ("Industrial Dialogue", "日EU産業政策対話"),
    ("Cybersecurity Dialogue", "日EUサイバー対話"),
    ("EPA Committee", "EPA委員会"),
]
#: The indicators of the demo: (party, title, language, unit, baseline, target), one pair per sixth
#: action, each pair with its own numbers; the actuals per quarter follow the action's course.
INDICATORS = [
    ("JP", "専門家会合の開催数", "ja", "meetings", 2, 8),
    ("EU", "Stakeholders consulted", "en", "organisations", 12, 40),
    ("JP", "共同パイロット事業の数", "ja", "pilots", 0, 5),
    ("EU", "Experts trained", "en", "people", 40, 250),
    ("JP", "参加企業数", "ja", "companies", 15, 60),
    ("EU", "Joint publications", "en", "publications", 1, 6),
]
#: How far along its way from baseline to target an indicator is at the end of each quarter of the two
#: cycles, by the action's status this year (an action behind plan shows it in its figures too).
PROGRESS = {
    "on_track": [0.10, 0.22, 0.35, 0.45, 0.55, 0.66, 0.78, 0.90],
    "done": [0.15, 0.35, 0.55, 0.70, 0.85, 1.00, 1.00, 1.00],
    "at_risk": [0.08, 0.15, 0.25, 0.30, 0.33, 0.36, 0.40, 0.42],
    "off_track": [0.05, 0.08, 0.10, 0.10, 0.12, 0.12, 0.12, 0.12],
}


def narrative(status: str, language: str, variant: int, mechanism: tuple[str, str]) -> str:
    """The demo's narrative of an update of `status`: one that says that status, in `language`."""
    texts = NARRATIVES[status][language]
    return texts[variant % len(texts)].format(mechanism=mechanism[1] if language == "ja" else mechanism[0])


def _at(day: datetime.date, hour: int = 9) -> datetime.datetime:
    """A demo event's time: `hour` o'clock UTC on `day`."""
    return datetime.datetime.combine(day, datetime.time(hour, 0), tzinfo=datetime.UTC)


def _quarters(first_year: int, today: datetime.date) -> list[tuple[datetime.date, datetime.date]]:
    """The quarters of `first_year` and the next year that have ended before `today`."""
    quarters = []
    for year in (first_year, first_year + 1):
        for month in (1, 4, 7, 10):
            start = datetime.date(year, month, 1)
            end = (start + datetime.timedelta(days=95)).replace(day=1) - datetime.timedelta(days=1)
            if end < today:
                quarters.append((start, end))
    return quarters


@transaction.atomic
def seed_progress(today: datetime.date | None = None) -> bool:
    """File two cycles of updates, some deliverables and indicators, unless progress exists already.

    Each update is dated to its place in the demo's calendar (`demo_calendar`): last year's in last year's
    call for updates, this year's since this year's call opened; see `backdate` for what stays as made.
    """
    if ProgressUpdate.objects.exists():
        return False
    today = today or timezone.now().date()
    calendar = demo_calendar(today)
    last, this = _demo_years(today)
    jp = User.objects.get(username="jp-secretariat") if _on_this_node("JP") else None
    eu = User.objects.get(username="eu-secretariat") if _on_this_node("EU") else None
    for index, action in enumerate(JointAction.objects.order_by("paragraph")):
        mechanism = MECHANISMS[index % len(MECHANISMS)]
        this_status = "on_track"
        for offset, (user, language) in enumerate(((jp, "ja"), (eu, "en"))):
            course = TRAJECTORIES[(index + offset * 3) % len(TRAJECTORIES)]
            if offset == 0:
                this_status = course[1]
            for period, status in zip((last, this), course, strict=True):
                if user is None:
                    continue
                # Every fifth action has no current update from one party: the dashboard shows who is missing.
                if period == this and (index + offset) % 5 == 0:
                    continue
                update = services.file_update(
                    user,
                    action.paragraph,
                    {
                        "status": status,
                        "narrative": narrative(status, language, index + period, mechanism),
                        "language": language,
                        "period": period,
                    },
                )
                calendar_of_period = calendar[period]
                opened = calendar_of_period["call_opens"]
                # Spread over the call: last year's within it, this year's since it opened up to today.
                span = (min(calendar_of_period["call_closes"], today) - opened).days - 1
                filed = min(
                    today, opened + datetime.timedelta(days=1 + (index * 7 + offset * 3) % max(span, 1))
                )
                ProgressUpdate.objects.filter(pk=update.pk).update(created_at=_at(filed, (2, 9)[offset]))
        if index % 3 == 0 and jp:
            services.create_deliverable(
                jp,
                action.paragraph,
                {
                    "title": f"共同報告書：{action.title_ja or action.title_en}",
                    "language": "ja",
                    "due_date": (today - datetime.timedelta(days=20 + index)).isoformat(),
                    "status": "in_progress",
                    "evidence": [],
                },
            )
        if index % 3 == 0 and eu:
            # The action's title as the text writes it ("5G, 6G, IoT, AI", "GPAI"), never lower-cased.
            services.create_deliverable(
                eu,
                action.paragraph,
                {
                    "title": f"Expert workshop: {action.title_en}",
                    "language": "en",
                    "due_date": (today + datetime.timedelta(days=60 + index)).isoformat(),
                    "status": "planned",
                    "evidence": [],
                },
            )
        if index % 4 == 1 and eu:
            statement = services.create_deliverable(
                eu,
                action.paragraph,
                {
                    "title": f"Joint statement: {action.title_en}",
                    "language": "en",
                    "due_period": last,
                    "status": "delivered",
                    "evidence": ["https://digital-strategy.ec.europa.eu/en/policies/partnership-japan"],
                },
            )
            # Delivered last year, at the Council of last year's cycle.
            delivered = _at(calendar[last]["council_date"], 12)
            type(statement).objects.filter(pk=statement.pk).update(created_at=delivered, updated_at=delivered)
        if index % 6 == 2:
            _seed_indicators(action, index, this_status, {"JP": jp, "EU": eu}, today)
    if eu is None or jp is None:
        return True  # a federated node: comments of both sides belong to the single node's demo
    services.add_comment(
        User.objects.get(username="eu-member-state"),
        46,
        {
            "body": "Member States would welcome a briefing on the early-warning pilot before the Council.",
            "language": "en",
        },
    )
    services.add_comment(
        User.objects.get(username="jp-stakeholder"),
        72,
        {"body": "JBCEとして、製造業におけるAI活用に関する知見共有に協力したい。", "language": "ja"},
    )
    return True


def _seed_indicators(
    action: JointAction, index: int, status: str, secretariats: dict[str, User | None], today: datetime.date
) -> None:
    """A pair of indicators of `action`, each with its own baseline, target and quarterly actuals."""
    last, this = _demo_years(today)
    pair = (index // 6) % (len(INDICATORS) // 2)
    # The second round of the pairs is of larger actions: a higher baseline and a further target.
    scale = 1 + (index // 6) // (len(INDICATORS) // 2)
    for party, title, language, unit, base, goal in INDICATORS[pair * 2 : pair * 2 + 2]:
        baseline, target = base * scale + (scale - 1), goal * scale + 3 * (scale - 1)
        user = secretariats[party]
        if user is None:
            continue
        indicator = services.create_indicator(
            user,
            action.paragraph,
            {
                "title": title,
                "language": language,
                "unit": unit,
                "ascending": True,
                "baseline_value": str(baseline),
                "baseline_year": last - 1,
                "target_value": str(target),
                "target_date": f"{this}-12-31",
            },
        )
        for quarter, (start, end) in enumerate(_quarters(last, today)):
            share = Decimal(str(PROGRESS[status][quarter]))
            value = (baseline + (target - baseline) * share).quantize(Decimal("1"))
            recorded, _new = services.record_indicator_value(
                user,
                indicator.uid,
                {
                    "period_start": start.isoformat(),
                    "period_end": end.isoformat(),
                    "value": str(value),
                    "source": "secretariat records",
                },
            )
            # Recorded in the fortnight after the quarter, as a secretariat would.
            type(recorded).objects.filter(pk=recorded.pk).update(
                recorded_at=_at(min(end + datetime.timedelta(days=14), today))
            )


# --- the yearly cycle: last year's complete, this year's under way ---------------------------------------

#: The demo's meetings, outcomes and contributions of both cycles, as data (see the file's header).
CYCLES_FILE = Path(__file__).resolve().parent / "data" / "demo-cycles.yaml"


def _cycles_data(last: int, this: int) -> dict:
    """The demo cycles' file with its years filled in: `year` and {last}/{this} in texts."""
    document = yaml.safe_load(CYCLES_FILE.read_text(encoding="utf-8"))
    years = {"last": last, "this": this}

    def fill(value):
        if isinstance(value, dict):
            return {key: fill(item) for key, item in value.items()}
        if isinstance(value, list):
            return [fill(item) for item in value]
        if isinstance(value, str):
            # {round}: the Digital Policy Dialogue's round in last year (it read "第-114回", a year
            # subtracted from the wrong side).
            return (
                value.replace("{last}", str(last))
                .replace("{this}", str(this))
                .replace("{round}", str(last - 2015))
            )
        return value

    meetings = []
    for item in fill(document["meetings"]):
        item["year"] = years[item["year"]]
        if item.get("participants") == "council":
            item["participants"] = document["council_participants"]
        meetings.append(item)
    return {"meetings": meetings, "contributions": fill(document["contributions"])}


POSITION_PAPER = (
    "海底ケーブル障害報告に関する意見書\n\n"
    "1. 陸揚げ局事業者の参加\n2. 報告様式の日英併記\n3. 復旧見込み時刻の共有\n"
).encode()


def _record_meeting(secretariat: User, year: int, date: datetime.date, item: dict):
    meeting = cycle_services.record_meeting(
        secretariat,
        year,
        {
            key: item.get(key, default)
            for key, default in (
                ("mechanism", None),
                ("kind", None),
                ("title", None),
                ("language", None),
                ("place", ""),
                ("online", False),
                ("participants", []),
                ("minutes", ""),
                ("agenda", []),
            )
        }
        | {"date": date},
    )
    for outcome in item.get("outcomes", []):
        cycle_services.record_outcome(secretariat, meeting.uid, outcome)
    return meeting


@transaction.atomic
def seed_cycles(today: datetime.date | None = None) -> bool:
    """Last year's cycle, complete, and this year's with the call for updates open, unless cycles exist.

    Meetings, Council guidance, priorities, consultation windows and contributions go through the services
    as the demo users, in the order of a real year (`demo_calendar`): last year's report is published
    after the stock-take and before last year's Council meets, which then takes stock of it. The times
    the services set to "now" are then moved to their day in the calendar (`backdate`; a window takes
    contributions only while open, so last year's is filled first and then given its real days).
    """
    if Cycle.objects.exists():
        return False
    today = today or timezone.now().date()
    last, this = _demo_years(today)
    calendars = _calendars(today)
    dates = demo_calendar(today)
    jp = User.objects.get(username="jp-secretariat")
    eu = User.objects.get(username="eu-secretariat")
    # Each calendar is proposed by one secretariat and agreed by the other (paras 21, 23).
    cycle_services.create_cycle(jp, calendars[last])
    cycle_services.agree_calendar(eu, last)
    cycle_services.create_cycle(eu, calendars[this])
    cycle_services.agree_calendar(jp, this)
    taken_by = {
        "call_open": jp,
        "call_closed": eu,
        "stock_take": jp,
        "council_held": eu,
        "guidance_published": jp,
    }

    def take(phase: str) -> None:
        cycle_services.advance_phase(taken_by[phase], last, phase)

    data = _cycles_data(last, this)
    council_item = next(item for item in data["meetings"] if item["kind"] == "council")
    hosts = {id(item): (jp if index % 2 == 0 else eu) for index, item in enumerate(data["meetings"])}

    def hold(item: dict):
        meeting = _record_meeting(hosts[id(item)], item["year"], _meeting_date(item, today), item)
        for priority in item.get("priorities", []):
            cycle_services.set_priority(hosts[id(item)], meeting.uid, {**priority, "cycle": this})
        return meeting

    # Last year, up to the stock-take: the mechanisms' meetings, the call, the consultation.
    take("call_open")
    for item in data["meetings"]:
        if item["year"] == last and item is not council_item:
            hold(item)
    _consult(jp, eu, last, dates[last], data["contributions"]["last"], with_attachment=False)
    take("call_closed")
    take("stock_take")
    # The report to the Council, published before it meets and countersigned by the other party's
    # secretariat, as both parties sign it (issue 14).
    published = cycle_report.publish_report(eu, last)
    cycle_report.countersign_report(jp, last, published.sha256)
    # The Council takes stock of it and gives its word; the secretariats publish the guidance.
    take("council_held")
    council = hold(council_item)
    take("guidance_published")
    # Follow-up by the owners: one decision under way, one guidance item closed.
    decision, ai_guidance = Outcome.objects.filter(meeting=council).exclude(kind="note").order_by("pk")[:2]
    cycle_services.follow_up(
        eu,
        decision.uid,
        {
            "follow_up": "in_progress",
            "note": "Operators of four cables report through the exchange since spring.",
        },
    )
    cycle_services.follow_up(
        jp,
        ai_guidance.uid,
        {"follow_up": "closed", "note": "用語集の第一版を公表し、双方の関係機関に共有した。"},
    )
    # Last year's Council word is agreed by both: the other secretariat confirmed each decision, guidance
    # item and priority. This year's guidance still awaits the other party's confirmation.
    other = {"JP": eu, "EU": jp}
    for outcome in Outcome.objects.filter(meeting__cycle__year=last).exclude(kind="note"):
        cycle_services.confirm_outcome(other[outcome.meeting.party.code], outcome.uid)

    # This year: the call is open, the mechanisms have met, the consultation is open.
    cycle_services.advance_phase(eu, this, "call_open")
    for item in data["meetings"]:
        if item["year"] == this:
            hold(item)
    for priority in Priority.objects.filter(cycle__year=this):
        cycle_services.confirm_priority(other[priority.set_at.party.code], priority.uid)
    first_priority = Priority.objects.filter(cycle__year=this).order_by("pk").first()
    assert first_priority is not None
    cycle_services.record_priority_result(
        {"JP": jp, "EU": eu}[first_priority.set_at.party.code],
        first_priority.pk,
        {"result": "partly", "note": "Quarterly exchange running; partners not yet invited."},
    )
    _consult(jp, eu, this, dates[this], data["contributions"]["this"], with_attachment=True)
    backdate(today)
    return True


def _consult(jp: User, eu: User, year: int, dates: dict, entries: list[dict], with_attachment: bool) -> None:
    """A consultation window of `year` with the demo's contributions, each moderated by its party's
    secretariat; a past window is opened today to take them, then given its own days."""
    today = timezone.now().date()
    opens, closes = dates["consultation_opens"], dates["consultation_closes"]
    past = closes < today
    title = f"Stakeholder consultation {year} / {year}年 意見募集"
    window = cycle_services.open_window(
        jp,
        year,
        {
            "title": title,
            "opens": today if past else opens,
            "closes": today + datetime.timedelta(days=1) if past else closes,
        },
    )
    for entry in entries:
        username, decision_data = entry["account"], entry["moderation"]
        attachment = None
        if username == "jp-stakeholder" and with_attachment:
            attachment = ContentFile(POSITION_PAPER, name="ikensho.txt")
        contribution = cycle_services.submit_contribution(
            User.objects.get(username=username), window.pk, entry["contribution"], attachment
        )
        if decision_data is not None:
            # Each party's secretariat moderates its own party's contributors.
            moderator = jp if contribution.organisation.party.code == "JP" else eu
            cycle_services.moderate(moderator, contribution.uid, decision_data)
    if past:
        start, end = cycle_services.whole_days(window.party.time_zone, opens, closes)
        ConsultationWindow.objects.filter(pk=window.pk).update(opens=start, closes=end)


#: The note of when the demo wrote its history, in the data directory (`write_history_note`).
HISTORY_NOTE = "demo-history.json"


def write_history_note(stdout=None) -> None:
    """Keep the day the demo wrote its history, unless kept already: every page then says that the
    history was dated back (`backdate`), and when it was really written."""
    path = Path(settings.DATA_DIR) / HISTORY_NOTE
    if path.exists():
        return
    today = timezone.now().date()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump({"written_on": today.isoformat(), "dated_from": today.year - 1}, handle)
    if stdout is not None:
        stdout.write(f"history: dated back to {today.year - 1}; pages say it was written on {today}")


def history_note() -> dict | None:
    """{"written_on": date, "dated_from": year} of a demo node, None on any other node."""
    path = Path(settings.DATA_DIR) / HISTORY_NOTE
    try:
        changed = path.stat().st_mtime_ns
    except OSError:
        return None
    return _read_history_note(str(path), changed)


@functools.lru_cache(maxsize=4)
def _read_history_note(path: str, _changed: int) -> dict | None:
    try:
        note = json.loads(Path(path).read_text(encoding="utf-8"))
        return {
            "written_on": datetime.date.fromisoformat(note["written_on"]),
            "dated_from": int(note["dated_from"]),
        }
    except (OSError, ValueError, KeyError, TypeError):
        return None


def prepare_demo(stdout) -> str:
    """Migrate, load the programme, create accounts and progress; return the demo password."""
    call_command("migrate", interactive=False, verbosity=0)
    report = load_programme()
    stdout.write("programme: " + report.summary().replace("\n", "; "))
    password = demo_password()
    accounts = create_demo_accounts(password)
    seeded = seed_progress()
    stdout.write(
        "progress: " + ("demo updates, deliverables and indicators filed" if seeded else "kept as it was")
    )
    # The cycle is run jointly by both secretariats: on a federated node each acts on its own node, in
    # stages with a sync between them, which `demo-federation` runs once both nodes serve.
    if settings.NODE_PARTY:
        stdout.write("cycles: " + federated_cycles_state())
    else:
        cycles = seed_cycles()
        stdout.write(
            "cycles: "
            + (
                "last year's and this year's, with meetings and contributions"
                if cycles
                else "kept as they were"
            )
        )
    write_history_note(stdout)
    context = DemoContext(on_this_node=_on_this_node)
    for exchange in registered():
        line = exchange.seed_demo(context)
        if line:
            stdout.write(f"{exchange.title}: {line}")
    stdout.write(f"\nDemo accounts (password: {password}):")
    for account, created in accounts:
        note = "" if created else "  (existing account, password unchanged)"
        stdout.write(f"  {account.username:<16} {account.description}{note}")
    return password


# --- the yearly cycle on two federated nodes, in stages ------------------------------------------------
#
# Each node seeds only what its party owns, and an agreement needs the other node's records: so the
# cycles are seeded in stages, each on one node, with a pull of the other node's log between them
# (`demo-federation` runs them): JP proposes both calendars, records its meetings, outcomes and
# priorities and opens the consultation; EU agrees, confirms JP's Council word and records its own
# meetings; JP agrees this year's calendar, confirms EU's outcomes, takes last year's phases and publishes
# last year's report; EU countersigns it. This year's guidance of the EU-hosted Industrial Policy
# Dialogue is left awaiting JP's confirmation. Each stage does what is not done yet, so a second run on
# the same data directory changes nothing.

#: (node party, stage function name) in the order `demo-federation` runs them, a sync of the next
#: node between each two.
FEDERATED_STAGES = (("JP", "propose"), ("EU", "agree"), ("JP", "publish"), ("EU", "countersign"))
#: Last year's phases, each taken on its day of last year's calendar (`demo_calendar`).
LAST_PHASES = [
    ("call_open", "call_opens"),
    ("call_closed", "call_closes"),
    ("stock_take", "stock_take"),
    ("council_held", "council_date"),
    ("guidance_published", "guidance_published"),
]
#: What a cycle's calendar holds (`cycle_services.create_cycle`); the demo calendar has more dates.
CALENDAR_KEYS = ("year", "call_opens", "call_closes", "council_date")


def _demo_years(today: datetime.date) -> tuple[int, int]:
    return today.year - 1, today.year


def demo_calendar(today: datetime.date) -> dict[int, dict]:
    """The demo's two cycles, dated: last year's whole cycle inside last year, in the order a real one
    runs (calendar agreed, call for updates, consultation, stock-take, the report published for the
    Council, the Council, its guidance); this year's with its call for updates open today."""
    last, this = _demo_years(today)
    day, days = datetime.date, datetime.timedelta
    this_opens = max(day(this, 1, 1), today - days(30))
    return {
        last: {
            "year": last,
            "calendar_proposed": day(last, 1, 6),
            "calendar_agreed": day(last, 1, 9),
            "call_opens": day(last, 1, 20),
            "consultation_opens": day(last, 2, 2),
            "consultation_closes": day(last, 3, 13),
            "call_closes": day(last, 4, 17),
            "stock_take": day(last, 4, 24),
            # The progress report goes to the Council: published after the stock-take, before it meets.
            "report_published": day(last, 5, 8),
            "council_date": day(last, 6, 12),
            "guidance_published": day(last, 6, 26),
        },
        this: {
            "year": this,
            "calendar_proposed": this_opens - days(14),
            "calendar_agreed": this_opens - days(10),
            "call_opens": this_opens,
            "consultation_opens": max(this_opens, today - days(20)),
            "consultation_closes": today + days(25),
            "call_closes": today + days(30),
            "council_date": today + days(90),
        },
    }


def _calendars(today: datetime.date) -> dict[int, dict]:
    """Each demo cycle's calendar as `create_cycle` takes it."""
    return {year: {key: dates[key] for key in CALENDAR_KEYS} for year, dates in demo_calendar(today).items()}


def _meeting_date(item: dict, today: datetime.date) -> datetime.date:
    """A demo meeting's date: last year's before last year's Council, this year's in the last weeks."""
    last, this = _demo_years(today)
    if item["year"] == last:
        return demo_calendar(today)[last]["council_date"] - datetime.timedelta(
            days=item["days_before_council"]
        )
    return max(datetime.date(this, 1, 1), today - datetime.timedelta(days=item["days_ago"]))


def backdate(today: datetime.date | None = None) -> None:
    """Date the demo's history to its place in `demo_calendar`, on this node, whoever signed it.

    The demo writes two years of history in a minute; through the services everything is stamped with
    that minute, so last year's report would read as published after last year's Council met. The dates
    a page shows (an update filed, a phase taken, a calendar proposed and agreed, an outcome recorded and
    confirmed, a contribution sent, a deliverable delivered, a report published) are moved to their day
    in the demo's calendar. The ledger is not: its entries, and the signatures they carry, keep the time
    they were really made, since rewriting a signed log is what the ledger exists to reveal. Every page
    says so (`demo_notice`: "Demo data: the history of 2025 was written on 7 Dec 2026 and dated to its
    place in the cycles; signatures show when they were made"). Running it again changes nothing.
    """
    today = today or timezone.now().date()
    calendar = demo_calendar(today)
    last, _this = _demo_years(today)
    from partnership.cycle.models import CalendarProposal, PublishedReport

    for year, dates in calendar.items():
        CalendarProposal.objects.filter(cycle__year=year).update(proposed_at=_at(dates["calendar_proposed"]))
        CalendarProposal.objects.filter(cycle__year=year, agreed_at__isnull=False).update(
            agreed_at=_at(dates["calendar_agreed"])
        )
        PhaseChange.objects.filter(cycle__year=year, phase="call_open").update(
            changed_at=_at(dates["call_opens"])
        )
    for phase, key in LAST_PHASES:
        PhaseChange.objects.filter(cycle__year=last, phase=phase).update(changed_at=_at(calendar[last][key]))
    # Updates a peer signed arrive with the time of its signature: last year's are dated into last year's
    # call like this node's own (spread over its weeks, so that neither party is shown late).
    opened, closed = calendar[last]["call_opens"], calendar[last]["call_closes"]
    span = (closed - opened).days - 1
    for pk in ProgressUpdate.objects.filter(period=last, created_at__gte=_at(closed, 0)).values_list(
        "pk", flat=True
    ):
        ProgressUpdate.objects.filter(pk=pk).update(
            created_at=_at(opened + datetime.timedelta(days=1 + pk * 7 % span))
        )
    for meeting in Meeting.objects.filter(cycle__year=last):
        Outcome.objects.filter(meeting=meeting).update(created_at=_at(meeting.date, 15))
        Outcome.objects.filter(meeting=meeting, agreed_at__isnull=False).update(
            agreed_at=_at(meeting.date + datetime.timedelta(days=7))
        )
    # The priorities last year's Council set for this year were confirmed in the week after it.
    Priority.objects.filter(set_at__cycle__year=last, agreed_at__isnull=False).update(
        agreed_at=_at(calendar[last]["council_date"] + datetime.timedelta(days=7))
    )
    window = calendar[last]
    for index, pk in enumerate(
        Contribution.objects.filter(window__cycle__year=last).order_by("pk").values_list("pk", flat=True)
    ):
        sent = window["consultation_opens"] + datetime.timedelta(days=3 + 6 * index)
        Contribution.objects.filter(pk=pk).update(created_at=_at(min(sent, window["consultation_closes"])))
    # A report is dated by what it holds: before the Council when it holds no Council meeting (as `make
    # demo` publishes it); after the guidance when it does (the federated demo's stages publish it last).
    for report in PublishedReport.objects.filter(cycle__year=last):
        holds_council = any(meeting.get("kind") == "council" for meeting in report.data.get("meetings", []))
        day = calendar[last]["report_published"]
        if holds_council:
            day = calendar[last]["guidance_published"] + datetime.timedelta(days=7)
        PublishedReport.objects.filter(pk=report.pk).update(published_at=_at(day))


def federated_cycles_state() -> str:
    """What the demo cycles on this federated node are, for `partnership demo`'s summary."""
    last = timezone.now().year - 1
    found = cycle_report.published(last)
    if found is not None and found.signatures.count() == 2:
        return (
            "last year's complete and its report countersigned, this year's under way (agreed with the peer)"
        )
    if Cycle.objects.exists():
        return "under way with the peer node (demo-federation seeds them in stages)"
    return "none yet (demo-federation seeds them in stages on both nodes)"


def _stage_meetings(secretariat: User, today: datetime.date, parity: int) -> int:
    """Record the demo meetings this party hosts (every other one, as on the single node), unless held."""
    last, this = _demo_years(today)
    recorded = 0
    for index, item in enumerate(_cycles_data(last, this)["meetings"]):
        if index % 2 != parity:
            continue
        date = _meeting_date(item, today)
        if Meeting.objects.filter(cycle__year=item["year"], title=item["title"]).exists():
            continue
        meeting = _record_meeting(secretariat, item["year"], date, item)
        for priority in item.get("priorities", []):
            cycle_services.set_priority(secretariat, meeting.uid, {**priority, "cycle": this})
        recorded += 1
    return recorded


def _confirm_peer_word(secretariat: User, peer: str, year: int | None = None) -> int:
    """Confirm the peer-hosted outcomes (of `year`, or all) and priorities not agreed yet."""
    confirmed = 0
    outcomes = Outcome.objects.filter(meeting__party__code=peer, agreed_by__isnull=True).exclude(kind="note")
    if year is not None:
        outcomes = outcomes.filter(meeting__cycle__year=year)
    for outcome in outcomes:
        cycle_services.confirm_outcome(secretariat, outcome.uid)
        confirmed += 1
    for priority in Priority.objects.filter(set_at__party__code=peer, agreed_by__isnull=True):
        cycle_services.confirm_priority(secretariat, priority.uid)
        confirmed += 1
    return confirmed


@transaction.atomic
def _stage_propose(today: datetime.date) -> str:
    jp = User.objects.get(username="jp-secretariat")
    calendars = _calendars(today)
    last, this = _demo_years(today)
    planned = [year for year in (last, this) if not Cycle.objects.filter(year=year).exists()]
    for year in planned:
        cycle_services.create_cycle(jp, calendars[year])
    meetings = _stage_meetings(jp, today, parity=0)
    # The consultation of this year, open now; last year's was held in its own dates (it took no
    # contribution in the federated demo: a window takes contributions only while open).
    data = _cycles_data(last, this)
    for year, dates in demo_calendar(today).items():
        if ConsultationWindow.objects.filter(cycle__year=year).exists():
            continue
        title = f"Stakeholder consultation {year} / {year}年 意見募集"
        window = cycle_services.open_window(
            jp,
            year,
            {"title": title, "opens": dates["consultation_opens"], "closes": dates["consultation_closes"]},
        )
        if year == this:
            _contribute(window, data["contributions"]["this"], "JP")
    return f"JP proposed {len(planned)} calendars and recorded {meetings} meetings"


def _contribute(window: ConsultationWindow, entries: list[dict], party: str) -> None:
    """This party's contributions of the demo to an open window, moderated by its own secretariat."""
    secretariat = User.objects.get(username=f"{party.lower()}-secretariat")
    for entry in entries:
        username = entry["account"]
        if not username.startswith(party.lower() + "-"):
            continue
        attachment = None
        if username == "jp-stakeholder":
            attachment = ContentFile(POSITION_PAPER, name="ikensho.txt")
        contribution = cycle_services.submit_contribution(
            User.objects.get(username=username), window.pk, entry["contribution"], attachment
        )
        if entry["moderation"] is not None:
            cycle_services.moderate(secretariat, contribution.uid, entry["moderation"])


@transaction.atomic
def _stage_agree(today: datetime.date) -> str:
    eu = User.objects.get(username="eu-secretariat")
    last, this = _demo_years(today)
    agreed = 0
    for year in (last, this):
        if cycle_services.pending_calendar(Cycle.objects.get(year=year)) is not None:
            cycle_services.agree_calendar(eu, year)
            agreed += 1
    confirmed = _confirm_peer_word(eu, "JP")
    meetings = _stage_meetings(eu, today, parity=1)
    window = ConsultationWindow.objects.filter(cycle__year=this).first()
    if (
        window is not None
        and not Contribution.objects.filter(window=window, organisation__party__code="EU").exists()
    ):
        _contribute(window, _cycles_data(last, this)["contributions"]["this"], "EU")
    return (
        f"EU agreed {agreed} calendars, confirmed {confirmed} outcomes and priorities, "
        f"recorded {meetings} meetings"
    )


@transaction.atomic
def _stage_publish(today: datetime.date) -> str:
    jp = User.objects.get(username="jp-secretariat")
    last, this = _demo_years(today)
    # Last year's Council word is agreed by both; this year's EU guidance stays awaiting JP.
    confirmed = _confirm_peer_word(jp, "EU", year=last)
    cycle = Cycle.objects.get(year=last)
    done = {change.phase for change in PhaseChange.objects.filter(cycle=cycle)}
    for phase, _days_ago in LAST_PHASES:
        if phase not in done:
            cycle_services.advance_phase(jp, last, phase)
    if not PhaseChange.objects.filter(cycle__year=this, phase="call_open").exists():
        cycle_services.advance_phase(jp, this, "call_open")
    # Follow-up is reported on the outcome's node by its owner's party: JP closes its AI glossary item.
    glossary = Outcome.objects.filter(
        meeting__cycle__year=last, meeting__kind="council", owner__code="jp-digital-agency"
    ).first()
    if glossary is not None and glossary.follow_up == "open":
        cycle_services.follow_up(
            jp,
            glossary.uid,
            {"follow_up": "closed", "note": "用語集の第一版を公表し、双方の関係機関に共有した。"},
        )
    first_priority = (
        Priority.objects.filter(cycle__year=this, set_at__party__code="JP").order_by("pk").first()
    )
    if first_priority is not None and first_priority.result == Priority.Outcome.PENDING:
        cycle_services.record_priority_result(
            jp,
            first_priority.pk,
            {"result": "partly", "note": "Quarterly exchange running; partners not yet invited."},
        )
    backdate(today)
    published = cycle_report.published(last)
    if published is None:
        published = cycle_report.publish_report(jp, last)
    return (
        f"JP confirmed {confirmed} outcomes, took last year's phases and published its report "
        f"{published.sha256}"
    )


@transaction.atomic
def _stage_countersign(today: datetime.date) -> str:
    eu = User.objects.get(username="eu-secretariat")
    last, _this = _demo_years(today)
    backdate(today)
    published = cycle_report.published(last)
    if published is None:
        return f"EU holds no report of {last} yet: run the stages again after a sync"
    if not published.signatures.filter(party__code="EU").exists():
        cycle_report.countersign_report(eu, last, published.sha256)
    return f"EU countersigned the report of {last} ({published.sha256})"


def seed_federated_cycles(stage: str, today: datetime.date | None = None) -> str:
    """Run one stage of the federated demo's cycles on this node (its party's acts only); a line says
    what it did."""
    today = today or timezone.now().date()
    party = dict((name, party) for party, name in FEDERATED_STAGES).get(stage)
    if party is None or party != settings.NODE_PARTY:
        raise ValueError(f"stage {stage!r} is not one of the {settings.NODE_PARTY} node")
    stages = {
        "propose": _stage_propose,
        "agree": _stage_agree,
        "publish": _stage_publish,
        "countersign": _stage_countersign,
    }
    return stages[stage](today)
