"""The cycle's figures are the cycle's (issue 14, item 5): the dashboard and the area pages count the
updates of the cycle in progress, as the Council report does, with "no update yet" and last cycle's
status marked as such; an update after the call closed is marked late (action page, report, dashboard)
or refused, as the secretariats decided for that cycle."""

import datetime
import json
import re

import pytest
from django.utils import timezone

from partnership.cycle import report, services
from partnership.cycle.models import Cycle
from partnership.errors import Invalid, PermissionDenied
from partnership.programme import queries
from partnership.programme import services as programme
from partnership.programme.models import ProgressUpdate
from tests.helpers import plan_cycle, signed_in

THIS = timezone.now().year
LAST = THIS - 1


def update(user, paragraph: int, period: int, status: str, narrative: str = "Progress.") -> None:
    programme.file_update(
        user, paragraph, {"status": status, "narrative": narrative, "language": "en", "period": period}
    )


def plan(user, year: int, closes: datetime.date, until: str = "call_open", **extra) -> None:
    plan_cycle(
        user,
        {"year": year, "call_opens": closes - datetime.timedelta(days=60), "call_closes": closes, **extra},
    )
    for phase in services.PHASES[1 : services.PHASES.index(until) + 1]:
        services.advance_phase(user, year, phase)


@pytest.fixture
def two_cycles(members):
    """Last year's cycle complete and this year's with its call open; the EU reported on both
    semiconductor actions (46, 47) last year and only on 46 this year."""
    secretariat, eu = members["jp_secretariat"], members["eu_secretariat"]
    today = timezone.now().date()
    # Last year's call closes today (the phases follow the agreed calendar: it may close from that day
    # on), so last year's updates filed here today are in time; its dates move back afterwards.
    plan(secretariat, LAST, today, until="guidance_published")
    plan(secretariat, THIS, today + datetime.timedelta(days=30))
    update(eu, 46, LAST, "on_track")
    update(eu, 47, LAST, "at_risk")
    update(eu, 46, THIS, "done")
    Cycle.objects.filter(year=LAST).update(call_closes=datetime.date(LAST, 3, 31))


def row_of(page: str, marker: str) -> str:
    """The table row of the page that contains `marker`."""
    return next(row for row in re.findall(r"<tr>.*?</tr>", page, flags=re.S) if marker in row)


@pytest.mark.parametrize(
    ("language", "no_update", "earlier"),
    [("en", "no update yet", f"their {LAST} status:"), ("ja", "未報告", f"{LAST}年の状況：")],
)
def test_the_dashboard_counts_this_cycles_statuses_and_marks_last_cycles(
    two_cycles, members, language, no_update, earlier
):
    page = signed_in(members["eu_lead"]).get(f"/{language}/dashboard/").content.decode()
    eu_cell = re.findall(r"<td>(.*?)</td>", row_of(page, f"/{language}/areas/semiconductors/"), flags=re.S)[0]
    # This cycle: 46 done; 47 has no update yet, and its last-cycle status is shown as last cycle's.
    assert "badge-done" in eu_cell and "badge-on_track" not in eu_cell.split(earlier)[0]
    assert no_update in eu_cell and earlier in eu_cell
    assert "badge-at_risk" in eu_cell.split(earlier)[1]
    assert str(THIS) in page


def test_the_dashboard_and_the_report_count_with_the_same_rule(two_cycles, members):
    """Issue 14: the dashboard showed EU 23/5/5/5 against the draft report's 18/4/4/5 and 7 "no update"."""
    dashboard = queries.dashboard(members["eu_lead"], timezone.now().date())
    data = report.build_report(THIS)
    parties = [party.code for party in dashboard["parties"]]
    by_area = {row["area"]: row["counts"] for row in data["summary"]["by_area"]}
    for area, cells in dashboard["matrix"]:
        for code, cell in zip(parties, cells, strict=True):
            shown = {status: count for status, count in by_area[area.code][code].items() if count}
            assert cell.counts == shown, (area.code, code)


@pytest.mark.parametrize(("language", "no_update"), [("en", "no update yet"), ("ja", "未報告")])
def test_the_area_page_shows_this_cycles_status_or_last_cycles_marked_as_such(
    two_cycles, members, language, no_update
):
    client = signed_in(members["jp_stakeholder"])
    page = client.get(f"/{language}/areas/semiconductors/").content.decode()
    cells = re.findall(r"<td>(.*?)</td>", row_of(page, f"/{language}/actions/47/"), flags=re.S)
    eu = cells[2]  # paragraph, title, then the parties in code order: EU, JP
    assert no_update in eu and f"{LAST}" in eu and "badge-at_risk" in eu
    assert (
        "badge-done" in re.findall(r"<td>(.*?)</td>", row_of(page, f"/{language}/actions/46/"), flags=re.S)[2]
    )
    public = signed_in(None).get(f"/{language}/areas/semiconductors/").content.decode()
    assert "badge-at_risk" not in public and "badge-done" not in public


@pytest.mark.parametrize(("language", "late"), [("en", "late"), ("ja", "期限後")])
def test_an_update_after_the_call_closed_is_marked_late_everywhere(members, language, late):
    secretariat, eu = members["jp_secretariat"], members["eu_secretariat"]
    plan(secretariat, THIS, timezone.now().date() - datetime.timedelta(days=1), until="stock_take")
    update(eu, 46, THIS, "on_track")
    badge = '<span class="badge badge-late"'
    action = signed_in(eu).get(f"/{language}/actions/46/").content.decode()
    assert badge in action and f">{late}</span>" in action
    assert badge not in signed_in(eu).get(f"/{language}/actions/47/").content.decode()
    data = report.build_report(THIS)
    assert data["areas"][1]["actions"][0]["parties"]["EU"]["late"] is True
    assert data["summary"]["late"] == {"EU": 1, "JP": 0}
    html = report.render_html(data, language)
    assert badge in html and f">{late}</span>" in html
    dashboard = signed_in(eu).get(f"/{language}/dashboard/").content.decode()
    assert "late-count" in row_of(dashboard, f"/{language}/areas/semiconductors/")
    # Still counted with its status: marked, not dropped.
    assert data["summary"]["totals"]["EU"]["on_track"] == 1


def test_an_update_in_time_is_not_late(members):
    plan(members["jp_secretariat"], THIS, timezone.now().date() + datetime.timedelta(days=10))
    update(members["eu_secretariat"], 46, THIS, "on_track")
    assert "badge-late" not in signed_in(members["eu_secretariat"]).get("/en/actions/46/").content.decode()
    assert report.build_report(THIS)["summary"]["late"] == {"EU": 0, "JP": 0}


def test_a_cycle_that_refuses_late_updates_refuses_them_in_words(members, token_for):
    secretariat, eu = members["jp_secretariat"], members["eu_secretariat"]
    closed = timezone.now().date() - datetime.timedelta(days=1)
    plan(secretariat, THIS, closed, late_updates="refuse")
    assert Cycle.objects.get(year=THIS).late_updates == "refuse"
    with pytest.raises(Invalid) as refused:
        update(eu, 46, THIS, "on_track")
    assert "period" in refused.value.fields and closed.isoformat() in refused.value.message
    # Over the API, in the reader's language; nothing was filed.
    response = signed_in(None).post(
        "/api/v1/actions/46/updates",
        json.dumps({"status": "on_track", "narrative": "Late.", "language": "en", "period": THIS}),
        content_type="application/json",
        HTTP_AUTHORIZATION=token_for(eu),
        HTTP_ACCEPT_LANGUAGE="ja",
    )
    assert response.status_code in (400, 422), response.content
    assert "締め切られました" in response.content.decode()
    assert not ProgressUpdate.objects.filter(period=THIS).exists()
    # Last year's call is another cycle's: unaffected.
    services.set_late_updates(secretariat, THIS, "mark")
    update(eu, 46, THIS, "on_track")


def test_on_a_federated_node_only_its_own_secretariat_sets_the_late_update_policy(members, settings):
    plan(members["jp_secretariat"], THIS, timezone.now().date())
    settings.NODE_PARTY = "JP"
    with pytest.raises(PermissionDenied):
        services.set_late_updates(members["eu_secretariat"], THIS, "refuse")
    assert Cycle.objects.get(year=THIS).late_updates == "mark"
    services.set_late_updates(members["jp_secretariat"], THIS, "refuse")
    assert Cycle.objects.get(year=THIS).late_updates == "refuse"


def test_who_sets_the_late_update_policy(members, token_for):
    plan(members["jp_secretariat"], THIS, timezone.now().date())
    for name in ("jp_stakeholder", "eu_lead"):
        with pytest.raises(PermissionDenied):
            services.set_late_updates(members[name], THIS, "refuse")
        assert (
            signed_in(members[name])
            .post(f"/en/cycles/{THIS}/late-updates/", {"late_updates": "refuse"})
            .status_code
            == 403
        )
    assert (
        signed_in(None).post(f"/en/cycles/{THIS}/late-updates/", {"late_updates": "refuse"}).status_code
        == 302
    )
    with pytest.raises(Invalid) as wrong:
        services.set_late_updates(members["eu_secretariat"], THIS, "ignore")
    assert "late_updates" in wrong.value.fields
    assert Cycle.objects.get(year=THIS).late_updates == "mark"
    # The cycle page's form (secretariats), then the API.
    client = signed_in(members["eu_secretariat"])
    page = client.get(f"/ja/cycles/{THIS}/").content.decode()
    assert 'name="late_updates"' in page and "受け付けて「期限後」と表示" in page
    assert (
        'name="late_updates"' not in signed_in(members["eu_lead"]).get(f"/en/cycles/{THIS}/").content.decode()
    )
    done = client.post(f"/ja/cycles/{THIS}/late-updates/", {"late_updates": "refuse"}, follow=True)
    assert "募集締切後に提出された進捗報告：受け付けない。" in done.content.decode()
    assert Cycle.objects.get(year=THIS).late_updates == "refuse"
    response = signed_in(None).put(
        f"/api/v1/cycles/{THIS}/late-updates",
        json.dumps({"late_updates": "mark"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=token_for(members["jp_secretariat"]),
    )
    assert response.status_code == 200 and response.json()["late_updates"] == "mark"
    assert signed_in(None).get(f"/api/v1/cycles/{THIS}").json()["late_updates"] == "mark"
