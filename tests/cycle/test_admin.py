"""The back office (issue 15, item 5): who enters it, what each sees of the cycle, and that nothing of the
cycle can be changed there (a change in the admin would bypass the ledger and the services' rules)."""

import pytest
from django.contrib.auth.models import User

from partnership.cycle import services
from partnership.cycle.models import Cycle, Meeting, Reminder
from partnership.programme import services as programme_services
from tests.helpers import plan_cycle, signed_in

CYCLE_PAGES = [
    "/en/admin/cycle/cycle/",
    "/en/admin/cycle/meeting/",
    "/en/admin/cycle/outcome/",
    "/en/admin/cycle/priority/",
    "/en/admin/cycle/consultationwindow/",
    "/en/admin/cycle/contribution/",
    "/en/admin/cycle/reminder/",
    "/en/admin/cycle/publishedreport/",
]


@pytest.fixture
def cycle(members):
    """Cycle 2026 planned by JP and agreed by the EU, a meeting hosted by the EU, reminders to both."""
    for name, user in members.items():
        User.objects.filter(pk=user.pk).update(email=f"{name.replace('_', '-')}@demo.invalid")
    found = plan_cycle(
        members["jp_secretariat"], {"year": 2026, "call_opens": "2026-01-15", "call_closes": "2026-03-31"}
    )
    services.record_meeting(
        members["eu_secretariat"],
        2026,
        {
            "mechanism": "digital-partnership-council",
            "kind": "council",
            "title": "Council in Brussels",
            "language": "en",
            "date": "2026-05-12",
        },
    )
    services.send_reminders(2026)
    return found


def _operator():
    return User.objects.create_superuser("operator", "op@example.org", "x-operator-password-1")


@pytest.mark.parametrize(
    ("name", "enters"),
    [
        ("jp_secretariat", True),
        ("eu_secretariat", True),
        ("jp_lead", False),
        ("eu_stakeholder", False),
        ("eu_member_state", False),
        (None, False),
    ],
)
def test_who_enters_the_back_office_and_is_offered_the_link(members, cycle, name, enters):
    client = signed_in(members[name] if name else None)
    index = client.get("/en/admin/")
    assert (index.status_code == 200) == enters
    if not enters:
        assert index.status_code == 302 and "/admin/login/" in index["Location"]
    for path in CYCLE_PAGES:
        response = client.get(path)
        assert (response.status_code == 200) == enters, path
    dashboard = client.get("/en/dashboard/").content.decode()
    assert ('href="/en/admin/"' in dashboard) == enters


def test_an_account_made_staff_by_hand_gets_neither_the_link_nor_the_back_office(members, cycle):
    lead = members["jp_lead"]
    User.objects.filter(pk=lead.pk).update(is_staff=True)
    client = signed_in(User.objects.get(pk=lead.pk))
    assert client.get("/en/admin/").status_code == 302
    assert client.get("/en/admin/programme/progressupdate/").status_code == 302
    assert 'href="/en/admin/"' not in client.get("/en/dashboard/").content.decode()


def test_the_operator_enters_and_is_offered_the_link(members, cycle):
    client = signed_in(_operator())
    assert client.get("/en/admin/").status_code == 200
    assert 'href="/en/admin/"' in client.get("/en/dashboard/").content.decode()
    for path in CYCLE_PAGES:
        assert client.get(path).status_code == 200, path


@pytest.mark.parametrize("name", ["jp_secretariat", "eu_secretariat", "operator"])
def test_cycles_and_meetings_are_read_only_for_everyone(members, cycle, name):
    user = _operator() if name == "operator" else members[name]
    client = signed_in(user)
    meeting = Meeting.objects.get()
    # Both parties' records are there to read (the cycle is the partnership's)...
    listing = client.get("/en/admin/cycle/meeting/").content.decode()
    assert "Council in Brussels" in listing
    page = client.get(f"/en/admin/cycle/meeting/{meeting.pk}/change/")
    assert page.status_code == 200 and 'name="title"' not in page.content.decode()
    cycle_page = client.get(f"/en/admin/cycle/cycle/{cycle.pk}/change/")
    assert cycle_page.status_code == 200 and 'name="call_closes"' not in cycle_page.content.decode()
    # ...and none to change, add or delete: the services sign every change.
    client.post(f"/en/admin/cycle/meeting/{meeting.pk}/change/", {"title": "Changed"})
    client.post(f"/en/admin/cycle/cycle/{cycle.pk}/change/", {"call_closes": "2026-12-31", "year": 2026})
    assert client.get("/en/admin/cycle/cycle/add/").status_code == 403
    assert client.post(f"/en/admin/cycle/meeting/{meeting.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Meeting.objects.get().title == "Council in Brussels"
    assert str(Cycle.objects.get().call_closes) == "2026-03-31"


def test_a_secretariat_sees_only_its_own_partys_reminders(members, cycle):
    assert Reminder.objects.filter(recipient__username__startswith="eu-").exists()
    jp = signed_in(members["jp_secretariat"]).get("/en/admin/cycle/reminder/").content.decode()
    assert "jp-secretariat" in jp and "eu-secretariat" not in jp and "eu-lead" not in jp
    eu = signed_in(members["eu_secretariat"]).get("/en/admin/cycle/reminder/").content.decode()
    assert "eu-secretariat" in eu and "jp-" not in eu


def test_the_progress_update_list_has_short_columns(members, cycle):
    long = "A narrative that goes on and on. " * 20
    programme_services.file_update(
        members["jp_lead"], 48, {"status": "on_track", "narrative": long, "language": "en", "period": 2026}
    )
    page = signed_in(members["jp_secretariat"]).get("/en/admin/programme/progressupdate/").content.decode()
    assert "A narrative that goes on and on." in page and long.strip() not in page  # cut to a line
    assert "jp-mic" in page  # the organisation's code, not its long name
    assert "5G" not in page.split("<tbody>", 1)[1]  # the paragraph, not the action's long title
