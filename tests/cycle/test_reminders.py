"""Reminders: the leads of actions their party has not reported on get one mail a day, never two."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.utils import translation

from partnership.cycle import services
from partnership.people.models import Organisation, Party
from partnership.programme import services as programme_services
from partnership.programme.models import JointAction, ProgressUpdate
from tests.helpers import plan_cycle

YEAR = 2026
DAY = datetime.date(2026, 2, 10)


@pytest.fixture(autouse=True)
def in_english():
    """Mail is written in the active language; a page of an earlier test may have left Japanese on."""
    with translation.override("en"):
        yield


@pytest.fixture
def reporting(members):
    """Cycle 2026 in which everything is reported but JP's updates on 48 (led by MIC) and 46 (by METI,
    which has no account here: the JP secretariat is reminded instead)."""
    for name, user in members.items():
        User.objects.filter(pk=user.pk).update(email=f"{name.replace('_', '-')}@demo.invalid")
    plan_cycle(
        members["jp_secretariat"], {"year": YEAR, "call_opens": "2026-01-15", "call_closes": "2026-03-31"}
    )
    author = members["jp_secretariat"]
    secretariat = {p.pk: Organisation.objects.get(party=p, kind="secretariat") for p in Party.objects.all()}
    ProgressUpdate.objects.bulk_create(
        ProgressUpdate(
            action=action,
            party=party,
            period=YEAR,
            version=1,
            status="on_track",
            narrative="Reported.",
            language="en",
            author=author,
            organisation=secretariat[party.pk],
        )
        for action in JointAction.objects.all()
        for party in Party.objects.all()
        if not (party.code == "JP" and action.paragraph in (46, 48))
    )
    return members


def recipients(outbox) -> list[tuple[str, str]]:
    return sorted((message.to[0], message.subject) for message in outbox)


def test_the_leads_are_reminded_else_the_secretariat(reporting, mailoutbox):
    assert services.send_reminders(YEAR, today=DAY) == 2
    assert recipients(mailoutbox) == [
        ("jp-lead@demo.invalid", "Reminder: progress update for para 48, cycle 2026"),
        ("jp-secretariat@demo.invalid", "Reminder: progress update for para 46, cycle 2026"),
    ]
    body = next(m.body for m in mailoutbox if m.to == ["jp-lead@demo.invalid"])
    assert "2026-03-31" in body  # when the call closes
    assert not any(m.to[0].startswith("eu-") for m in mailoutbox)  # the EU has reported everything


def test_never_twice_a_day_and_again_the_next_day(reporting, mailoutbox):
    services.send_reminders(YEAR, today=DAY)
    assert services.send_reminders(YEAR, today=DAY) == 0
    assert len(mailoutbox) == 2
    assert services.send_reminders(YEAR, today=DAY + datetime.timedelta(days=1)) == 2
    assert len(mailoutbox) == 4


def test_a_filed_update_stops_the_reminders(reporting, mailoutbox):
    services.send_reminders(YEAR, today=DAY)
    programme_services.file_update(
        reporting["jp_lead"],
        48,
        {"status": "on_track", "narrative": "Filed.", "language": "en", "period": YEAR},
    )
    mailoutbox.clear()
    assert services.send_reminders(YEAR, today=DAY + datetime.timedelta(days=1)) == 1
    assert recipients(mailoutbox) == [
        ("jp-secretariat@demo.invalid", "Reminder: progress update for para 46, cycle 2026")
    ]


def test_the_remind_command(reporting, mailoutbox, capsys):
    call_command("remind", "--cycle", str(YEAR), "--date", DAY.isoformat())
    assert "2 reminder(s) sent for cycle 2026" in capsys.readouterr().out
    call_command("remind", "--cycle", str(YEAR), "--date", DAY.isoformat())
    assert "0 reminder(s) sent" in capsys.readouterr().out
    assert len(mailoutbox) == 2


def test_the_remind_command_names_an_unknown_cycle(programme):
    with translation.override("ja"), pytest.raises(CommandError, match="There is no cycle 2031"):
        call_command("remind", "--cycle", "2031")  # in the node's language, not the thread's
