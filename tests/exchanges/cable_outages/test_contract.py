"""The contract test of the cable map (docs/adding-an-exchange.md, step 17)."""

import json

import pytest
from django.test import override_settings

from partnership.exchanges.cable_outages import services
from partnership.exchanges.cable_outages.contract import CableOutages
from partnership.exchanges.cable_outages.demo import demo_map
from partnership.exchanges.cable_outages.models import Cable, MapImport
from tests.exchange_contract import ExchangeContract, Sample

pytestmark = pytest.mark.django_db

API = "/api/v1/cables"


class TestCableOutagesContract(ExchangeContract):
    exchange_class = CableOutages

    def sample_data(self, members, tmp_path) -> Sample:
        from partnership.people.services import create_token

        owner = members["jp_secretariat"]
        path = tmp_path / "map.geojson"
        path.write_text(json.dumps(demo_map()), encoding="utf-8")
        services.import_map(owner, path)
        snapshots = [0]

        def more(count: int) -> None:
            # A new snapshot with `count` more cables between Japan and Singapore.
            snapshots[0] += 1
            data = demo_map()
            template = next(f for f in data["features"] if f["properties"]["id"] == "demo-asia-loop")
            for n in range(count):
                extra = json.loads(json.dumps(template))
                extra["properties"].update(id=f"demo-extra-{snapshots[0]}-{n}", name=f"Extra {n}")
                data["features"].append(extra)
            more_path = tmp_path / f"more-{snapshots[0]}.geojson"
            more_path.write_text(json.dumps(data), encoding="utf-8")
            services.import_map(owner, more_path)

        def import_on_the_jp_node(user):
            # On JP's node, the EU's secretariat imports nothing (the map is the node's own data).
            with override_settings(NODE_PARTY="JP"):
                return services.import_map(user, path.with_name("other.geojson"))

        path.with_name("other.geojson").write_text(json.dumps(demo_map()), encoding="utf-8")
        return Sample(
            owner=owner,
            other_party=members["eu_secretariat"],
            pages=[
                "cables/",
                "cables/?view=world",
                "cables/routes/",
                "cables/routes/?cut=demo-asia-europe-1&corridor=red-sea-suez",
                "cables/list/",
                "cables/imports/",
                "cables/cable/demo-asia-europe-1/",
                "cables/outages/",
                "cables/outages/profiles/",
                "cables/outages/profiles/edit/",
                "cables/outages/filers/",
            ],
            count=lambda: MapImport.objects.count() + Cable.objects.count(),
            more=more,
            protected=[
                f"{API}/cables",
                f"{API}/cables/demo-asia-europe-1",
                f"{API}/routes?from=JP&to=EU",
                f"{API}/cut?cable=demo-asia-europe-1",
                f"{API}/imports",
                f"{API}/corridors",
                f"{API}/outages",
                f"{API}/outages/profiles",
                f"{API}/outages/filers",
            ],
            service_writes=[import_on_the_jp_node],
            missing=[f"{API}/cables/no-such-cable"],
            auth=lambda user: {"Authorization": "Bearer " + create_token(user, "test")[1]},
        )

    # --- the ledger: an outage reported by the real JP node's operator, sealed to this (EU) node -------

    def author_on_peer(self, node) -> str:
        import datetime
        import tempfile
        from pathlib import Path

        from django.utils import timezone

        from partnership.demo import create_exchange_organisations
        from partnership.exchanges.cable_outages import parsing
        from partnership.people.models import Party

        # This node registers the other party's demo operator, as it registers any peer organisation, and
        # holds its own copy of the map: a peer's report is checked against it (its cable, its route).
        create_exchange_organisations()
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "map.geojson"
            path.write_text(json.dumps(demo_map()), encoding="utf-8")
            snapshot = parsing.read_map(path)
        services.store_snapshot(None, Party.objects.get(code="EU"), snapshot, path.name)
        token = node.token("jp-operator")
        now = timezone.now()
        body = {
            "cable": "demo-asia-europe-1",
            "started_at": (now - datetime.timedelta(hours=3)).isoformat(),
            "detected_at": (now - datetime.timedelta(hours=2)).isoformat(),
            "cause": "deliberate",
            "fault_latitude": 16.3,
            "fault_longitude": 40.7,
            "fibre_pairs_lost": 2,
            "profile": "nis2",
            "tlp": "amber",
            "summary": "Cut in the Red Sea.",
        }
        uid = node.post(f"{API}/outages", token, body)["uid"]
        node.post(f"{API}/outages/{uid}/stages", token, {"stage": "interim", "summary": "Ship on site."})
        return uid

    def assert_received(self, authored) -> None:
        from partnership.exchanges.cable_outages.models import Outage

        copy = Outage.objects.get(uid=authored)
        assert (copy.party.code, copy.organisation.code, copy.tlp, copy.cause) == (
            "JP",
            "jp-cable-operator",
            "amber",
            "deliberate",
        )
        assert sorted(copy.stages.values_list("stage", flat=True)) == ["interim", "notification"]
        assert copy.revision == 2 and copy.profile == "nis2" and copy.ledger_entry.log == "JP"
        # Its deadlines, here on the EU node, from the stages the signed report carries (NIS2's).
        import datetime

        from django.utils import timezone

        from partnership.exchanges.cable_outages.queries import stage_deadlines

        due = {item["stage"]: item["due"] for item in stage_deadlines(copy, timezone.now())}
        assert due["notification"] == copy.detected_at + datetime.timedelta(hours=24)
        assert due["interim"] == copy.detected_at + datetime.timedelta(hours=72)
