"""The demo: the Japan-EU programme, demo accounts for every role, and progress that looks real.

Everything goes through the services, as the demo users, so the demo obeys the same rules as real use.
Running it again keeps what is there: accounts, passwords and progress already present are left alone.
"""

import datetime
import os
import secrets
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from partnership.people.models import Membership, Organisation
from partnership.people.services import create_member
from partnership.programme import services
from partnership.programme.loader import load_programme
from partnership.programme.models import JointAction, ProgressUpdate


@dataclass(frozen=True)
class DemoAccount:
    username: str
    organisation: str
    role: str
    description: str


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
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(password)
    return password


def create_demo_accounts(password: str) -> list[tuple[DemoAccount, bool]]:
    """Create the demo accounts that do not exist yet; return each with whether it was created."""
    result = []
    for account in DEMO_ACCOUNTS:
        exists = User.objects.filter(username=account.username).exists()
        if not exists:
            create_member(
                account.username, password, Organisation.objects.get(code=account.organisation), account.role
            )
        result.append((account, not exists))
    return result


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
    jp = User.objects.get(username="jp-secretariat")
    eu = User.objects.get(username="eu-secretariat")
    for index, action in enumerate(JointAction.objects.order_by("paragraph")):
        mechanism = MECHANISMS[index % len(MECHANISMS)]
        for period in (today.year - 1, today.year):
            for offset, (user, texts, language) in enumerate(
                ((jp, NARRATIVE_JA, "ja"), (eu, NARRATIVE_EN, "en"))
            ):
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
        if index % 3 == 0:
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
        if index % 4 == 1:
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
    stdout.write(f"\nDemo accounts (password: {password}):")
    for account, created in accounts:
        note = "" if created else "  (existing account, password unchanged)"
        stdout.write(f"  {account.username:<16} {account.description}{note}")
    return password
