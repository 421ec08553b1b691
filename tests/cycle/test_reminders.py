"""Reminders: the leads of actions their party has not reported on get one mail a day, never two."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.core.management import CommandError, call_command
from django.utils import translation

from partnership.cycle import queries, services
from partnership.errors import PermissionDenied
from partnership.people.models import Membership, Organisation, Party
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
    # Japan's members read their mail in Japanese until they choose otherwise (their party's language).
    assert recipients(mailoutbox) == [
        ("jp-lead@demo.invalid", "リマインダー：項番号48の進捗報告（2026年サイクル）"),
        ("jp-secretariat@demo.invalid", "リマインダー：項番号46の進捗報告（2026年サイクル）"),
    ]
    body = next(m.body for m in mailoutbox if m.to == ["jp-lead@demo.invalid"])
    assert "2026-03-31" in body  # when the call closes
    assert not any(m.to[0].startswith("eu-") for m in mailoutbox)  # the EU has reported everything


def test_each_reminder_is_in_its_recipients_language_with_a_link_to_the_form(reporting, mailoutbox, settings):
    settings.SITE_URL = "https://partnership.example.jp"
    Membership.objects.filter(user=reporting["jp_secretariat"]).update(language="en")
    with translation.override("ja"):  # the node's or the thread's language does not decide
        services.send_reminders(YEAR, today=DAY)
    to_lead = next(m for m in mailoutbox if m.to == ["jp-lead@demo.invalid"])
    assert "48" in to_lead.subject and "進捗報告" in to_lead.body
    assert JointAction.objects.get(paragraph=48).title_ja in to_lead.body
    assert "https://partnership.example.jp/ja/actions/48/update/" in to_lead.body
    to_secretariat = next(m for m in mailoutbox if m.to == ["jp-secretariat@demo.invalid"])
    assert to_secretariat.subject == "Reminder: progress update for para 46, cycle 2026"
    assert "https://partnership.example.jp/en/actions/46/update/" in to_secretariat.body
    assert JointAction.objects.get(paragraph=46).title_en in to_secretariat.body


def test_the_list_on_the_site_is_the_list_the_command_mails(reporting, mailoutbox):
    cycle = services.get_cycle(YEAR)
    secretariat = queries.reminders(reporting["jp_secretariat"], cycle)
    assert [(row.action.paragraph, row.party, row.recipients) for row in secretariat] == [
        (46, "JP", ["jp-secretariat"]),
        (48, "JP", ["jp-lead"]),
    ]
    assert all(row.deadline == datetime.date(2026, 3, 31) for row in secretariat)
    # A lead sees the reminders of the actions its organisation leads, naming organisations, not people.
    lead = queries.reminders(reporting["jp_lead"], cycle)
    assert [(row.action.paragraph, row.recipients) for row in lead] == [
        (48, ["Ministry of Internal Affairs and Communications (MIC)"])
    ]
    # The other party's secretariat sees none of JP's; a stakeholder none at all.
    assert queries.reminders(reporting["eu_secretariat"], cycle) == []
    with pytest.raises(PermissionDenied):
        queries.reminders(reporting["jp_stakeholder"], cycle)
    with pytest.raises(PermissionDenied):
        queries.reminders(AnonymousUser(), cycle)
    services.send_reminders(YEAR, today=DAY)
    assert sorted(m.to[0] for m in mailoutbox) == ["jp-lead@demo.invalid", "jp-secretariat@demo.invalid"]


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
        ("jp-secretariat@demo.invalid", "リマインダー：項番号46の進捗報告（2026年サイクル）")
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
