"""The cycle's rules: phases in order, who steers, meetings and guidance, priorities, contributions."""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from partnership.cycle import services
from partnership.cycle.models import (
    ConsultationWindow,
    Contribution,
    Cycle,
    Meeting,
    Outcome,
    PhaseChange,
    Priority,
    Reminder,
)
from partnership.errors import Conflict, Invalid, NotFound, PermissionDenied
from partnership.programme import services as programme_services
from tests.helpers import plan_cycle

PHASES = [
    "call_open",
    "call_closed",
    "stock_take",
    "council_held",
    "guidance_published",
]


def new_cycle(user, year=2026):
    return plan_cycle(user, {"year": year, "call_opens": f"{year}-01-15", "call_closes": f"{year}-03-31"})


def council(user, year=2026, **extra):
    return services.record_meeting(
        user,
        year,
        {
            "mechanism": "digital-partnership-council",
            "kind": "council",
            "title": "Japan-EU Digital Partnership Council",
            "language": "en",
            "date": f"{year}-05-12",
            "place": "Tokyo",
            "participants": ["jp-digital-agency", "eu-dg-connect"],
            "agenda": [{"title": "Semiconductor early warning", "actions": [46, 47]}],
            **extra,
        },
    )


@pytest.fixture
def jp(members):
    return members["jp_secretariat"]


@pytest.fixture
def eu(members):
    return members["eu_secretariat"]


# --- cycles and phases ------------------------------------------------------------------------------


def test_a_cycle_moves_through_its_phases_in_order_and_keeps_who_moved_it(jp, eu):
    cycle = new_cycle(jp)
    assert cycle.phase == "planned"
    for index, phase in enumerate(PHASES):
        services.advance_phase(jp if index % 2 else eu, 2026, phase)
    cycle.refresh_from_db()
    assert cycle.phase == "guidance_published"
    changes = list(PhaseChange.objects.filter(cycle=cycle).values_list("phase", "organisation__code"))
    assert [phase for phase, _org in changes] == PHASES
    assert {org for _phase, org in changes} == {"jp-digital-agency", "eu-dg-connect"}


@pytest.mark.parametrize(
    "phase", ["call_closed", "stock_take", "council_held", "guidance_published", "planned"]
)
def test_a_phase_cannot_be_skipped_or_gone_back_to(jp, phase):
    new_cycle(jp)
    with pytest.raises(Invalid, match="the next phase is"):
        services.advance_phase(jp, 2026, phase)
    assert Cycle.objects.get(year=2026).phase == "planned"
    assert not PhaseChange.objects.exists()


def test_a_complete_cycle_has_no_next_phase(jp):
    new_cycle(jp)
    for phase in PHASES:
        services.advance_phase(jp, 2026, phase)
    with pytest.raises(Invalid, match="complete"):
        services.advance_phase(jp, 2026, "guidance_published")


def test_an_unknown_phase_or_cycle_is_named(jp):
    new_cycle(jp)
    with pytest.raises(Invalid, match="unknown phase"):
        services.advance_phase(jp, 2026, "party")
    with pytest.raises(NotFound, match="2031"):
        services.advance_phase(jp, 2031, "call_open")


def test_only_one_call_for_updates_is_open_at_a_time(jp):
    new_cycle(jp, 2025)
    new_cycle(jp, 2026)
    services.advance_phase(jp, 2025, "call_open")
    with pytest.raises(Conflict, match="2025 is still open"):
        services.advance_phase(jp, 2026, "call_open")
    services.advance_phase(jp, 2025, "call_closed")
    services.advance_phase(jp, 2026, "call_open")


@pytest.mark.parametrize("name", ["jp_lead", "eu_lead", "jp_stakeholder", "eu_member_state"])
def test_only_secretariats_steer_the_cycle(members, jp, name):
    new_cycle(jp)
    with pytest.raises(PermissionDenied):
        services.advance_phase(members[name], 2026, "call_open")
    with pytest.raises(PermissionDenied):
        new_cycle(members[name], 2027)
    assert Cycle.objects.get(year=2026).phase == "planned"
    assert not Cycle.objects.filter(year=2027).exists()


@pytest.mark.parametrize(
    "data, field",
    [
        ({"year": "soon"}, "year"),
        ({"year": 2019}, "year"),
        ({"year": 2026, "call_opens": "2026-13-01", "call_closes": "2026-03-31"}, "call_opens"),
        ({"year": 2026, "call_opens": "2026-04-01", "call_closes": "2026-03-31"}, "call_closes"),
        ({"year": 2026, "call_closes": "2026-03-31"}, "call_opens"),
    ],
)
def test_a_bad_cycle_is_refused_naming_the_field(jp, data, field):
    with pytest.raises(Invalid) as raised:
        plan_cycle(jp, data)
    assert field in raised.value.fields
    assert not Cycle.objects.exists()


def test_a_year_has_one_cycle(jp):
    new_cycle(jp)
    with pytest.raises(Conflict):
        new_cycle(jp)


# --- meetings, outcomes, priorities -----------------------------------------------------------------


def test_a_meeting_keeps_its_agenda_linked_to_actions(jp):
    new_cycle(jp)
    meeting = council(jp)
    item = meeting.agenda.get()
    assert sorted(item.actions.values_list("paragraph", flat=True)) == [46, 47]
    assert sorted(meeting.participants.values_list("code", flat=True)) == [
        "eu-dg-connect",
        "jp-digital-agency",
    ]


@pytest.mark.parametrize(
    "extra, field",
    [
        ({"mechanism": "jp-meti"}, "mechanism"),
        ({"mechanism": "nobody"}, "mechanism"),
        ({"kind": "party"}, "kind"),
        ({"date": "12 May"}, "date"),
        ({"language": "fr"}, "language"),
        ({"agenda": [{"title": "Chips", "actions": [99]}]}, "actions"),
    ],
)
def test_a_bad_meeting_is_refused_whole(jp, extra, field):
    new_cycle(jp)
    with pytest.raises(Invalid) as raised:
        council(jp, **extra)
    assert field in raised.value.fields
    assert not Meeting.objects.exists()


def test_guidance_needs_an_owner_and_a_note_does_not(jp):
    new_cycle(jp)
    meeting = council(jp)
    with pytest.raises(Invalid, match="needs an owner") as raised:
        services.record_outcome(
            jp, meeting.uid, {"kind": "guidance", "text": "Report on chips.", "language": "en"}
        )
    assert "owner" in raised.value.fields
    assert not Outcome.objects.exists()
    services.record_outcome(jp, meeting.uid, {"kind": "note", "text": "Minutes approved.", "language": "en"})
    guidance = services.record_outcome(
        jp,
        meeting.uid,
        {
            "kind": "guidance",
            "text": "Report on chips.",
            "language": "en",
            "owner": "jp-meti",
            "actions": [46],
        },
    )
    assert guidance.owner.code == "jp-meti" and guidance.follow_up == "open"


def test_guidance_is_followed_up_by_its_owner_or_its_partys_secretariat_and_closes_in_the_current_cycle(
    members, jp
):
    new_cycle(jp, 2025)
    meeting = council(jp, 2025)
    guidance = services.record_outcome(
        jp, meeting.uid, {"kind": "guidance", "text": "Map 5G testbeds.", "language": "en", "owner": "jp-mic"}
    )
    assert list(services.open_guidance(before_year=2026)) == [guidance]
    with pytest.raises(PermissionDenied):
        services.follow_up(members["eu_lead"], guidance.uid, {"follow_up": "closed"})
    services.follow_up(members["jp_lead"], guidance.uid, {"follow_up": "in_progress", "note": "Survey sent."})
    new_cycle(jp, 2026)
    services.advance_phase(jp, 2026, "call_open")
    with pytest.raises(PermissionDenied, match="its own party"):
        services.follow_up(members["eu_secretariat"], guidance.uid, {"follow_up": "closed"})
    guidance.refresh_from_db()
    assert (guidance.follow_up, guidance.follow_up_note) == ("in_progress", "Survey sent.")
    services.follow_up(members["jp_secretariat"], guidance.uid, {"follow_up": "closed"})
    guidance.refresh_from_db()
    assert guidance.follow_up == "closed" and guidance.closed_in.year == 2026
    assert not services.open_guidance(before_year=2027).exists()


def test_priorities_are_set_by_the_council_for_the_next_cycle_and_get_a_result(jp):
    new_cycle(jp, 2025)
    new_cycle(jp, 2026)
    meeting = council(jp, 2025)
    priority = services.set_priority(
        jp, meeting.uid, {"action": 61, "rationale": "Cable outages.", "language": "en"}
    )
    assert priority.cycle.year == 2026
    with pytest.raises(Invalid, match="area"):
        services.set_priority(jp, meeting.uid, {"rationale": "Nothing.", "language": "en"})
    dialogue = services.record_meeting(
        jp,
        2025,
        {
            "mechanism": "digital-policy-dialogue",
            "kind": "dialogue",
            "title": "DPD",
            "language": "en",
            "date": "2025-03-01",
        },
    )
    with pytest.raises(Invalid, match="Council"):
        services.set_priority(jp, dialogue.uid, {"area": "privacy", "rationale": "x", "language": "en"})
    services.record_priority_result(
        jp, priority.pk, {"result": "achieved", "note": "Reporting system designed."}
    )
    assert Priority.objects.get().result == "achieved"


# --- stakeholder input ------------------------------------------------------------------------------


def window(jp, year=2026, opens_in=-1, closes_in=1):
    now = timezone.now()
    return services.open_window(
        jp,
        year,
        {
            "title": "Consultation",
            "opens": now + datetime.timedelta(days=opens_in),
            "closes": now + datetime.timedelta(days=closes_in),
        },
    )


def test_stakeholders_and_member_states_contribute_while_the_window_is_open(members, jp):
    new_cycle(jp)
    open_window = window(jp)
    contribution = services.submit_contribution(
        members["eu_member_state"],
        open_window.pk,
        {
            "text": "Member States ask for a briefing.",
            "language": "en",
            "actions": [46],
            "areas": ["semiconductors"],
        },
        SimpleUploadedFile("briefing.pdf", b"%PDF-1.4 test", content_type="application/pdf"),
    )
    assert contribution.organisation.code == "eu-member-states" and contribution.status == "pending"
    assert (
        contribution.attachment.name.startswith("contributions/")
        and "briefing" not in contribution.attachment.name
    )


@pytest.mark.parametrize("name", ["jp_secretariat", "jp_lead"])
def test_secretariats_and_leads_do_not_submit_contributions(members, jp, name):
    new_cycle(jp)
    with pytest.raises(PermissionDenied):
        services.submit_contribution(members[name], window(jp).pk, {"text": "x", "language": "en"})


@pytest.mark.parametrize("opens_in, closes_in", [(1, 2), (-2, -1)])
def test_a_contribution_outside_an_open_window_is_refused_in_words(members, jp, opens_in, closes_in):
    new_cycle(jp)
    closed = window(jp, opens_in=opens_in, closes_in=closes_in)
    with pytest.raises(Invalid, match="takes no contribution now"):
        services.submit_contribution(
            members["jp_stakeholder"], closed.pk, {"text": "Late.", "language": "ja"}
        )
    assert not Contribution.objects.exists()


def test_a_window_must_close_after_it_opens(jp):
    new_cycle(jp)
    with pytest.raises(Invalid, match="close on or after the day it opens"):
        window(jp, opens_in=1, closes_in=0)


def test_a_window_is_whole_days_in_the_zone_of_its_party(members, jp, eu):
    """Opened by JP from 2 to 13 March, a window opens at midnight JST on the 2nd and takes contributions
    until the end of the 13th in Tokyo, and reads so: never "09:00 – 08:59"."""
    new_cycle(jp)
    opened = services.open_window(
        jp, 2026, {"title": "Days", "opens": datetime.date(2026, 3, 2), "closes": datetime.date(2026, 3, 13)}
    )
    assert opened.opens == datetime.datetime(2026, 3, 1, 15, 0, tzinfo=datetime.UTC)
    assert opened.closes == datetime.datetime(2026, 3, 13, 15, 0, tzinfo=datetime.UTC)
    assert (opened.opening_day, opened.closing_day) == (datetime.date(2026, 3, 2), datetime.date(2026, 3, 13))
    # A time given stands for its day in the party's zone: 20:00 UTC on 1 March is 2 March in Tokyo.
    from_times = services.open_window(
        jp,
        2026,
        {
            "title": "Times",
            "opens": datetime.datetime(2026, 3, 1, 20, 0, tzinfo=datetime.UTC),
            "closes": datetime.datetime(2026, 3, 13, 1, 0, tzinfo=datetime.UTC),
        },
    )
    assert (from_times.opens, from_times.closes) == (opened.opens, opened.closes)
    # The EU's windows are days in Brussels; one day is a valid window.
    one_day = services.open_window(
        eu,
        2026,
        {"title": "One day", "opens": datetime.date(2026, 7, 1), "closes": datetime.date(2026, 7, 1)},
    )
    assert one_day.opens == datetime.datetime(2026, 6, 30, 22, 0, tzinfo=datetime.UTC)
    assert one_day.closes == datetime.datetime(2026, 7, 1, 22, 0, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    ("opens", "closes", "field"),
    [
        (
            datetime.datetime(1, 1, 1, tzinfo=datetime.UTC),
            datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC),
            "opens",
        ),
        (
            datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
            datetime.datetime.max.replace(tzinfo=datetime.UTC),
            "closes",
        ),
        (
            datetime.datetime(1999, 12, 31, tzinfo=datetime.UTC),
            datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC),
            "opens",
        ),
        (
            datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
            datetime.datetime(2101, 1, 1, tzinfo=datetime.UTC),
            "closes",
        ),
    ],
)
def test_a_window_outside_the_years_of_the_partnership_is_refused_naming_the_field(jp, opens, closes, field):
    new_cycle(jp)
    with pytest.raises(Invalid, match="give a time between 2000 and 2100") as refused:
        services.open_window(jp, 2026, {"title": "Typo", "opens": opens, "closes": closes})
    assert set(refused.value.fields) == {field}
    assert not ConsultationWindow.objects.exists()
    assert not ConsultationWindow.objects.exists()


def test_moderation_accepts_or_rejects_with_a_reason(members, jp):
    new_cycle(jp)
    contribution = services.submit_contribution(
        members["jp_stakeholder"], window(jp).pk, {"text": "製造業のAI活用について", "language": "ja"}
    )
    with pytest.raises(PermissionDenied):
        services.moderate(members["jp_lead"], contribution.uid, {"status": "accepted"})
    with pytest.raises(Invalid, match="say why"):
        services.moderate(jp, contribution.uid, {"status": "rejected"})
    contribution.refresh_from_db()
    assert contribution.status == "pending"
    services.moderate(jp, contribution.uid, {"status": "accepted", "reply": "ありがとうございます。"})
    contribution.refresh_from_db()
    assert contribution.status == "accepted" and contribution.moderated_by == jp


# --- who has not reported, reminders ----------------------------------------------------------------


def test_missing_updates_lists_each_action_a_party_has_not_reported_this_cycle(members, jp):
    cycle = new_cycle(jp)
    programme_services.file_update(
        jp, 48, {"status": "on_track", "narrative": "ok", "language": "ja", "period": 2026}
    )
    missing = services.missing_updates(cycle)
    assert len(missing) == 38 * 2 - 1
    assert (48, "JP") not in {(action.paragraph, party.code) for action, party in missing}
    assert (48, "EU") in {(action.paragraph, party.code) for action, party in missing}


def test_reminders_go_to_the_leads_once_a_day(members, jp, mailoutbox):
    cycle = new_cycle(jp)
    members["jp_lead"].email = "jp-lead@example.org"
    members["jp_lead"].save()
    members["jp_secretariat"].email = "jp-secretariat@example.org"
    members["jp_secretariat"].save()
    today = datetime.date(2026, 2, 1)
    sent = services.send_reminders(2026, today)
    assert sent == len(mailoutbox) > 0
    to_lead = [m for m in mailoutbox if m.to == ["jp-lead@example.org"]]
    led_by_mic = {a.paragraph for a in members["jp_lead"].membership.organisation.led_actions.all()}
    # The subject names the paragraph first, in the lead's language (Japanese: its party's).
    assert {int(re.search(r"\d+", m.subject).group()) for m in to_lead} == led_by_mic
    assert services.send_reminders(2026, today) == 0
    assert services.send_reminders(2026, today + datetime.timedelta(days=1)) == sent
    assert Reminder.objects.filter(cycle=cycle).count() == 2 * sent
