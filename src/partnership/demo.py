"""The demo: the Japan-EU programme, demo accounts for every role, and progress that looks real.

Everything goes through the services, as the demo users, so the demo obeys the same rules as real use.
Running it again keeps what is there: accounts, passwords and progress already present are left alone.
"""

import datetime
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


STATUS_CYCLE = ["on_track", "on_track", "at_risk", "on_track", "done", "off_track", "on_track"]
NARRATIVE_EN = [
    "Experts met at the {mechanism} and agreed the work plan for this cycle; the next exchange is scheduled.",
    "A joint expert workshop took place; both sides shared their approaches and identified two pilot topics.",
    "Progress is slower than planned because of a change in the lead team; a new timeline will be proposed.",
    "The joint paper was finalised and circulated to stakeholders for comment before the Council.",
    "Information was exchanged in writing; the planned meeting was postponed to the next quarter.",
]
NARRATIVE_JA = [
    "{mechanism}において専門家会合を開催し、今サイクルの作業計画に合意した。次回の意見交換を調整中。",
    "共同専門家ワークショップを開催し、双方の取組を共有して二つのパイロット課題を特定した。",
    "担当体制の変更により進捗が計画より遅れている。新たなスケジュールを提案する予定。",
    "共同文書を最終化し、理事会に先立ちステークホルダーに意見照会を行った。",
]
MECHANISMS = [
    ("Digital Policy Dialogue", "日EUデジタル政策対話"),
    ("Industrial Dialogue", "日EU産業政策対話"),
    ("Cybersecurity Dialogue", "日EUサイバー対話"),
    ("EPA Committee", "EPA委員会"),
]


@transaction.atomic
def seed_progress(today: datetime.date | None = None) -> bool:
    """File two cycles of updates, some deliverables and indicators, unless progress exists already."""
    if ProgressUpdate.objects.exists():
        return False
    today = today or timezone.now().date()
    jp = User.objects.get(username="jp-secretariat") if _on_this_node("JP") else None
    eu = User.objects.get(username="eu-secretariat") if _on_this_node("EU") else None
    for index, action in enumerate(JointAction.objects.order_by("paragraph")):
        mechanism = MECHANISMS[index % len(MECHANISMS)]
        for period in (today.year - 1, today.year):
            for offset, (user, texts, language) in enumerate(
                ((jp, NARRATIVE_JA, "ja"), (eu, NARRATIVE_EN, "en"))
            ):
                if user is None:
                    continue
                # Every fifth action has no current update from one party: the dashboard shows who is missing.
                if period == today.year and (index + offset) % 5 == 0:
                    continue
                status = STATUS_CYCLE[(index + offset * 3 + period) % len(STATUS_CYCLE)]
                narrative = texts[(index + offset + period) % len(texts)].format(
                    mechanism=mechanism[1] if language == "ja" else mechanism[0]
                )
                services.file_update(
                    user,
                    action.paragraph,
                    {"status": status, "narrative": narrative, "language": language, "period": period},
                )
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
            services.create_deliverable(
                eu,
                action.paragraph,
                {
                    "title": f"Expert workshop on {action.title_en.lower()}",
                    "language": "en",
                    "due_date": (today + datetime.timedelta(days=60 + index)).isoformat(),
                    "status": "planned",
                    "evidence": [],
                },
            )
        if index % 4 == 1 and eu:
            services.create_deliverable(
                eu,
                action.paragraph,
                {
                    "title": f"Joint statement on {action.title_en.lower()}",
                    "language": "en",
                    "due_period": today.year - 1,
                    "status": "delivered",
                    "evidence": ["https://digital-strategy.ec.europa.eu/en/policies/partnership-japan"],
                },
            )
        if index % 6 == 2:
            for user, title, unit in (
                (jp, "専門家会合の開催数", "meetings"),
                (eu, "Stakeholders consulted", "organisations"),
            ):
                if user is None:
                    continue
                indicator = services.create_indicator(
                    user,
                    action.paragraph,
                    {
                        "title": title,
                        "language": "ja" if user is jp else "en",
                        "unit": unit,
                        "ascending": True,
                        "baseline_value": "0",
                        "baseline_year": today.year - 2,
                        "target_value": "12",
                        "target_date": f"{today.year}-12-31",
                    },
                )
                for month in range(1, 13):
                    start = datetime.date(today.year - 1, month, 1)
                    end = (start + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
                    services.record_indicator_value(
                        user,
                        indicator.uid,
                        {
                            "period_start": start.isoformat(),
                            "period_end": end.isoformat(),
                            "value": str(Decimal(month) * Decimal("0.9")),
                            "source": "secretariat records",
                        },
                    )
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
            return value.replace("{last}", str(last)).replace("{this}", str(this))
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
    as the demo users. Only the times the services set to "now" are moved back afterwards, so that last
    year's history reads as last year's (a window takes contributions only while open, so last year's
    is filled first and then given its real dates).
    """
    if Cycle.objects.exists():
        return False
    today = today or timezone.now().date()
    last, this = today.year - 1, today.year
    jp = User.objects.get(username="jp-secretariat")
    eu = User.objects.get(username="eu-secretariat")
    council_last = today - datetime.timedelta(days=270)
    cycle_services.create_cycle(
        jp,
        {
            "year": last,
            "call_opens": today - datetime.timedelta(days=395),
            "call_closes": today - datetime.timedelta(days=335),
            "council_date": council_last,
        },
    )
    # Each calendar is proposed by one secretariat and agreed by the other (paras 21, 23).
    cycle_services.agree_calendar(eu, last)
    cycle_services.create_cycle(
        eu,
        {
            "year": this,
            "call_opens": today - datetime.timedelta(days=30),
            "call_closes": today + datetime.timedelta(days=30),
            "council_date": today + datetime.timedelta(days=90),
        },
    )
    # The demo files last year's updates today; they came in during last year's call, and dated so they
    # count for last year's cycle as filed in time (an update after its call is shown as late).
    ProgressUpdate.objects.filter(period=last).update(
        created_at=timezone.now() - datetime.timedelta(days=350)
    )
    cycle_services.agree_calendar(jp, this)
    # Last year's phases, taken in turn by the two secretariats; dated along last year's calendar.
    steps = [
        ("call_open", jp, 395),
        ("call_closed", eu, 335),
        ("stock_take", jp, 320),
        ("council_held", eu, 270),
        ("guidance_published", jp, 255),
    ]
    for phase, user, days_ago in steps:
        cycle_services.advance_phase(user, last, phase)
        when = timezone.now() - datetime.timedelta(days=days_ago)
        PhaseChange.objects.filter(cycle__year=last, phase=phase).update(changed_at=when)
    cycle_services.advance_phase(eu, this, "call_open")
    PhaseChange.objects.filter(cycle__year=this, phase="call_open").update(
        changed_at=timezone.now() - datetime.timedelta(days=30)
    )

    council = None
    data = _cycles_data(last, this)
    for index, item in enumerate(data["meetings"]):
        secretariat = jp if index % 2 == 0 else eu
        if item["year"] == last:
            date = council_last - datetime.timedelta(days=item["days_before_council"])
        else:
            date = today - datetime.timedelta(days=item["days_ago"])
        meeting = _record_meeting(secretariat, item["year"], date, item)
        for priority in item.get("priorities", []):
            cycle_services.set_priority(secretariat, meeting.uid, {**priority, "cycle": this})
        if item["kind"] == "council":
            council = meeting
    assert council is not None
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
    for priority in Priority.objects.filter(cycle__year=this):
        cycle_services.confirm_priority(other[priority.set_at.party.code], priority.uid)
    first_priority = Priority.objects.filter(cycle__year=this).order_by("pk").first()
    assert first_priority is not None
    cycle_services.record_priority_result(
        {"JP": jp, "EU": eu}[first_priority.set_at.party.code],
        first_priority.pk,
        {"result": "partly", "note": "Quarterly exchange running; partners not yet invited."},
    )

    # Consultation: last year's window is filled while open, then dated to last year; this year's is open.
    now = timezone.now()
    for key, year, opens, closes in (
        ("last", last, today - datetime.timedelta(days=380), today - datetime.timedelta(days=340)),
        ("this", this, today - datetime.timedelta(days=20), today + datetime.timedelta(days=25)),
    ):
        title = f"Stakeholder consultation {year} / {year}年 意見募集"
        window = cycle_services.open_window(
            jp,
            year,
            {
                "title": title,
                "opens": now - datetime.timedelta(minutes=1),
                "closes": now + datetime.timedelta(days=25),
            },
        )
        for entry in data["contributions"][key]:
            username, decision_data = entry["account"], entry["moderation"]
            attachment = None
            if username == "jp-stakeholder" and key == "this":
                attachment = ContentFile(POSITION_PAPER, name="ikensho.txt")
            contribution = cycle_services.submit_contribution(
                User.objects.get(username=username), window.pk, entry["contribution"], attachment
            )
            if decision_data is not None:
                # Each party's secretariat moderates its own party's contributors.
                moderator = jp if contribution.organisation.party.code == "JP" else eu
                cycle_services.moderate(moderator, contribution.uid, decision_data)
        start = datetime.datetime.combine(opens, datetime.time(0, 0), tzinfo=datetime.UTC)
        end = datetime.datetime.combine(closes, datetime.time(23, 59), tzinfo=datetime.UTC)
        ConsultationWindow.objects.filter(pk=window.pk).update(opens=start, closes=end)
        if key == "last":
            Contribution.objects.filter(window=window).update(created_at=start + datetime.timedelta(days=5))
    # Last year's report is published, so the public report and progress pages have content at once,
    # and countersigned by the other party's secretariat, as both parties sign it (issue 14).
    published = cycle_report.publish_report(eu, last)
    cycle_report.countersign_report(jp, last, published.sha256)
    return True


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
LAST_PHASES = [
    ("call_open", 395),
    ("call_closed", 335),
    ("stock_take", 320),
    ("council_held", 270),
    ("guidance_published", 255),
]


def _demo_years(today: datetime.date) -> tuple[int, int]:
    return today.year - 1, today.year


def _calendars(today: datetime.date) -> dict[int, dict]:
    last, this = _demo_years(today)
    days = datetime.timedelta
    return {
        last: {
            "year": last,
            "call_opens": today - days(395),
            "call_closes": today - days(335),
            "council_date": today - days(270),
        },
        this: {
            "year": this,
            "call_opens": today - days(30),
            "call_closes": today + days(30),
            "council_date": today + days(90),
        },
    }


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


def _backdate_last_year(today: datetime.date) -> None:
    """As on the single node, the demo's history reads as last year's on this node: updates of last year
    (of both parties, so that neither is shown late) and last year's phase changes, wherever signed."""
    last, _this = _demo_years(today)
    now = timezone.now()
    ProgressUpdate.objects.filter(period=last, created_at__gt=now - datetime.timedelta(days=300)).update(
        created_at=now - datetime.timedelta(days=350)
    )
    for phase, days_ago in LAST_PHASES:
        PhaseChange.objects.filter(cycle__year=last, phase=phase).update(
            changed_at=now - datetime.timedelta(days=days_ago)
        )


def _stage_meetings(secretariat: User, today: datetime.date, parity: int) -> int:
    """Record the demo meetings this party hosts (every other one, as on the single node), unless held."""
    last, this = _demo_years(today)
    council_last = _calendars(today)[last]["council_date"]
    recorded = 0
    for index, item in enumerate(_cycles_data(last, this)["meetings"]):
        if index % 2 != parity:
            continue
        if item["year"] == last:
            date = council_last - datetime.timedelta(days=item["days_before_council"])
        else:
            date = today - datetime.timedelta(days=item["days_ago"])
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
    now = timezone.now()
    for year, opens, closes in (
        (last, now - datetime.timedelta(days=380), now - datetime.timedelta(days=340)),
        (this, now - datetime.timedelta(days=20), now + datetime.timedelta(days=25)),
    ):
        if ConsultationWindow.objects.filter(cycle__year=year).exists():
            continue
        title = f"Stakeholder consultation {year} / {year}年 意見募集"
        window = cycle_services.open_window(jp, year, {"title": title, "opens": opens, "closes": closes})
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
    _backdate_last_year(today)
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
    _backdate_last_year(today)
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
