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
            ],
            service_writes=[import_on_the_jp_node],
            missing=[f"{API}/cables/no-such-cable"],
            auth=lambda user: {"Authorization": "Bearer " + create_token(user, "test")[1]},
        )
