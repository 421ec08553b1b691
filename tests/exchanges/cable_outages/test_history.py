"""Historical outages (issue 17 item 4): the real events of ../shared/testdata/cables/outage-events.csv
loaded as reports reconstructed from public sources, and which Japan–EU paths each took away."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from partnership.errors import Invalid, PermissionDenied
from partnership.exchanges.cable_outages import queries, services
from partnership.exchanges.cable_outages.models import Outage
from tests.conftest import shared_dir

pytestmark = pytest.mark.django_db

EVENTS = shared_dir() / "testdata" / "cables" / "outage-events.csv"
HEADER = (
    "event_id,start_date,end_or_restore_date,cables_as_reported,telegeography_v3_ids,location_as_reported,"
    "cause_as_reported,source_repo_or_url,source_path_or_note\n"
)


@pytest.fixture
def events_file():
    if not EVENTS.is_file():
        pytest.skip(f"{EVENTS} is absent: set PARTNERSHIP_SHARED_DIR to the shared folder to run this test")
    return EVENTS


def test_the_real_events_replay_on_the_real_map(imported_v3, events_file, members, capsys):
    result = services.load_history(members["jp_secretariat"], events_file)
    assert result.events == 9 and result.stored == Outage.objects.filter(is_historical=True).count()
    again = services.load_history(members["jp_secretariat"], events_file)
    assert again.stored == 0  # idempotent
    events = {event["event"]: event for event in queries.history(members["eu_lead"])}
    assert list(events)[:3] == ["E01", "E02", "E03"]
    e03 = events["E03"]  # FLAG, SEA-ME-WE 3 and 4 cut in the Mediterranean, December 2008
    assert e03["source"]["source"].startswith("nixworks/public")
    assert set(e03["effect"]["lost_direct"]) == {"seamewe-3", "flag-europe-asia-fea"}
    assert e03["effect"]["connected"] is True  # through hubs, as the issue says
    e05 = events["E05"]  # the Red Sea, 2024
    assert e05["cause"] == "unknown" and e05["effect"]["min_cut_after"] <= e05["effect"]["min_cut_before"]
    assert events["E09"]["cause"] == "seismic" and events["E06"]["cause"] == "anchor"
    assert events["E01"]["cables"] == []  # the source names no cable
    listed = {row["outage"].cable_slug for row in queries.outages(members["eu_lead"])}
    assert "seamewe-3" in listed  # CLEAR among members
    call_command("cables", "history", str(events_file), "--user", "jp-secretariat", "--json")
    printed = json.loads(capsys.readouterr().out)
    assert printed["stored"] == 0 and [e["event"] for e in printed["history"]][-1] == "E09"


def test_a_bad_events_file_is_refused_naming_the_line_and_nothing_is_stored(tmp_path, members):
    cases = {
        "no columns": "a,b\n1,2\n",
        "bad date": HEADER + "E1,2024-13-40,,x,,,,src,note\n",
        "backwards": HEADER + "E1,2024-05-01,2024-04-01,x,,,,src,note\n",
        "bad ids": HEADER + "E1,2024-05-01,,x,../../etc,,,src,note\n",
        "twice": HEADER + "E1,2024-05-01,,x,,,,src,note\nE1,2024-05-02,,x,,,,src,note\n",
        "short line": HEADER + "E1,2024-05-01\n",
        "no start": HEADER + "E1,,,x,,,,src,note\n",
    }
    for name, text in cases.items():
        path = tmp_path / "events.csv"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(Invalid) as error:
            services.load_history(members["jp_secretariat"], path)
        assert "events.csv" in error.value.message, name
    assert Outage.objects.count() == 0
    path.write_text(HEADER + "E1,2024-05-01,,x,,,,src,note\n", encoding="utf-8")
    for user in (members["jp_lead"], None):
        with pytest.raises(PermissionDenied):
            services.load_history(user, path)
    with pytest.raises(CommandError):
        call_command("cables", "history", str(path), "--user", "jp-lead")


@pytest.mark.parametrize("language", ["en", "ja"])
def test_the_history_page(client, imported_v3, events_file, members, language):
    assert client.get(f"/{language}/cables/outages/history/").status_code == 302  # members only
    services.load_history(members["jp_secretariat"], events_file)
    client.force_login(members["eu_stakeholder"])
    html = client.get(f"/{language}/cables/outages/history/").content.decode()
    assert "E03" in html and "seamewe-3" in html and "nixworks/public" in html
