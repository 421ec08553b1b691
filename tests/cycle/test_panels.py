"""The dashboard shows where the cycle stands and who has not reported, within its query budget."""

from django.contrib.auth.models import User

from partnership.cycle import services
from partnership.programme import services as programme_services
from tests.helpers import plan_cycle


def test_the_dashboard_shows_the_cycle_and_who_has_not_reported(
    client, members, django_assert_max_num_queries
):
    jp = members["jp_secretariat"]
    plan_cycle(jp, {"year": 2026, "call_opens": "2026-01-15", "call_closes": "2026-03-31"})
    services.advance_phase(jp, 2026, "call_open")
    programme_services.file_update(
        jp, 48, {"status": "on_track", "narrative": "ok", "language": "en", "period": 2026}
    )
    client.force_login(User.objects.get(username="eu-lead"))
    # The programme's own and the cycle's (15), one per installed exchange's panel (supply chain: its
    # signals, its open alerts), and the lead's own desk (issue 15: its actions, the cycle, its reminders: 6).
    with django_assert_max_num_queries(23):
        page = client.get("/en/dashboard/").content.decode()
    assert "Cycle 2026" in page and "call for updates open" in page
    assert "<strong>JP</strong> 37 actions" in page and "<strong>EU</strong> 38 actions" in page


def test_the_public_sees_the_phase_but_not_who_is_missing(client, members):
    plan_cycle(
        members["eu_secretariat"], {"year": 2026, "call_opens": "2026-01-15", "call_closes": "2026-03-31"}
    )
    page = client.get("/ja/dashboard/").content.decode()
    assert "2026" in page
    assert "<strong>JP</strong>" not in page


def test_without_a_cycle_there_is_no_panel(client, members):
    client.force_login(User.objects.get(username="jp-lead"))
    assert "cycle-panel" not in client.get("/en/dashboard/").content.decode()
