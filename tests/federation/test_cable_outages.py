"""Issue 17's checks across two real nodes: a JP node in its own process, this process as the EU node.
The JP secretariat designates its operator as a cable's responsible filer with an EU co-owner; the JP
operator reports an outage; the EU node pulls both: the designation read-only (binding its own operators,
not changeable by its secretariat), the report with its deadlines, read by the EU co-owner. The JP
secretariat revokes; the EU node sees that too."""

import datetime
import json
import urllib.request
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from partnership.errors import PermissionDenied
from partnership.exchanges.cable_outages import queries, services
from partnership.exchanges.cable_outages.demo import demo_map
from partnership.exchanges.cable_outages.models import Outage, ResponsibleFiler
from partnership.ledger import services as ledger_services
from partnership.ledger import sync

pytestmark = pytest.mark.django_db

CABLE = "demo-asia-europe-1"
API = "/api/v1/cables/outages"


def pull() -> None:
    (result,) = sync.sync_all()
    assert result.error == "" and result.rejected == 0, result


def delete(node, path: str, token: str) -> dict:
    request = urllib.request.Request(
        node.url + path, headers={"Authorization": f"Bearer {token}"}, method="DELETE"
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (loopback)
        return json.loads(response.read())


def test_a_designation_and_a_report_made_on_the_jp_node_hold_on_the_eu_node(
    jp_factory, eu_node, members, tmp_path
):
    from partnership.demo import create_exchange_organisations
    from partnership.people.models import Organisation
    from partnership.people.services import create_member

    jp = jp_factory(env={"PARTNERSHIP_PEERS": f"http://127.0.0.1:9 {ledger_services.verifier_key()}"})
    eu_node.peer(jp)
    create_exchange_organisations()  # this node registers the demo's operators of both parties
    eu_operator = create_member(
        "eu-op", "correct-horse-battery-9", Organisation.objects.get(code="eu-cable-operator"), "operator"
    )
    path = tmp_path / "map.geojson"
    path.write_text(json.dumps(demo_map()), encoding="utf-8")
    services.import_map(members["eu_secretariat"], path)

    designated = jp.post(
        f"{API}/filers",
        jp.secretariat_token,
        {"cable": CABLE, "organisation": "jp-cable-operator", "co_owners": ["eu-cable-operator"]},
    )
    assert designated["revision"] == 1 and designated["signed_by"] is None
    now = timezone.now()
    detected = now - datetime.timedelta(hours=2)
    reported = jp.post(
        API,
        jp.token("jp-operator"),
        {
            "cable": CABLE,
            "started_at": (now - datetime.timedelta(hours=3)).isoformat(),
            "detected_at": detected.isoformat(),
            "cause": "anchor",
            "fault_latitude": 16.3,
            "fault_longitude": 40.7,
            "profile": "fcc",
            "tlp": "amber",
            "summary": "Two fibre pairs lost.",
        },
    )
    pull()

    held = ResponsibleFiler.objects.get()
    assert (held.party.code, held.organisation.code, held.signed_by, held.revoked_at) == (
        "JP",
        "jp-cable-operator",
        "JP",
        None,
    )
    assert [org.code for org in held.co_owners.all()] == ["eu-cable-operator"]
    # The EU co-owner reads the JP filer's AMBER report here, with its deadlines.
    (row,) = queries.outages(eu_operator)
    copy = row["outage"]
    assert str(copy.uid) == reported["uid"] and copy.ledger_entry.log == "JP"
    stages = {item["stage"]: item for item in row["stages"]}
    assert abs((stages["notification"]["due"] - detected).total_seconds() - 4 * 3600) < 1
    assert stages["notification"]["on_time"] is True and not row["overdue"]
    client = Client()
    client.force_login(eu_operator)
    page = client.get(f"/en/cables/outages/{copy.uid}/").content.decode()
    due = stages["notification"]["due"].astimezone(ZoneInfo("Europe/Brussels")).strftime("%Y-%m-%d %H:%M")
    assert due in page  # the deadline, on the EU node's page of the JP report (in CET, its reader's)
    filers_page = client.get("/en/cables/outages/filers/").content.decode()
    assert "signed by the JP node" in filers_page
    # On the EU node the EU's operators do not report on the cable the JP filer files for, and the EU
    # secretariat does not change the JP's designation.
    with pytest.raises(PermissionDenied):
        services.report_outage(
            eu_operator,
            {
                "cable": CABLE,
                "started_at": (now - datetime.timedelta(hours=1)).isoformat(),
                "detected_at": now.isoformat(),
                "cause": "unknown",
                "fault_latitude": 16.3,
                "fault_longitude": 40.7,
            },
        )
    with pytest.raises(PermissionDenied):
        services.revoke_filer(members["eu_secretariat"], CABLE)

    revoked = delete(jp, f"{API}/filers/{CABLE}", jp.secretariat_token)
    assert revoked["revoked"] is True and revoked["revision"] == 2
    pull()
    assert ResponsibleFiler.objects.get().revoked_at is not None and Outage.objects.count() == 1
    assert queries.designations(eu_operator) == []
